"""The .sav data rows written by numpy (exports.sav_fast) against pyreadstat's own writer, byte for byte.

Run: .venv/bin/python -m pytest tests/exports/test_sav_fast.py -q -p no:django --noconftest
"""
import struct
import sys
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from exports import sav_fast
from exports.frames import dataset_frame
from exports.spec import Column, Dataset
from exports.writers_spss import sav_metadata, spss_frame, write_sav
from tests.exports.test_writers import PARTICIPANT_COLUMNS

# The SAV header record: 4-byte "$FL2", 60-byte product name, layout code, nominal case size, compression, weight
# index and case count (int32 each), the 8-byte bias, then the creation date (9 bytes) and time (8 bytes).
CREATED = slice(4 + 60 + 5 * 4 + 8, 4 + 60 + 5 * 4 + 8 + 9 + 8)
CST = timezone(timedelta(hours=8))


@pytest.fixture
def spy(monkeypatch):
    """The row counts of the frames handed to pyreadstat: [1] when the fast path wrote the file."""
    plain, calls = sav_fast.write_frame_plain, []

    def recording(frame, path, **metadata):
        calls.append(len(frame))
        plain(frame, path, **metadata)

    monkeypatch.setattr(sav_fast, "write_frame_plain", recording)
    return calls


def both(frame, tmp_path, spy, **metadata):
    """The fast file's and pyreadstat's file's bytes, their creation date and time masked."""
    sav_fast.write_frame(frame, tmp_path / "fast.sav", **metadata)
    assert spy == ([1] if len(frame) else [0])  # the stand-in row only, or pyreadstat's own path without rows
    sav_fast.write_frame_plain(frame, tmp_path / "plain.sav", **metadata)
    fast, plain = (bytearray((tmp_path / name).read_bytes()) for name in ("fast.sav", "plain.sav"))
    assert fast[:4] == plain[:4] == b"$FL2"
    assert struct.unpack_from("=i", fast, 80)[0] == len(frame)
    assert fast[CREATED].decode().count(":") == 2  # "hh:mm:ss" is the time's 8 bytes: the mask is where it is
    fast[CREATED] = plain[CREATED] = b"-" * 17
    return bytes(fast), bytes(plain)


def assert_same_reads(tmp_path):
    fast, fast_meta = pyreadstat.read_sav(str(tmp_path / "fast.sav"))
    plain, plain_meta = pyreadstat.read_sav(str(tmp_path / "plain.sav"))
    pd.testing.assert_frame_equal(fast, plain)
    skip = {"creation_time", "modification_time"}
    assert {k: v for k, v in vars(fast_meta).items() if k not in skip} == {
        k: v for k, v in vars(plain_meta).items() if k not in skip}
    return fast, fast_meta


def text(values):
    return pd.Series(values, dtype="str")


def sized(width: int, n: int) -> list[str]:
    """Strings up to exactly `width` UTF-8 bytes, with 3-byte characters across the 255-byte segment edges."""
    filler = ("é中x" * width).encode()
    longest = "a" * (width % 3) + "中" * (width // 3)
    return [longest] + [filler[:k].decode("utf-8", "ignore") for k in np.linspace(0, width, n - 1, dtype=int)]


def test_every_kind_of_value_is_byte_identical_to_pyreadstat(tmp_path, spy):
    huge = sys.float_info.max
    frame = pd.DataFrame({
        "name_zh": text(["张三", "", "李四 Li", "王五\n第二行", None, "x\x00after NUL"]),
        "blank": text([""] * 6),
        "absent": text([None] * 6),
        "visit": pd.Series(["V1", None, "V2", "V10", "V1", ""], dtype="string"),  # pd.NA for missing
        "number": [1.5, np.nan, -0.0, -huge, huge, 5e-324],
        "big": [1e308, -1e308, np.inf, -np.inf, -123456789.125, 0.0],
        "none": [np.nan] * 6,
    })
    metadata = {"file_label": "混合 mixed", "column_labels": {"name_zh": "姓名 / name", "number": "x" * 300},
                "variable_value_labels": {"visit": {"V1": "基线", "V2": "第2周"}, "number": {1.5: "one and a half"}},
                "variable_measure": {"visit": "nominal", "number": "scale"},
                "variable_display_width": {"name_zh": 40}, "variable_format": {"number": "F12.3"},
                "note": "written twice"}
    fast, plain = both(frame, tmp_path, spy, **metadata)
    assert fast == plain
    read, meta = assert_same_reads(tmp_path)
    assert list(read["name_zh"]) == ["张三", "", "李四 Li", "王五\n第二行", "", "x"]  # C strings end at NUL
    assert list(read["blank"]) == list(read["absent"]) == [""] * 6
    # -DBL_MAX is SYSMIS itself, +DBL_MAX is SPSS's HIGHEST: both read back as missing, as from pyreadstat's file
    assert read["number"].isna().tolist() == [False, True, False, True, True, False]
    assert read["big"].tolist()[:4] == [1e308, -1e308, np.inf, -np.inf] and read["none"].isna().all()
    assert meta.variable_value_labels["visit"] == {"V1": "基线", "V2": "第2周"}


@pytest.mark.parametrize("width", [1, 7, 8, 9, 248, 249, 255, 256, 300, 504, 505, 1000])
def test_strings_of_every_width_edge_are_byte_identical(width, tmp_path, spy):
    values = sized(width, 12)
    assert max(len(v.encode()) for v in values) == width
    frame = pd.DataFrame({"s": text(values), "n": np.arange(12.0), "t": text(values[::-1])})
    fast, plain = both(frame, tmp_path, spy, column_labels={"s": "long text / 长文本"})
    assert fast == plain
    read, _ = assert_same_reads(tmp_path)
    assert list(read["s"]) == [v.rstrip(" ") for v in values]


def test_a_value_label_code_longer_than_every_value_sets_the_width(tmp_path, spy):
    frame = pd.DataFrame({"code": text(["A", "B", None]), "long": text(["x", "", "y"])})
    labels = {"code": {"A": "a", "B": "b", "CODE_OF_TEN": "ten"}, "long": {"k" * 260: "very long code"}}
    fast, plain = both(frame, tmp_path, spy, variable_value_labels=labels)
    assert fast == plain
    _, meta = assert_same_reads(tmp_path)
    assert meta.variable_value_labels["long"] == {"k" * 260: "very long code"}


def test_what_pyreadstat_refuses_it_refuses_the_same_way(tmp_path):
    # pyreadstat counts a code's characters for the width, readstat its bytes: 260 x "é" is too long for itself
    frame = pd.DataFrame({"long": text(["x", "", "y"])})
    labels = {"long": {"é" * 260: "accents"}}
    errors = []
    for write in (sav_fast.write_frame, sav_fast.write_frame_plain):
        with pytest.raises(pyreadstat.ReadstatError) as error:
            write(frame, tmp_path / "x.sav", variable_value_labels=labels)
        errors.append(str(error.value))
    assert errors[0] == errors[1] and "longer than the available storage" in errors[0]


def test_neutral_frames_with_dates_datetimes_labels_and_chinese_are_byte_identical(tmp_path, spy):
    columns = [*PARTICIPANT_COLUMNS[:-1],  # all but the note, which gets labels past SPSS's limits here
               Column("visit", "Visit", "访视", "string", values={"V1": "Baseline / 基线", "V2": "第4周" * 50}),
               Column("note", "Note " * 80, "备注" * 60, "string", width=200)]
    rows = [("BJ-001", 1, date(1980, 5, 17), datetime(2024, 3, 1, 9, 30, tzinfo=CST), 70.5, True, "V1", "咳嗽"),
            ("BJ-002", 2, date(1582, 10, 14), datetime(1970, 1, 1), 1e-07, False, "V2", None),
            ("BJ-003", None, None, None, None, None, None, "第" * 120),
            ("BJ-004", 1, date(2099, 12, 31), datetime(2024, 2, 29, 23, 59, 59, 500000), -3.25, True, "V1", "")]
    dataset = Dataset("participants", "Participants " * 10, "受试者", columns, lambda: iter(rows))
    neutral, count = dataset_frame(dataset)
    frame = spss_frame(neutral, dataset)
    assert count == 4 and frame["birth_date"].dtype == np.float64

    assert write_sav(dataset, tmp_path / "fast.sav", frame=neutral) == 4
    sav_fast.write_frame_plain(frame, tmp_path / "plain.sav", **sav_metadata(dataset))
    fast, plain = (bytearray((tmp_path / name).read_bytes()) for name in ("fast.sav", "plain.sav"))
    fast[CREATED] = plain[CREATED] = b"-" * 17
    assert fast == plain and spy[0] == 1
    read, meta = assert_same_reads(tmp_path)
    assert read["birth_date"][1] == date(1582, 10, 14) and read["enrolled_at"][3] == datetime(2024, 2, 29, 23, 59, 59,
                                                                                              500000)
    assert read["note"][2] == "第" * 120 and meta.original_variable_types["enrolled_at"] == "DATETIME20"


@pytest.mark.parametrize("rows", [0, 1])
def test_zero_and_one_row_frames(rows, tmp_path, spy):
    frame = pd.DataFrame({"s": text(["一行"] * rows), "n": [2.0] * rows})
    fast, plain = both(frame, tmp_path, spy, file_label="rows")
    assert fast == plain
    read, _ = assert_same_reads(tmp_path)
    assert len(read) == rows


def test_100k_rows_in_many_chunks_are_byte_identical(tmp_path, spy, monkeypatch):
    monkeypatch.setattr(sav_fast, "CHUNK_BYTES", 100_000)  # about 180 rows a chunk: many chunk edges
    monkeypatch.setattr(sav_fast, "DISTINCT", 1000)  # and the longest-value scan forgets as it goes
    n = 100_000
    rng = np.random.default_rng(2026)
    codes = rng.integers(0, 5000, n)
    frame = pd.DataFrame({
        "participant_id": text(np.array([f"P{i:05d}" for i in range(5000)], dtype=object)[codes]),
        "value": np.where(rng.random(n) < 0.1, np.nan, rng.normal(0, 1e6, n)),
        "comment": text([f"第{i}行" * (i % 7) if i % 3 else None for i in range(n)]),
        "visit_date": (rng.integers(0, 40000, n) + 141428.0) * 86400.0,
        "unique": text([f"u{i}" for i in range(n)]),
    })
    fast, plain = both(frame, tmp_path, spy, variable_format={"visit_date": "DATE11"})
    assert fast == plain
    read, _ = assert_same_reads(tmp_path)
    assert read["unique"][n - 1] == f"u{n - 1}" and read["comment"][2] == "第2行第2行"


def test_frames_it_does_not_lay_out_go_to_pyreadstat(tmp_path, spy):
    frame = pd.DataFrame({"i": np.array([1, 2], dtype=np.int64), "s": text(["a", "b"])})
    sav_fast.write_frame(frame, tmp_path / "int.sav")
    frame = pd.DataFrame({"n": [1.0, 2.0]})
    sav_fast.write_frame(frame, tmp_path / "preset.sav", variable_format={"n": "integer"})
    assert spy == [2, 2]
    assert pyreadstat.read_sav(str(tmp_path / "preset.sav"))[1].original_variable_types["n"] == "F3.0"  # len("2.0")


def test_an_unexpected_stand_in_file_falls_back_to_pyreadstat(tmp_path, spy, monkeypatch, caplog):
    monkeypatch.setattr(sav_fast, "_data_offset", lambda file, row: None)
    frame = pd.DataFrame({"s": text(["a", "b", "c"]), "n": [1.0, np.nan, 3.0]})
    sav_fast.write_frame(frame, tmp_path / "x.sav")
    assert spy == [1, 3] and "not as expected" in caplog.text
    assert pyreadstat.read_sav(str(tmp_path / "x.sav"))[0]["s"].tolist() == ["a", "b", "c"]
