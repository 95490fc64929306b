"""Backup and restore lose nothing (docs/DEPLOYMENT.md, "Backup and restore"): scripts/backup_restore.py
dumps a committed trial database, restores it into a fresh database and proves every table and
sequence identical; a restore with one row deleted or one value changed fails verification naming
the table. Real PostgreSQL (the system server in CI, the embedded pgserver when DATABASE_URL is unset);
scratch databases are dropped afterwards."""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from crf.models import LabPanel, Query
from crf.services import queries
from edc import roles
from edc.models import Site, User
from safety.models import AdverseEvent
from safety.services.adverse_events import record_ae
from tests import factories
from tests.crf import helpers as h
from tests.randomization.test_concurrency import database_url
from tests.safety.helpers import ae_values

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup_restore.py"
pytestmark = pytest.mark.django_db(transaction=True)


def script(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=600)


def on_server(name: str) -> str:
    """The URL of database `name` on the test database's server."""
    url = database_url()
    return url.rsplit("/", 1)[0] + "/" + name


def databases_like(prefix: str) -> list[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",))
        return [row[0] for row in cur.fetchall()]


@pytest.fixture
def scratch():
    """A prefix for scratch databases named after the test database; all of them dropped at the end."""
    prefix = f"{connection.settings_dict['NAME']}_bk_{uuid.uuid4().hex[:6]}_"
    yield prefix
    for name in databases_like(prefix):
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def trial(settings):
    """The demo trial plus records made through the real services: a randomized participant with a
    month-0 lab panel, an adverse event, and a monitor's query on the panel (all committed)."""
    settings.DEBUG = True  # the demo loader refuses otherwise (published secrets)
    call_command("load_demo_trial", stdout=open(os.devnull, "w"))
    site = Site.objects.get(code="plagh")
    clinician = User.objects.get(username="clinician")
    p = factories.randomized_participant(site, clinician)
    v = h.visit(p, "m0")
    panel, _ = h.save("labs", v, clinician, acknowledge=True, **h.lab_values(v))
    record_ae(p, user=clinician, **ae_values(grade=2, term="Nausea", soc="Gastrointestinal disorders"))
    monitor = factories.make_user(roles.MONITOR, site)
    queries.raise_query(panel, crf_key="labs", user=monitor, field_name="platelets_10e9_l", text="Please check")
    return p


def change_restored(name: str, statement: str) -> None:
    """Tamper with a restored copy as a superuser would (replica mode: no triggers, no FK checks)."""
    conn = psycopg2.connect(on_server(name))
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SET session_replication_role = replica")
            cur.execute(statement)
            assert cur.rowcount >= 1  # the change took effect (the trial may hold several such rows)
    finally:
        conn.close()


def count_rows(name: str, table: str) -> int:
    conn = psycopg2.connect(on_server(name))
    try:
        with conn.cursor() as cur:
            cur.execute(f'SELECT count(*) FROM "{table}"')
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_drill_restores_every_row_and_sequence(trial, scratch, tmp_path):
    result = script("drill", "--url", database_url(), "--scratch-prefix", scratch, "--workdir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "IDENTICAL:" in result.stdout and "DRILL PASSED" in result.stdout
    assert databases_like(scratch) == [], "the drill drops its scratch database"
    manifest = json.loads(next(tmp_path.glob("*.manifest.json")).read_text())
    tables = manifest["tables"]
    # the living demo trial holds lab panels, AEs and queries of its own, plus the ones made above
    for model in (LabPanel, AdverseEvent, Query):
        assert tables[model._meta.db_table]["rows"] == model.objects.count() >= 1
    assert tables[User._meta.db_table]["rows"] == User.objects.count() >= 11
    assert tables[LabPanel.history.model._meta.db_table]["rows"] >= 1  # the audit trail comes back too
    assert manifest["sequences"] and all(isinstance(v[0], int) for v in manifest["sequences"].values())
    for table in (LabPanel, AdverseEvent, Query):
        assert f"\n{table._meta.db_table} " in result.stdout  # every table is listed with its result


def test_a_tampered_restore_fails_verification_naming_the_table(trial, scratch, tmp_path):
    dump = tmp_path / "trial.dump"
    assert script("backup", "--out", str(dump), "--url", database_url()).returncode == 0
    restored = scratch + "copy"
    result = script("restore", "--from", str(dump), "--to-database", restored, "--url", database_url())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "IDENTICAL:" in result.stdout  # restore checks itself against the manifest

    ok = script("verify", "--a", database_url(), "--b", on_server(restored))
    assert ok.returncode == 0 and "IDENTICAL:" in ok.stdout, ok.stdout + ok.stderr

    lab_table = LabPanel._meta.db_table
    change_restored(restored, f'DELETE FROM "{lab_table}"')
    bad = script("verify", "--a", database_url(), "--b", on_server(restored), "--only-differences")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"{lab_table} " in bad.stdout and "ROW COUNT DIFFERS" in bad.stdout
    assert bad.stdout.strip().endswith(f"DIFFERENT: {lab_table}")
    against_manifest = script("verify", "--a", f"{dump}.manifest.json", "--b", on_server(restored))
    assert against_manifest.returncode == 1 and f"DIFFERENT: {lab_table}" in against_manifest.stdout

    # the same number of rows but one value changed: the checksum sees it
    site_table = Site._meta.db_table
    change_restored(restored, f"UPDATE \"{site_table}\" SET name = name || '.' WHERE code = 'plagh'")
    bad = script("verify", "--a", database_url(), "--b", on_server(restored), "--only-differences")
    assert bad.returncode == 1 and "CONTENT DIFFERS" in bad.stdout
    assert bad.stdout.strip().endswith(f"DIFFERENT: {lab_table}, {site_table}")


def test_restore_refuses_an_existing_database_and_a_damaged_dump(trial, scratch, tmp_path):
    dump = tmp_path / "trial.dump"
    assert script("backup", "--out", str(dump), "--url", database_url()).returncode == 0
    restored = scratch + "copy"
    assert script("restore", "--from", str(dump), "--to-database", restored, "--url", database_url()).returncode == 0
    change_restored(restored, f'DELETE FROM "{LabPanel._meta.db_table}"')

    again = script("restore", "--from", str(dump), "--to-database", restored, "--url", database_url())
    assert again.returncode == 2 and f"database {restored} exists: restore never overwrites" in again.stderr
    assert count_rows(restored, LabPanel._meta.db_table) == 0, "the existing database was left alone"

    with open(dump, "ab") as handle:
        handle.write(b"\0")
    damaged = script("restore", "--from", str(dump), "--to-database", scratch + "other", "--url", database_url())
    assert damaged.returncode == 2 and "does not match the SHA-256" in damaged.stderr
    assert databases_like(scratch + "other") == [], "nothing was created"

    bad_name = script("restore", "--from", str(dump), "--to-database", "x; DROP", "--url", database_url())
    assert bad_name.returncode == 2 and "letters, digits and _ only" in bad_name.stderr
    missing = script("restore", "--from", str(tmp_path / "none.dump"), "--to-database", scratch + "x")
    assert missing.returncode == 2 and "no such dump file" in missing.stderr


def test_verify_reports_an_unreachable_database_clearly(db):
    result = script("verify", "--a", on_server("no_such_database_for_verify"), "--b", database_url())
    assert result.returncode == 2
    assert "cannot connect to" in result.stderr and "no_such_database_for_verify" in result.stderr


def test_the_manifest_lists_the_exports_and_check_exports_finds_a_changed_file(trial, tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "edc-export-1.zip").write_bytes(b"zip one")
    (exports / "edc-export-2.zip").write_bytes(b"zip two")
    dump = tmp_path / "trial.dump"
    result = script("backup", "--out", str(dump), "--url", database_url(), EDC_EXPORT_DIR=str(exports))
    assert result.returncode == 0 and "2 export files listed" in result.stdout, result.stdout + result.stderr
    manifest = f"{dump}.manifest.json"
    ok = script("check-exports", "--manifest", manifest, "--exports-dir", str(exports))
    assert ok.returncode == 0 and "2 of 2 export files present and identical" in ok.stdout

    (exports / "edc-export-1.zip").write_bytes(b"zip one, changed")
    (exports / "edc-export-2.zip").unlink()
    bad = script("check-exports", "--manifest", manifest, "--exports-dir", str(exports))
    assert bad.returncode == 1
    assert "SHA-256 DIFFERS  edc-export-1.zip" in bad.stdout and "MISSING          edc-export-2.zip" in bad.stdout


def load_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("backup_restore", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_passwords_stay_off_command_lines_and_out_of_reports():
    br = load_script()
    url = "postgres://edc_backup:p%40ss%3Aword@db.internal:5432/edc?sslmode=verify-full"
    assert br.without_password(url) == ("postgres://edc_backup@db.internal:5432/edc?sslmode=verify-full", "p@ss:word")
    assert br.redact(url) == "postgres://edc_backup:***@db.internal:5432/edc?sslmode=verify-full"
    assert br.with_database(url, "edc_restored") == (
        "postgres://edc_backup:p%40ss%3Aword@db.internal:5432/edc_restored?sslmode=verify-full")
    socket_url = "postgres://postgres@%2Fwork%2Fvar%2Fpgdata/edc"  # the embedded server (scripts/services.py)
    assert br.with_database(socket_url, "x") == "postgres://postgres@%2Fwork%2Fvar%2Fpgdata/x"
    assert br.without_password(socket_url) == (socket_url, None)
