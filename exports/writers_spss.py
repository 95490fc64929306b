"""SPSS .sav writer (pyreadstat), from the compact frame of exports.frames.

Dates and datetimes are stored the way SPSS stores them (seconds since 1582-10-14) with a DATE11 / DATETIME20
format. Strings are written as UTF-8 (pyreadstat's .sav default; `read_sav` reports file_encoding 'UTF-8').
pyreadstat writes the dictionary and exports.sav_fast the data rows (pyreadstat's own row loop is slow).
"""
import os

import pyreadstat

from exports.frames import DAYS_1582_TO_1970, dataset_frame, shifted
from exports.sav_fast import write_frame
from exports.spec import Dataset
from exports.writers_csv import check_dataset, text_of, value_labels

LABEL_BYTES = 256  # SPSS variable label limit
VALUE_LABEL_BYTES = 120  # SPSS value label limit
FILE_LABEL_BYTES = 64  # SPSS file label limit

_FORMATS = {"date": "DATE11", "datetime": "DATETIME20", "integer": "F8.0", "boolean": "F1.0"}


def truncate_utf8(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes without splitting a character."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def variable_label(label_en: str, label_zh: str) -> str:
    label = " / ".join(text for text in (text_of(label_en), text_of(label_zh)) if text)
    return truncate_utf8(label, LABEL_BYTES)


def _measure(col) -> str:
    if col.type in ("string", "boolean") or col.values:
        return "nominal"
    return "scale"


def _display_format(col) -> str | None:
    fmt = _FORMATS.get(col.type)
    if col.type == "integer" and col.width > 8:
        fmt = f"F{min(col.width, 40)}.0"
    return fmt


def spss_frame(frame, dataset: Dataset):
    """The neutral frame (exports.frames) in SPSS terms: dates and datetimes in seconds since 1582-10-14."""
    return shifted(frame, dataset, date_offset_days=DAYS_1582_TO_1970, date_unit_seconds=86400.0,
                   datetime_offset_seconds=DAYS_1582_TO_1970 * 86400, datetime_unit_seconds=1.0)


def sav_metadata(dataset: Dataset) -> dict:
    """pyreadstat.write_sav's keyword arguments for the dataset's dictionary (see `write_sav`)."""
    labels, formats, measures, widths, codes = {}, {}, {}, {}, {}
    for col in dataset.columns:
        labels[col.name] = variable_label(col.label_en, col.label_zh) or None
        measures[col.name] = _measure(col)
        if fmt := _display_format(col):
            formats[col.name] = fmt
        if col.width > 0:
            widths[col.name] = min(col.width, 255)
        if mapping := value_labels(col):
            if col.type == "string":
                codes[col.name] = {str(k): truncate_utf8(v, VALUE_LABEL_BYTES) for k, v in mapping.items()}
            else:
                codes[col.name] = {float(k): truncate_utf8(v, VALUE_LABEL_BYTES) for k, v in mapping.items()}
    file_label = truncate_utf8(variable_label(dataset.label_en, dataset.label_zh), FILE_LABEL_BYTES)
    return {"file_label": file_label, "column_labels": labels, "variable_value_labels": codes or None,
            "variable_measure": measures, "variable_format": formats or None,
            "variable_display_width": widths or None}


def write_sav(dataset: Dataset, path: str | os.PathLike, frame=None) -> int:
    """Write one dataset as an SPSS .sav file at `path` and return its row count.

    Variable labels are "label_en / label_zh" (cut to 256 UTF-8 bytes on a character boundary), value labels come
    from `Column.values` (booleans default to 1 = yes / 是, 0 = no / 否; cut to 120 bytes), measure levels are
    nominal for strings, booleans and coded columns and scale otherwise. Numbers, integers and booleans are SPSS
    numerics (integers shown as F8.0), dates DATE11 and datetimes DATETIME20 (read back as dates / datetimes).
    Strings are UTF-8; missing strings become empty strings. `Column.width` sets the display width. `frame`:
    the dataset's neutral frame when the caller already built it (exports.writers builds it once per dataset).
    """
    check_dataset(dataset)
    if frame is None:
        frame, _count = dataset_frame(dataset)
    count = len(frame)
    try:
        write_frame(spss_frame(frame, dataset), path, **sav_metadata(dataset))
    except pyreadstat.PyreadstatError as exc:
        raise ValueError(f"dataset {dataset.name!r}: SPSS writer refused the data: {exc}") from exc
    return count
