"""`manage.py check --deploy` is clean with the production settings (quality bar: security)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra) -> dict:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; production never does.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **extra}


# `check --deploy` clean with the production settings: tests/edc/test_database_role.py, connected as a
# least-privilege role (as the superuser the tests use, the database-role check edc.W001 warns).


def test_development_settings_are_flagged_by_the_same_check():
    """The check can fail: the development settings (DEBUG on, no HSTS) do not pass it."""
    env = clean_env(DJANGO_SETTINGS_MODULE="edc.settings")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "security.W" in result.stderr + result.stdout
