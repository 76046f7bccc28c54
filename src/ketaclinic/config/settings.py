"""Django settings for Ketaclinic, read from the environment (see ``environment.py``).

One settings module serves development, tests and production; ``KETACLINIC_ENV=production``
turns on everything ``ketaclinic check --deploy`` asks for and refuses to start without a
real secret key and host names.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ketaclinic.apps.audit.keyedchain import (
    development_audit_key,
    parse_audit_key,
    parse_retired_keys,
)
from ketaclinic.apps.messaging.smtp_url import parse_smtp_url
from ketaclinic.config.environment import (
    Environment,
    development_field_key,
    parse_bool,
    parse_choice,
    parse_database_url,
    parse_field_keys,
    parse_int_range,
    parse_list,
    parse_public_url,
    parse_timezone,
)

env = Environment()
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.data_dir()

KETACLINIC_ENV = env.get("KETACLINIC_ENV", parse_choice("development", "production"), "development")
PRODUCTION = KETACLINIC_ENV == "production"
DEBUG = env.get("KETACLINIC_DEBUG", parse_bool, False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "KETACLINIC_DEBUG=true is not allowed with KETACLINIC_ENV=production"
    )


def _secret_key() -> str:
    configured = env.raw("KETACLINIC_SECRET_KEY")
    if configured:
        if len(configured) < 50:
            raise ImproperlyConfigured("KETACLINIC_SECRET_KEY: use at least 50 random characters")
        return configured
    if PRODUCTION:
        raise ImproperlyConfigured("KETACLINIC_SECRET_KEY must be set in production")
    # Development: a random key kept beside the SQLite file, so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.get(
    "KETACLINIC_ALLOWED_HOSTS", parse_list, [] if PRODUCTION else ["localhost", "127.0.0.1"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("KETACLINIC_ALLOWED_HOSTS must name the clinic's host in production")

INSTALLED_APPS = [
    "ketaclinic.apps.accounts",
    "ketaclinic.apps.audit",
    "ketaclinic.apps.jobs",
    "ketaclinic.apps.patients",
    "ketaclinic.apps.alerts",
    "ketaclinic.apps.homeprogram",
    "ketaclinic.apps.kap",
    "ketaclinic.apps.iop",
    "ketaclinic.apps.reminders",
    "ketaclinic.apps.pk",
    "ketaclinic.apps.outcomes",
    "ketaclinic.apps.enquiries",
    "ketaclinic.apps.ledger",
    "ketaclinic.apps.messaging",
    "ketaclinic.apps.assessments",
    "ketaclinic.apps.charting",
    "ketaclinic.apps.treatment",
    "ketaclinic.apps.billing",
    "ketaclinic.apps.demo",
    "ketaclinic.apps.today",
    "ketaclinic.apps.auditpage",
    "ketaclinic.apps.web",
    "ketaclinic.fhir",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ketaclinic.config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ketaclinic.config.middleware.NoStoreMiddleware",
    "ketaclinic.apps.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ketaclinic.apps.accounts.deny_by_default.DenyByDefaultMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ketaclinic.apps.accounts.middleware.IdleTimeoutMiddleware",
    "ketaclinic.apps.accounts.mfa_middleware.MfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ketaclinic.config.urls"
WSGI_APPLICATION = "ketaclinic.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ketaclinic.apps.accounts.context.navigation",
                "ketaclinic.apps.alerts.context.open_alert_badge",
            ],
        },
    },
]

DATABASE_URL = env.get(
    "KETACLINIC_DATABASE_URL", parse_database_url, f"sqlite:///{DATA_DIR / 'ketaclinic.sqlite3'}"
)
# Opt-in psycopg 3 pool on PostgreSQL (docs/scaling.md): at most this many connections per
# process, shared by its threads. Unset: one persistent connection per thread.
DATABASE_POOL_SIZE = env.get("KETACLINIC_DATABASE_POOL_SIZE", parse_int_range(1, 100), None)


def _database(url: str, pool_size: int | None = None) -> dict:
    # Persistent connections, checked before reuse, on PostgreSQL and SQLite alike: opening
    # one per request cost a tenth of request time.
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if pool_size is not None and config["ENGINE"] == "django.db.backends.postgresql":
        # Django refuses a pool with persistent connections: the pool keeps them instead,
        # and CONN_HEALTH_CHECKS makes it check each one before handing it out.
        config["CONN_MAX_AGE"] = 0
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": pool_size,
            "timeout": 10,
        }
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # WAL lets readers work while a nurse writes; FULL survives a power cut;
            # IMMEDIATE takes the write lock at BEGIN so concurrent writers queue, not fail.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=5000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    return config


DATABASES = {"default": _database(DATABASE_URL, DATABASE_POOL_SIZE)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every app process (rate limits must hold across gunicorn workers), kept
# in the clinic's own database so no extra service is needed; `ketaclinic migrate` creates it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ketaclinic_cache",
    }
}
ATOMIC_REQUESTS = False

AUTH_USER_MODEL = "accounts.User"
# Passwords as Django does; permissions per site from one load (accounts/scoping.py).
AUTHENTICATION_BACKENDS = ["ketaclinic.apps.accounts.scoping.SiteAccessBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "ketaclinic.apps.accounts.password_strength.GuessablePasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_IDLE_MINUTES = env.get("KETACLINIC_SESSION_IDLE_MINUTES", parse_int_range(1, 720), 15)
SESSION_COOKIE_AGE = 12 * 60 * 60
# A weight older than this is flagged on the plan and the dose order (docs/treatment.md).
WEIGHT_STALE_DAYS = env.get("KETACLINIC_WEIGHT_STALE_DAYS", parse_int_range(1, 365), 30)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.get("KETACLINIC_TIME_ZONE", parse_timezone, "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # vendored front-end code (htmx)
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns (an error in tests) if absent
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Development and tests serve static files straight from the package; production collects them.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

TRUSTED_PROXIES = env.get("KETACLINIC_TRUSTED_PROXIES", parse_int_range(0, 5), 0)

# Security headers. Production adds HTTPS-only cookies and HSTS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if TRUSTED_PROXIES:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"

LOG_LEVEL = env.get(
    "KETACLINIC_LOG_LEVEL", parse_choice("debug", "info", "warning", "error"), "info"
).upper()
# Application logs carry request ids, paths and status codes only, never patient data:
# query strings are dropped by the request formatter, and patient data goes to the audit trail.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_patient_data": {"()": "ketaclinic.apps.web.logging_filters.NoPatientData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_patient_data"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "ERROR", "propagate": True},
    },
}

# Crisis resources shown wherever a patient reports suicidal thoughts.
KETACLINIC_CRISIS_TEXT = env.get(
    "KETACLINIC_CRISIS_TEXT",
    str,
    "If you are thinking about suicide or are in crisis, call or text 988 (US Suicide & Crisis "
    "Lifeline) or your local emergency number now.",
)
# The crisis line's number: wherever it appears in the crisis text it becomes a tel: link.
KETACLINIC_CRISIS_PHONE = env.get("KETACLINIC_CRISIS_PHONE", str, "988")

# Outbound e-mail and SMS: one sender for the whole process (see apps/messaging/sending.py).
KETACLINIC_SENDER = env.get(
    "KETACLINIC_SENDER",
    parse_choice("console", "file", "smtp"),
    "file" if PRODUCTION else "console",
)
KETACLINIC_SMTP = env.get("KETACLINIC_SMTP_URL", parse_smtp_url, None)
if KETACLINIC_SENDER == "smtp" and KETACLINIC_SMTP is None:
    raise ImproperlyConfigured("KETACLINIC_SENDER=smtp needs KETACLINIC_SMTP_URL")
KETACLINIC_MAIL_FROM = env.get("KETACLINIC_MAIL_FROM", str, "Ketaclinic <ketaclinic@localhost>")
# Text messages and pages (urgent alerts to whoever is on call) through an HTTP gateway.
KETACLINIC_SMS_WEBHOOK_URL = env.get("KETACLINIC_SMS_WEBHOOK_URL", parse_public_url, "")
KETACLINIC_SMS_WEBHOOK_TOKEN = env.secret("KETACLINIC_SMS_WEBHOOK_TOKEN", str, "")
KETACLINIC_OUTBOX_DIR = DATA_DIR / "outbox"

# FHIR Bulk Data exports (docs/fhir.md): NDJSON files under var/fhir-exports, deleted this many
# hours after the export finished; "thread" runs a job on kick-off, "command" leaves it to
# `manage.py fhir_exports run` (a worker or cron).
FHIR_EXPORT_DIR = DATA_DIR / "fhir-exports"
FHIR_EXPORT_RETENTION_HOURS = env.get(
    "KETACLINIC_FHIR_EXPORT_RETENTION_HOURS", parse_int_range(1, 720), 24
)
FHIR_EXPORT_RUNNER = env.get(
    "KETACLINIC_FHIR_EXPORT_RUNNER", parse_choice("thread", "command"), "thread"
)
# The address patients' links start with (self-report links sent without a request).
KETACLINIC_PUBLIC_URL = env.get("KETACLINIC_PUBLIC_URL", parse_public_url, "http://localhost:8000")

# Enquiries are stored encrypted (apps/enquiries/encrypted_fields.py): the first key encrypts,
# every key decrypts. Development derives one from SECRET_KEY (docs/waitlist.md says why not
# in production).
KETACLINIC_FIELD_KEYS = env.secret("KETACLINIC_FIELD_KEYS", parse_field_keys, None)
if KETACLINIC_FIELD_KEYS is None:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "KETACLINIC_FIELD_KEYS must be set in production "
            "(make a key with `ketaclinic enquiries new-key`)"
        )
    KETACLINIC_FIELD_KEYS = [development_field_key(SECRET_KEY)]

# The audit trail's chain key (apps/audit/keyedchain.py): it must live outside the database.
# Development derives one from SECRET_KEY; `check --deploy` requires a key of its own.
audit_key_given = env.secret("KETACLINIC_AUDIT_KEY", parse_audit_key, None)
KETACLINIC_AUDIT_KEY_CONFIGURED = audit_key_given is not None
KETACLINIC_AUDIT_KEY: bytes = (
    audit_key_given if audit_key_given is not None else development_audit_key(SECRET_KEY)
)
del audit_key_given
# Background jobs (apps/jobs): production runs `ketaclinic jobs work`; elsewhere (`make demo`,
# development, tests) a job is made on the request that asks for it, as nobody runs a worker.
KETACLINIC_JOBS_INLINE = not PRODUCTION

# Keys the chain was made with before a rotation (`ketaclinic audit rotate-key`): they verify
# old events and checkpoints, and never chain or sign.
KETACLINIC_AUDIT_RETIRED_KEYS = env.secret("KETACLINIC_AUDIT_RETIRED_KEYS", parse_retired_keys, ())
# `audit verify` fails when an event waits longer than this to be chained.
KETACLINIC_AUDIT_CHAIN_GRACE_SECONDS = env.get(
    "KETACLINIC_AUDIT_CHAIN_GRACE_SECONDS", parse_int_range(1, 86_400), 10
)
