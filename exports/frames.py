"""A dataset as a compact pandas DataFrame, for the writers that need the whole table at once (no Django).

pyreadstat (1.3.x) writes a whole DataFrame in one call: readstat needs the row count before the first row, and
there is no append mode. So each dataset is gathered into one DataFrame, but compactly: rows are converted in
chunks of `CHUNK_ROWS` into one numpy array per column (float64 for every numeric, date, datetime and boolean
column, object arrays for strings with repeated values shared), never as a list of row tuples. Each format passes
its own converters, because SPSS, Stata and SAS count dates from different days (1582-10-14, 1960-01-01) in
different units, so no format needs pyreadstat's own whole-frame datetime conversion copy. Cost: 8 bytes per
numeric cell plus the strings, e.g. a 200,000-row x 12-column long table holds about 20 MB of arrays, roughly
twice that at the peak while pandas assembles the frame (see tests/exports/test_writers.py for the measured
figure).
"""
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from exports.spec import Dataset
from exports.writers_csv import typed_rows

CHUNK_ROWS = 8192
MAX_SHARED_STRINGS = 65536  # distinct values per string column that are de-duplicated while reading

Converters = Mapping[str, Callable[[object], float]]  # column type -> value to float (not for strings)


class _ColumnBuffer:
    """Collects one column's values chunk by chunk into compact numpy arrays."""

    def __init__(self, col, converters: Converters, text: Callable[[str], str] | None):
        self.is_string = col.type == "string"
        self.convert = None if self.is_string else converters[col.type]
        self.text = text
        self.pending: list = []
        self.chunks: list[np.ndarray] = []
        self.shared: dict[str, str] = {}

    def add(self, value) -> None:
        if self.is_string:
            if value is None:
                value = ""  # SPSS, Stata and SAS have no missing strings: empty is the convention
            else:
                if self.text is not None:
                    value = self.text(value)
                if len(self.shared) < MAX_SHARED_STRINGS:
                    value = self.shared.setdefault(value, value)
                else:
                    value = self.shared.get(value, value)
            self.pending.append(value)
        else:
            self.pending.append(np.nan if value is None else self.convert(value))

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


def dataset_frame(dataset: Dataset, converters: Converters, *, names: Mapping[str, str] | None = None,
                  text: Callable[[str], str] | None = None) -> tuple[pd.DataFrame, int]:
    """The dataset as a DataFrame of float64 and str columns, and its row count.

    `converters` turns each non-string value into the format's number; `names` renames columns (formats with
    shorter names); `text` rewrites every string value (formats with character rules)."""
    buffers = [_ColumnBuffer(col, converters, text) for col in dataset.columns]
    count = 0
    for count, values in typed_rows(dataset):
        for buffer, value in zip(buffers, values, strict=True):
            buffer.add(value)
        if count % CHUNK_ROWS == 0:
            for buffer in buffers:
                buffer.flush()
    columns = {}
    for col, buffer in zip(dataset.columns, buffers, strict=True):
        columns[(names or {}).get(col.name, col.name)] = buffer.series()
    buffers.clear()
    return pd.DataFrame(columns, copy=False), count
