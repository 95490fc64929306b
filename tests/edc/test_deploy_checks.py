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


def test_check_deploy_is_clean_with_production_settings():
    env = clean_env(DJANGO_SETTINGS_MODULE="edc.settings_production",
               SECRET_KEY="x" * 20 + "-a-long-random-production-secret-key-0123456789",
               ALLOWED_HOSTS="edc.example.org")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_settings_are_flagged_by_the_same_check():
    """The check can fail: the development settings (DEBUG on, no HSTS) do not pass it."""
    env = clean_env(DJANGO_SETTINGS_MODULE="edc.settings")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "security.W" in result.stderr + result.stdout
