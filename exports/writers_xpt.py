"""SAS transport (XPORT version 5) writer (pyreadstat), from the compact frame of exports.frames.

Version 5 is the format regulators accept (FDA Study Data Technical Conformance Guide) and every SAS release
reads; its rules, and how they are met here:
- member (dataset) and variable names: at most 8 characters, letters, digits and '_', not starting with a digit:
  names are upper-cased and cut to 8, made unique with a numeric suffix (`xpt_names`); `xpt_names.csv` in the
  bundle maps every original name to its transport name.
- labels: at most 40 characters of ASCII: the English label, accents folded, other characters dropped.
- character values: ASCII only, at most 200 bytes. Text outside ASCII (Chinese free text, µ, °) is written with
  `\\uXXXX` escapes, so nothing is lost silently and a SAS program can decode it; a value longer than 200 bytes
  after that is cut at 200. The bundle's README counts both cases per dataset.
- numbers are IBM 8-byte floats; dates are days since 1960-01-01 (DATE9.), datetimes seconds since 1960-01-01
  00:00 (DATETIME20.), wall clock time as in the CSV.
- transport files carry no value labels (no format catalogue): the codebook gives them.
"""
import os
import unicodedata
from dataclasses import dataclass, field

import pyreadstat

from exports.frames import DAYS_1960_TO_1970, dataset_frame, shifted
from exports.spec import Dataset
from exports.writers_csv import check_dataset, text_of
from exports.writers_stata import short_names

NAME_CHARS = 8
LABEL_CHARS = 40
VALUE_BYTES = 200
_FORMATS = {"date": "DATE9", "datetime": "DATETIME20"}


def ascii_label(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text_of(text)).encode("ascii", "ignore").decode("ascii")
    return " ".join(folded.split())[:LABEL_CHARS]


@dataclass
class XptText:
    """The ASCII rule for character values, counting what it had to change."""
    escaped: int = 0
    truncated: int = 0
    seen: dict = field(default_factory=dict)

    def __call__(self, value: str) -> str:
        if value in self.seen:
            escaped, truncated, out = self.seen[value]
        else:
            out, escaped = value, False
            if not value.isascii():
                out, escaped = value.encode("ascii", "backslashreplace").decode("ascii"), True
            truncated = len(out) > VALUE_BYTES
            out = out[:VALUE_BYTES]
            if len(self.seen) < 65536:
                self.seen[value] = (escaped, truncated, out)
        self.escaped += escaped
        self.truncated += truncated
        return out


def xpt_names(dataset: Dataset) -> dict[str, str]:
    names = short_names([c.name for c in dataset.columns], NAME_CHARS, upper=True)
    return {k: ("_" + v[1:] if v[0].isdigit() else v) for k, v in names.items()}


def member_names(datasets: list[Dataset]) -> dict[str, str]:
    """Dataset name -> transport member name (crf_labs -> LABS, participants -> PARTICIP ...)."""
    # Key by a position-unique stem: "response" and "crf_response" both shorten to RESPONSE otherwise.
    stems, seen = [], set()
    for d in datasets:
        stem = d.name.removeprefix("crf_").replace("-", "_")
        stems.append(stem if stem not in seen else d.name.replace("-", "_"))
        seen.add(stems[-1])
    short = short_names(stems, NAME_CHARS, upper=True)
    return {d.name: short[s] for d, s in zip(datasets, stems, strict=True)}


def write_xpt(dataset: Dataset, path: str | os.PathLike, *, member: str | None = None,
              frame=None) -> tuple[int, XptText]:
    """Write one dataset as a SAS XPORT v5 file at `path`; returns (row count, what the ASCII rule changed).
    `frame`: as for write_sav."""
    check_dataset(dataset)
    names = xpt_names(dataset)
    text = XptText()
    if frame is None:
        frame, _count = dataset_frame(dataset)
    count = len(frame)
    # days since 1960 (DATE9.); seconds since 1960-01-01 00:00 (DATETIME20.)
    frame = shifted(frame, dataset, names=names, text=text, date_offset_days=DAYS_1960_TO_1970,
                    date_unit_seconds=1.0, datetime_offset_seconds=DAYS_1960_TO_1970 * 86400,
                    datetime_unit_seconds=1.0)
    labels = {names[c.name]: ascii_label(c.label_en) or None for c in dataset.columns}
    formats = {names[c.name]: _FORMATS[c.type] for c in dataset.columns if c.type in _FORMATS}
    table = member or member_names([dataset])[dataset.name]
    try:
        pyreadstat.write_xport(frame, os.fspath(path), file_label=ascii_label(dataset.label_en),
                               column_labels=labels, table_name=table, file_format_version=5,
                               variable_format=formats or None)
    except (pyreadstat.PyreadstatError, pyreadstat.ReadstatError) as exc:
        raise ValueError(f"dataset {dataset.name!r}: SAS transport writer refused the data: {exc}") from exc
    return count, text
