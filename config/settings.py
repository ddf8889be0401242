"""Giliran settings: every deployment-specific value comes from the environment.

With nothing set, the project runs on embedded defaults: an SQLite file under var/,
a Celery broker on the filesystem, and an in-process cache. Set DATABASE_URL and
REDIS_URL to run the same code on PostgreSQL and Redis. docs/deployment.md lists every
variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.server_pools import Pool
from core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GILIRAN_VAR_DIR", str(BASE_DIR / "var")))  # made by config.folders

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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "auditlog",
    "csp",
    "core",
    "offices",
    "releases",
    "booking",
    "queueing",
    "scheduling",
    "anticalo",
    "notifications",
    "twofactor",
    "audit",
    "privacy",
    "ballots",
    "complaints",
    "assistant",
    "insights",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.GiliranLocaleMiddleware",
    # GILIRAN_SERVER_POOL=staff|citizen: the other pool's paths get 421 (after the
    # locale, so the answer is in the request's language; before anything reads a row).
    "config.middleware.ServerPoolMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed a second factor?
    "django_otp.middleware.OTPMiddleware",
    # Staff sessions: idle and absolute timeouts, and the second factor supervisors and
    # administrators must pass before any staff page, the admin or the API serves them.
    "twofactor.middleware.StaffSessionMiddleware",
    # Actor and client address on every audit-log entry written during the request.
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.ApplicationErrorPageMiddleware",
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
                "assistant.context_processors.chat",
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
# The client's address comes from the one setting GILIRAN_TRUSTED_PROXY_COUNT (see the
# rate limits below), through the same function as the rate limits; without it every
# sign-in behind a load balancer would look like it came from the balancer's address.
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.axes_client_ip"
AXES_VERBOSE = False

# --- Staff two-factor sign-in and sessions (twofactor/, docs/security.md) -------------
# Supervisors, office administrators and national administrators pass a second factor
# (an authenticator app's code, a passkey, or a one-use recovery code) after their
# password; counter staff may enrol. OTP attempts are limited per account on top of
# django-otp's own growing delay after each failure.
GILIRAN_RATE_OTP_PER_USER = env_str("GILIRAN_RATE_OTP_PER_USER", "5/15m")
GILIRAN_RECOVERY_CODES = env_int("GILIRAN_RECOVERY_CODES", 10)
OTP_TOTP_ISSUER = env_str("GILIRAN_OTP_ISSUER", "Giliran")
# A staff session ends after this many minutes without a request, and this many hours
# after sign-in whatever happens; citizens' sessions (their booking in progress) are not
# affected.
GILIRAN_STAFF_IDLE_MINUTES = env_int("GILIRAN_STAFF_IDLE_MINUTES", 30)
GILIRAN_STAFF_SESSION_HOURS = env_int("GILIRAN_STAFF_SESSION_HOURS", 12)
# Passkeys (WebAuthn) are bound to the site's domain: the relying party ID is the host of
# GILIRAN_SITE_URL and the allowed origin its scheme://host[:port]. Browsers allow
# passkeys on https:// or on http://localhost only (not 127.0.0.1).
OTP_WEBAUTHN_RP_NAME = "Giliran"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a passkey is the second factor only
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "django_otp_webauthn"

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
# Files browsers and crawlers ask for at the site's root (/favicon.ico), served as they are
# by WhiteNoise; pages link the SVG icon in static/img/ and this as its fallback.
WHITENOISE_ROOT = BASE_DIR / "public"

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
# Content-Security-Policy (django-csp): everything from this origin only. Templates have
# no inline scripts, styles or on* handlers, and htmx is told not to inject its own
# <style> or evaluate code (<meta name="htmx-config"> in the base templates). The API
# docs page widens it a little (config/urls.py); docs/security.md says why.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "media-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    },
}
# Permissions-Policy (django-permissions-policy): powerful features off everywhere. The
# kiosk page alone allows the camera, for its QR scanner (queueing/views/public.py);
# passkeys (WebAuthn) and the board's sound and full screen stay allowed for this origin.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    **{
        feature: []
        for feature in (
            "accelerometer",
            "ambient-light-sensor",
            "bluetooth",
            "browsing-topics",
            "camera",
            "display-capture",
            "encrypted-media",
            "geolocation",
            "gyroscope",
            "hid",
            "idle-detection",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "picture-in-picture",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
    **{
        feature: ["self"]
        for feature in (
            "autoplay",
            "fullscreen",
            "publickey-credentials-create",
            "publickey-credentials-get",
        )
    },
}
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
# The waiting room of a release moment (releases/rooms.py, docs/releases.md): how fast
# and how many citizens are let in to book, how long an admission lasts, how long the
# room stays open after the draw, how long it regathers after the store lost its line,
# and the rush of holds per office-service that opens a room unannounced (0: never).
GILIRAN_WAITING_ROOM_ADMIT_PER_MINUTE = env_int("GILIRAN_WAITING_ROOM_ADMIT_PER_MINUTE", 600)
GILIRAN_WAITING_ROOM_IN_FLOW = env_int("GILIRAN_WAITING_ROOM_IN_FLOW", 300)
GILIRAN_WAITING_ROOM_ADMISSION_MINUTES = env_int("GILIRAN_WAITING_ROOM_ADMISSION_MINUTES", 10)
# An admission nobody has asked for within this many seconds goes back to the flow (the
# citizen closed the page): longer than the longest wait between two questions (144 s).
GILIRAN_WAITING_ROOM_PICKUP_SECONDS = env_int("GILIRAN_WAITING_ROOM_PICKUP_SECONDS", 180)
GILIRAN_WAITING_ROOM_OPEN_MINUTES = env_int("GILIRAN_WAITING_ROOM_OPEN_MINUTES", 60)
GILIRAN_WAITING_ROOM_REGATHER_SECONDS = env_int("GILIRAN_WAITING_ROOM_REGATHER_SECONDS", 120)
GILIRAN_WAITING_ROOM_TRIGGER_PER_MINUTE = env_int("GILIRAN_WAITING_ROOM_TRIGGER_PER_MINUTE", 600)
GILIRAN_RATE_ROOM_JOIN_PER_IP = env_str("GILIRAN_RATE_ROOM_JOIN_PER_IP", "120/h")
GILIRAN_CODE_MINUTES = env_int("GILIRAN_CODE_MINUTES", 10)
GILIRAN_CODE_ATTEMPTS = env_int("GILIRAN_CODE_ATTEMPTS", 5)
GILIRAN_CODE_SENDS = env_int("GILIRAN_CODE_SENDS", 3)
GILIRAN_MAX_ACTIVE_PER_CONTACT = env_int("GILIRAN_MAX_ACTIVE_PER_CONTACT", 3)
# "Nearby offices" offered when a day or month is full are at most this far (straight
# line, km): 50 km is a metropolitan area (central Jakarta to Bogor, Bekasi or
# Tangerang; Bandung to Cimahi or Soreang), about an hour or two by road. Farther is
# another city, another island or another zone, and is not suggested.
GILIRAN_NEARBY_MAX_KM = env_int("GILIRAN_NEARBY_MAX_KM", 50)
# Live holds (not yet confirmed) at once, across offices and services.
GILIRAN_MAX_HOLDS_PER_NIK = env_int("GILIRAN_MAX_HOLDS_PER_NIK", 2)
GILIRAN_MAX_HOLDS_PER_CONTACT = env_int("GILIRAN_MAX_HOLDS_PER_CONTACT", 3)
# Wrong look-ups of one booking code before it is locked, and for how long.
GILIRAN_LOOKUP_FAILURES = env_int("GILIRAN_LOOKUP_FAILURES", 5)
GILIRAN_LOOKUP_LOCK_MINUTES = env_int("GILIRAN_LOOKUP_LOCK_MINUTES", 60)
# How many proxies (load balancer, ingress) that append to X-Forwarded-For stand in front
# of the app: the client is that many entries from the right. 0: use REMOTE_ADDR.
# AXES_PROXY_COUNT is its former name, still read.
GILIRAN_TRUSTED_PROXY_COUNT = env_int("GILIRAN_TRUSTED_PROXY_COUNT", env_int("AXES_PROXY_COUNT", 0))
# Manage links (booking.tokens) last until the end of the booking's day in the office's
# zone plus this margin, and never more than GILIRAN_MANAGE_TOKEN_MAX_DAYS from issue.
GILIRAN_MANAGE_TOKEN_MARGIN_HOURS = env_int("GILIRAN_MANAGE_TOKEN_MARGIN_HOURS", 6)
GILIRAN_MANAGE_TOKEN_MAX_DAYS = env_int("GILIRAN_MANAGE_TOKEN_MAX_DAYS", 30)
# Rate limits (django-ratelimit syntax "count/period"); atomic on Redis.
GILIRAN_RATE_HOLD_PER_IP = env_str("GILIRAN_RATE_HOLD_PER_IP", "30/h")
GILIRAN_RATE_HOLD_PER_NIK = env_str("GILIRAN_RATE_HOLD_PER_NIK", "10/h")
GILIRAN_RATE_CODE_PER_CONTACT = env_str("GILIRAN_RATE_CODE_PER_CONTACT", "10/h")
GILIRAN_RATE_CODE_PER_IP = env_str("GILIRAN_RATE_CODE_PER_IP", "40/h")
GILIRAN_RATE_LOOKUP_PER_IP = env_str("GILIRAN_RATE_LOOKUP_PER_IP", "20/h")
# Check-in attempts per registered kiosk device (page and API): a busy office's entrance.
GILIRAN_RATE_CHECK_IN_PER_KIOSK = env_str("GILIRAN_RATE_CHECK_IN_PER_KIOSK", "300/h")

# --- Server pools (config/server_pools.py, docs/deployment.md) -----------------------
# Which paths this process answers: "staff" (staff pages, the admin, the counter API),
# "citizen" (everything else), or "all" (one process for everything: development and
# tests). Paths of the other pool get 421, so a proxy that routes wrongly is found.
GILIRAN_SERVER_POOL = env_str("GILIRAN_SERVER_POOL", "all")
if GILIRAN_SERVER_POOL not in set(Pool):
    raise ImproperlyConfigured("GILIRAN_SERVER_POOL must be all, staff or citizen.")

# --- Anti-calo report (anticalo/, docs/anticalo.md) ----------------------------------
# A group is flagged when its count is MORE than its threshold. Holds are counted within
# any GILIRAN_CALO_WINDOW_MINUTES-long stretch; bookings (holds confirmed) over the period.
GILIRAN_CALO_WINDOW_MINUTES = env_int("GILIRAN_CALO_WINDOW_MINUTES", 60)
GILIRAN_CALO_HOLDS_PER_NETWORK = env_int("GILIRAN_CALO_HOLDS_PER_NETWORK", 5)
GILIRAN_CALO_HOLDS_PER_DEVICE = env_int("GILIRAN_CALO_HOLDS_PER_DEVICE", 3)
GILIRAN_CALO_HOLDS_PER_CONTACT = env_int("GILIRAN_CALO_HOLDS_PER_CONTACT", 3)
GILIRAN_CALO_BOOKINGS_PER_NETWORK = env_int("GILIRAN_CALO_BOOKINGS_PER_NETWORK", 10)
GILIRAN_CALO_BOOKINGS_PER_DEVICE = env_int("GILIRAN_CALO_BOOKINGS_PER_DEVICE", 3)
GILIRAN_CALO_BOOKINGS_PER_CONTACT = env_int("GILIRAN_CALO_BOOKINGS_PER_CONTACT", 3)
# Places taken in release waiting rooms within the window, per network and per device.
GILIRAN_CALO_JOINS_PER_NETWORK = env_int("GILIRAN_CALO_JOINS_PER_NETWORK", 20)
GILIRAN_CALO_JOINS_PER_DEVICE = env_int("GILIRAN_CALO_JOINS_PER_DEVICE", 2)
# Ballot entries (contact proven) per phone and per email in the period.
GILIRAN_CALO_BALLOT_ENTRIES_PER_CONTACT = env_int("GILIRAN_CALO_BALLOT_ENTRIES_PER_CONTACT", 3)
# Per NIK over the period: no-shows, and cancellations made within the hours before the
# office-service's next day opened for booking.
GILIRAN_CALO_NO_SHOWS = env_int("GILIRAN_CALO_NO_SHOWS", 1)
GILIRAN_CALO_LATE_CANCELS = env_int("GILIRAN_CALO_LATE_CANCELS", 1)
GILIRAN_CALO_LATE_CANCEL_HOURS = env_int("GILIRAN_CALO_LATE_CANCEL_HOURS", 2)

# --- Audit log (audit/, django-auditlog) ---------------------------------------------
# Who read or changed personal data, and every admin change: actor, client address,
# what changed. NIK columns (encrypted, keyed hash, last four digits) and secrets are
# never recorded (audit/registry.py); the address is the one the trusted proxies saw.
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_STORE_JSON_CHANGES = True

# Beyond this many holds and waiting-list joins per client address, each needs a solved
# challenge (core/challenge.py): proof of work in the browser, or a wait without JS.
GILIRAN_CHALLENGE_AFTER = env_str("GILIRAN_CHALLENGE_AFTER", "10/h")
GILIRAN_CHALLENGE_BITS = env_int("GILIRAN_CHALLENGE_BITS", 16)
GILIRAN_CHALLENGE_WAIT_SECONDS = env_int("GILIRAN_CHALLENGE_WAIT_SECONDS", 15)
# SMS/WhatsApp messages citizens can trigger (one-time codes, waiting-list notices) per
# hour, in total and per phone prefix (+62 812…); 0 turns a budget off.
GILIRAN_MESSAGE_BUDGET_PER_HOUR = env_int("GILIRAN_MESSAGE_BUDGET_PER_HOUR", 3000)
GILIRAN_MESSAGE_BUDGET_PER_PREFIX_PER_HOUR = env_int(
    "GILIRAN_MESSAGE_BUDGET_PER_PREFIX_PER_HOUR", 1000
)

# --- Data-subject requests (privacy/) ------------------------------------------------
# After NIK + one-time code, the browser session (or an API bearer token) may read the
# citizen's data for this many minutes.
GILIRAN_PRIVACY_GRANT_MINUTES = env_int("GILIRAN_PRIVACY_GRANT_MINUTES", 15)
GILIRAN_RATE_PRIVACY_PER_IP = env_str("GILIRAN_RATE_PRIVACY_PER_IP", "10/h")
GILIRAN_RATE_PRIVACY_PER_NIK = env_str("GILIRAN_RATE_PRIVACY_PER_NIK", "5/h")
# Answered requests and their processing trail are the evidence of the answer.
GILIRAN_RETENTION_DATA_REQUEST_DAYS = env_int("GILIRAN_RETENTION_DATA_REQUEST_DAYS", 730)

# --- Complaints (complaints/) ----------------------------------------------------------
# The answer is due this many working days (Monday–Friday, not national holidays, cuti
# bersama or the office's closures, in the office's zone) after the day of filing.
GILIRAN_COMPLAINT_SLA_DAYS = env_int("GILIRAN_COMPLAINT_SLA_DAYS", 14)
GILIRAN_RATE_COMPLAINT_PER_IP = env_str("GILIRAN_RATE_COMPLAINT_PER_IP", "10/h")
# The optional photo of a complaint (JPEG, PNG or WebP, checked by content): at most this big.
GILIRAN_COMPLAINT_PHOTO_MAX_BYTES = env_int("GILIRAN_COMPLAINT_PHOTO_MAX_BYTES", 2 * 1024 * 1024)
# Wrong access keys for one tracking number before its status can no longer be read.
GILIRAN_COMPLAINT_LOOKUP_ATTEMPTS = env_int("GILIRAN_COMPLAINT_LOOKUP_ATTEMPTS", 10)
# A closed complaint's text, answer and contact are erased this many days after closing.
GILIRAN_RETENTION_COMPLAINT_DAYS = env_int("GILIRAN_RETENTION_COMPLAINT_DAYS", 365)

# --- The assistant (assistant/) --------------------------------------------------------
# A conversation silent this long starts afresh: a half-done flow is not resumed.
GILIRAN_ASSISTANT_MEMORY_MINUTES = env_int("GILIRAN_ASSISTANT_MEMORY_MINUTES", 30)
# Below this probability of its intent a message counts as not understood (two in a row
# hand the conversation to a person). The confidence is calibrated (expected calibration
# error 0.05, docs/benchmarks.md): below 0.5 the model is more likely wrong than right.
GILIRAN_ASSISTANT_MIN_CONFIDENCE = float(env_str("GILIRAN_ASSISTANT_MIN_CONFIDENCE", "0.5"))
# A person should answer a handed-off conversation within this many minutes of opening time.
GILIRAN_ASSISTANT_HANDOFF_SLA_MINUTES = env_int("GILIRAN_ASSISTANT_HANDOFF_SLA_MINUTES", 30)
# Messages one citizen (one chat, one number, one web conversation) may send.
GILIRAN_RATE_ASSISTANT_PER_USER = env_str("GILIRAN_RATE_ASSISTANT_PER_USER", "20/m")
# Messages one client address (an IPv4 address, an IPv6 /64) may send over the web chat
# and the REST API together, whatever conversations it names.
GILIRAN_RATE_ASSISTANT_PER_IP = env_str("GILIRAN_RATE_ASSISTANT_PER_IP", "120/m")
# Conversations (with their turns) are deleted this many days after their last message;
# masked messages kept for review, this many days after they came.
GILIRAN_RETENTION_ASSISTANT_DAYS = env_int("GILIRAN_RETENTION_ASSISTANT_DAYS", 90)
GILIRAN_RETENTION_ASSISTANT_REVIEW_DAYS = env_int("GILIRAN_RETENTION_ASSISTANT_REVIEW_DAYS", 365)
# The assistant's channels (docs/assistant-channels.md). Telegram: the bot's token (for
# sending) and the secret given to setWebhook (checked on every update).
GILIRAN_TELEGRAM_BOT_TOKEN = env_str("GILIRAN_TELEGRAM_BOT_TOKEN")
GILIRAN_TELEGRAM_WEBHOOK_SECRET = env_str("GILIRAN_TELEGRAM_WEBHOOK_SECRET")
GILIRAN_TELEGRAM_API_URL = env_str("GILIRAN_TELEGRAM_API_URL", "https://api.telegram.org")
# WhatsApp Cloud API: the webhook's verify token and the app secret that signs its posts;
# for sending (instead of GILIRAN_WHATSAPP_GATEWAY_URL), the phone number's id, an access
# token and the approved template used outside the 24-hour customer-service window.
GILIRAN_WHATSAPP_VERIFY_TOKEN = env_str("GILIRAN_WHATSAPP_VERIFY_TOKEN")
GILIRAN_WHATSAPP_APP_SECRET = env_str("GILIRAN_WHATSAPP_APP_SECRET")
GILIRAN_WHATSAPP_CLOUD_API_URL = env_str(
    "GILIRAN_WHATSAPP_CLOUD_API_URL", "https://graph.facebook.com/v21.0"
)
GILIRAN_WHATSAPP_PHONE_NUMBER_ID = env_str("GILIRAN_WHATSAPP_PHONE_NUMBER_ID")
GILIRAN_WHATSAPP_CLOUD_TOKEN = env_str("GILIRAN_WHATSAPP_CLOUD_TOKEN")
GILIRAN_WHATSAPP_REPLY_TEMPLATE = env_str("GILIRAN_WHATSAPP_REPLY_TEMPLATE")
# A WhatsApp message older than this when it arrives (Meta retries for days) is not answered.
GILIRAN_WHATSAPP_MAX_AGE_SECONDS = env_int("GILIRAN_WHATSAPP_MAX_AGE_SECONDS", 24 * 3600)
# SMS keywords: the bearer token the SMS gateway sends with each inbound message.
GILIRAN_SMS_INBOUND_TOKEN = env_str("GILIRAN_SMS_INBOUND_TOKEN")

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # JSON or a plain form, size- and depth-limited (core/api/parsers.py); no multipart.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.LimitedJSONParser",
        "core.api.parsers.LimitedFormParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
# API request bodies: at most this many bytes (413 beyond), JSON at most this deep (400).
GILIRAN_API_MAX_BODY_BYTES = env_int("GILIRAN_API_MAX_BODY_BYTES", 64 * 1024)
GILIRAN_API_MAX_JSON_DEPTH = env_int("GILIRAN_API_MAX_JSON_DEPTH", 20)
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
        # The booking's status appears in several components (a booking, a moved booking).
        "BookingStatusEnum": "booking.models.BookingStatus",
        "KindEnum": "offices.models.catalog.OfficeKind",  # its name before privacy/
        "DataRequestKindEnum": "privacy.models.RequestKind",
        # A complaint's status and category, in the filed answer and the status answer.
        "ComplaintStatusEnum": "complaints.models.ComplaintStatus",
        "ComplaintCategoryEnum": "complaints.models.ComplaintCategory",
    },
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Tokens in URLs (manage links, hold and ticket tokens) never reach a log line.
    "filters": {"redact_secrets": {"()": "core.logging.RedactSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
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
_site = urlsplit(GILIRAN_SITE_URL.replace("//127.0.0.1", "//localhost"))
OTP_WEBAUTHN_RP_ID = env_str("GILIRAN_WEBAUTHN_RP_ID", _site.hostname or "localhost")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "GILIRAN_WEBAUTHN_ORIGINS", [f"{_site.scheme}://{_site.netloc}"]
)
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
# Capacity planning (scheduling/): the solver's time limit and worker threads per solve
# (also the bound on a supervisor's first view of an unplanned day, which plans it), and
# the days re-planned every night; later days of the booking window are planned once.
GILIRAN_PLAN_TIME_LIMIT_SECONDS = float(env_str("GILIRAN_PLAN_TIME_LIMIT_SECONDS", "2"))
GILIRAN_PLAN_WORKERS = env_int("GILIRAN_PLAN_WORKERS", 2)
GILIRAN_PLAN_DAYS = env_int("GILIRAN_PLAN_DAYS", 14)
# A freed place offered to the waiting list is held this long for the citizen.
GILIRAN_WAITLIST_OFFER_MINUTES = env_int("GILIRAN_WAITLIST_OFFER_MINUTES", 15)

# Insights (docs/insights.md): on its first night an office builds the facts of this many
# ended days back; after that, each night builds the days ended since the last.
GILIRAN_INSIGHTS_FIRST_DAYS = env_int("GILIRAN_INSIGHTS_FIRST_DAYS", 90)

# Retention (UU PDP): personal data is anonymised this many days after its purpose ends,
# by core.tasks.retention_run (hourly). See docs/security.md and docs/data-map.md.
GILIRAN_RETENTION_VISIT_DAYS = env_int("GILIRAN_RETENTION_VISIT_DAYS", 90)
GILIRAN_RETENTION_WAITLIST_DAYS = env_int("GILIRAN_RETENTION_WAITLIST_DAYS", 30)
GILIRAN_RETENTION_MESSAGE_DAYS = env_int("GILIRAN_RETENTION_MESSAGE_DAYS", 30)
GILIRAN_RETENTION_SECURITY_LOG_DAYS = env_int("GILIRAN_RETENTION_SECURITY_LOG_DAYS", 90)
GILIRAN_RETENTION_AUDIT_DAYS = env_int("GILIRAN_RETENTION_AUDIT_DAYS", 730)
# Rows per transaction, and batches per kind per run (the rest waits for the next run).
GILIRAN_RETENTION_BATCH_SIZE = env_int("GILIRAN_RETENTION_BATCH_SIZE", 500)
GILIRAN_RETENTION_MAX_BATCHES = env_int("GILIRAN_RETENTION_MAX_BATCHES", 100)

# Extra endpoints used only by bench/ to measure a bare Django view in the same server.
GILIRAN_BENCHMARK_VIEWS = env_bool("GILIRAN_BENCHMARK_VIEWS", False)
