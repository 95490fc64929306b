"""A dataset as a compact pandas DataFrame, for the writers that need the whole table at once (no Django).

pyreadstat (1.3.x) writes a whole DataFrame in one call: readstat needs the row count before the first row, and
there is no append mode. So each dataset is gathered into one DataFrame, but compactly: values are collected in
chunks of `CHUNK_ROWS` into one numpy array per column (float64 for every numeric, date, datetime and boolean
column, object arrays for strings with repeated values shared), never as a list of row tuples. Cost: 8 bytes
per numeric cell plus the strings, e.g. a 200,000-row x 12-column long table holds about 20 MB of arrays,
roughly twice that at the peak while pandas assembles the frame (tests/exports/test_writers.py measures it).

The frame is built once per dataset and shared by SPSS, Stata and SAS: dates are held as days since 1970-01-01
and datetimes as seconds since 1970-01-01 00:00 on the wall clock (as the CSV shows them), and `shifted()` moves
them to a format's own epoch and unit with one vectorised operation per column, so no format needs pyreadstat's
own whole-frame datetime conversion copy.
"""
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from exports.spec import Dataset

CHUNK_ROWS = 8192
MAX_SHARED_STRINGS = 65536  # distinct values per string column that are de-duplicated while reading
_EPOCH = datetime(1970, 1, 1)
_EPOCH_DATE = _EPOCH.date()


def _days(value: date) -> float:
    return float((value - _EPOCH_DATE).days)


def _seconds(value: datetime) -> float:
    # Aware datetimes keep their own wall-clock time (the one the CSV shows); localise them before exporting.
    return (value.replace(tzinfo=None) - _EPOCH) / timedelta(seconds=1)


_NEUTRAL = {"integer": float, "number": float, "boolean": float, "date": _days, "datetime": _seconds}


class _ColumnBuffer:
    """Collects one column's values chunk by chunk into compact numpy arrays."""

    def __init__(self, col):
        self.is_string = col.type == "string"
        self.convert = None if self.is_string else _NEUTRAL[col.type]
        self.pending: list = []
        self.chunks: list[np.ndarray] = []
        self.shared: dict[str, str] = {}

    def add(self, value) -> None:
        if self.is_string:
            if value is None:
                value = ""  # SPSS, Stata and SAS have no missing strings: empty is the convention
            elif len(self.shared) < MAX_SHARED_STRINGS:
                value = self.shared.setdefault(value, value)
            else:
                value = self.shared.get(value, value)
            self.pending.append(value)
        else:
            self.pending.append(np.nan if value is None else self.convert(value))

    def add_column(self, values) -> None:
        """A chunk of this column's values at once (FrameBuilder)."""
        self.flush()
        if self.is_string:
            shared = self.shared
            if len(shared) < MAX_SHARED_STRINGS:
                data = ["" if v is None else shared.setdefault(v, v) for v in values]
            else:
                data = ["" if v is None else shared.get(v, v) for v in values]
            self.chunks.append(np.array(data, dtype=object))
        else:
            convert, nan = self.convert, np.nan
            self.chunks.append(np.array([nan if v is None else convert(v) for v in values], dtype=np.float64))

    def flush(self) -> None:
        if self.pending:
            dtype = object if self.is_string else np.float64
            self.chunks.append(np.array(self.pending, dtype=dtype))
            self.pending = []

    def series(self) -> pd.Series:
        self.flush()
        dtype = object if self.is_string else np.float64
        data = np.concatenate(self.chunks) if self.chunks else np.array([], dtype=dtype)
        self.chunks = []
        self.shared = {}
        return pd.Series(data, dtype="str" if self.is_string else np.float64, copy=False)


class FrameBuilder:
    """Feed it a dataset's typed rows (exports.writers_csv.typed_rows), then take the frame once.

    Rows are held `CHUNK_ROWS` at a time and turned into column arrays a chunk at a time (one comprehension per
    column rather than one call per cell: at 10,000 participants that is most of the frame's cost)."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.buffers = [_ColumnBuffer(col) for col in dataset.columns]
        self.rows: list = []
        self.count = 0

    def add(self, values) -> None:
        self.rows.append(values)
        self.count += 1
        if len(self.rows) == CHUNK_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        for buffer, column in zip(self.buffers, zip(*self.rows, strict=True), strict=True):
            buffer.add_column(column)
        self.rows = []

    def frame(self) -> pd.DataFrame:
        self._flush()
        columns = {col.name: buffer.series() for col, buffer in zip(self.dataset.columns, self.buffers, strict=True)}
        self.buffers = []
        return pd.DataFrame(columns, copy=False)


def dataset_frame(dataset: Dataset) -> tuple[pd.DataFrame, int]:
    """The dataset's neutral frame (see the module docstring) and its row count."""
    from exports.writers_csv import typed_rows

    builder = FrameBuilder(dataset)
    for _number, values in typed_rows(dataset):
        builder.add(values)
    return builder.frame(), builder.count


def shifted(frame: pd.DataFrame, dataset: Dataset, *, date_offset_days: float, date_unit_seconds: float,
            datetime_offset_seconds: float, datetime_unit_seconds: float, names: Mapping[str, str] | None = None,
            text: Callable[[str], str] | None = None) -> pd.DataFrame:
    """The neutral frame in a format's terms: dates = (days + offset) x unit, datetimes = (seconds + offset) /
    unit, columns renamed by `names`, strings rewritten by `text`. Unchanged columns are shared, not copied."""
    columns = {}
    for col in dataset.columns:
        series = frame[col.name]
        if col.type == "date":
            series = (series + date_offset_days) * date_unit_seconds
        elif col.type == "datetime":
            series = (series + datetime_offset_seconds) / datetime_unit_seconds
        elif col.type == "string" and text is not None:
            series = series.map(text).astype("str")
        columns[(names or {}).get(col.name, col.name)] = series
    return pd.DataFrame(columns, copy=False)


DAYS_1960_TO_1970 = float((_EPOCH_DATE - date(1960, 1, 1)).days)  # 3653: Stata's and SAS's epoch
DAYS_1582_TO_1970 = float((_EPOCH_DATE - date(1582, 10, 14)).days)  # SPSS's epoch (the Gregorian calendar)
