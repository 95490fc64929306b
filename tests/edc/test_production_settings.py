"""The production settings read what docs/DEPLOYMENT.md says they read (SMTP, the shared exports
directory) and refuse to start without a SECRET_KEY."""
import json
import subprocess
import sys

from tests.edc.test_deploy_checks import ROOT, clean_env

SHOW = ("import json, django; django.setup(); from django.conf import settings as s; "
        "from exports.services import runs; "
        "print(json.dumps({k: str(getattr(s, k)) for k in ('EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', "
        "'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', 'EMAIL_TIMEOUT', 'DEFAULT_FROM_EMAIL', "
        "'SERVER_EMAIL', 'DEBUG', 'ALLOWED_HOSTS', 'CSRF_TRUSTED_ORIGINS')} | {'export_dir': str(runs.EXPORT_DIR)}))")


def production(**env) -> subprocess.CompletedProcess:
    base = clean_env(DJANGO_SETTINGS_MODULE="edc.settings_production",
                     SECRET_KEY="s" * 60, ALLOWED_HOSTS="edc.example.org")
    return subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True)


def test_smtp_and_export_dir_come_from_the_environment(tmp_path):
    result = production(EMAIL_HOST="smtp.hospital.example", EMAIL_PORT="587", EMAIL_HOST_USER="edc",
                        EMAIL_HOST_PASSWORD="pw", EMAIL_USE_TLS="true", EMAIL_TIMEOUT="15",
                        DEFAULT_FROM_EMAIL="edc@hospital.example", EDC_EXPORT_DIR=str(tmp_path),
                        CSRF_TRUSTED_ORIGINS="https://edc.example.org")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got == {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                   "EMAIL_HOST": "smtp.hospital.example", "EMAIL_PORT": "587", "EMAIL_HOST_USER": "edc",
                   "EMAIL_HOST_PASSWORD": "pw", "EMAIL_USE_TLS": "True", "EMAIL_TIMEOUT": "15",
                   "DEFAULT_FROM_EMAIL": "edc@hospital.example", "SERVER_EMAIL": "edc@hospital.example",
                   "DEBUG": "False", "ALLOWED_HOSTS": "['edc.example.org']",
                   "CSRF_TRUSTED_ORIGINS": "['https://edc.example.org']", "export_dir": str(tmp_path)}


def test_defaults_bound_the_smtp_timeout_and_keep_exports_under_var():
    result = production()
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["EMAIL_TIMEOUT"] == "30" and got["EMAIL_HOST"] == "localhost" and got["EMAIL_PORT"] == "25"
    assert got["export_dir"] == str(ROOT / "var" / "exports")


def test_production_refuses_to_start_without_a_secret_key():
    env = clean_env(DJANGO_SETTINGS_MODULE="edc.settings_production", ALLOWED_HOSTS="edc.example.org")
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "KeyError: 'SECRET_KEY'" in result.stderr
