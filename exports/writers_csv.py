"""Shared checks and value conversion for the dataset writers, plus the CSV data file and the CSV codebook.

No Django here: everything reads only `exports.spec`. Rows are pulled one at a time from
`Dataset.iter_rows()` and written straight away, so memory does not grow with the number of rows.
"""
import contextlib
import csv
import io
import math
import numbers
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from edc.csv_cells import safe_cell, safe_row
from exports.spec import Column, Dataset

BOM = "\ufeff"
TYPES = ("string", "integer", "number", "date", "datetime", "boolean")
BOOLEAN_LABELS = {1: "yes / 是", 0: "no / 否"}  # value labels of a boolean column that declares none
CODEBOOK_HEADER = ("dataset", "variable", "label_en", "label_zh", "type", "unit", "allowed_values")

_SPSS_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_SPSS_RESERVED = frozenset("ALL AND BY EQ GE GT LE LT NE NOT OR TO WITH".split())
_DATASET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")


# --- checks -------------------------------------------------------------------------------------------------------

def check_dataset(dataset: Dataset) -> None:
    """Raise ValueError if the dataset's name, column names, types or value labels cannot be written."""
    if not isinstance(dataset.name, str) or not _DATASET_NAME.match(dataset.name):
        raise ValueError(f"dataset name {dataset.name!r} is not usable as a file name: use letters, digits, "
                         "'_' or '-', starting with a letter or digit, at most 64 characters")
    if not dataset.columns:
        raise ValueError(f"dataset {dataset.name!r} has no columns")
    seen: dict[str, str] = {}
    for col in dataset.columns:
        where = f"dataset {dataset.name!r}, column {col.name!r}"
        if not isinstance(col.name, str) or not _SPSS_NAME.match(col.name) or len(col.name.encode()) > 64:
            raise ValueError(f"{where}: the name is not SPSS-safe: it must start with an ASCII letter, contain "
                             "only ASCII letters, digits and '_', and be at most 64 characters")
        if col.name.upper() in _SPSS_RESERVED:
            raise ValueError(f"{where}: the name is an SPSS reserved word ({', '.join(sorted(_SPSS_RESERVED))})")
        if col.name.lower() in seen:
            raise ValueError(f"{where}: duplicates column {seen[col.name.lower()]!r} (SPSS names ignore case)")
        seen[col.name.lower()] = col.name
        if col.type not in TYPES:
            raise ValueError(f"{where}: unknown type {col.type!r}, expected one of {', '.join(TYPES)}")
        if col.values and col.type in ("date", "datetime"):
            raise ValueError(f"{where}: value labels are not supported on {col.type} columns")
        for code in col.values:
            if col.type != "string" and not isinstance(code, numbers.Real | Decimal):
                raise ValueError(f"{where}: value label code {code!r} must be a number for a {col.type} column")


def check_datasets(datasets: Iterable[Dataset]) -> list[Dataset]:
    datasets = list(datasets)
    names: set[str] = set()
    for dataset in datasets:
        check_dataset(dataset)
        if dataset.name.lower() in names:
            raise ValueError(f"two datasets are named {dataset.name!r} (names must be unique, ignoring case)")
        names.add(dataset.name.lower())
    return datasets


def text_of(label) -> str:
    """A label as plain str (labels may be lazy translation proxies); None is ""."""
    return "" if label is None else str(label)


def value_labels(col: Column) -> dict[object, str]:
    """The column's code -> label map; booleans without one get 1 = yes, 0 = no."""
    if col.values:
        return {code: text_of(label) for code, label in col.values.items()}
    return dict(BOOLEAN_LABELS) if col.type == "boolean" else {}


# --- value conversion ---------------------------------------------------------------------------------------------
# Each coercer turns a cell into its canonical Python value (str, int, float/Decimal, date, datetime, bool) or None
# for "missing", and raises TypeError/ValueError for a value that does not fit the column type.

def _is_nan(value) -> bool:
    return (isinstance(value, float) and math.isnan(value)) or (isinstance(value, Decimal) and value.is_nan())


def _c_string(value):
    return value if type(value) is str else str(value)


def _c_integer(value):
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float | Decimal) and math.isfinite(value) and value == int(value):
        return int(value)
    raise TypeError("not an integer")


def _c_number(value):
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("not a finite number")
        return value
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isinf(value):
            raise ValueError("not a finite number")
        return value
    raise TypeError("not a number")


def _c_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise TypeError("not a date")


def _c_datetime(value):
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    raise TypeError("not a datetime")


def _c_boolean(value):
    if isinstance(value, numbers.Integral) and value in (0, 1):
        return bool(value)
    raise TypeError("not a boolean (True/False or 1/0)")


COERCE = {"string": _c_string, "integer": _c_integer, "number": _c_number, "date": _c_date,
          "datetime": _c_datetime, "boolean": _c_boolean}
# Exact Python types that are already canonical for a column type (the fast path, no coercer call).
CANONICAL = {"string": frozenset({str}), "integer": frozenset({int}), "number": frozenset({int}),
             "date": frozenset({date}), "datetime": frozenset({datetime}), "boolean": frozenset({bool})}


def typed_rows(dataset: Dataset) -> Iterator[tuple[int, list]]:
    """Yield (row number from 1, canonical values) for each row, checking its length and every value's type."""
    columns = dataset.columns
    width = len(columns)
    plan = [(col, CANONICAL[col.type], COERCE[col.type], col.type == "number") for col in columns]
    for number, row in enumerate(dataset.iter_rows(), 1):
        if len(row) != width:
            raise ValueError(f"dataset {dataset.name!r}: row {number} has {len(row)} values but the dataset has "
                             f"{width} columns ({', '.join(c.name for c in columns)})")
        values = []
        for (col, canonical, coerce, is_number), value in zip(plan, row, strict=True):
            kind = type(value)
            if kind in canonical:
                values.append(value)
                continue
            # PostgreSQL numerics arrive as Decimal: a finite one is already canonical (the common case by far).
            if is_number and ((kind is Decimal and value.is_finite()) or (kind is float and math.isfinite(value))):
                values.append(value)
                continue
            if value is None or _is_nan(value):
                values.append(None)
                continue
            try:
                values.append(coerce(value))
            except (TypeError, ValueError, ArithmeticError) as exc:
                raise ValueError(f"dataset {dataset.name!r}: row {number}, column {col.name!r}: cannot write "
                                 f"{value!r} as {col.type} ({exc})") from exc
        yield number, values


def _number_text(value) -> str:
    if isinstance(value, int):
        return str(value)
    text = repr(value) if isinstance(value, float) else str(value)
    if "e" in text or "E" in text:  # no scientific notation: Excel and SPSS read plain decimals everywhere
        text = format(Decimal(text), "f")
    return text


# Text cells go through the formula-injection rule (edc.csv_cells); typed numbers never do.
TEXT = {"string": safe_cell, "integer": str, "number": _number_text, "date": date.isoformat,
        "datetime": datetime.isoformat, "boolean": lambda v: "1" if v else "0"}


def code_text(code) -> str:
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code)


def allowed_values_text(col: Column) -> str:
    return "; ".join(f"{code_text(code)}={label}" for code, label in value_labels(col).items())


# --- streams ------------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def text_stream(stream, newline: str | None = ""):
    """A text view of `stream`: text streams are used as they are (open them with newline=""); binary streams get
    a UTF-8 wrapper that is detached afterwards, so the caller's stream stays open."""
    if isinstance(stream, io.TextIOBase):
        yield stream
        return
    wrapper = io.TextIOWrapper(stream, encoding="utf-8", newline=newline)
    try:
        yield wrapper
        wrapper.flush()
    finally:
        wrapper.detach()


class CsvRows:
    """One dataset's CSV written row by row: the header when opened, then `row(values)` for each typed row
    (exports.writers feeds the same rows to the ODM and the SPSS/Stata/SAS frame in one pass)."""

    def __init__(self, dataset: Dataset, out):
        self.texts = [TEXT[col.type] for col in dataset.columns]
        self.count = 0
        out.write(BOM)
        self.writer = csv.writer(out)
        self.writer.writerow([col.name for col in dataset.columns])

    def row(self, values: list) -> None:
        self.count += 1
        self.writer.writerow(["" if v is None else text(v) for text, v in zip(self.texts, values, strict=True)])


def write_csv(dataset: Dataset, stream) -> int:
    """Write one dataset as CSV (UTF-8 with BOM, CRLF lines, header of column names) and return the row count.

    Dates and datetimes are ISO 8601 (datetimes keep their UTC offset if they have one), booleans 1/0, numbers
    without scientific notation, None (and NaN) empty, text starting with = + - @ tab or CR after an apostrophe
    (edc.csv_cells). `stream` may be binary (UTF-8 is written) or text.
    """
    check_dataset(dataset)
    with text_stream(stream) as out:
        rows = CsvRows(dataset, out)
        for _number, values in typed_rows(dataset):
            rows.row(values)
    return rows.count


def write_codebook(datasets: Iterable[Dataset], stream) -> int:
    """Write the codebook CSV (UTF-8 with BOM): one line per variable; returns the number of variables."""
    datasets = check_datasets(datasets)
    count = 0
    with text_stream(stream) as out:
        out.write(BOM)
        writer = csv.writer(out)
        writer.writerow(CODEBOOK_HEADER)
        for dataset in datasets:
            for col in dataset.columns:
                writer.writerow(safe_row([dataset.name, col.name, text_of(col.label_en), text_of(col.label_zh),
                                          col.type, text_of(col.unit), allowed_values_text(col)]))
                count += 1
    return count
