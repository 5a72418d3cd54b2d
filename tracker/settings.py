"""Settings, read from the environment (and an optional `.env`) with laptop defaults.

Defaults give the embedded setup: SQLite under var/, tasks run in-process, mail written
as files under var/mail/. Production sets DATABASE_URL, CELERY_BROKER_URL, EMAIL_URL,
SECRET_KEY, ALLOWED_HOSTS and DEBUG=false.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env("TRACKER_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)

DEV_SECRET_KEY_FILE = VAR_DIR / "secret_key"


def _dev_secret_key() -> str:
    """A per-checkout key, generated once, so sessions survive restarts in development."""
    if not DEV_SECRET_KEY_FILE.exists():
        DEV_SECRET_KEY_FILE.write_text(secrets.token_urlsafe(50))
        DEV_SECRET_KEY_FILE.chmod(0o600)
    return DEV_SECRET_KEY_FILE.read_text().strip()


_secret_from_env = env("SECRET_KEY", default="")
if _secret_from_env:
    SECRET_KEY = _secret_from_env
elif DEBUG:
    SECRET_KEY = _dev_secret_key()
else:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment when DEBUG is off."
    )
if (
    not DEBUG
    and DEV_SECRET_KEY_FILE.exists()
    and DEV_SECRET_KEY_FILE.read_text().strip() == SECRET_KEY
):
    raise ImproperlyConfigured(
        "SECRET_KEY must not be the development key when DEBUG is off."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public address of the web UI, used in mail links and password-reset links.
WEB_BASE_URL = env("WEB_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Serving under a sub-path (https://host/rt/): URL_PREFIX=/rt, and WEB_BASE_URL with it.
# tracker.wsgi strips the prefix from incoming paths when the proxy passes it through.
URL_PREFIX = ("/" + env("URL_PREFIX", default="").strip("/")).rstrip("/")
if URL_PREFIX:
    FORCE_SCRIPT_NAME = URL_PREFIX
    SESSION_COOKIE_PATH = f"{URL_PREFIX}/"
    CSRF_COOKIE_PATH = f"{URL_PREFIX}/"
# The name in subject tags: "[rtname #123] Subject".
TRACKER_RTNAME = env("TRACKER_RTNAME", default="tracker")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "lifecycles",
    "queues",
    "tracker",
    "tracker.twofactor",
    "scrips",
    "mailgate",
    "rtimport",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tracker.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.context.AuditActorMiddleware",
    "tracker.web.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tracker.web.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the mail gateway share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT adds seconds to wide ticket searches and saves nothing on the
    # short queries a tracker runs.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tracker.User"
AUTHENTICATION_BACKENDS = [
    "tracker.web.login_guard.LoginGuardBackend",  # refuses while locked out
    "tracker.twofactor.backends.TwoFactorGuardBackend",  # TOTP users: login form only
    "django.contrib.auth.backends.ModelBackend",
    "tracker.rights.RightsBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
# The web UI ships English and a complete German translation (locale/de, .mo committed).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = env(
    "STATIC_URL", default=f"{URL_PREFIX}/static/" if URL_PREFIX else "static/"
)
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
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

# Mail: files under var/mail/ unless EMAIL_URL says otherwise (smtp://, smtp+tls://, consolemail://).
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
_email_url = env("EMAIL_URL", default="")
if _email_url:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{TRACKER_RTNAME}@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: no broker means tasks run in-process, eagerly, and their errors propagate.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Scrips: beat reads its schedule from scrips.PeriodicJob (edited in the admin); webhooks
# are signed with SCRIPS_WEBHOOK_SECRET (a key derived from SECRET_KEY when empty).
CELERY_BEAT_SCHEDULER = "scrips.beat:DatabaseScheduler"
SCRIPS_WEBHOOK_SECRET = env("SCRIPS_WEBHOOK_SECRET", default="")

# Shared by every process in production (the lifecycle registry relies on it to see edits);
# with a Redis broker and no CACHE_URL, the broker's Redis serves as the cache too.
_default_cache = (
    CELERY_BROKER_URL.replace("redis://", "rediscache://", 1)
    if CELERY_BROKER_URL.startswith("redis://")
    else "locmemcache://tracker"
)
CACHES = {"default": env.cache("CACHE_URL", default=_default_cache)}

# Security: cookies and headers; HTTPS-only settings follow DEBUG so that
# `check --deploy` is clean in production and plain http works on a laptop.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Largest message or upload accepted, in bytes.
TRACKER_MAX_ATTACHMENT_SIZE = env.int(
    "TRACKER_MAX_ATTACHMENT_SIZE", default=25 * 1024 * 1024
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Operations (owned by tracker/ops; see docs/DEPLOYMENT.md) ----------------------------
# LOG_FORMAT=json writes one JSON object per line (tracker.ops.logging.JsonFormatter).
LOG_FORMAT = env("LOG_FORMAT", default="plain")
if LOG_FORMAT == "json":
    LOGGING["formatters"]["json"] = {"()": "tracker.ops.logging.JsonFormatter"}
    LOGGING["handlers"]["console"]["formatter"] = "json"
# /metrics: a bearer token and/or client networks; with neither, loopback only.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
METRICS_CACHE_SECONDS = env.int("METRICS_CACHE_SECONDS", default=15)
HEALTHZ_WORKER_CACHE_SECONDS = env.int("HEALTHZ_WORKER_CACHE_SECONDS", default=30)
HEALTHZ_QUARANTINE_WARN = env.int("HEALTHZ_QUARANTINE_WARN", default=1)
MIDDLEWARE.insert(0, "tracker.ops.middleware.RequestMetricsMiddleware")
# Probes (load balancer, Prometheus) skip the https redirect and the Host check.
MIDDLEWARE.insert(1, "tracker.ops.middleware.ProbeMiddleware")
# A read replica for searches and reports (tracker.ops.dbrouter); writes stay on default.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["tracker.ops.dbrouter.ReplicaRouter"]
    MIDDLEWARE.append("tracker.ops.dbrouter.ReplicaViewsMiddleware")
REPLICA_VIEWS = env.list(
    "REPLICA_VIEWS",
    default=[
        "ticket-search",
        "metrics",
        "metrics-json",
        "api:tickets",
        "rest1:search-ticket",
    ],
)
# Attachments: the filesystem under MEDIA_ROOT, or S3-compatible storage.
ATTACHMENT_STORAGE = env("ATTACHMENT_STORAGE", default="filesystem")
if ATTACHMENT_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("S3_REGION", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "location": env("S3_PREFIX", default=""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif ATTACHMENT_STORAGE != "filesystem":
    raise ImproperlyConfigured("ATTACHMENT_STORAGE must be 'filesystem' or 's3'.")
# --- end of operations block ----------------------------------------------------------------

# --- REST API (owned by tracker/api; see docs/ARCHITECTURE.md) ---------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Basic first: an unauthenticated request gets 401 with `WWW-Authenticate: Basic`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tracker.api.authentication.BasicAuthentication",
        "tracker.api.authentication.TokenAuthentication",
        "tracker.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "tracker.api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "tracker.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tracker REST 2.0 API",
    "DESCRIPTION": "Compatible with Request Tracker's REST 2.0.",
    "VERSION": "2.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # API docs served from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/REST/2.0",
}
# --- end of REST API block -----------------------------------------------------------------
