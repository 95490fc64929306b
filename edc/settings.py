"""Settings for the trial EDC, read from the environment.

Development defaults are safe to run locally; `edc.settings_production` tightens them for a real
deployment (`manage.py check --deploy` is clean there).
"""
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from edc.env import envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get(
    "SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
)
DEBUG = envbool("DEBUG", "True")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "edc",
    "randomization",
    "crf",
    "safety",
    "labs",  # lab results from the hospital laboratory system (docs/LAB_IMPORT.md)
    "exports",
    "monitoring",  # central monitoring: key risk indicators and the SDV plan
    "synthetic",  # synthetic trial data (a command only, no models)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "edc.security.SecurityHeadersMiddleware",  # CSP, Permissions-Policy, no-store when signed in
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "edc.middleware.SessionLifetimeMiddleware",
    "edc.middleware.SiteTimezoneMiddleware",
    "edc.errors.ErrorPagesMiddleware",  # 403/404 pages like the app, also when DEBUG is on
    "edc.access.AccessPolicyMiddleware",
    "edc.read_log.ReadLogMiddleware",  # who read whose data: one INSERT per request (edc.read_log)
    # after the access policy: a user who owes the second factor reaches only the sign-in steps
    "edc.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # axes last: it turns a lockout into its response
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "edc.urls"
WSGI_APPLICATION = "edc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "edc.context_processors.navigation",
                "edc.context_processors.demo_banner",
                "edc.context_processors.session",
            ],
            "builtins": ["edc.templatetags.edc_links"],  # {% may_open %} (edc.access.may_open)
        },
    },
]

# --- Database and broker: real PostgreSQL and Redis (scripts/services.py starts embedded ones) ---
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/edc"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# PostgreSQL's JIT compiles a query whose estimated cost is high before running it; for the
# aggregate pages at 10,000 participants that compilation took longer than the query (the lifecycle
# count: 0.46 s with JIT, 0.11 s without; docs/DECISIONS.md "Database settings"). Off by default.
if os.environ.get("EDC_DB_JIT", "off") == "off":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "edc",
    }
}

# --- People, sign-in, sessions (lockout after 5, idle 30 min, passwords >= 12) ---
AUTH_USER_MODEL = "edc.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "30") / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "edc/locked_out.html"
AXES_VERBOSE = False

# Second factor: TOTP for the roles in edc.roles.TWO_FACTOR_ROLES, staff and superusers.
# Wrong codes throttle the device: 1, 2, 4, 8 ... seconds between attempts.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "uc-MSC LN trial EDC")
OTP_TOTP_THROTTLE_FACTOR = envint("OTP_TOTP_THROTTLE_FACTOR", "1")

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", "1800")  # idle timeout: 30 minutes
# The idle deadline moves on when the session is written: edc.middleware.SessionLifetimeMiddleware writes
# it when the last write is this old, not on every request (SESSION_SAVE_EVERY_REQUEST stays off: it cost
# an UPDATE per page). So a session ends 29 to 30 minutes after the last request; the warning counts down
# to the deadline as stored and "Stay signed in" always writes (docs/WORKFLOW.md "Nothing a user typed is lost").
SESSION_TOUCH_SECONDS = envint("SESSION_TOUCH_SECONDS", "60")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = envint("SESSION_ABSOLUTE_SECONDS", str(12 * 3600))
SESSION_WARN_SECONDS = envint("SESSION_WARN_SECONDS", "300")  # the idle warning shows 5 minutes before
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Language and time: stored in UTC, shown in the site's zone (Asia/Shanghai by default) ---
# --- Response headers (edc/security.py adds CSP, Permissions-Policy, no-store) ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
EDC_DEFAULT_SITE_TIMEZONE = "Asia/Shanghai"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Audit (docs/ARCHITECTURE.md rule 1 and 2) ---
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Celery: worker + beat on Redis ---
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A web request must not hang on a broker outage: try briefly, then leave it to the beat sweeps.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3,
                                    "interval_max": 0.5}
SWEEP_SECONDS = float(os.environ.get("EDC_SWEEP_SECONDS", "60"))  # deadline and delivery sweeps
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "edc.tasks.heartbeat", "schedule": 60.0},
    "retry-deliveries": {"task": "edc.tasks.retry_deliveries", "schedule": SWEEP_SECONDS},
    "sae-obligation-sweep": {"task": "safety.tasks.sweep_obligations", "schedule": SWEEP_SECONDS},
    "requeue-lost-exports": {"task": "exports.tasks.requeue_lost_exports",
                             "schedule": float(os.environ.get("EDC_EXPORT_SWEEP_SECONDS", "60"))},
    # Detective control for writes that bypass the application (docs/DEPLOYMENT.md, "Database roles")
    "history-drift": {"task": "edc.tasks.check_history_drift", "schedule": 24 * 3600.0},
    # The SDV sample's draw of the day's new forms, kept (docs/CENTRAL_MONITORING.md, "Scale")
    "monitoring-sample-draws": {"task": "monitoring.tasks.refresh_sample_draws", "schedule": 24 * 3600.0},
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "edc@localhost")
# SMTP (production, docs/DEPLOYMENT.md): SAE alerts and unblinding notices go out from the Celery
# workers; a bounded timeout keeps a hung mail server from holding a worker (the delivery is
# retried by the beat sweep and every attempt is recorded).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "30"))  # seconds per SMTP round trip (fractions allowed)
EMAIL_TIMEOUT = int(EMAIL_TIMEOUT) if EMAIL_TIMEOUT.is_integer() else EMAIL_TIMEOUT
# Retries and escalation of e-mails (docs/SAFETY_ALERTS.md, "Delivery guarantees"): backoff from
# 1 minute doubling, capped at 20 minutes; an SAE alert is retried for as long as an obligation it
# concerns is open, and after this many failures the PI and the data manager are told in-app, the
# safety dashboard shows a banner and `manage.py health` fails.
EDC_MAIL_RETRY_BASE_SECONDS = float(os.environ.get("EDC_MAIL_RETRY_BASE_SECONDS", "60"))
EDC_MAIL_RETRY_CAP_SECONDS = float(os.environ.get("EDC_MAIL_RETRY_CAP_SECONDS", str(20 * 60)))
EDC_MAIL_CLAIM_MARGIN_SECONDS = float(os.environ.get("EDC_MAIL_CLAIM_MARGIN_SECONDS", "60"))
EDC_SAE_ESCALATE_AFTER_FAILURES = envint("EDC_SAE_ESCALATE_AFTER_FAILURES", "3")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Export zips are written by a Celery worker and downloaded through the web: with web and workers on
# different machines this must be the same shared directory on all of them (docs/DEPLOYMENT.md).
EXPORT_DIR = Path(os.environ.get("EDC_EXPORT_DIR", str(BASE_DIR / "var" / "exports")))
# Processes that write one export's datasets at the same time (exports.writers.write_zip). One by default:
# two halve the time on two cores, but a worker killed mid-build would leave its forked helper running
# until it finishes, and the lease takeover is proven with one (docs/EXPORTS.md, "Speed").
EXPORT_PROCESSES = envint("EDC_EXPORT_PROCESSES", "1")
# A running export renews its lease as it writes; a run whose lease ran out (its worker died) is
# taken over by the beat's sweep every EDC_EXPORT_SWEEP_SECONDS and rebuilt, at most
# EDC_EXPORT_MAX_TAKEOVERS times, then failed with a message (docs/EXPORTS_RELIABILITY.md).
# Recovery time is at most lease + sweep interval: 3 + 1 = 4 minutes by default.
EDC_EXPORT_LEASE_SECONDS = float(os.environ.get("EDC_EXPORT_LEASE_SECONDS", "180"))
EDC_EXPORT_SWEEP_SECONDS = float(os.environ.get("EDC_EXPORT_SWEEP_SECONDS", "60"))
EDC_EXPORT_MAX_TAKEOVERS = envint("EDC_EXPORT_MAX_TAKEOVERS", "2")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"edc": {"level": "INFO"}},
}

EDC_TRIAL_NAME = _("uc-MSC for refractory lupus nephritis")

# Account lockout is by user name on purpose: a hospital's PCs share one NAT address, so locking an
# IP address would lock the whole ward out (axes.W006 asks for the IP).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]


# Central monitoring (docs/CENTRAL_MONITORING.md "Indicators"): (amber, red) per key risk indicator.
# Rates in %, medians in days, deviations per 100 participant-months; for the SDV coverage of critical
# data lower is worse (amber at or below 95 %, red at or below 85 %).
MONITORING_THRESHOLDS = {
    "query_age_14": (20, 40), "query_age_30": (10, 20), "query_answer_days": (7, 14),
    "entry_lag_days": (7, 14), "sdv_critical": (95, 85), "sdv_backlog": (10, 25),
    "visit_out_of_window": (5, 10), "visit_missed": (5, 10), "endpoint_at_risk": (5, 10),
    "sae_late": (1, 5), "sae_overdue": (1, 5), "deviation_rate": (5, 10),
    "prohibited_conmed": (1, 5), "prednisone_m6": (10, 25), "infusion_window": (1, 5),
    "infusion_dose": (1, 5), "infusion_shelf_life": (1, 5), "consent_version": (1, 5),
    "biospecimen_consent": (1, 5),
}

# Lab import (docs/LAB_IMPORT.md). The hospital record number is stored as an HMAC-SHA256 digest
# (to find) and Fernet ciphertext (to show): two independent keys, never the SECRET_KEY in
# production (edc/settings_production.py requires both). Development derives them from SECRET_KEY.
LAB_IDENTIFIER_HMAC_KEY = os.environ.get("LAB_IDENTIFIER_HMAC_KEY", "dev-hmac:" + SECRET_KEY)
LAB_IDENTIFIER_FERNET_KEY = os.environ.get("LAB_IDENTIFIER_FERNET_KEY", "")  # urlsafe base64, 32 bytes
LAB_IMPORT_MAX_BYTES = envint("LAB_IMPORT_MAX_BYTES", str(25 * 1024 * 1024))
LAB_MLLP_HOST = os.environ.get("LAB_MLLP_HOST", "127.0.0.1")
LAB_MLLP_PORT = envint("LAB_MLLP_PORT", "2575")

# --- Trial settings where the protocol is silent (docs/DATA_QUALITY.md "Trial settings") ---
# Renal response: eGFR must stay at or above (1 − tolerance) × the month-0 eGFR (KDIGO gives a 10-15 %
# band). Stored with every renal-response record, so a change applies only to records saved after it.
RENAL_RESPONSE_TOLERANCE = float(os.environ.get("EDC_RENAL_RESPONSE_TOLERANCE", "0.15"))
# Eligibility: a creatinine sampled more than this many days before screening is warned (exclusion 5).
ELIGIBILITY_CREATININE_MAX_AGE_DAYS = envint("EDC_ELIGIBILITY_CREATININE_MAX_AGE_DAYS", "30")
# Pharmacy: a prepared cell suspension is infused within this many hours (label expiry), warned when
# fewer than BAG_EXPIRY_WARNING_MINUTES remain; a bag is prepared at most BAG_LEAD_DAYS before the
# window of its infusion visit opens (protocol 2.5: infusions at months 0 and 6).
BAG_SHELF_LIFE_HOURS = envint("EDC_BAG_SHELF_LIFE_HOURS", "6")
BAG_EXPIRY_WARNING_MINUTES = envint("EDC_BAG_EXPIRY_WARNING_MINUTES", "60")
BAG_LEAD_DAYS = envint("EDC_BAG_LEAD_DAYS", "1")
# Cell dose (protocol 2.5.2: 1×10⁶ cells/kg): prepared count outside ±10 % is warned, outside ±50 % refused.
BAG_DOSE_SOFT_FRACTION = 0.10
BAG_DOSE_HARD_FRACTION = 0.50
