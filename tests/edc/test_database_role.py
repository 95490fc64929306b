"""The audit trail's last wall is the database role (docs/DEPLOYMENT.md, "Roles: least privilege"):
`manage.py check --deploy` warns (edc.W001) and `manage.py health` says so when the application
connects as a superuser or as the owner of the history tables, and is quiet as a role granted
exactly what docs/deploy/grants.sql grants."""
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.db import connection

from edc.db_role import role_problems
from tests.edc.test_deploy_checks import clean_env
from tests.randomization.test_concurrency import database_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "app-role-test-password"


@pytest.fixture
def app_role_url():
    """A least-privilege role for the test database, granted as docs/deploy/grants.sql grants."""
    name = connection.settings_dict["NAME"]
    role = f"{name}_app"
    grants = (ROOT / "docs/deploy/grants.sql").read_text()
    grants = grants.replace("DATABASE edc TO", f'DATABASE "{name}" TO').replace("edc_app", f'"{role}"')
    grants = grants.replace("FOR ROLE edc_owner", "FOR ROLE CURRENT_USER")
    drop_role(role)
    run_sql(database_url(), f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{PASSWORD}'", grants)
    s = connection.settings_dict
    host = s["HOST"] or "127.0.0.1"
    # The embedded server (pgserver) listens on a socket directory: in a URL it is percent-encoded, as
    # scripts/services.py writes it; a TCP host keeps its port.
    where = quote(host, safe="") + (f":{s['PORT']}" if s["PORT"] else "") if host.startswith("/") else \
        f"{host}:{s['PORT'] or 5432}"
    yield f"postgres://{quote(role)}:{PASSWORD}@{where}/{name}"
    drop_role(role)


def run_sql(url: str, *statements: str) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    finally:
        conn.close()


def drop_role(role: str) -> None:
    conn = psycopg2.connect(database_url())
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')
    conn.close()


def deploy_check(url: str) -> str:
    env = clean_env(DJANGO_SETTINGS_MODULE="edc.settings_production", DATABASE_URL=url,
                    SECRET_KEY="x" * 20 + "-a-long-random-production-secret-key-0123456789",
                    ALLOWED_HOSTS="edc.example.org")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    return f"{result.returncode}\n{result.stdout}{result.stderr}"


def test_a_superuser_connection_is_flagged():
    assert role_problems() and "a superuser" in role_problems()[0]
    out = deploy_check(database_url())
    assert out.startswith("1") and "edc.W001" in out and "superuser" in out


def test_the_least_privilege_role_passes_and_cannot_touch_the_audit_trail(app_role_url):
    out = deploy_check(app_role_url)
    assert out.startswith("0") and "edc.W001" not in out and "no issues" in out, out
    env = clean_env(DATABASE_URL=app_role_url)
    health = subprocess.run([sys.executable, "manage.py", "health"], cwd=ROOT, env=env, capture_output=True,
                            text=True)
    assert "OK   database-role: least-privilege application role" in health.stdout, health.stdout + health.stderr
    for sql in ("UPDATE edc_historicalparticipant SET initials = 'X'",
                "TRUNCATE edc_historicalparticipant",
                "ALTER TABLE edc_historicalparticipant DISABLE TRIGGER ALL",
                "SET session_replication_role = replica"):
        with pytest.raises(psycopg2.Error):
            run_sql(app_role_url, sql)
