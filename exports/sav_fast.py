"""SPSS .sav files whose dictionary pyreadstat writes and whose data rows numpy writes, byte for byte as pyreadstat.

pyreadstat (1.3.7) hands readstat every cell through Python (a row iterator and a `pd.isna` per cell): at 10,000
participants the bundle's .sav files spent most of their time there. An uncompressed .sav data section is nothing
but fixed-width rows, so pyreadstat writes the header and dictionary from a one-row stand-in frame that gives the
same dictionary (same columns and dtypes; each string column a value as long in UTF-8 as its longest, so readstat
picks the same widths), that row is cut off, the frame's rows are appended a chunk at a time, built one column at
a time, and the two case counts are patched.

The layout is readstat's (src/spss/readstat_sav_write.c and src/readstat_writer.c as vendored in pyreadstat
1.3.7): numbers are native-endian doubles, missing (NaN) is SYSMIS (`sav_write_double`, `sav_write_missing_number`);
a string column declared W bytes (its longest value, at least 1, at least its longest value label code counted in
characters as pyreadstat counts it) takes W rounded up to 8 bytes, above 255 bytes ceil(W / 252) segments of 256
bytes each holding 255 (`sav_variable_width`, `sav_variable_segments`); a value is its UTF-8 bytes up to the first
NUL (readstat takes C strings) padded with spaces, a missing one all spaces (`sav_write_string`,
`sav_write_missing_string`); the row count is in the header (int32 at byte 80) and in the number-of-cases record
that ends the dictionary (`sav_emit_header`, `sav_emit_number_of_cases_record`), nowhere else.
tests/exports/test_sav_fast.py compares the files with pyreadstat's own byte for byte, but the creation time.
"""
import logging
import os
import struct
import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyreadstat

CHUNK_ROWS = 50_000  # rows built and written at a time, at most
CHUNK_BYTES = 2 * 2**20  # ... and at most about this many bytes of rows (wide rows: fewer rows)
DISTINCT = 65_536  # distinct strings held at a time while measuring a column's longest value
SYSMIS = -sys.float_info.max  # SPSS's system-missing value (0xFFEFFFFFFFFFFFFF)
_NCASES_AT = 80  # the header's int32 case count, after the 4-byte record type, 60-byte product name and 4 int32
_CASE_SIZE_AT = 68  # the header's nominal case size: the row length in 8-byte units
# The dictionary ends with the number-of-cases record (type 7, subtype 16, two 8-byte values: 1 and the count)
# and the termination record (999 and a zero filler); the data follow.
_DICT_TAIL = struct.Struct("=iiiiQQii")
_PRESETS = ("integer", "restricted_integer")  # pyreadstat turns these formats into widths taken from the data
_METADATA = {"file_label", "column_labels", "note", "variable_value_labels", "variable_display_width",
             "variable_measure", "variable_format"}  # nothing else: anything more takes pyreadstat's own path

logger = logging.getLogger(__name__)


def write_frame_plain(frame: pd.DataFrame, path: str | os.PathLike, **metadata) -> None:
    """pyreadstat's own writer, uncompressed: the reference for `write_frame` and its fallback."""
    pyreadstat.write_sav(frame, os.fspath(path), compress=False, row_compress=False, **metadata)


def write_frame(frame: pd.DataFrame, path: str | os.PathLike, **metadata) -> None:
    """Write `frame` as an uncompressed .sav at `path`, the same bytes as `write_frame_plain` but the creation
    date and time. `metadata`: pyreadstat.write_sav's keyword arguments (file_label, column_labels, ...).

    Frames this module does not lay out itself (no rows, a column neither float64 nor pandas string, duplicate
    names, other pyreadstat arguments) take pyreadstat's own path; so does one whose stand-in file is not exactly
    as expected (a pyreadstat whose layout changed), with a warning."""
    columns = _columns(frame, metadata)
    if columns is None:
        write_frame_plain(frame, path, **metadata)
        return
    stand_in = _stand_in(frame, columns)
    write_frame_plain(stand_in, path, **metadata)
    stand_in_columns = _columns(stand_in, metadata)
    with open(path, "r+b") as file:
        data_at = None
        if [col.width for col in stand_in_columns] == [col.width for col in columns]:
            data_at = _data_offset(file, _rows(stand_in_columns, 0, 1))
        if data_at is not None:
            file.truncate(data_at)
            file.seek(data_at)
            step = max(1, min(CHUNK_ROWS, CHUNK_BYTES // sum(col.width for col in columns)))
            for start in range(0, len(frame), step):
                file.write(_rows(columns, start, min(start + step, len(frame))).view(np.uint8))
            count = len(frame)
            file.seek(_NCASES_AT)
            file.write(struct.pack("=i", count if count <= 2**31 - 1 else -1))  # readstat's: -1 beyond int32
            file.seek(data_at - 16)  # the number-of-cases record's count, before the 8-byte termination record
            file.write(struct.pack("=Q", count))
            return
    logger.warning("SPSS .sav layout not as expected: written by pyreadstat cell by cell instead (slow)")
    write_frame_plain(frame, path, **metadata)


@dataclass(slots=True)
class _Column:
    is_string: bool
    values: object  # the float64 ndarray or the pandas string array, not copied
    width: int  # bytes in a row (readstat's storage width)
    longest: int = 0  # strings: the longest value's UTF-8 bytes


def _columns(frame: pd.DataFrame, metadata: dict) -> list[_Column] | None:
    """How each column is laid out, or None when pyreadstat must write the frame itself."""
    if len(frame) == 0 or len(frame.columns) == 0 or not set(metadata) <= _METADATA:
        return None
    names = list(frame.columns)
    if len(set(names)) != len(names) or not all(isinstance(name, str) for name in names):
        return None
    if any(fmt in _PRESETS for fmt in (metadata.get("variable_format") or {}).values()):
        return None
    value_labels = metadata.get("variable_value_labels") or {}
    columns = []
    for index, dtype in enumerate(frame.dtypes):
        series = frame.iloc[:, index]
        if dtype == np.float64:
            columns.append(_Column(False, series.to_numpy(dtype=np.float64, copy=False), 8))
        elif isinstance(dtype, pd.StringDtype):
            values = series.array
            longest = _longest(values)
            # pyreadstat's declared width: at least 1, the longest value, the longest value label code (counted
            # in characters of str(code), as pyreadstat counts it)
            codes = value_labels.get(names[index]) or {}
            width = max(1, longest, *(len(str(code)) for code in codes))
            columns.append(_Column(True, values, _storage_width(width), longest))
        else:
            return None
    return columns


def _storage_width(width: int) -> int:
    """readstat's `sav_variable_width` for a string declared `width` bytes wide."""
    if width <= 255:
        return (width + 7) // 8 * 8
    segments = (width + 251) // 252
    return (segments - 1) * 256 + (width - (segments - 1) * 252 + 7) // 8 * 8


def _stand_in(frame: pd.DataFrame, columns: list[_Column]) -> pd.DataFrame:
    """One row with the frame's columns and dtypes, its strings as long as the frame's longest (ASCII), its
    numbers missing (so the check of its row covers SYSMIS)."""
    return pd.DataFrame({name: pd.Series(["x" * col.longest if col.is_string else np.nan], dtype=dtype)
                         for name, dtype, col in zip(frame.columns, frame.dtypes, columns, strict=True)})


def _data_offset(file, stand_in_row: np.ndarray) -> int | None:
    """Where the stand-in file's data start, if it holds exactly the dictionary this module expects and then
    `stand_in_row` (our own bytes for its one row); None otherwise."""
    row_len = stand_in_row.nbytes
    header = file.read(_CASE_SIZE_AT + 16)
    size = file.seek(0, os.SEEK_END)
    data_at = size - row_len
    # uncompressed ($FL2, compression 0), no weight variable, one case, and the row length we computed
    if (len(header) < _NCASES_AT + 4 or header[:4] != b"$FL2" or data_at < len(header) + _DICT_TAIL.size
            or struct.unpack_from("=iiii", header, _CASE_SIZE_AT) != (row_len // 8, 0, 0, 1)):
        return None
    file.seek(data_at - _DICT_TAIL.size)
    tail = file.read(_DICT_TAIL.size + row_len)
    if _DICT_TAIL.unpack(tail[:_DICT_TAIL.size]) != (7, 16, 8, 2, 1, 1, 999, 0):
        return None
    return data_at if tail[_DICT_TAIL.size:] == stand_in_row.view(np.uint8).tobytes() else None


def _rows(columns: list[_Column], start: int, stop: int) -> np.ndarray:
    """Rows start..stop as readstat writes them: one record per row, one field per column, no gaps."""
    offsets = np.cumsum([0] + [col.width for col in columns[:-1]]).tolist()
    dtype = np.dtype({"names": [f"c{i}" for i in range(len(columns))],
                      "formats": [(np.uint8, (col.width,)) if col.is_string else np.float64 for col in columns],
                      "offsets": offsets, "itemsize": sum(col.width for col in columns)})
    rows = np.empty(stop - start, dtype)
    for index, col in enumerate(columns):
        field = rows[f"c{index}"]
        if col.is_string:
            field[...] = _strings(_objects(col.values, start, stop), col.width)
        else:
            values = col.values[start:stop]
            field[...] = values
            np.copyto(field, SYSMIS, where=np.isnan(values))
    return rows


def _objects(values, start: int, stop: int) -> np.ndarray:
    """A chunk of a pandas string array as an object array of str and NaN (a view for pandas's own storage;
    pandas hashes these twice as fast as the string array itself)."""
    return np.asarray(values[start:stop], dtype=object)


def _longest(values) -> int:
    """The longest string's UTF-8 bytes in a pandas string array, each distinct value encoded once (a Python set
    of at most about `DISTINCT` values at a time: pandas's own unique() sizes its hash table by the whole input,
    40 bytes a row)."""
    longest, seen = 0, set()
    for start in range(0, len(values), CHUNK_ROWS):
        seen.update(_objects(values, start, start + CHUNK_ROWS))
        if len(seen) >= DISTINCT or start + CHUNK_ROWS >= len(values):
            longest = max(longest, max((len(v.encode("utf-8")) for v in seen if isinstance(v, str)), default=0))
            seen.clear()
    return longest


def _strings(values: np.ndarray, width: int) -> np.ndarray:
    """(rows, width) bytes of a chunk of one string column, each distinct value encoded once."""
    codes, uniques = pd.factorize(values)  # missing values get code -1: the table's last row, all spaces
    encoded = [value.encode("utf-8") for value in uniques]
    encoded.append(b"")
    table = np.array(encoded, dtype=f"S{width}").view(np.uint8).reshape(len(encoded), width)
    # readstat takes C strings: a value ends at its first NUL; numpy pads with NULs; readstat with spaces
    table[np.logical_or.accumulate(table == 0, axis=1)] = 0x20
    if width > 256:
        table = _segments(table, width)
    return table[codes]


def _segments(table: np.ndarray, width: int) -> np.ndarray:
    """Strings longer than 255 bytes as readstat splits them: 255 bytes in each 256-byte segment, then a space
    (laid out here rather than left to pyreadstat: the tests compare widths up to 1,000 bytes byte for byte)."""
    segmented = np.full_like(table, 0x20)
    for start in range(0, width, 256):
        stop = min(start + 255, width)
        source = start // 256 * 255
        segmented[:, start:stop] = table[:, source:source + stop - start]
    return segmented
