"""Settings for Hải Đăng, read from the environment.

HAIDANG_ENV selects the profile: `development` (the default, what `make run` uses: keys
come from the git-ignored var/local-keys.json), `test` (fixed throw-away keys) and
`production` (every secret from the environment, HTTPS-only cookies and headers).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_dates, env_int, env_list, env_secret, env_str
from haidang.common.keys import read_local_keys

BASE_DIR = Path(__file__).resolve().parent.parent
HAIDANG_ENV = env_choice("HAIDANG_ENV", "development", {"development", "test", "production"})
PRODUCTION = HAIDANG_ENV == "production"
VAR_DIR = Path(env_str("HAIDANG_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production: error pages would show victims' data.")

# --- Secrets -------------------------------------------------------------------------------
if HAIDANG_ENV == "test":
    # Public, throw-away values: tests must never depend on a developer's real keys.
    _local_keys = {
        "SECRET_KEY": "test-secret-key-not-for-any-real-deployment-0123456789",
        "FIELD_ENCRYPTION_KEYS": ["t1:VGVzdEtleU9uZS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0="],
        "FIELD_HASH_KEY": "VGVzdEhhc2hLZXktLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0=",
        "BACKUP_KEYS": ["tb1:VGVzdEJhY2t1cEtleS0tLS0tLS0tLS0tLS0tLS0tLS0="],
        "METRICS_TOKEN": "test-metrics-token",
        "EXPORT_PSEUDONYM_KEY": "VGVzdFBzZXVkb255bUtleS0tLS0tLS0tLS0tLS0tLS0=",
    }
elif HAIDANG_ENV == "development":
    _local_keys = read_local_keys(VAR_DIR / "local-keys.json")
else:
    _local_keys = {}


def _secret(name: str) -> str:
    value = env_secret(name)
    if value is None:
        value = _local_keys.get(name)
        if isinstance(value, list):
            value = ",".join(value)
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Set it in the environment (production) or run "
            f"`python -m haidang.common.keys {VAR_DIR / 'local-keys.json'}` (development)."
        )
    return value


SECRET_KEY = _secret("SECRET_KEY")
# Comma-separated '<id>:<base64 32-byte key>' entries; the first encrypts, all decrypt (rotation).
FIELD_ENCRYPTION_KEYS = [item.strip() for item in _secret("FIELD_ENCRYPTION_KEYS").split(",") if item.strip()]
# Key for the keyed hashes stored beside fields that must be matched exactly (document numbers).
FIELD_HASH_KEY = _secret("FIELD_HASH_KEY")


def _optional_secret(name: str) -> str:
    value = env_secret(name)
    if value is None:
        value = _local_keys.get(name, "")
        if isinstance(value, list):
            value = ",".join(value)
    return value


# Keys that seal backup archives ('<id>:<base64 32-byte key>', comma-separated; the first seals, all
# open). Only the machine that runs `manage.py backup` / `restore` needs them, never the app servers,
# and they must differ from every field key (haidang.operations.backup checks).
BACKUP_KEYS = [item.strip() for item in _optional_secret("BACKUP_KEYS").split(",") if item.strip()]
# The bearer token a Prometheus scraper sends to /metrics; without one /metrics answers 404.
METRICS_TOKEN = _optional_secret("METRICS_TOKEN")
# Keys the pseudonyms in research extracts (HMAC-SHA256 of the recipient and the record); a separate key from
# the field keys and the hash key, so that a pseudonym can never be matched against a stored keyed hash. Without
# it, research extracts are refused.
EXPORT_PSEUDONYM_KEY = _optional_secret("EXPORT_PSEUDONYM_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies (addresses or networks) whose X-Forwarded-For the audit log may believe.
AUDIT_TRUSTED_PROXIES = env_list("AUDIT_TRUSTED_PROXIES", [])

# --- Applications --------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "haidang.common",
    "haidang.places",
    "haidang.access",
    "haidang.audit",
    "haidang.prevention",
    "haidang.cases",
    "haidang.reporting",
    "haidang.proceedings",
    "haidang.statistics",
    "haidang.exchange",
    "haidang.demo",
    # Before django_tasks_db: its `db_worker` command is replaced by one with a heartbeat.
    "haidang.operations",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # Outermost: one JSON log line and one latency observation per request, whatever happens inside.
    "haidang.operations.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "haidang.common.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "haidang.common.middleware.SlidingSessionMiddleware",
    "haidang.common.middleware.VietnameseFirstLocaleMiddleware",
    "haidang.common.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "haidang.access.middleware.SecondFactorMiddleware",  # django-otp's, the device read by a kept statement
    "haidang.access.middleware.PrivateByDefaultMiddleware",
    "haidang.access.middleware.TwoFactorRequiredMiddleware",
    "haidang.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "haidang.common.context_processors.site_urls",
                "haidang.access.context_processors.access",
                "haidang.reporting.context_processors.notifications",
            ],
            # `number` and `percent` on every page, so each number is written the reader's way.
            "builtins": ["haidang.common.templatetags.numbers"],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'haidang.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite keeps its connections between requests too (DB_CONN_MAX_AGE): opening one and running the
    # PRAGMAs below on every request cost as much as a whole worklist answer (bench/README.md, load.py).
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers continue while one writer works; IMMEDIATE takes the write lock at
        # the start of a transaction so two writers queue instead of failing half-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED_STATEMENTS", True):
    # Parameters sent apart from the text, and a statement run five times on a connection prepared
    # (psycopg): the hot lists run the same kept statements request after request (`common.queries`),
    # and planning them again each time cost PostgreSQL as much as running them (bench/README.md, load.py).
    # Off behind a pooler that cannot keep prepared statements (PgBouncer before 1.21, or without
    # max_prepared_statements).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
# A PostgreSQL streaming replica for statistics and dashboards (haidang.common.replica): used while it
# answers and is at most REPLICA_MAX_LAG_SECONDS behind, else the primary serves those reads too.
_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if _REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        _REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0), conn_health_checks=True
    )
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": env_int("REPLICA_CONNECT_TIMEOUT", 2, minimum=1)}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30, minimum=0)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 5, minimum=0)
DATABASE_ROUTERS = ["haidang.common.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ------------------------------------------------------------------------
AUTH_USER_MODEL = "access.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the signed-in user read by a kept statement.
    "haidang.access.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "access:login"
LOGIN_REDIRECT_URL = "access:home"
LOGOUT_REDIRECT_URL = "access:login"

# Lockout after repeated failures, per user name (django-axes, database handler).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# Our sign-in view and the token endpoint read request.axes_locked_out themselves and answer
# with their own translated message (HTML or the API error shape), so no axes middleware.
# W006 warns that a username-only lock ignores the address; that is the point here: a
# password guesser changing addresses still locks the account it is guessing.
SILENCED_SYSTEM_CHECKS = ["axes.W002", "axes.W003", "axes.W006"]

OTP_TOTP_ISSUER = "Hải Đăng"
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions end after inactivity: activity pushes the expiry forward, with the session row written
# at most once a minute (common.middleware.SlidingSessionMiddleware).
# Django's database sessions, with the session row read by a kept statement.
SESSION_ENGINE = "haidang.common.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 8, minimum=1)

# --- Security headers ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Language and time ---------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "haidang_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION

# --- Case time limits (legal values the reference marks VERIFY are settings) -------------------
CASE_INITIAL_VERIFICATION_DAYS = env_int("CASE_INITIAL_VERIFICATION_DAYS", 3, minimum=1)
CASE_SHELTER_MAX_DAYS = env_int("CASE_SHELTER_MAX_DAYS", 120, minimum=1)
CASE_REINTEGRATION_DECISION_WORKING_DAYS = env_int("CASE_REINTEGRATION_DECISION_WORKING_DAYS", 9, minimum=1)
# Public holidays are in haidang/common/data/public_holidays.toml, each year with its legal source;
# this setting (ISO dates, comma-separated) can only add days to it, e.g. a local day off.
PUBLIC_HOLIDAYS = env_dates("PUBLIC_HOLIDAYS", "")
# A step dated more than this many days before the day it is recorded needs a reason, which is
# kept on the timeline and in the audit log.
CASE_BACKDATE_DAYS_WITHOUT_REASON = env_int("CASE_BACKDATE_DAYS_WITHOUT_REASON", 30, minimum=0)


# --- Statistics releases ---------------------------------------------------------------------
# Counts from 1 to this minus one are never published, and every hidden small count must keep a
# feasible range at least this wide (reporting-privacy B4: 10).
STATISTICS_SUPPRESSION_THRESHOLD = env_int("STATISTICS_SUPPRESSION_THRESHOLD", 10, minimum=3)

# --- Uploads ---------------------------------------------------------------------------------
# Office documents are zip archives: what one may unpack into, and how many parts it may hold, is
# capped before anything is inflated (a "zip bomb" named .xlsx is refused by every upload).
UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024, minimum=1024)
UPLOAD_MAX_ZIP_ENTRIES = env_int("UPLOAD_MAX_ZIP_ENTRIES", 2000, minimum=10)
# Imports (haidang/exchange): the largest file and the most rows a register may declare, and SQLite's page
# cache while a commit writes (MB; 0 keeps SQLite's 2 MB, and the commit's cost per row then grows with the file).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000, minimum=1)
IMPORT_SQLITE_CACHE_MB = env_int("IMPORT_SQLITE_CACHE_MB", 64, minimum=0)
# A workbook at least this large (bytes; 0: never) is parsed by a child process while the dry run checks its rows
# (exchange/imports/readers.py); 256 KB is about 5,000 rows of a victim case register.
IMPORT_READ_AHEAD_BYTES = env_int("IMPORT_READ_AHEAD_BYTES", 256 * 1024, minimum=0)

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "/static/"
# Collected files are needed in production only; elsewhere WhiteNoise serves from the finders.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static"))) if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded files go to S3-compatible object storage when S3_BUCKET is set (several application servers
# then share them); local disk under MEDIA_ROOT otherwise. They are always served through the
# application (scope checked, audited), never by a public link.
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": _optional_secret("S3_ACCESS_KEY_ID") or None,
            "secret_key": _optional_secret("S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("S3_PREFIX", ""),
            "addressing_style": env_choice("S3_ADDRESSING_STYLE", "path", {"path", "virtual", "auto"}),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }

# --- E-mail --------------------------------------------------------------------------------
_DEFAULT_EMAIL_BACKEND = "smtp.EmailBackend" if PRODUCTION else "console.EmailBackend"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", f"django.core.mail.backends.{_DEFAULT_EMAIL_BACKEND}")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hai-dang@localhost")

# --- Logging: no request bodies, no identifying values, ever. ---------------------------------
# One JSON line per request on standard output (haidang.operations.logs): time, request id, method,
# URL pattern, status, duration, statements, user id. LOG_REQUESTS=false turns it off.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "haidang.operations.jsonformat.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "axes": {"level": "WARNING"},
        "haidang.requests": {
            "handlers": ["json"],
            "level": "INFO" if env_bool("LOG_REQUESTS", True) else "WARNING",
            "propagate": False,
        },
    },
}

# --- Background jobs ---------------------------------------------------------------------------
# Jobs (report reminders) are rows in the database, run by `manage.py db_worker`: no broker needed.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"), "QUEUES": ["default"]}}

# Data that is the same for everyone (the map's unit lists for scopes) kept in each process,
# checked against a version row once per request (haidang/common/shared.py).
SHARED_DATA_CACHE = env_bool("SHARED_DATA_CACHE", True)
# The hot lists keep their compiled statements per reader (common.queries.statement): off, every statement
# is compiled at each request.
COMPILED_STATEMENTS = env_bool("COMPILED_STATEMENTS", True)

# --- Audit log: sealing and checkpoints (haidang/audit/sealing.py, checkpoints.py) ---------------
# The job worker seals new entries into signed batches; each process asks for a run at most this
# often (seconds; 0: never, e.g. in tests, where `seal_pending` is called directly).
AUDIT_SEAL_SECONDS = env_int("AUDIT_SEAL_SECONDS", 30, minimum=0)
AUDIT_SEAL_BATCH = env_int("AUDIT_SEAL_BATCH", 10_000, minimum=1)
# How long the sealer may make appenders wait while it finds the horizon (PostgreSQL).
AUDIT_SEAL_LOCK_TIMEOUT_MS = env_int("AUDIT_SEAL_LOCK_TIMEOUT_MS", 200, minimum=1)
# The copy of every seal outside the database (one JSON line each); "" turns it off.
AUDIT_CHECKPOINT_FILE = env_str("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit-checkpoints.jsonl"))
AUDIT_CHECKPOINT_EMAILS = env_list("AUDIT_CHECKPOINT_EMAILS", [])
AUDIT_CHECKPOINT_EMAIL_MINUTES = env_int("AUDIT_CHECKPOINT_EMAIL_MINUTES", 60, minimum=1)
# Ed25519 seed (base64, 32 bytes) signing the seals; derived from SECRET_KEY when not given.
AUDIT_SIGNING_KEY = env_secret("AUDIT_SIGNING_KEY") or _local_keys.get("AUDIT_SIGNING_KEY", "")
# Public keys (hex) of signing keys used before a rotation, still trusted for old seals.
AUDIT_TRUSTED_PUBLIC_KEYS = env_list("AUDIT_TRUSTED_PUBLIC_KEYS", [])
# /readyz fails when no job worker went round its loop for this long (the worker polls every 5 s).
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env_int("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 60, minimum=10)
