"""Stata .dta writer (pyreadstat; format 118, Stata 14 and later, UTF-8), from the compact frame of exports.frames.

Stata's rules and how they are met:
- variable names: Stata allows 32 characters, but readstat names each value-label set after its variable and
  refuses a 32-character set name, so names are kept to 31. Our names are SPSS-safe (ASCII letters, digits,
  '_', up to 64); longer ones are cut to 31 and made unique with a numeric suffix (`stata_names`), never a
  Stata reserved word; variable_names.csv in the bundle lists both.
- variable labels: at most 80 characters: "English / 中文", cut on a character boundary.
- value labels: numeric variables only (Stata cannot label strings); coded string columns keep their codes and
  the codebook gives the labels.
- dates: days since 1960-01-01 shown as %td; datetimes: milliseconds since 1960-01-01 00:00 shown as %tc (wall
  clock time, as in the CSV).
- strings up to 2,045 bytes (str#); a longer value is refused with the dataset, column and its length.
"""
import os

import pyreadstat

from exports.frames import DAYS_1960_TO_1970, dataset_frame, shifted
from exports.spec import Dataset
from exports.writers_csv import check_dataset, text_of, value_labels

NAME_CHARS = 31  # Stata's 32, less one: see the module docstring
LABEL_CHARS = 80
STRING_BYTES = 2045
RESERVED = frozenset("_all _b byte _coef _cons double float if in int long _n _N _pi _pred _rc _skip strL "
                     "using with".split())
_FORMATS = {"date": "%td", "datetime": "%tc", "integer": "%12.0g", "boolean": "%8.0g"}


def short_names(names: list[str], limit: int, *, reserved: frozenset[str] = frozenset(),
                upper: bool = False) -> dict[str, str]:
    """Each name cut to `limit` characters, unique ignoring case, never a reserved word: a clash keeps the start
    and ends in a number (`creatinine_umol_l` and `creatinine_mg_dl` at 8 -> CREATININ, CREATI_1 ...)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in names:
        short = name[:limit].upper() if upper else name[:limit]
        n = 0
        while short.lower() in taken or short in reserved or short.lower() in {r.lower() for r in reserved}:
            n += 1
            suffix = f"_{n}"
            short = (name[:limit - len(suffix)] + suffix)
            short = short.upper() if upper else short
        taken.add(short.lower())
        out[name] = short
    return out


def stata_names(dataset: Dataset) -> dict[str, str]:
    return short_names([c.name for c in dataset.columns], NAME_CHARS, reserved=RESERVED)


def _label(col) -> str:
    label = " / ".join(t for t in (text_of(col.label_en), text_of(col.label_zh)) if t)
    return label[:LABEL_CHARS]


def write_dta(dataset: Dataset, path: str | os.PathLike, frame=None) -> int:
    """Write one dataset as a Stata .dta file at `path` and return its row count (`frame`: as for write_sav)."""
    check_dataset(dataset)
    names = stata_names(dataset)
    if frame is None:
        frame, _count = dataset_frame(dataset)
    count = len(frame)
    # days since 1960 (%td); milliseconds since 1960-01-01 00:00 (%tc)
    frame = shifted(frame, dataset, names=names, date_offset_days=DAYS_1960_TO_1970, date_unit_seconds=1.0,
                    datetime_offset_seconds=DAYS_1960_TO_1970 * 86400, datetime_unit_seconds=0.001)
    for col in dataset.columns:
        if col.type == "string":
            longest = int(frame[names[col.name]].str.encode("utf-8").str.len().max() or 0) if count else 0
            if longest > STRING_BYTES:
                raise ValueError(f"dataset {dataset.name!r}, column {col.name!r}: a value of {longest} bytes is "
                                 f"longer than Stata's {STRING_BYTES}-byte strings")
    labels, formats, codes = {}, {}, {}
    for col in dataset.columns:
        name = names[col.name]
        labels[name] = _label(col) or None
        if fmt := _FORMATS.get(col.type):
            formats[name] = fmt
        mapping = value_labels(col)
        if mapping and col.type != "string" and all(float(k).is_integer() for k in mapping):
            codes[name] = {int(k): v[:LABEL_CHARS] for k, v in mapping.items()}
    file_label = _label(dataset)
    try:
        pyreadstat.write_dta(frame, os.fspath(path), file_label=file_label, column_labels=labels,
                             variable_value_labels=codes or None, variable_format=formats or None)
    except (pyreadstat.PyreadstatError, pyreadstat.ReadstatError) as exc:
        raise ValueError(f"dataset {dataset.name!r}: Stata writer refused the data: {exc}") from exc
    return count
