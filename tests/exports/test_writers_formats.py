"""Stata .dta, SAS transport v5 and the R loader in the bundle (no database).

Run: .venv/bin/python -m pytest tests/exports/test_writers_formats.py -q -p no:django --noconftest
"""
import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime, timedelta, timezone

import pyreadstat
import pytest

from exports.spec import Column, Dataset
from exports.writers import write_zip
from exports.writers_stata import short_names, write_dta
from exports.writers_xpt import VALUE_BYTES, member_names, write_xpt, xpt_names

CST = timezone(timedelta(hours=8))
LONG = "creatinine_at_screening_in_micromoles_per_litre"
COLUMNS = [
    Column("participant_id", "Participant ID", "受试者编号", "string"),
    Column("sex", "Sex", "性别", "string", values={"F": "female", "M": "male"}),
    Column("response", "Renal response", "肾脏缓解", "integer", values={1: "yes", 0: "no"}),
    Column(LONG, "Creatinine at screening (µmol/L)", "筛选期肌酐", "number", unit="µmol/L"),
    Column(LONG + "_repeat", "Creatinine, repeat", "复查肌酐", "number"),
    Column("visit_date", "Visit date", "访视日期", "date"),
    Column("aware_at", "Site aware", "获知时间", "datetime"),
    Column("term", "AE term", "不良事件名称", "string"),
    Column("serious", "Serious", "严重", "boolean"),
]
ROWS = [
    ("BJ-001", "F", 1, 80.5, 81.0, date(2024, 3, 1), datetime(2024, 3, 1, 9, 30, tzinfo=CST), "咳嗽 cough", True),
    ("BJ-002", "M", 0, None, None, None, None, None, False),
    ("BJ-003", None, None, 1234.5, None, date(1999, 12, 31), datetime(2025, 1, 2, 3, 4, 5), "x" * 250, None),
]


@pytest.fixture
def dataset():
    return Dataset("crf_labs", "Laboratory panel", "实验室检查", list(COLUMNS), lambda: iter(ROWS))


def test_dta_round_trips_types_labels_and_numeric_value_labels(dataset, tmp_path):
    path = tmp_path / "labs.dta"
    assert write_dta(dataset, path) == 3
    frame, meta = pyreadstat.read_dta(str(path))
    short = LONG[:31]
    assert list(frame.columns)[:4] == ["participant_id", "sex", "response", short]
    assert frame.columns[4] == LONG[:29] + "_1"  # unique after cutting to 31
    assert frame["visit_date"][0] == date(2024, 3, 1) and frame["visit_date"].isna()[1]
    assert frame["aware_at"][0] == datetime(2024, 3, 1, 9, 30)  # wall clock, as in the CSV
    assert frame["term"][0] == "咳嗽 cough" and frame["term"][1] == ""
    assert meta.column_names_to_labels["participant_id"] == "Participant ID / 受试者编号"
    assert meta.variable_value_labels["response"] == {1: "yes", 0: "no"}
    assert "sex" not in meta.variable_value_labels  # Stata cannot label strings: the codebook does
    assert frame[short][2] == 1234.5


def test_dta_labels_a_variable_whose_name_is_cut(tmp_path):
    name = "cellular_fibrocellular_crescents"  # 32 characters, coded: the biopsy form has it
    ds = Dataset("t", "T", "T", [Column(name, "Crescents", "新月体", "integer", values={0: "absent", 3: "> 50 %"})],
                 lambda: iter([(3,)]))
    write_dta(ds, tmp_path / "t.dta")
    _, meta = pyreadstat.read_dta(str(tmp_path / "t.dta"))
    assert meta.variable_value_labels == {name[:31]: {0: "absent", 3: "> 50 %"}}


def test_dta_refuses_a_string_longer_than_stata_allows(tmp_path):
    ds = Dataset("t", "T", "T", [Column("note", "Note", "备注", "string")], lambda: iter([("长" * 700,)]))
    with pytest.raises(ValueError, match="note.*2100 bytes"):
        write_dta(ds, tmp_path / "t.dta")


def test_xpt_v5_names_labels_ascii_values_and_dates(dataset, tmp_path):
    path = tmp_path / "labs.xpt"
    rows, changed = write_xpt(dataset, path)
    assert rows == 3
    frame, meta = pyreadstat.read_xport(str(path))
    names = list(frame.columns)
    assert all(len(n) <= 8 and n == n.upper() for n in names)
    assert len(set(names)) == len(names)
    assert meta.table_name == "LABS"
    assert all(label is None or (label.isascii() and len(label) <= 40)
               for label in meta.column_names_to_labels.values())
    term = xpt_names(dataset)["term"]
    assert frame[term][0] == "\\u54b3\\u55fd cough"  # escaped, not dropped
    assert len(frame[term][2]) == VALUE_BYTES  # cut at 200 bytes
    assert (changed.escaped, changed.truncated) == (1, 1)
    assert frame[xpt_names(dataset)["visit_date"]][0] == date(2024, 3, 1)


def test_short_names_are_unique_and_avoid_reserved_words():
    names = short_names(["creatinine_umol_l", "creatinine_mg_dl", "creatinine", "in"], 8,
                        reserved=frozenset({"in"}), upper=True)
    assert len(set(names.values())) == 4
    assert all(len(v) <= 8 for v in names.values())
    assert names["in"] != "IN"
    assert member_names([Dataset("crf_labs", "", "", COLUMNS, list), Dataset("crf_labs_extra", "", "", COLUMNS,
                                                                               list)]) == {
        "crf_labs": "LABS", "crf_labs_extra": "LABS_EXT"}


def test_zip_with_every_format_lists_names_and_the_xpt_rules(dataset, tmp_path):
    write_zip([dataset], tmp_path / "b.zip", formats=("csv", "sav", "dta", "xpt"))
    with zipfile.ZipFile(tmp_path / "b.zip") as z:
        names = z.namelist()
        readme = z.read("README.txt").decode("utf-8-sig")
        mapping = z.read("variable_names.csv").decode("utf-8-sig")
    assert {"crf_labs.csv", "crf_labs.sav", "crf_labs.dta", "crf_labs.xpt", "load_datasets.R",
            "variable_names.csv"} <= set(names)
    assert "crf_labs.xpt: 1 values escaped, 1 values cut at 200 bytes" in readme
    assert f"crf_labs,{LONG},{LONG[:31]},LABS," in mapping


def test_zip_of_csv_only_has_no_names_file_and_refuses_no_format(dataset, tmp_path):
    write_zip([dataset], tmp_path / "c.zip", formats=("csv",))
    with zipfile.ZipFile(tmp_path / "c.zip") as z:
        assert "variable_names.csv" not in z.namelist()
    with pytest.raises(ValueError, match="at least one format"):
        write_zip([dataset], tmp_path / "d.zip", formats=())
    with pytest.raises(ValueError, match="unknown format"):
        write_zip([dataset], tmp_path / "e.zip", formats=("sas7bdat",))
    assert not (tmp_path / "d.zip").exists() and not (tmp_path / "e.zip").exists()


RSCRIPT = shutil.which("Rscript")


def test_the_r_loader_reads_every_csv_with_types_labels_and_factors(dataset, tmp_path):
    if RSCRIPT is None:
        if os.environ.get("CI"):
            pytest.fail("Rscript is missing in CI (scripts/ensure_chromium.sh installs r-base-core)")
        pytest.skip("Rscript not installed: apt-get install r-base-core")
    write_zip([dataset], tmp_path / "b.zip", formats=("csv",))
    with zipfile.ZipFile(tmp_path / "b.zip") as z:
        z.extractall(tmp_path / "b")
    probe = r'''
source("load_datasets.R")
d <- edc$crf_labs
cat(class(d$visit_date), class(d$response), class(d$serious), class(d[["LONG"]]), "\n")
cat(as.character(d$serious[1:2]), "\n", sep = "|")
cat(attr(d$participant_id, "label"), "\n")
cat(as.character(d$sex[1:2]), as.character(d$response[1:2]), "\n")
cat(format(d$aware_at[1], "%Y-%m-%d %H:%M", tz = "UTC"), format(d$visit_date[1]), d[["LONG"]][3], "\n")
cat(d$term[1], is.na(d$term[2]), "\n")
'''.replace("LONG", LONG)
    out = subprocess.run([RSCRIPT, "-e", probe], cwd=tmp_path / "b", capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["Date", "factor", "factor", "numeric"]
    assert lines[1] == "yes / 是|no / 否|"  # booleans carry the codebook's yes/no labels
    assert lines[2] == "Participant ID / 受试者编号 "
    assert lines[3].split() == ["female", "male", "yes", "no"]
    assert lines[4].split() == ["2024-03-01", "01:30", "2024-03-01", "1234.5"]
    assert lines[5].split() == ["咳嗽", "cough", "TRUE"]


READERS = {".sav": pyreadstat.read_sav, ".dta": pyreadstat.read_dta, ".xpt": pyreadstat.read_xport}


def _members(path, tmp_path) -> dict:
    """Every member's content; binary statistics files (whose headers carry their creation time) as the data
    and metadata they read back as."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name)
            suffix = os.path.splitext(name)[1]
            if suffix in READERS:
                (tmp_path / name).write_bytes(data)
                frame, meta = READERS[suffix](str(tmp_path / name))
                values = frame.astype(object).where(frame.notna(), None).to_dict("list")  # NaN != NaN
                out[name] = (values, meta.column_names_to_labels, meta.variable_value_labels)
            elif name == "odm.xml":  # the ODM header carries its creation time
                out[name] = data.split(b"\n", 2)[2]
            elif name != "README.txt":
                out[name] = data
    return out


def test_two_processes_write_the_same_bundle_as_one(dataset, tmp_path):
    second = Dataset("crf_vitals", "Vital signs", "生命体征", list(COLUMNS), lambda: iter(ROWS[:2]))
    third = Dataset("ae", "AEs", "不良事件", COLUMNS[:2], lambda: iter([r[:2] for r in ROWS]))
    formats = ("csv", "sav", "dta", "xpt")
    calls = []
    write_zip([dataset, second, third], tmp_path / "one.zip", formats=formats)
    write_zip([dataset, second, third], tmp_path / "two.zip", formats=formats, processes=2,
              progress=lambda *a: calls.append(a))
    assert _members(tmp_path / "one.zip", tmp_path) == _members(tmp_path / "two.zip", tmp_path)
    assert [c[0] for c in calls] == list(range(1, 3 * 4 + 5)) and calls[-1][2] == "README.txt"


def test_a_failure_in_the_other_process_is_reported_and_leaves_no_file(dataset, tmp_path):
    broken = Dataset("broken", "Broken", "损坏", COLUMNS[:1], lambda: iter([("a", "b")]))  # two values, one column
    with pytest.raises(ValueError, match="broken.*row 1 has 2 values"):
        write_zip([dataset, broken], tmp_path / "x.zip", processes=2)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="broken.*row 1 has 2 values"):
        write_zip([broken, dataset], tmp_path / "y.zip", processes=2)  # this time in this process
    assert list(tmp_path.iterdir()) == []
