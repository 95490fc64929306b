"""Production settings: everything `manage.py check --deploy` asks for.

Use with DJANGO_SETTINGS_MODULE=edc.settings_production behind nginx terminating TLS.
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL must come from the environment.
"""
import os

from edc.settings import *  # noqa: F403
from edc.settings import envint

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
# No default database in production: the development default connects as `postgres`, a superuser
# that could switch off the audit trail's append-only trigger. Production connects as the
# least-privilege `edc_app` role; only `migrate` runs as `edc_owner` (docs/DEPLOYMENT.md, "Roles:
# least privilege"); `manage.py check --deploy` warns otherwise (edc.W001).
if not os.environ.get("DATABASE_URL"):
    raise KeyError("DATABASE_URL: set it to the edc_app role (docs/DEPLOYMENT.md)")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(365 * 24 * 3600))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# nosniff, Referrer-Policy, COOP, X-Frame-Options: DENY, CSP and Permissions-Policy come from
# edc.settings and edc/security.py, the same in development and production.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
