"""One settings module, configured only by SERVAL_* environment variables and DATABASE_URL.

Every variable is documented in docs/configuration.md; keep the two in step.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"SERVAL_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name, "1" if default else "0").strip().lower()
    return raw in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


DATA_DIR = Path(_env("DATA_DIR", str(Path.cwd() / "var"))).resolve()
DEBUG = _env_bool("DEBUG", False)


def _secret_key() -> str:
    """Read the key from the environment, else from a file made once per install.

    A fixed default key would let anyone forge sessions on a fresh install, so a missing key
    is generated with the OS's random source and kept beside the database.
    """
    key = _env("SECRET_KEY")
    if key:
        return key
    from django.core.management.utils import get_random_secret_key

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Several processes may start at once on a fresh install (web workers, the task worker):
        # each writes a complete key to its own file and links it into place; link() is atomic
        # and fails if the key exists, so exactly one wins and nobody reads a half-written key.
        fd, tmp = tempfile.mkstemp(dir=DATA_DIR, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(get_random_secret_key() + get_random_secret_key())
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in _env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in _env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
BASE_URL = _env("BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The admin site, open to the admin role only (see serval.core.adminsite).
    "serval.core.adminsite.ServalAdminConfig",
    "django_htmx",
    # Listed so the API docs page serves Swagger UI from ninja's bundled static files, not a CDN.
    "ninja",
    "django_tasks_db",
    "serval.core",
    "serval.people",
    "serval.work",
    "serval.incidents",
    "serval.sla",
    "serval.services",
    "serval.cmdb",
    "serval.assets",
    "serval.changes",
    "serval.approvals",
    "serval.notifications",
    "serval.background",
    "serval.api",
    "serval.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "serval.web.middleware.PrivatePagesMiddleware",
    "serval.web.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "serval.urls"
WSGI_APPLICATION = "serval.wsgi.application"
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my-work"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "serval.web.context_processors.serval",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'serval.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=_env_int("DB_CONN_MAX_AGE", 60))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["CONN_MAX_AGE"] = 0 if _db.get("NAME") == ":memory:" else _db["CONN_MAX_AGE"]
    # WAL lets readers work beside the one writer; synchronous=FULL fsyncs each commit so an
    # acknowledged write survives a power cut; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing with "database is locked" on lock upgrade.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
    _db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # Values travel apart from the statement text, so a statement a connection runs again has
    # the same text whatever its values, and psycopg prepares it after its fifth run (Django
    # turns preparing off unless asked). PostgreSQL then stops parsing and planning it on every
    # request, which was about half of its work for an agent's queue and more for an incident
    # page (benchmarks/README.md, issue 6). Turn it off behind a pooler in transaction mode
    # that cannot keep prepared statements (PgBouncer before 1.21, or without
    # max_prepared_statements).
    if _env_bool("DB_SERVER_SIDE_BINDING", True):
        _db.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Tasks ----------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "serval.background.backend.DatabaseBackend"}}

# --- Processes (`serval serve`, `serval worker`) --------------------------------------------
WEB_WORKERS = _env_int("WEB_WORKERS", 2)
WEB_THREADS = _env_int("WEB_THREADS", 4)
WEB_TIMEOUT = _env_int("WEB_TIMEOUT", 60)
# Seconds gunicorn keeps an idle client connection open; 0 closes it after each response. Off by
# default: gunicorn's threaded workers keep every connection they accept, so a client's few
# keep-alive connections all landed on one worker and one core while the others idled (the
# agent queue ran at 90 instead of 210 requests/s on two cores, benchmarks/README.md). A
# reverse proxy in front reuses its own connections to clients either way.
WEB_KEEPALIVE = _env_int("WEB_KEEPALIVE", 0)
# `serval serve` also runs the task worker as a child process; turn it off when separate
# `serval worker` processes run elsewhere.
EMBEDDED_WORKER = _env_bool("EMBEDDED_WORKER", True)
# How much lower the embedded task worker's CPU priority is than the web workers' (nice(2)
# increment, 0–19): on a machine busy with requests, follow-ups wait for idle CPU instead of
# slowing the people waiting for a page (issue 6). 0 shares the CPU evenly.
EMBEDDED_WORKER_NICE = min(max(_env_int("EMBEDDED_WORKER_NICE", 10), 0), 19)
AUTOCLOSE_INTERVAL = _env_int("AUTOCLOSE_INTERVAL", 300)
# How often the SLA sweep looks for due warnings and breaches that no exact-instant task fired.
SLA_SWEEP_INTERVAL = _env_int("SLA_SWEEP_INTERVAL", 60)
# Failed tasks are re-enqueued up to TASK_RETRY_MAX times (0 disables), waiting
# TASK_RETRY_BASE × 2^n seconds before retry n+1; the retry job runs every TASK_RETRY_INTERVAL.
TASK_RETRY_MAX = _env_int("TASK_RETRY_MAX", 5)
TASK_RETRY_BASE = _env_int("TASK_RETRY_BASE", 60)
TASK_RETRY_INTERVAL = _env_int("TASK_RETRY_INTERVAL", 60)

# --- CMDB and IT assets ---------------------------------------------------------------------
# Impact analysis: a cluster (a CI with "members") is impacted only when at least this many
# percent of its members are (DOMAIN.md §2.7, seed 50).
IMPACT_CLUSTER_THRESHOLD = min(100, max(1, _env_int("IMPACT_CLUSTER_THRESHOLD", 50)))
# Reminders before warranty / lease / contract / end-of-support / end-of-life dates: how many
# days before (each horizon once per date), and how often the job looks (0 disables it).
REMINDER_DAYS = sorted(
    {
        int(d)
        for d in os.environ.get("SERVAL_REMINDER_DAYS", "90,30,7").split(",")
        if d.strip().isdigit() and 0 < int(d) <= 3650
    },
    reverse=True,
)
REMINDER_INTERVAL = _env_int("REMINDER_INTERVAL", 3600)

# --- Authentication -------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_THROTTLE_LIMIT = _env_int("LOGIN_THROTTLE_LIMIT", 5)
LOGIN_THROTTLE_WINDOW = _env_int("LOGIN_THROTTLE_WINDOW", 900)
API_TOKEN_DEFAULT_DAYS = _env_int("API_TOKEN_DEFAULT_DAYS", 90)
# Days the approve/reject links in approval e-mails stay valid (docs/approvals.md).
APPROVAL_LINK_DAYS = _env_int("APPROVAL_LINK_DAYS", 7)

# --- Security headers -----------------------------------------------------------------------
SECURE_SSL = _env_bool("SECURE_SSL", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL and _env_bool("SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = _env_int("HSTS_SECONDS", 31536000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
# Load balancers probe health over plain http on the internal network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if _env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _env_int("SESSION_AGE", 60 * 60 * 12)
# Django's database sessions (same table and rows), read by a prebuilt statement.
SESSION_ENGINE = "serval.people.sessions"
# Sign-in and the signed-in user through Serval's backend (Django's, with a prebuilt read);
# Django's stays listed so sessions from before the switch stay valid (serval.people.backends).
AUTHENTICATION_BACKENDS = [
    "serval.people.backends.Backend",
    "django.contrib.auth.backends.ModelBackend",
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Limits ---------------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = _env_int("MAX_BODY_BYTES", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
ATTACHMENT_MAX_BYTES = _env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_DIR = Path(_env("ATTACHMENT_DIR", str(DATA_DIR / "attachments"))).resolve()
INCIDENT_AUTO_CLOSE_DAYS = _env_int("INCIDENT_AUTO_CLOSE_DAYS", 7)

# --- Mail ---------------------------------------------------------------------------------
# Django 6.1 "mailers": SMTP when SERVAL_SMTP_HOST is set; else SERVAL_EMAIL_BACKEND, or the
# console with DEBUG, or a local MTA on localhost:25.
if _env("SMTP_HOST"):
    _mailer: dict[str, object] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _env("SMTP_HOST"),
            "port": _env_int("SMTP_PORT", 25),
            "username": _env("SMTP_USER") or None,
            "password": _env("SMTP_PASSWORD") or None,
            "use_tls": _env_bool("SMTP_STARTTLS", False),
            "use_ssl": _env_bool("SMTP_SSL", False),
            "timeout": _env_int("SMTP_TIMEOUT", 30),
        },
    }
elif DEBUG or _env("EMAIL_BACKEND"):
    _mailer = {"BACKEND": _env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
else:
    # Production without SERVAL_SMTP_HOST: the local mail transfer agent, as Django's default
    # does (`serval check` rejects the console backend). `make run` picks the console backend.
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "localhost", "port": 25, "timeout": _env_int("SMTP_TIMEOUT", 30)},
    }
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = _env("MAIL_FROM", "serval@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18N / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(ATTACHMENT_DIR)},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
