"""What a dataset is, independent of its file format (no Django): named columns with labels in
both languages, a type, a unit and allowed values, and rows produced lazily so a 10,000-participant
export streams in constant memory. Writers (CSV, SPSS .sav, codebook, CDISC ODM) read
only this."""
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["string", "integer", "number", "date", "datetime", "boolean"]


@dataclass(frozen=True)
class Column:
    name: str  # SPSS-safe: letters, digits, underscore; starts with a letter; <= 64 characters
    label_en: str
    label_zh: str
    type: ColumnType
    unit: str = ""
    values: dict = field(default_factory=dict)  # code -> label ("value labels"), e.g. {1: "yes", 0: "no"}
    width: int = 0  # strings: the longest value expected (0 = writer decides)


@dataclass
class Dataset:
    name: str  # file stem, e.g. "participants", "crf_labs"
    label_en: str
    label_zh: str
    columns: list[Column]
    rows: Callable[[], Iterable[tuple]]  # called once per file written; yields tuples in column order
    key: tuple[str, ...] = ("participant_id",)
    # The same rows as one SQL SELECT and its parameters: one output column per dataset column, in order, of the
    # column type's PostgreSQL type (text; integer or numeric; date; timestamptz; boolean), ordered as rows()
    # yields them. PostgreSQL then writes the CSV, the frame's columns and the ODM lines from it
    # (exports.copy_csv, exports.sql_frame, exports.sql_odm; docs/EXPORTS.md "Speed"); None: the Python path only.
    sql: Callable[[], tuple[str, list]] | None = None

    def iter_rows(self) -> Iterator[tuple]:
        yield from self.rows()
