"""The files PostgreSQL writes from a dataset's SQL (exports/sql_files.py: the CSV, the frame behind the
SPSS/Stata/SAS files, the ODM clinical data) are exactly what the Python path writes from the same rows, on
the same database: crafted values of every type that stress each format's rules, every dataset of a small
trial with typed and laboratory-system lab values, and whole bundles."""
import io
import zipfile
from datetime import datetime
from decimal import Decimal

import pandas as pd
import pytest
from django.db import connection

from exports.copy_csv import write_copy_csv
from exports.datasets import all_datasets
from exports.frames import dataset_frame
from exports.spec import Column, Dataset
from exports.sql_files import materialized
from exports.sql_frame import sql_frame
from exports.sql_odm import clinical_sql
from exports.writers import write_zip
from exports.writers_csv import typed_rows, write_csv
from exports.writers_odm import OdmWriter
from tests.exports.helpers import crafted
from tests.exports.test_writers import ODM_SCHEMA
from tests.labs.helpers import EXAMPLES, LATER, data_manager, example_trial, stage_and_accept

pytestmark = pytest.mark.django_db

COLUMNS = [Column("participant_id", "Participant", "受试者", "string"), Column("visit", "Visit", "访视", "string"),
           Column("note", "Note", "备注", "string"), Column("count", "Count", "计数", "integer"),
           Column("level", "Level", "水平", "number"), Column("day", "Day", "日期", "date"),
           Column("at", "At", "时间", "datetime"), Column("done", "Done", "完成", "boolean")]
# Text every format treats specially: XML's characters and quotes (both kinds, each alone and together),
# characters XML cannot carry, line breaks and tabs, a spreadsheet formula, Chinese, empty text.
NOTES = ['a & b < c > d', 'say "hi"', "it's", """both ' and " here""", "ctl\x01\x0b\x1fend", "\ufffe\uffff",
         "two\nlines\r\nand\ttab", '=HYPERLINK("x")', "-2e-3", "普通文本 ≥ 5", "", None, "plain", "back\\slash"]
VISITS = ["m0", "m0", "m3", None, "", "m 3/x", "m3", "m0"]


def _moment(n: int) -> str:
    return f"2024-03-0{1 + n % 9} 0{n % 10}:1{n % 6}:2{n % 7}.{n * 12345 % 1000000:06d}+08"


def _values(n: int) -> str:
    subject = f"'P{n // 3:02d}'" if n != 7 else "'=P07'"  # a participant key a spreadsheet would run
    visit = VISITS[n % len(VISITS)]
    note = NOTES[n % len(NOTES)]
    text = "NULL" if note is None else "'" + note.replace("'", "''") + "'"
    return (f"({subject}::text, {'NULL' if visit is None else repr(visit)}::text, {text}::text, "
            f"{'NULL' if n % 5 == 0 else n * 7 - 20}::integer, "
            f"{'NULL' if n % 4 == 0 else ['1.50', '-0.0001', '123456789.1234', '0.0000'][n % 4]}::numeric, "
            f"{'NULL' if n % 6 == 0 else repr(f'2024-0{1 + n % 9}-1{n % 10}')}::date, "
            f"{'NULL' if n % 7 == 0 else repr(_moment(n))}::timestamptz, "
            f"{['true', 'false', 'NULL'][n % 3]}::boolean, {n})")


def crafted_dataset(rows: int = 42) -> Dataset:
    """A dataset whose Python rows are read from the same SQL (so both paths start from the same values)."""
    sql = (f"SELECT c0, c1, c2, c3, c4, c5, c6, c7 FROM (VALUES {', '.join(_values(n) for n in range(rows))}) "
           "AS v(c0, c1, c2, c3, c4, c5, c6, c7, o) ORDER BY o") if rows else (
        "SELECT NULL::text AS c0, NULL::text AS c1, NULL::text AS c2, NULL::integer AS c3, NULL::numeric AS c4, "
        "NULL::date AS c5, NULL::timestamptz AS c6, NULL::boolean AS c7 WHERE false")

    def python_rows():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            yield from cursor.fetchall()

    return Dataset("crafted", "Crafted", "构造", COLUMNS, python_rows, key=("participant_id", "visit"),
                   sql=lambda: (sql, []))


def python_files(ds: Dataset, odm: OdmWriter) -> tuple[bytes, pd.DataFrame, bytes, dict]:
    csv = io.BytesIO()
    write_csv(ds, csv)
    frame, _count = dataset_frame(ds)
    events = odm.events()
    out = io.StringIO()
    clinical = odm.clinical(ds, out, events)
    for number, values in typed_rows(ds):
        clinical.row(number, values)
    clinical.close()
    return csv.getvalue(), frame, out.getvalue().encode("utf-8"), events.__dict__


def sql_files(ds: Dataset, odm: OdmWriter) -> tuple[bytes, pd.DataFrame, bytes, dict]:
    with materialized(ds) as rows:
        csv = io.BytesIO()
        write_copy_csv(rows, csv)
        frame = sql_frame(rows)
        events = odm.events()
        out = io.BytesIO()
        clinical_sql(rows, out, events, study_oid=odm.study_oid)
    return csv.getvalue(), frame, out.getvalue(), events.__dict__


def assert_same(ds: Dataset, odm: OdmWriter) -> None:
    expected, actual = python_files(ds, odm), sql_files(ds, odm)
    assert actual[0] == expected[0], f"{ds.name}: CSV"
    pd.testing.assert_frame_equal(actual[1], expected[1], check_exact=True, obj=f"{ds.name} frame")
    assert actual[2] == expected[2], f"{ds.name}: ODM"
    assert actual[3] == expected[3], f"{ds.name}: study events"


@pytest.mark.parametrize("rows", [42, 1, 0])
def test_crafted_values_come_out_the_same_in_every_format(rows):
    ds = crafted_dataset(rows)
    assert_same(ds, OdmWriter([ds], study_oid="S", study_name="S"))


def test_the_crafted_odm_is_escaped_as_xml_and_keeps_every_visit():
    ds = crafted_dataset()
    _csv, _frame, odm, events = sql_files(ds, OdmWriter([ds], study_oid="S", study_name="S"))
    text = odm.decode("utf-8")
    assert 'Value="a &amp; b &lt; c &gt; d"' in text and """Value='say "hi"'""" in text
    assert 'Value="both \' and &quot; here"' in text and 'Value="ctl\ufffd\ufffd\ufffdend"' in text
    assert 'Value="two&#10;lines&#13;&#10;and&#9;tab"' in text and 'SubjectKey="\'=P07"' in text
    assert list(events["names"]) == ["SE.m0", "SE.m3", "SE.COMMON", "SE.m_3_x"]


def test_a_row_without_a_participant_is_refused_as_in_python():
    ds = crafted_dataset()
    sql = ds.sql()[0].replace("'P00'::text", "NULL::text")
    broken = Dataset("broken", "B", "B", COLUMNS, lambda: iter(()), sql=lambda: (sql, []))
    with pytest.raises(ValueError, match="has no participant_id"):
        clinical_sql(broken, io.BytesIO(), OdmWriter([broken], study_oid="S", study_name="S").events(),
                     study_oid="S")


@pytest.fixture
def trial_with_lis_values(site, clinician):
    example_trial(site, clinician)  # two participants with a laboratory-system export to accept
    crafted(site, clinician, major_deviation=True)  # infusion, typed labs, a deviation
    name = "lis_export_en_utf8_bom.csv"
    stage_and_accept((EXAMPLES / name).read_bytes(), data_manager(site), at=LATER, filename=name)


def test_every_dataset_with_sql_comes_out_the_same(trial_with_lis_values):
    datasets = all_datasets()
    with_sql = [ds for ds in datasets if ds.sql is not None]
    assert {"adverse_events", "crf_labs", "crf_bilag", "crf_response", "lab_value_sources"} <= {
        ds.name for ds in with_sql}
    sources = next(ds for ds in with_sql if ds.name == "lab_value_sources")
    assert {row[3] for row in sources.iter_rows()} == {"typed", "lis"}
    odm = OdmWriter(datasets, study_oid="S", study_name="S")
    for ds in with_sql:
        assert_same(ds, odm)


def _entries(path) -> dict[str, bytes]:
    """The bundle's files; the two lines that carry the time of writing are left out."""
    with zipfile.ZipFile(path) as archive:
        out = {name: archive.read(name) for name in archive.namelist()}
    out["README.txt"] = b"".join(line for line in io.BytesIO(out["README.txt"]) if not line.startswith(b"Created"))
    odm = out["odm.xml"].split(b"\n")
    out["odm.xml"] = b"\n".join(odm[:1] + odm[2:])  # the ODM element (FileOID, CreationDateTime)
    return out


def test_the_whole_bundle_is_the_same_by_either_path(trial_with_lis_values, tmp_path):
    formats = ("csv", "sav", "dta", "xpt")
    write_zip(all_datasets(), tmp_path / "sql.zip", formats=formats, study_oid="S")
    python = [Dataset(ds.name, ds.label_en, ds.label_zh, ds.columns, ds.rows, ds.key) for ds in all_datasets()]
    write_zip(python, tmp_path / "python.zip", formats=formats, study_oid="S")
    sql, expected = _entries(tmp_path / "sql.zip"), _entries(tmp_path / "python.zip")
    assert sorted(sql) == sorted(expected)
    for name in ("odm.xml", "README.txt", "codebook.csv", "crf_labs.csv", "lab_value_sources.csv"):
        assert sql[name] == expected[name], name
    for name in expected:
        if name.endswith((".csv", ".xml", ".txt", ".R")):
            assert sql[name] == expected[name], name


def test_the_odm_postgresql_writes_is_valid_against_the_cdisc_schema(trial_with_lis_values, tmp_path):
    import xmlschema

    write_zip(all_datasets(), tmp_path / "sql.zip", study_oid="S", study_name="uc-MSC LN")
    with zipfile.ZipFile(tmp_path / "sql.zip") as archive:
        odm = archive.read("odm.xml").decode("utf-8")
    assert "lab_value_sources" in odm and 'Value="lis"' in odm
    errors = list(xmlschema.XMLSchema(str(ODM_SCHEMA)).iter_errors(odm))
    assert errors == [], [str(e)[:300] for e in errors[:3]]


def test_datetimes_in_the_frame_are_utc_seconds():
    ds = crafted_dataset(2)
    frame = sql_frame(ds)
    moment = datetime.fromisoformat("2024-03-02 01:11:21.012345+08:00")
    assert frame["at"][1] == (moment.timestamp())
    assert frame["level"][1] == float(Decimal("-0.0001"))


def test_the_temporary_table_is_gone_after_each_dataset_even_inside_a_transaction():
    def temporary_tables() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'export_rows_%' AND relpersistence = 't'")
            return cursor.fetchone()[0]

    ds = crafted_dataset(3)
    with materialized(ds) as rows:
        assert temporary_tables() == 1 and len(sql_frame(rows)) == 3
    assert temporary_tables() == 0  # the test runs in a transaction that has not ended
