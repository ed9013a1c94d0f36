"""storeops settings: one module, driven by the STOREOPS_* environment variables (ARCHITECTURE.md)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap as xstatic_bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("STOREOPS_DATA_DIR") or BASE_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _key_from_file(name: str, make) -> str:
    """A key kept in the data dir so a laptop install needs no configuration (0600, created once)."""
    path = DATA_DIR / name
    if not path.exists():
        try:  # created 0600 from the first byte: never readable by others, not even for a moment
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(make())
    return path.read_text().strip()


DEBUG = env_bool("STOREOPS_DEBUG", False)
SECRET_KEY = os.environ.get("STOREOPS_SECRET_KEY") or _key_from_file(
    "secret.key", lambda: secrets.token_urlsafe(64)
)
ENCRYPTION_KEY_FILE = DATA_DIR / "encryption.key"


def _fernet_key() -> str:
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


ENCRYPTION_KEY_FROM_ENV = bool(os.environ.get("STOREOPS_ENCRYPTION_KEY"))
STOREOPS_ENCRYPTION_KEY = os.environ.get("STOREOPS_ENCRYPTION_KEY") or _key_from_file(
    "encryption.key", _fernet_key
)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("STOREOPS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
TESTING = env_bool("STOREOPS_TESTING", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huey.contrib.djhuey",
    "ninja",
    "storeops.core",
    "storeops.audit",
    "storeops.accounts",
    "storeops.notifications",
    "storeops.org",
    "storeops.governance",
    "storeops.compliance",
    "storeops.catalog",
    "storeops.content",
    "storeops.storefront",
    "storeops.inventory",
    "storeops.orders",
    "storeops.fulfillment",
    "storeops.web",
    "storeops.api",
    "storeops.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "storeops.core.middleware.RequestContextMiddleware",
    # API requests with a bearer token leave the chain here for their operation (see its doc)
    "storeops.core.middleware.ApiTokenMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "storeops.accounts.middleware.UserLanguageMiddleware",
    "storeops.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "storeops.core.middleware.NulInputMiddleware",
    "storeops.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "storeops.web.context_processors.navigation",
                "storeops.web.context_processors.unread_notifications",
            ],
        },
    }
]

# --- database -----------------------------------------------------------------------------------
_database_url = os.environ.get("STOREOPS_DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    DATABASES["default"].setdefault("OPTIONS", {})
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "storeops.sqlite3",
            # keep each worker thread's connection: opening one (and its PRAGMAs) per request
            # costs more than the API call it serves
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                # One writer at a time, taken at BEGIN: no "database is locked" half-way through.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=30000;"
                ),
            },
            "TEST": {"NAME": DATA_DIR / "test.sqlite3"}
            if env_bool("STOREOPS_TEST_SQLITE_FILE", False)
            else {},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:workbench"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes: lock a username after repeated failures, for the login form and API tokens alike.
AXES_FAILURE_LIMIT = int(os.environ.get("STOREOPS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks to lock by IP as well: a shop's staff share one office NAT address, so five typos
# across the office would lock everyone out. The username is what an attacker must guess against.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "storeops.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# R5.1/R5.2: two-factor for approvers and administrators when the company asks for it.
STOREOPS_2FA_REQUIRED_ROLES = [
    r for r in os.environ.get("STOREOPS_2FA_REQUIRED_ROLES", "").split(",") if r.strip()
]
OTP_TOTP_ISSUER = "storeops"

# --- i18n / time --------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "storeops" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static -------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [("bootstrap", xstatic_bootstrap.BASE_DIR)]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- background work ----------------------------------------------------------------------------
REDIS_URL = os.environ.get("STOREOPS_REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "storeops",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "storeops",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": env_bool("STOREOPS_HUEY_IMMEDIATE", False),
        "consumer": {"workers": 2, "worker_type": "thread"},
    }


def _import_huey_storage_lean() -> None:
    """Huey's storage module tries to import the Redis and PostgreSQL drivers whatever storage is
    configured (~0.1 s, a seventh of every command's start-up). With SQLite for both the queue
    and the data neither is used, so that one import sees them as absent; a later `import` of
    either (a test, a shell) loads it as usual."""
    import sys

    absent = [name for name in ("redis", "psycopg") if name not in sys.modules]
    for name in absent:
        sys.modules[name] = None  # type: ignore[assignment] — "not installed" to that import
    try:
        import huey.storage  # noqa: F401
    finally:
        for name in absent:
            if sys.modules.get(name, "") is None:
                del sys.modules[name]


if not REDIS_URL and not _database_url:
    _import_huey_storage_lean()

# A cache shared by the web and worker processes (import progress while the import's transaction
# is still open, core.importjobs): Redis when configured, else files in the data dir.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- e-mail and notification links (R4.3) -------------------------------------------------------
# SMTP when STOREOPS_SMTP_HOST is set; otherwise the console (nothing can fail on a laptop) and,
# unless DEBUG or STOREOPS_EMAIL_ENABLED says otherwise, no e-mail deliveries are created at all.
STOREOPS_SMTP_HOST = os.environ.get("STOREOPS_SMTP_HOST", "")
_email_backend = os.environ.get("STOREOPS_EMAIL_BACKEND", "")
EMAIL_BACKEND = _email_backend or (
    "django.core.mail.backends.smtp.EmailBackend"
    if STOREOPS_SMTP_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = STOREOPS_SMTP_HOST or "localhost"
EMAIL_PORT = int(os.environ.get("STOREOPS_SMTP_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("STOREOPS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("STOREOPS_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("STOREOPS_SMTP_USE_TLS", True)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("STOREOPS_MAIL_FROM", "storeops@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STOREOPS_EMAIL_ENABLED = env_bool(
    "STOREOPS_EMAIL_ENABLED", bool(_email_backend or STOREOPS_SMTP_HOST) or DEBUG or TESTING
)
# The site's address as people open it (https://ops.example.cn): links in e-mails and robot
# messages are made absolute with it; without it, messages carry no link.
STOREOPS_BASE_URL = os.environ.get("STOREOPS_BASE_URL", "").rstrip("/")

# --- security -----------------------------------------------------------------------------------
HTTPS = env_bool("STOREOPS_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("STOREOPS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# Addresses of our own reverse proxies: from them, the client is read from X-Forwarded-For.
TRUSTED_PROXIES = frozenset(
    p.strip() for p in os.environ.get("STOREOPS_TRUSTED_PROXIES", "").split(",") if p.strip()
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STOREOPS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "huey": {"level": "INFO", "propagate": False},  # run_huey installs its own handler
    },
}

# API bearer tokens: what a token stands for (user, permissions, stores) is cached per process
# for this many seconds (accounts.selectors.token_grant); a change takes effect at once in the
# process that made it and within this time in the others. 0 turns the cache off.
AUTH_TOKEN_CACHE_SECONDS = float(os.environ.get("STOREOPS_AUTH_CACHE_SECONDS", "5"))

# A large order import of several files (Taobao's order + item reports) reads the later files in
# a forked child process, on the second core (orders.importing.parallel). Off: one process.
ORDER_IMPORT_PARALLEL = env_bool("STOREOPS_IMPORT_PARALLEL", True)

STOREOPS_API_PAGE_MAX = 200
NINJA_PAGINATION_MAX_LIMIT = STOREOPS_API_PAGE_MAX
