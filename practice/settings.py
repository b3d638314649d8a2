"""Settings for the practice website, all of them read from the environment.

A newcomer needs nothing: without any variables the site runs on SQLite in
the project folder. Production sets at least DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS, SITE_URL and DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or DEV_SECRET_KEY
# The web server refuses to start in production with the development key (see
# practice/startup.py, called from wsgi.py and asgi.py); `check --deploy` reports it too.

# Stored secrets (her CalDAV password, the Jitsi app secret) are encrypted with these Fernet
# keys (practice/encryption.py): comma-separated, the first encrypts, all decrypt. Apart from
# SECRET_KEY, so that rotating one never touches the other. Production refuses to start with
# the development key or without a key of its own, like with SECRET_KEY.
DEV_ENCRYPTION_KEY = "kr-CIyu3-iLqdC1q5b8zh9nHtsGdU5mJ_tEm66nTN-M="  # noqa: S105 - public, development and tests only
ENCRYPTION_KEYS = env_list("DJANGO_ENCRYPTION_KEYS") or [DEV_ENCRYPTION_KEY]

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

# The one public address of the site: canonical links, Open Graph, JSON-LD
# and (later) calendar UIDs are built from it, never from the Host header.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SITE_URL moet met http:// of https:// beginnen.")

INSTALLED_APPS = [
    "practice.apps.PracticeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "django_prose_editor",
    "imagekit",
    "crispy_forms",
    "crispy_bootstrap5",
    "content",
    "booking",
    "practice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "practice.middleware.SecurityHeadersMiddleware",
    "practice.middleware.PublicBodyLimitMiddleware",
    "practice.middleware.NullCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "practice.twofactor.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "practice.urls"

# The admin lives at a path of the operator's choosing, not at a guessable /admin/.
ADMIN_URL = "/" + os.environ.get("DJANGO_ADMIN_PATH", "admin").strip("/") + "/"

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
                "content.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "practice.wsgi.application"

# SQLite by default, so that a newcomer needs no database server. WAL lets
# readers carry on while a booking is written; IMMEDIATE takes the write lock
# at BEGIN, so two bookings can never interleave their check and their insert.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"),
}

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    # Persistent connections buy nothing for a local file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too (not :memory:), so that concurrent bookings really come
    # through separate connections, as in production.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DJANGO_TEST_DB", str(BASE_DIR / ".test-db.sqlite3"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Photos and images the therapist uploads. Served by Django in development and by
# nginx in production (deploy/nginx/); `manage.py backup` includes them.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=DEBUG)
# Uploaded files are readable by nginx, which serves them; nothing personal is uploaded.
FILE_UPLOAD_PERMISSIONS = 0o644
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o755
# Renditions (WebP and JPEG in several widths) are made when first asked for and kept.
IMAGEKIT_CACHEFILE_DIR = "afbeeldingen/formaten"
IMAGEKIT_SPEC_CACHEFILE_NAMER = "imagekit.cachefiles.namers.source_name_dot_hash"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names whenever DEBUG is off (production and the test
    # suite alike), so the tests exercise what visitors get.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Background work (emails). Immediate in development, so `make run` shows mail on the
# console; the database backend with `manage.py db_worker` in production.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[os.environ.get("DJANGO_TASKS_BACKEND", "immediate" if DEBUG else "database")],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "praktijk@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "practice.logging.MaskSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
CSRF_FAILURE_VIEW = "practice.views.csrf_failure"

OTP_TOTP_ISSUER = os.environ.get("DJANGO_OTP_ISSUER", "Praktijkbeheer")
# Where the login goes when its ?next= is missing or points elsewhere (Django's default,
# /accounts/profile/, does not exist here): the admin's start page, after the second step.
LOGIN_REDIRECT_URL = "admin:index"

# --- Security -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Staff sessions end after 30 minutes without activity.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Large bodies are refused with a 400 before any view reads them.
# A long article written in the editor is HTML, so the admin's forms are larger
# than the public ones; uploaded files are counted apart (content.imaging).
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# HTTPS in production: behind nginx, which terminates TLS and says so in X-Forwarded-Proto.
HTTPS = SITE_URL.startswith("https://")
# Behind nginx (always so with HTTPS): client addresses come from X-Forwarded-For.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
    CSRF_TRUSTED_ORIGINS = [SITE_URL, *env_list("DJANGO_CSRF_TRUSTED_ORIGINS")]

# Rate limits and login locks count in the database (practice.AttemptCounter), not here.
# DJANGO_SHARED_CACHE=1 keeps the cache in the database too (`manage.py createcachetable`).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}
    if env_bool("DJANGO_SHARED_CACHE")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# The therapist's own calendars are read from addresses she gives: only addresses on the
# internet, never a private network; this machine itself only in development (and tests).
CALENDAR_ALLOW_LOOPBACK = env_bool("DJANGO_CALENDAR_ALLOW_LOOPBACK", default=DEBUG)
CALENDAR_READ_TIMEOUT = float(os.environ.get("DJANGO_CALENDAR_READ_TIMEOUT", "20"))
