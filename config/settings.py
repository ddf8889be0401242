"""Giliran settings: every deployment-specific value comes from the environment.

With nothing set, the project runs on embedded defaults: an SQLite file under var/,
a Celery broker on the filesystem, and an in-process cache. Set DATABASE_URL and
REDIS_URL to run the same code on PostgreSQL and Redis. docs/deployment.md lists every
variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GILIRAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# The fallback key only exists so a laptop starts with no configuration; the deploy
# check (tests/test_deploy_check.py) fails on it, so production must set SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-giliran-development-key-not-for-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "axes",
    "django_ratelimit",
    "core",
    "booking",
    "queueing",
    "scheduling",
    "notifications",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.GiliranLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'giliran.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _SQLITE_DEFAULT) or _SQLITE_DEFAULT,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# PgBouncer in transaction mode cannot keep a server-side cursor across statements.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_PGBOUNCER", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL lets readers run beside the writer, and
    # IMMEDIATE transactions take the write lock up front instead of failing mid-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests get a file too (not SQLite's in-memory default), so the live server's
    # threads share WAL mode and the timeout instead of failing on a locked table.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "giliran",
        }
    }
else:
    # A folder under var/ is shared by the web, worker and beat processes of one machine;
    # rate-limit counters need an atomic increment, which only the in-process cache of
    # the single development web process gives without Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        },
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
RATELIMIT_USE_CACHE = "ratelimit" if "ratelimit" in CACHES else "default"
# The embedded setup has one web process, whose in-process cache is atomic for it;
# production sets REDIS_URL, and then django-ratelimit's checks apply in full.
# django-ratelimit only knows django-redis; Django's own RedisCache increments with
# Redis INCR, which is atomic, so its "not officially supported" warning does not apply.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + (
    [] if REDIS_URL else ["django_ratelimit.E003"]
)
RATELIMIT_VIEW = "core.views.rate_limited"

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
# A task is acknowledged only after it ran, and a worker that dies mid-task gives it
# back; the services make every effect idempotent, so a second run changes nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker keeps messages as files under var/, so `make run` needs no
    # server; worker and beat on one machine share the folders.
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

# --- Authentication -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/IP before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Lock the username+IP pair: a calo guessing one account is stopped without letting
# anyone lock a clerk out of their own account from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0) or None
if AXES_IPWARE_PROXY_COUNT:
    # Behind N trusted proxies the client is in X-Forwarded-For; without this, every
    # sign-in would look like it came from the load balancer's address.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # stored in UTC; shown in each office's own zone

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing folder
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security (on by default when DEBUG is off; loopback benchmarks turn TLS off) ----
# TLS usually ends at the load balancer, which redirects; set this when Django should.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Behind a load balancer that terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Email ----------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # filebased backend
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Giliran <noreply@giliran.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Personal data --------------------------------------------------------------------
# NIKs are encrypted with Fernet (AES-CBC + HMAC, authenticated) under GILIRAN_DATA_KEYS:
# comma-separated keys, the first encrypts, all decrypt, so a key is rotated by putting a
# new one first (then `manage.py rotate_personal_data`). GILIRAN_HASH_KEY keys the HMAC
# used to find a NIK without decrypting. Without them (development only) both derive
# from SECRET_KEY; the deploy check refuses that.
GILIRAN_DATA_KEYS = env_list("GILIRAN_DATA_KEYS", [])
GILIRAN_HASH_KEY = env_str("GILIRAN_HASH_KEY")

# --- Booking rules --------------------------------------------------------------------
GILIRAN_HOLD_MINUTES = env_int("GILIRAN_HOLD_MINUTES", 10)
GILIRAN_CODE_MINUTES = env_int("GILIRAN_CODE_MINUTES", 10)
GILIRAN_CODE_ATTEMPTS = env_int("GILIRAN_CODE_ATTEMPTS", 5)
GILIRAN_CODE_SENDS = env_int("GILIRAN_CODE_SENDS", 3)
GILIRAN_MAX_ACTIVE_PER_CONTACT = env_int("GILIRAN_MAX_ACTIVE_PER_CONTACT", 3)
# Rate limits (django-ratelimit syntax "count/period"); atomic on Redis.
GILIRAN_RATE_HOLD_PER_IP = env_str("GILIRAN_RATE_HOLD_PER_IP", "30/h")
GILIRAN_RATE_HOLD_PER_NIK = env_str("GILIRAN_RATE_HOLD_PER_NIK", "10/h")
GILIRAN_RATE_CODE_PER_CONTACT = env_str("GILIRAN_RATE_CODE_PER_CONTACT", "10/h")
GILIRAN_RATE_LOOKUP_PER_IP = env_str("GILIRAN_RATE_LOOKUP_PER_IP", "20/h")

# --- Data-subject requests (privacy/) ------------------------------------------------
# After NIK + one-time code, the browser session (or an API bearer token) may read the
# citizen's data for this many minutes.
GILIRAN_PRIVACY_GRANT_MINUTES = env_int("GILIRAN_PRIVACY_GRANT_MINUTES", 15)
GILIRAN_RATE_PRIVACY_PER_IP = env_str("GILIRAN_RATE_PRIVACY_PER_IP", "10/h")
GILIRAN_RATE_PRIVACY_PER_NIK = env_str("GILIRAN_RATE_PRIVACY_PER_NIK", "5/h")

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Giliran API",
    "DESCRIPTION": (
        "Booking and virtual-queue API for Indonesian public-service offices. "
        "Send Accept-Language: id or en; every error has the same shape: "
        "{code, message, fields}."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "booking.models.catalog.OfficeKind",  # its name before privacy/
        "DataRequestKindEnum": "privacy.models.RequestKind",
    },
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # In development the worker's console is where SMS/WhatsApp messages appear;
        # the sweeper's "task received/succeeded" lines every few seconds would bury them.
        **(
            {name: {"level": "WARNING"} for name in ("celery.app.trace", "celery.worker.strategy")}
            if DEBUG
            else {}
        ),
    },
}

# Absolute address used in messages (links to manage a booking).
GILIRAN_SITE_URL = env_str("GILIRAN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Development: SMS and WhatsApp messages go to the log when no gateway is set up.
GILIRAN_CONSOLE_MESSAGES = env_bool("GILIRAN_CONSOLE_MESSAGES", DEBUG)

# --- Messages (notifications/): gateways, outbox, reminders ---------------------------
# SMS and WhatsApp go through HTTP gateways (contract in notifications/channels.py).
GILIRAN_GATEWAYS = {
    channel: {
        "url": env_str(f"GILIRAN_{channel.upper()}_GATEWAY_URL"),
        "token": env_str(f"GILIRAN_{channel.upper()}_GATEWAY_TOKEN"),
    }
    for channel in ("sms", "whatsapp")
}
GILIRAN_GATEWAY_TIMEOUT_SECONDS = env_int("GILIRAN_GATEWAY_TIMEOUT_SECONDS", 5)
# The sweeper runs this often; it claims due rows for this long before a dead worker's
# claim is taken over; failures retry after base, 2×base, 4×base… up to the attempt cap.
GILIRAN_OUTBOX_SWEEP_SECONDS = env_int("GILIRAN_OUTBOX_SWEEP_SECONDS", 10)
GILIRAN_OUTBOX_LEASE_SECONDS = env_int("GILIRAN_OUTBOX_LEASE_SECONDS", 300)
GILIRAN_OUTBOX_RETRY_BASE_SECONDS = env_int("GILIRAN_OUTBOX_RETRY_BASE_SECONDS", 30)
GILIRAN_OUTBOX_MAX_ATTEMPTS = env_int("GILIRAN_OUTBOX_MAX_ATTEMPTS", 8)
# Reminders: the day before at this office-local time ("" turns it off), and this many
# minutes before the appointment (0 turns it off).
GILIRAN_REMINDER_DAY_BEFORE_AT = env_str("GILIRAN_REMINDER_DAY_BEFORE_AT", "10:00")
GILIRAN_REMINDER_BEFORE_MINUTES = env_int("GILIRAN_REMINDER_BEFORE_MINUTES", 120)
# "Almost your turn" once this many people are ahead (0 turns it off).
GILIRAN_TURN_NEAR_AHEAD = env_int("GILIRAN_TURN_NEAR_AHEAD", 3)
# No-show policy: this many missed appointments within the window block new bookings
# for the block period (a limit of 0 turns the policy off).
GILIRAN_NO_SHOW_LIMIT = env_int("GILIRAN_NO_SHOW_LIMIT", 3)
GILIRAN_NO_SHOW_WINDOW_DAYS = env_int("GILIRAN_NO_SHOW_WINDOW_DAYS", 90)
GILIRAN_NO_SHOW_BLOCK_DAYS = env_int("GILIRAN_NO_SHOW_BLOCK_DAYS", 30)
# Capacity planning (scheduling/): the solver's time limit and worker threads per solve.
GILIRAN_PLAN_TIME_LIMIT_SECONDS = float(env_str("GILIRAN_PLAN_TIME_LIMIT_SECONDS", "2"))
GILIRAN_PLAN_WORKERS = env_int("GILIRAN_PLAN_WORKERS", 2)
GILIRAN_PLAN_DAYS = env_int("GILIRAN_PLAN_DAYS", 14)
# A freed place offered to the waiting list is held this long for the citizen.
GILIRAN_WAITLIST_OFFER_MINUTES = env_int("GILIRAN_WAITLIST_OFFER_MINUTES", 15)

# Extra endpoints used only by bench/ to measure a bare Django view in the same server.
GILIRAN_BENCHMARK_VIEWS = env_bool("GILIRAN_BENCHMARK_VIEWS", False)
