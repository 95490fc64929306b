"""A dataset's neutral frame (exports.frames) read from PostgreSQL in one COPY, for datasets with
`Dataset.sql`.

exports.frames builds the frame from Python rows, one value at a time. Here PostgreSQL turns each column into the
frame's own terms — numbers, integers and booleans as float8, dates as days since 1970-01-01, datetimes as
seconds since 1970-01-01 00:00 UTC (the wall clock the CSV shows, which is UTC), text with NULL as '' — and
pandas' C parser reads the COPY output: text columns as categories (each distinct value held once, the way
FrameBuilder shares repeated strings), turned into the same `str` columns at the end. The values are the same
numbers: PostgreSQL converts numeric to float8 correctly rounded, as Python's float(Decimal) does, and writes
float8 in its shortest exact form, which the parser reads back exactly. tests/exports/test_sql_paths.py
compares both frames on the same database.
"""
import tempfile

import numpy as np
import pandas as pd

from exports.copy_csv import copy_to_file
from exports.spec import Column, Dataset
from exports.sql_source import over, refs


def _neutral(col: Column, ref: str) -> str:
    if col.type == "string":
        return f"{ref}::text"  # NULL and '' are both read as '' (keep_default_na=False)
    if col.type in ("integer", "number"):
        return f"{ref}::float8"
    if col.type == "boolean":
        return f"{ref}::int"
    if col.type == "date":
        return f"({ref} - DATE '1970-01-01')"
    if col.type == "datetime":
        return f"extract(epoch FROM {ref})"
    raise ValueError(f"column {col.name!r}: no frame form for type {col.type!r}")


def frame_select(dataset: Dataset) -> str:
    return over(dataset, ", ".join(_neutral(col, ref) for col, ref in zip(dataset.columns, refs(len(dataset.columns)),
                                                                            strict=True)))


def sql_frame(dataset: Dataset) -> pd.DataFrame:
    """The dataset's neutral frame, from one COPY of `Dataset.sql`."""
    names = [col.name for col in dataset.columns]
    with tempfile.TemporaryFile() as spool:  # a real file: psycopg2 writes once per row (exports.copy_csv)
        copy_to_file(frame_select(dataset), "FORMAT csv, ENCODING 'UTF8'", spool)
        if spool.tell() == 0:
            return pd.DataFrame({col.name: pd.Series([], dtype="str" if col.type == "string" else np.float64)
                                 for col in dataset.columns})
        spool.seek(0)
        dtypes = {col.name: "category" if col.type == "string" else np.float64 for col in dataset.columns}
        frame = pd.read_csv(spool, header=None, names=names, dtype=dtypes, keep_default_na=False,
                            na_values={col.name: [""] for col in dataset.columns if col.type != "string"},
                            encoding="utf-8", engine="c")
    columns = {}
    for col in dataset.columns:
        series = frame[col.name]
        if col.type == "string":
            codes = series.cat.codes.to_numpy()
            categories = np.asarray(series.cat.categories, dtype=object)
            series = pd.Series(categories.take(codes) if len(categories) else np.full(len(codes), "", dtype=object),
                               dtype="str", copy=False)
        columns[col.name] = series
    return pd.DataFrame(columns, copy=False)
