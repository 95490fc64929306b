"""SPSS .sav writer (pyreadstat), from the compact frame of exports.frames.

Dates and datetimes are stored the way SPSS stores them (seconds since 1582-10-14) with a DATE11 / DATETIME20
format. Strings are written as UTF-8 (pyreadstat's .sav default; `read_sav` reports file_encoding 'UTF-8').
"""
import os
from datetime import date, datetime, timedelta

import pyreadstat

from exports.frames import dataset_frame
from exports.spec import Dataset
from exports.writers_csv import check_dataset, text_of, value_labels

LABEL_BYTES = 256  # SPSS variable label limit
VALUE_LABEL_BYTES = 120  # SPSS value label limit
FILE_LABEL_BYTES = 64  # SPSS file label limit

_SPSS_EPOCH = datetime(1582, 10, 14)
_SPSS_EPOCH_DATE = _SPSS_EPOCH.date()
_FORMATS = {"date": "DATE11", "datetime": "DATETIME20", "integer": "F8.0", "boolean": "F1.0"}


def truncate_utf8(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes without splitting a character."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def variable_label(label_en: str, label_zh: str) -> str:
    label = " / ".join(text for text in (text_of(label_en), text_of(label_zh)) if text)
    return truncate_utf8(label, LABEL_BYTES)


def _spss_date(value: date) -> float:
    return float((value - _SPSS_EPOCH_DATE).days * 86400)


def _spss_datetime(value: datetime) -> float:
    # Aware datetimes keep their own wall-clock time (the one the CSV shows); localise them before exporting.
    return (value.replace(tzinfo=None) - _SPSS_EPOCH) / timedelta(seconds=1)


_TO_SPSS = {"integer": float, "number": float, "boolean": float, "date": _spss_date, "datetime": _spss_datetime}


def _measure(col) -> str:
    if col.type in ("string", "boolean") or col.values:
        return "nominal"
    return "scale"


def _display_format(col) -> str | None:
    fmt = _FORMATS.get(col.type)
    if col.type == "integer" and col.width > 8:
        fmt = f"F{min(col.width, 40)}.0"
    return fmt


def write_sav(dataset: Dataset, path: str | os.PathLike) -> int:
    """Write one dataset as an SPSS .sav file at `path` and return its row count.

    Variable labels are "label_en / label_zh" (cut to 256 UTF-8 bytes on a character boundary), value labels come
    from `Column.values` (booleans default to 1 = yes / 是, 0 = no / 否; cut to 120 bytes), measure levels are
    nominal for strings, booleans and coded columns and scale otherwise. Numbers, integers and booleans are SPSS
    numerics (integers shown as F8.0), dates DATE11 and datetimes DATETIME20 (read back as dates / datetimes).
    Strings are UTF-8; missing strings become empty strings. `Column.width` sets the display width.
    """
    check_dataset(dataset)
    frame, count = dataset_frame(dataset, _TO_SPSS)
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
    try:
        pyreadstat.write_sav(frame, os.fspath(path), file_label=file_label, column_labels=labels,
                             variable_value_labels=codes or None, variable_measure=measures,
                             variable_format=formats or None, variable_display_width=widths or None)
    except pyreadstat.PyreadstatError as exc:
        raise ValueError(f"dataset {dataset.name!r}: SPSS writer refused the data: {exc}") from exc
    return count
