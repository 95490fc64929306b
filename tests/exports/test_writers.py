"""Dataset file writers: CSV, codebook, SPSS .sav, CDISC ODM and the ZIP (no database).

Run: .venv/bin/python -m pytest tests/exports/test_writers.py -q -p no:django --noconftest
"""
import csv
import hashlib
import io
import tracemalloc
import xml.etree.ElementTree as ET
import zipfile
from datetime import date, datetime, timedelta, timezone

import pyreadstat
import pytest

from exports.spec import Column, Dataset
from exports.writers import write_codebook, write_csv, write_odm, write_sav, write_zip

BOM = b"\xef\xbb\xbf"
ODM = "{http://www.cdisc.org/ns/odm/v1.3}"
CST = timezone(timedelta(hours=8))
NOTE = '咳嗽, "轻度"\n第二行'

PARTICIPANT_COLUMNS = [
    Column("participant_id", "Participant", "受试者编号", "string"),
    Column("sex", "Sex", "性别", "integer", values={1: "male / 男", 2: "female / 女"}),
    Column("birth_date", "Date of birth", "出生日期", "date"),
    Column("enrolled_at", "Enrolled at", "入组时间", "datetime"),
    Column("weight", "Weight", "体重", "number", unit="kg"),
    Column("smoker", "Smoker", "吸烟", "boolean"),
    Column("note", "Note", "备注", "string", width=200),
]
PARTICIPANT_ROWS = [
    ("BJ-001", 1, date(1980, 5, 17), datetime(2024, 3, 1, 9, 30, tzinfo=CST), 70.5, True, NOTE),
    ("BJ-002", 2, date(1975, 1, 2), datetime(2024, 3, 2, 14, 0, 5), 1e-07, False, None),
    ("BJ-003", None, None, None, None, None, ""),
]
LAB_COLUMNS = [
    Column("participant_id", "Participant", "受试者编号", "string"),
    Column("visit", "Visit", "访视", "string", values={"V1": "Baseline / 基线", "V2": "Week 4 / 第4周"}),
    Column("alt", "ALT", "谷丙转氨酶", "number", unit="U/L"),
    Column("done", "Done", "已完成", "boolean"),
]
LAB_ROWS = [
    ("BJ-001", "V1", 31.0, True), ("BJ-001", "V2", 28.5, True),
    ("BJ-002", "V1", None, False), ("BJ-002", "V2", 40, True),
    ("BJ-003", "V1", 12.25, None),
]


def dataset(name, columns, rows, label_en="Dataset", label_zh="数据集"):
    return Dataset(name, label_en, label_zh, list(columns), lambda: iter(rows))


@pytest.fixture
def participants():
    return dataset("participants", PARTICIPANT_COLUMNS, PARTICIPANT_ROWS, "Participants", "受试者")


@pytest.fixture
def labs():
    return dataset("labs", LAB_COLUMNS, LAB_ROWS, "Laboratory", "实验室检查")


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- CSV ----------------------------------------------------------------------------------------------------------

def test_csv_has_bom_and_round_trips_chinese_dates_booleans_and_missing(participants):
    out = io.BytesIO()
    assert write_csv(participants, out) == 3
    assert not out.closed
    rows = read_csv(out.getvalue())
    assert rows[0] == [c.name for c in PARTICIPANT_COLUMNS]
    assert rows[1] == ["BJ-001", "1", "1980-05-17", "2024-03-01T09:30:00+08:00", "70.5", "1", NOTE]
    assert rows[2] == ["BJ-002", "2", "1975-01-02", "2024-03-02T14:00:05", "0.0000001", "0", ""]
    assert rows[3] == ["BJ-003", "", "", "", "", "", ""]
    assert out.getvalue().count(b"\r\n") >= 4  # Excel's line ends


def test_csv_to_a_text_stream_starts_with_the_bom(labs):
    out = io.StringIO(newline="")
    assert write_csv(labs, out) == 5
    assert out.getvalue().startswith("\ufeffparticipant_id,visit,alt,done\r\nBJ-001,V1,31.0,1\r\n")


def test_csv_is_written_while_rows_are_still_being_produced():
    out = io.BytesIO()
    seen_during_iteration = []

    def rows():
        for n in range(20_000):
            if n == 19_999:
                seen_during_iteration.append(len(out.getvalue()))
            yield (f"P{n}", n)

    columns = [Column("participant_id", "P", "", "string"), Column("n", "N", "", "integer")]
    assert write_csv(Dataset("stream", "S", "", columns, rows), out) == 20_000
    assert seen_during_iteration[0] > 100_000  # most of the file was out before the last row existed


class Lazy:
    """Stands in for a Django lazy translation: not a str until str() is called."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


def test_labels_may_be_lazy_translation_objects(tmp_path):
    columns = [Column("participant_id", "P", "", "string"),
               Column("sex", Lazy("Sex"), Lazy("性别"), "integer", unit=Lazy("-"), values={1: Lazy("male / 男")})]
    ds = Dataset("lazy", Lazy("Lazy"), Lazy("懒"), columns, lambda: [("P1", 1)])
    path = tmp_path / "lazy.zip"
    write_zip([ds], path)
    with zipfile.ZipFile(path) as archive:
        # the unit "-" starts with a formula character: written as text (edc.csv_cells)
        assert read_csv(archive.read("codebook.csv"))[2][2:] == ["Sex", "性别", "integer", "'-", "1=male / 男"]
        assert b'<TranslatedText xml:lang="zh">\xe6\x80\xa7\xe5\x88\xab</TranslatedText>' in archive.read("odm.xml")
        archive.extract("lazy.sav", tmp_path)
    _, meta = pyreadstat.read_sav(str(tmp_path / "lazy.sav"))
    assert meta.column_names_to_labels["sex"] == "Sex / 性别"
    assert meta.variable_value_labels["sex"] == {1.0: "male / 男"}


# --- codebook -----------------------------------------------------------------------------------------------------

def test_codebook_lists_every_variable_with_allowed_values(participants, labs):
    out = io.BytesIO()
    assert write_codebook([participants, labs], out) == len(PARTICIPANT_COLUMNS) + len(LAB_COLUMNS)
    rows = read_csv(out.getvalue())
    assert rows[0] == ["dataset", "variable", "label_en", "label_zh", "type", "unit", "allowed_values"]
    listed = {(r[0], r[1]): r for r in rows[1:]}
    assert set(listed) == {("participants", c.name) for c in PARTICIPANT_COLUMNS} | {
        ("labs", c.name) for c in LAB_COLUMNS}
    assert listed["participants", "sex"][2:] == ["Sex", "性别", "integer", "", "1=male / 男; 2=female / 女"]
    assert listed["participants", "weight"][5] == "kg"
    assert listed["participants", "smoker"][6] == "1=yes / 是; 0=no / 否"
    assert listed["labs", "visit"][6] == "V1=Baseline / 基线; V2=Week 4 / 第4周"
    assert listed["labs", "alt"][6] == ""


# --- SPSS ---------------------------------------------------------------------------------------------------------

def test_sav_round_trip_labels_value_labels_measures_and_types(participants, tmp_path):
    path = tmp_path / "participants.sav"
    assert write_sav(participants, path) == 3
    frame, meta = pyreadstat.read_sav(str(path))
    assert meta.file_encoding == "UTF-8"
    assert meta.column_names == [c.name for c in PARTICIPANT_COLUMNS]
    assert meta.column_names_to_labels["sex"] == "Sex / 性别"
    assert meta.column_names_to_labels["weight"] == "Weight / 体重"
    assert meta.file_label == "Participants / 受试者"
    assert meta.variable_value_labels["sex"] == {1.0: "male / 男", 2.0: "female / 女"}
    assert meta.variable_value_labels["smoker"] == {1.0: "yes / 是", 0.0: "no / 否"}
    assert meta.variable_measure["sex"] == "nominal"
    assert meta.variable_measure["weight"] == "scale"
    assert meta.variable_measure["participant_id"] == "nominal"
    assert meta.original_variable_types["birth_date"] == "DATE11"
    assert meta.original_variable_types["enrolled_at"] == "DATETIME20"
    assert meta.original_variable_types["sex"] == "F8.0"
    assert meta.readstat_variable_types["note"] == "string"
    assert frame["birth_date"][0] == date(1980, 5, 17)
    assert isinstance(frame["birth_date"][0], date)
    assert frame["enrolled_at"][0] == datetime(2024, 3, 1, 9, 30)  # wall-clock time as in the CSV
    assert frame["enrolled_at"][1] == datetime(2024, 3, 2, 14, 0, 5)
    assert list(frame["participant_id"]) == ["BJ-001", "BJ-002", "BJ-003"]
    assert frame["note"][0] == NOTE
    assert frame["note"][1] == ""  # missing text is an empty string in SPSS
    assert list(frame["smoker"][:2]) == [1.0, 0.0]
    assert frame["weight"][1] == pytest.approx(1e-07)
    assert frame.iloc[2].drop(["participant_id", "note"]).isna().all()


def test_sav_labels_are_cut_on_a_character_boundary_and_empty_datasets_work(tmp_path):
    columns = [Column("long_label", "x" * 200, "日" * 100, "string", values={"a": "值" * 100}),
               Column("n", "N", "", "integer")]
    path = tmp_path / "empty.sav"
    assert write_sav(dataset("empty", columns, []), path) == 0
    frame, meta = pyreadstat.read_sav(str(path))
    label = meta.column_names_to_labels["long_label"]
    assert len(label.encode()) <= 256 and label.startswith("x" * 200 + " / 日") and label.endswith("日")
    assert meta.column_names_to_labels["n"] == "N"
    assert meta.variable_value_labels["long_label"]["a"] == "值" * 40  # 120 bytes
    assert len(frame) == 0


# --- ODM ----------------------------------------------------------------------------------------------------------

def test_odm_parses_with_subjects_events_items_and_bilingual_labels(participants, labs):
    out = io.BytesIO()
    assert write_odm([participants, labs], out, study_oid="S.TRIAL", study_name="试验 & trial") == 8
    root = ET.fromstring(out.getvalue())
    assert root.tag == f"{ODM}ODM" and root.get("ODMVersion") == "1.3.2" and root.get("FileType") == "Snapshot"
    assert root.find(f"{ODM}Study/{ODM}GlobalVariables/{ODM}StudyName").text == "试验 & trial"
    clinical = root.findall(f"{ODM}ClinicalData")
    assert len(clinical) == 2  # one per dataset
    assert [len(c.findall(f"{ODM}SubjectData")) for c in clinical] == [3, 3]
    assert len(root.findall(f".//{ODM}ItemGroupData")) == 8
    # ItemData: every non-empty value except the participant_id / visit keys
    expected = sum(v not in (None, "") for row in PARTICIPANT_ROWS for v in row[1:])
    expected += sum(v is not None for row in LAB_ROWS for v in row[2:])
    assert len(root.findall(f".//{ODM}ItemData")) == expected
    subject = clinical[1].find(f"{ODM}SubjectData[@SubjectKey='BJ-002']")
    assert [e.get("StudyEventOID") for e in subject] == ["SE.V1", "SE.V2"]
    group = subject.find(f"{ODM}StudyEventData/{ODM}FormData/{ODM}ItemGroupData")
    assert group.get("ItemGroupOID") == "IG.labs" and group.get("ItemGroupRepeatKey") == "3"
    assert [(i.get("ItemOID"), i.get("Value")) for i in group] == [("I.labs.done", "0")]
    first = clinical[0].find(f".//{ODM}ItemGroupData")
    values = {i.get("ItemOID"): i.get("Value") for i in first}
    assert values["I.participants.note"] == NOTE
    assert values["I.participants.enrolled_at"] == "2024-03-01T09:30:00+08:00"
    assert clinical[0].find(f".//{ODM}StudyEventData").get("StudyEventOID") == "SE.COMMON"
    mdv = root.find(f"{ODM}Study/{ODM}MetaDataVersion")
    events = {e.get("OID"): e for e in mdv.findall(f"{ODM}StudyEventDef")}
    assert events["SE.V1"].get("Name") == "Baseline / 基线"
    assert [f.get("FormOID") for f in events["SE.V2"]] == ["F.labs"]
    items = {i.get("OID"): i for i in mdv.findall(f"{ODM}ItemDef")}
    assert len(items) == len(PARTICIPANT_COLUMNS) + len(LAB_COLUMNS)
    sex = items["I.participants.sex"]
    assert sex.get("DataType") == "integer"
    texts = {t.get("{http://www.w3.org/XML/1998/namespace}lang"): t.text
             for t in sex.findall(f"{ODM}Description/{ODM}TranslatedText")}
    assert texts == {"en": "Sex", "zh": "性别"}
    assert items["I.participants.birth_date"].get("DataType") == "date"
    assert items["I.labs.alt"].get("DataType") == "float"
    assert items["I.labs.done"].get("DataType") == "boolean"
    codes = mdv.find(f"{ODM}CodeList[@OID='CL.participants.sex']")
    assert [c.get("CodedValue") for c in codes] == ["1", "2"]
    assert root.find(f".//{ODM}MeasurementUnit[@OID='MU.1']").get("Name") == "kg"


def test_odm_visit_oids_stay_unique():
    columns = [Column("participant_id", "P", "", "string"), Column("visit", "V", "", "string"),
               Column("x", "X", "", "integer")]
    rows = [("P1", "COMMON", 1), ("P1", None, 2), ("P1", "week 1", 3), ("P1", "week_1", 4)]
    out = io.BytesIO()
    write_odm([dataset("v", columns, rows)], out, study_oid="S", study_name="")
    root = ET.fromstring(out.getvalue())
    events = {e.get("OID"): e.get("Name") for e in root.iter(f"{ODM}StudyEventDef")}
    assert events == {"SE.COMMON.2": "COMMON", "SE.COMMON": "Not bound to a visit / 非访视数据",
                      "SE.week_1": "week 1", "SE.week_1.2": "week_1"}
    used = [e.get("StudyEventOID") for e in root.iter(f"{ODM}StudyEventData")]
    assert used == ["SE.COMMON.2", "SE.COMMON", "SE.week_1", "SE.week_1.2"]


def test_odm_replaces_characters_xml_cannot_carry():
    columns = [Column("participant_id", "P", "", "string"), Column("text", "T", "", "string")]
    out = io.StringIO()
    write_odm([dataset("free", columns, [("P1", "bell\x07 <tag>")])], out, study_oid="S", study_name="s")
    item = ET.fromstring(out.getvalue().encode()).find(f".//{ODM}ItemData")
    assert item.get("Value") == "bell\ufffd <tag>"


# --- ZIP ----------------------------------------------------------------------------------------------------------

def test_zip_contains_every_file_reports_progress_and_hash(participants, labs, tmp_path):
    path = tmp_path / "export.zip"
    calls = []
    digest, size = write_zip([participants, labs], path, progress=lambda *a: calls.append(a),
                             readme_extra="Blinded export: arms are not shown.", study_oid="S.TRIAL")
    data = path.read_bytes()
    assert digest == hashlib.sha256(data).hexdigest() and size == len(data)
    names = ["participants.csv", "participants.sav", "labs.csv", "labs.sav", "codebook.csv", "odm.xml",
             "load_datasets.R", "README.txt"]
    assert calls == [(n, len(names), name) for n, name in enumerate(names, 1)]
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == names
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())
        assert read_csv(archive.read("labs.csv"))[1] == ["BJ-001", "V1", "31.0", "1"]
        assert read_csv(archive.read("codebook.csv"))[0][0] == "dataset"
        assert len(ET.fromstring(archive.read("odm.xml")).findall(f".//{ODM}SubjectData")) == 6
        readme = archive.read("README.txt").decode("utf-8-sig")
        assert "Blinded export: arms are not shown." in readme and "labs: Laboratory / 实验室检查 - 5 rows" in readme
        archive.extract("labs.sav", tmp_path)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "labs.sav"))
    assert len(frame) == 5 and meta.column_names_to_labels["alt"] == "ALT / 谷丙转氨酶"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_zip_reads_each_dataset_once_and_every_format_gets_every_row(participants, labs, tmp_path):
    reads = {"participants": 0, "labs": 0}

    def counted(ds):
        source = ds.rows

        def rows():
            reads[ds.name] += 1
            return source()
        return Dataset(ds.name, ds.label_en, ds.label_zh, ds.columns, rows)

    write_zip([counted(participants), counted(labs)], tmp_path / "export.zip")
    assert reads == {"participants": 1, "labs": 1}  # CSV, .sav and ODM replay the first read
    expected = io.BytesIO()
    write_csv(labs, expected)
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        assert archive.read("labs.csv") == expected.getvalue()
        assert len(ET.fromstring(archive.read("odm.xml")).findall(f".//{ODM}SubjectData")) == 6
        archive.extract("labs.sav", tmp_path)
    assert len(pyreadstat.read_sav(str(tmp_path / "labs.sav"))[0]) == len(LAB_ROWS)


def big_long_dataset(rows: int) -> Dataset:
    columns = [Column("participant_id", "Participant", "受试者编号", "string"),
               Column("visit", "Visit", "访视", "integer", values={n: f"Visit {n} / 第{n}次访视" for n in range(20)}),
               Column("visit_date", "Visit date", "访视日期", "date"),
               Column("value", "Value", "数值", "number", unit="mmol/L"),
               Column("flag", "Flag", "标记", "boolean"),
               Column("comment", "Comment", "备注", "string")]
    start = date(2024, 1, 1)

    def generate():
        for n in range(rows):
            yield (f"P{n // 20:05d}", n % 20, start + timedelta(days=n % 20 * 7), n * 0.5, n % 3 == 0,
                   f"第{n}行 comment" if n % 10 == 0 else None)

    return Dataset("big", "Big long table", "大长表", columns, generate)


def test_200k_row_csv_and_odm_zip_stays_in_bounded_memory(tmp_path):
    tracemalloc.start()
    try:
        digest, size = write_zip([big_long_dataset(200_000)], tmp_path / "big.zip", formats=("csv",))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\nCSV+ODM zip of 200,000 rows: tracemalloc peak {peak / 2**20:.1f} MiB, zip {size / 2**20:.1f} MiB")
    assert peak < 50 * 2**20
    with zipfile.ZipFile(tmp_path / "big.zip") as archive:
        with archive.open("big.csv") as entry:
            assert sum(1 for _ in entry) == 200_001
        assert archive.getinfo("odm.xml").file_size > 0


def test_200k_row_sav_stays_well_under_300_mb(tmp_path):
    tracemalloc.start()
    try:
        assert write_sav(big_long_dataset(200_000), tmp_path / "big.sav") == 200_000
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\nSPSS .sav of 200,000 rows x 6 columns: tracemalloc peak {peak / 2**20:.1f} MiB")
    assert peak < 150 * 2**20
    frame, _ = pyreadstat.read_sav(str(tmp_path / "big.sav"), row_limit=3)
    assert list(frame["participant_id"]) == ["P00000"] * 3 and frame["visit_date"][1] == date(2024, 1, 8)


# --- bad input ----------------------------------------------------------------------------------------------------

def run(writer, ds, tmp_path):
    return {"csv": lambda: write_csv(ds, io.BytesIO()), "sav": lambda: write_sav(ds, tmp_path / "bad.sav"),
            "odm": lambda: write_odm([ds], io.BytesIO(), study_oid="S", study_name=""),
            "codebook": lambda: write_codebook([ds], io.BytesIO()),
            "zip": lambda: write_zip([ds], tmp_path / "bad.zip")}[writer]()


@pytest.mark.parametrize("name", ["1st_visit", "body weight", "体重", "weight-kg", "_x", "x" * 65, "AND", "with"])
@pytest.mark.parametrize("writer", ["csv", "sav", "odm", "codebook", "zip"])
def test_column_names_that_are_not_spss_safe_are_refused(name, writer, tmp_path):
    bad = dataset("bad", [Column("participant_id", "P", "", "string"), Column(name, "X", "", "number")],
                  [("P1", 1.0)])
    with pytest.raises(ValueError, match=rf"dataset 'bad', column '{name}': the name is (not SPSS-safe|an SPSS rese)"):
        run(writer, bad, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_duplicate_column_names_ignoring_case_are_refused():
    bad = dataset("bad", [Column("Weight", "W", "", "number"), Column("weight", "w", "", "number")], [])
    with pytest.raises(ValueError, match="duplicates column 'Weight'"):
        write_csv(bad, io.BytesIO())


@pytest.mark.parametrize("writer", ["csv", "sav", "odm", "zip"])
def test_a_row_of_the_wrong_length_names_dataset_and_row(writer, tmp_path):
    bad = dataset("labs", LAB_COLUMNS, [LAB_ROWS[0], ("BJ-001", "V2", 1.0)])
    with pytest.raises(ValueError, match=r"dataset 'labs': row 2 has 3 values but the dataset has 4 columns"):
        run(writer, bad, tmp_path)
    assert [p for p in tmp_path.iterdir() if p.suffix in (".zip", ".part")] == []


@pytest.mark.parametrize(("column", "value"), [(2, "high"), (3, 2), (2, float("inf"))])
def test_a_value_of_the_wrong_type_names_dataset_row_and_column(column, value):
    row = list(LAB_ROWS[0])
    row[column] = value
    bad = dataset("labs", LAB_COLUMNS, [LAB_ROWS[0], LAB_ROWS[1], tuple(row)])
    name = LAB_COLUMNS[column].name
    with pytest.raises(ValueError, match=rf"dataset 'labs': row 3, column '{name}': cannot write"):
        write_csv(bad, io.BytesIO())


def test_odm_needs_a_participant_id_on_every_row():
    bad = dataset("labs", LAB_COLUMNS, [(None, "V1", 1.0, True)])
    with pytest.raises(ValueError, match="dataset 'labs': row 1 has no participant_id"):
        write_odm([bad], io.BytesIO(), study_oid="S", study_name="")
