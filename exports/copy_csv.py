"""Dataset CSVs written by PostgreSQL's COPY, byte for byte what exports.writers_csv writes in Python.

The statistician's API streams one dataset as CSV. Reading every row into Python objects, converting each and
writing it again costs several times what PostgreSQL needs to produce the same text (`make bench`: "API CSV /
COPY"), so a dataset whose rows are one plain query (`Dataset.sql`) is written by
`COPY (SELECT …) TO STDOUT WITH (FORMAT csv)` instead. The SELECT turns every column into exactly the text the
Python writer would give it (exports.writers_csv.TEXT), and tests/exports/test_copy_csv.py compares the two
outputs for every such dataset on the same database:

- text: as stored, through the one formula-injection rule (edc.csv_cells.sql_safe_text); an empty text is NULL,
  so COPY writes it unquoted as the csv module does;
- integers and numerics: PostgreSQL's text form (`80.50`, never an exponent), as Decimal's;
- dates `YYYY-MM-DD`; datetimes ISO 8601 in UTC with `+00:00` and microseconds only when there are some, as
  `datetime.isoformat()` of the aware UTC value Django reads;
- booleans 1/0; NULL empty.

Lines end in CRLF like the csv module's: COPY ends rows with LF, and `_crlf` turns only row ends into CRLF,
leaving line breaks inside quoted cells alone (it tracks quotes across chunks).
"""
from collections.abc import Iterator
from tempfile import TemporaryFile

import numpy as np
from django.db import connection

from edc.csv_cells import sql_safe_text
from exports.spec import Column, Dataset
from exports.sql_source import over, refs
from exports.writers_csv import BOM, check_dataset

CHUNK = 1 << 16
QUOTE, LF, CR = ord('"'), ord("\n"), ord("\r")


def csv_text_sql(col: Column, ref: str) -> str:
    """SQL for the CSV text of column `col`'s value `ref`: exports.writers_csv.TEXT in SQL (the module docstring)."""
    if col.type == "string":
        return sql_safe_text(f"NULLIF({ref}::text, '')")
    if col.type in ("integer", "number"):
        return f"{ref}::text"
    if col.type == "date":
        return f"to_char({ref}, 'YYYY-MM-DD')"
    if col.type == "datetime":
        utc = f"({ref} AT TIME ZONE 'UTC')"
        return (f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({utc}, 'US') = '000000' "
                f"THEN '' ELSE '.' || to_char({utc}, 'US') END || '+00:00'")
    if col.type == "boolean":
        return f"CASE WHEN {ref} THEN '1' WHEN NOT {ref} THEN '0' END"
    raise ValueError(f"column {col.name!r}: no SQL text form for type {col.type!r}")


def copy_select(dataset: Dataset) -> str:
    """The SELECT whose columns are the CSV text of the dataset's rows (`Dataset.sql`), parameters bound."""
    columns = zip(dataset.columns, refs(len(dataset.columns)), strict=True)
    return over(dataset, ", ".join(csv_text_sql(col, ref) for col, ref in columns))


class CrlfSink:
    """Where COPY's CSV goes on its way to the binary stream `out`: LF row ends become CRLF; an LF inside a
    quoted cell stays as it is. Whether a byte is inside quotes is the parity of the quotes before it (an
    escaped quote "" toggles twice), counted across writes; numpy finds the row ends of a whole chunk at once
    (a JSON column is full of quotes: cutting the text at each one cost seconds per dataset)."""

    def __init__(self, out):
        self.out = out
        self.quoted = 0
        self.rows = 0

    def write(self, data) -> int:
        chunk = np.frombuffer(data, dtype=np.uint8)
        quotes = chunk == QUOTE
        if not quotes.any():
            if not self.quoted:
                self.rows += data.count(b"\n")
                data = data.replace(b"\n", b"\r\n")
            self.out.write(data)
            return len(chunk)
        # the parity before each byte; a count kept in uint8 wraps at 256, which keeps the parity
        parity = (np.cumsum(quotes, dtype=np.uint8) - quotes + self.quoted) & 1
        ends = np.flatnonzero((chunk == LF) & (parity == 0))
        self.quoted = int(parity[-1] ^ quotes[-1])
        self.rows += len(ends)
        self.out.write(np.insert(chunk, ends, CR).tobytes())
        return len(chunk)


class _Chunks:
    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)


def _crlf(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """CrlfSink over an iterator of chunks."""
    collected = _Chunks()
    sink = CrlfSink(collected)
    for chunk in chunks:
        sink.write(chunk)
        yield from collected.parts
        collected.parts.clear()


def copy_to_file(statement: str, options: str, handle) -> None:
    """COPY (statement) TO STDOUT into the binary file `handle`. psycopg2 calls `write` once per row: a real
    file takes that call in C, where a Python object would cost a method call per row (millions)."""
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH ({options})", handle)


def write_copy_csv(dataset: Dataset, out) -> int:
    """Write the dataset's CSV (BOM, header, rows by COPY) to the binary stream `out`; returns the row count."""
    check_dataset(dataset)
    if dataset.sql is None:
        raise ValueError(f"dataset {dataset.name!r} has no SQL")
    out.write((BOM + ",".join(col.name for col in dataset.columns) + "\r\n").encode("utf-8"))
    sink = CrlfSink(out)
    with TemporaryFile() as rows:
        copy_to_file(copy_select(dataset), "FORMAT csv, ENCODING 'UTF8'", rows)
        rows.seek(0)
        while chunk := rows.read(1 << 20):
            sink.write(chunk)
    return sink.rows


def copy_csv_chunks(dataset: Dataset) -> Iterator[bytes]:
    """The dataset's CSV (BOM, header, rows) as UTF-8 chunks, the rows from COPY."""
    check_dataset(dataset)
    if dataset.sql is None:
        raise ValueError(f"dataset {dataset.name!r} has no SQL")
    statement = copy_select(dataset)
    header = ",".join(col.name for col in dataset.columns)  # SPSS-safe names never need quoting
    with TemporaryFile() as spool:  # on disk, so memory stays flat; a real file for psycopg2's per-row writes
        copy_to_file(statement, "FORMAT csv, ENCODING 'UTF8'", spool)
        spool.seek(0)
        yield (BOM + header + "\r\n").encode("utf-8")
        yield from _crlf(iter(lambda: spool.read(CHUNK), b""))


def python_csv_chunks(dataset: Dataset, rows_per_chunk: int = 2000) -> Iterator[bytes]:
    """The same CSV from the Python writer (exports.writers_csv), in chunks, for datasets without a COPY query."""
    import io

    from exports.writers_csv import CsvRows, typed_rows

    buffer = io.StringIO(newline="")
    rows = CsvRows(dataset, buffer)
    for number, values in typed_rows(dataset):
        rows.row(values)
        if number % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def dataset_csv_chunks(dataset: Dataset) -> Iterator[bytes]:
    """The dataset's CSV, by COPY where PostgreSQL can write it, else by the Python writer."""
    return copy_csv_chunks(dataset) if dataset.sql is not None else python_csv_chunks(dataset)
