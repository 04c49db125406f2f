"""Settings for PIM Action Tracker, all driven by environment variables.

Every variable is documented in README.md ("Settings"). Development needs none
of them; production needs at least DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """The variable's value; unset or blank (`DATABASE_URL=` in a .env file) is the default."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Files this checkout writes for itself (development secret key, demo
# credentials). Ignored by git; never used when DEBUG is off.
LOCAL_STATE_DIR = Path(env_str("LOCAL_STATE_DIR", str(BASE_DIR / ".local")))


def _development_secret_key() -> str:
    """Generate a key once per checkout so no key is ever committed."""
    path = LOCAL_STATE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    LOCAL_STATE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


# Development is the default, as in most Django projects; production sets DEBUG=false.
DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_htmx",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    # Sign-in lockout after repeated failures (the AXES_* settings below).
    "axes",
    "orgs",
    "actionplans",
    "notifications",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, static files included (CONTENT_SECURITY_POLICY).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, compressed ahead of time
    # Cache-Control: no-store, private on everything the app computes. After WhiteNoise,
    # which answers static files itself with their long cache.
    "pim_tracker.middleware.NoStoreMiddleware",
    # Pages, JSON and exports compressed for clients that accept gzip: a 500-point
    # plan page is 422 kB of HTML and 33 kB gzipped, on a slow field connection.
    # Django's gzip adds random bytes against BREACH; CSRF tokens are masked.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of pages and API errors: the signed-in user's
    # preference (kept in the session: no query), else the switcher's cookie, else
    # Accept-Language, else LANGUAGE_CODE. After sessions, before common.
    "orgs.language.LocaleMiddleware",
    # A request larger than DATA_UPLOAD_MAX_MEMORY_SIZE: 413 before anything reads its
    # body (CsrfViewMiddleware reads the form). After the language, for the message.
    "pim_tracker.middleware.RequestSizeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Times on pages in the zone the user chose (kept in the session: no query).
    "notifications.middleware.TimeZoneMiddleware",
    # Login is required everywhere; views open to anonymous users (sign-in,
    # password reset) say so with @login_not_required.
    "pim_tracker.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # SQLite locked past its busy timeout: a 503 with Retry-After, not a 500
    # (DATABASES below). Near the end, so that every middleware above sees the 503.
    "pim_tracker.middleware.DatabaseBusyMiddleware",
    # Turns a sign-in refused by django-axes into the lockout page; last, as its
    # documentation asks, so that the middlewares above see that page too.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pim_tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "actionplans.context_processors.navigation",
                "notifications.context_processors.unread",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The plan page's body only (actionplans/jinja_env.py says why).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "actionplans.jinja_env.environment"},
    },
]

WSGI_APPLICATION = "pim_tracker.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# SQLite, the embedded default, has one write lock for the whole file. In Django's
# default (DEFERRED) transactions a request reads, then asks for the lock to write;
# when another holds it, SQLite refuses at once ("database is locked") rather than
# risk a deadlock, and concurrent writers got 500s. IMMEDIATE takes the lock when
# the transaction begins, where waiting is safe, for up to `timeout` seconds (kept
# under gunicorn's 30-second worker timeout); what still waits longer is a 503 with
# Retry-After (pim_tracker.middleware.DatabaseBusyMiddleware).
# WAL: pages read while a request writes, readers and the writer no longer block
# one another. synchronous=NORMAL, which SQLite recommends with WAL, syncs the disk
# at checkpoints instead of at every commit, so the lock is held for less time; it
# cannot corrupt the file, and only a power cut or a system crash (not a crash of
# the app) may lose the last commits. WAL needs the file on a local disk (no
# network share), and a copy of it made while the app runs must be taken with
# `sqlite3 db.sqlite3 ".backup copy.sqlite3"`, not by copying the file alone.
# Options written in DATABASE_URL win.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }

# Optional PostgreSQL streaming replicas for reads (pim_tracker/routers.py).
for _index, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    DATABASES[f"replica_{_index}"] = {
        **dj_database_url.parse(_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)),
        # In tests a replica is the primary itself, so tests see their own data.
        "TEST": {"MIRROR": "default"},
    }
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["pim_tracker.routers.ReplicaRouter"]
    MIDDLEWARE.insert(0, "pim_tracker.routers.PinToPrimaryAfterWriteMiddleware")
# After a client's request wrote, its next requests (on any app server: the mark is in
# the cache) read from a replica only once it has replayed that write, for at most this
# many seconds (a replica further behind serves the older rows after it); 0: only the
# rest of the writing request reads from the primary.
REPLICA_READ_YOUR_WRITES_SECONDS = env_int("REPLICA_READ_YOUR_WRITES_SECONDS", 60)
if REPLICA_READ_YOUR_WRITES_SECONDS < 0:
    raise ImproperlyConfigured("REPLICA_READ_YOUR_WRITES_SECONDS must be 0 or more.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/accounts/login/"
# "/" sends each role on (actionplans.views.home): members to "My action points",
# coordinators and administrators to the plan list; a ?next= wins over both.
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# English, French and Arabic; each name as its speakers write it (the switcher shows
# them so). English is British English: its formats come from pim_tracker/formats/en/.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["pim_tracker.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names in production; plain files while developing
        # and testing, where collectstatic has not run.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Email goes through Django's email framework; development prints to the console.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PIM Action Tracker <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How long an SMTP connection may take before the delivery is retried.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# The address people reach the tracker at: links in emails are built from it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background work (reminders, emails) on Django's Tasks framework (the
# django-tasks backport). "database" keeps the queue in the app's own database
# (worker: `manage.py db_worker`); "rq" uses Redis through RQ for large
# deployments (worker: `manage.py rqworker --with-scheduler --job-class
# django_tasks_rq.Job`); "immediate" runs each task at once, in the request.
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASKS_BACKEND!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0")}}

# Django's cache holds what app servers must agree on: the API's throttle counts, the
# password reset limits, the replicas' read-your-writes marks (pim_tracker/routers.py),
# and, with Redis, the sessions. Without REDIS_URL: Django's default, a cache in each
# process's memory (one app server; each worker counts its own throttles) and sessions
# in the database. With REDIS_URL (several app servers behind a load balancer): Redis,
# shared by them all, and sessions read from Redis in front of the database (cached_db:
# a session survives a Redis restart). Redis is then required like the database: while
# it is down, what uses the cache fails within 1-2 seconds (an error, not a hang)
# rather than stop counting. django-axes counts failed sign-ins in the database.
if env_str("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_URL"),
            # Apart from RQ's keys when the task queue shares this Redis.
            "KEY_PREFIX": "pim",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Webhooks (the webhooks app). In production a target must be https and must not
# resolve to a loopback, link-local or private address (SSRF); development and the
# tests allow them, and http on loopback, to reach a receiver on this machine.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", DEBUG)
WEBHOOK_TIMEOUT_SECONDS = 10
# Failed deliveries are retried with exponential backoff for this long; then the
# subscription is paused and its owner told.
WEBHOOK_RETRY_HOURS = 24

# Production hardening; each can be relaxed through its variable (e.g. behind a
# proxy that already redirects to HTTPS).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of the app append the client's address to
# X-Forwarded-For. 0: the header is ignored and the client is REMOTE_ADDR (anyone
# can write the header, so trusting it unasked would let each request be a new
# client); 1 behind nginx. The API's throttles, the sign-in lockout and the
# password reset limits all tell clients apart by this (pim_tracker.http.client_address).
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured("NUM_PROXIES must be 0 or more.")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Django's default, said here: links to other sites send no Referer at all (the
# paths of plans and people stay in the app); the one-click pages send none even
# within it (notifications/views/one_click.py).
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp) on every response: scripts, styles, images and
# requests only from the app itself, no plugins, no framing, no <base>, forms posted
# only to the app. Templates hold no inline script, style element, style attribute or
# event handler (tests/test_csp.py checks them); htmx is told not to inject its
# indicator styles (base.html). The one inline script, Swagger UI's set-up at
# /api/docs/ (templates/drf_spectacular/swagger_ui.html), carries the request's
# nonce, which is added to script-src only on the responses that use it.
# "data:" images: Swagger UI's stylesheet draws its icons with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes: its warnings (each failed sign-in, each lockout, names and
    # addresses masked), not its three lines of bookkeeping per attempt.
    "loggers": {"axes": {"level": "WARNING"}},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "orgs.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "pim_tracker.api.permissions.ReadOnlyTokenPermission",
    ],
    "DEFAULT_PAGINATION_CLASS": "pim_tracker.api.sync.SyncPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON only: one format to document, validate and test.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's, with a 400 for every body that fails to parse (nested too deeply too).
    "DEFAULT_PARSER_CLASSES": ["pim_tracker.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "30/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
    },
    # Without it DRF takes the whole X-Forwarded-For as the client: a new client
    # per forged header.
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "pim_tracker.api.base.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PIM Action Tracker API",
    "DESCRIPTION": (
        "Read and update PIM action plans: plans, working groups, challenges, action points, "
        "progress updates and deadline changes. Authenticate with `Authorization: Token <key>` "
        "(issue a key on the API tokens page or with `manage.py issue_token`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served by the app itself (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # drf-spectacular's own hook (enums), then ids matched by digits typed as integers.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pim_tracker.api.schema.integer_path_ids",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ActionPointStatusEnum": "actionplans.choices.ActionPointStatus",
        "PlanStatusEnum": "actionplans.choices.PlanStatus",
        "DeletionTypeEnum": "actionplans.deletions.KINDS",
    },
}

# Brute force on sign-in (the sign-in page and the admin's), by django-axes: after
# AXES_FAILURE_LIMIT failures within the cool-off time (AXES_COOLOFF_MINUTES) for
# one username, or from one address, signing in is refused (429, the lockout page)
# until the cool-off time has passed since the last failure. Per username stops
# guessing from many addresses; per address, guessing across many usernames.
# Failures are kept in the database (shared by every worker); administrators unlock
# with `manage.py axes_reset`, `axes_reset_username USERNAME`, `axes_reset_ip
# ADDRESS`, or by deleting the admin's access attempts.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
_cooloff_minutes = env_int("AXES_COOLOFF_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or _cooloff_minutes < 1:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be 1 or more.")
AXES_COOLOFF_TIME = timedelta(minutes=_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A sign-in tried while locked out does not push the end of the lockout further:
# otherwise anyone could keep another person's account locked for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "pim_tracker.http.client_address"
AXES_LOCKOUT_CALLABLE = "pim_tracker.views.locked_out"
AXES_VERBOSE = False  # no banner on every manage.py command
# Password reset emails: at most this many per email address, and per client
# address, in DRF's rate syntax (counted in Django's cache, like the API's throttles).
PASSWORD_RESET_THROTTLE_EMAIL = env_str("PASSWORD_RESET_THROTTLE_EMAIL", "3/hour")
PASSWORD_RESET_THROTTLE_CLIENT = env_str("PASSWORD_RESET_THROTTLE_CLIENT", "20/hour")

# The domain's thresholds (actionplans/querysets.py): an open action point is
# "due soon" when due within DUE_SOON_DAYS, "stale" when not changed for STALE_DAYS.
DUE_SOON_DAYS = env_int("DUE_SOON_DAYS", 30)
STALE_DAYS = env_int("STALE_DAYS", 60)
if DUE_SOON_DAYS < 1 or STALE_DAYS < 1:
    raise ImproperlyConfigured("DUE_SOON_DAYS and STALE_DAYS must be 1 or more.")
# A comment's author may correct it for this many minutes after posting it.
COMMENT_EDIT_MINUTES = env_int("COMMENT_EDIT_MINUTES", 15)
if COMMENT_EDIT_MINUTES < 0:
    raise ImproperlyConfigured("COMMENT_EDIT_MINUTES must be 0 or more.")

# Reminders (notifications/): days before a deadline people are reminded,
# unless they choose otherwise, and how often a failed email is retried.
REMINDER_LEAD_DAYS = [int(day) for day in env_list("REMINDER_LEAD_DAYS", ["14", "3"])]
if not REMINDER_LEAD_DAYS or any(day < 1 or day > 90 for day in REMINDER_LEAD_DAYS):
    raise ImproperlyConfigured("REMINDER_LEAD_DAYS must be days between 1 and 90, e.g. 14,3.")
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5)
# One-click update links in emails stay valid this many days.
ONE_CLICK_DAYS = env_int("ONE_CLICK_DAYS", 14)

# Import limits (see actionplans/imports/decode.py). Within them any file is read, or
# refused, in seconds and well under 300 MB (tests/actionplans/test_import_limits.py).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
# Cells of all sheets together, each row as wide as its last cell. A workbook may not
# cost more to read than this many cells of values either (actionplans/imports/weight.py:
# styles, rules and inline text weigh more). 200,000: the app's own flat export of
# 10,000 action points (19 columns: the latest update's four, then the PIM framework's
# three and the priority) read back.
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 200_000)
IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
if min(IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, IMPORT_MAX_CELLS, IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES) < 1:
    raise ImproperlyConfigured("The IMPORT_MAX_* limits must be 1 or more.")
# The largest request: an upload of IMPORT_MAX_BYTES and the form around it. A request
# that says it is larger (Content-Length) is answered 413 before its body is read
# (pim_tracker.middleware.RequestSizeMiddleware); the proxy in front refuses it even
# earlier (README: client_max_body_size). Uploads up to it stay in memory, as the
# importer reads them whole anyway: nothing is spooled to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Where load_demo reads the workshop table from.
DEMO_PLAN_FILE = BASE_DIR / "actionplans" / "fixtures" / "pim_lebanon_action_plan.tsv"
