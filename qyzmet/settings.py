"""Django settings.  SQLite in WAL mode under ``QYZMET_HOME`` by default; PostgreSQL via ``DATABASE_URL``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("QYZMET_HOME", Path.cwd() / "var")).resolve()


def _secret_key() -> str:
    """A per-installation key kept beside the data, so sessions survive restarts."""
    if os.environ.get("QYZMET_SECRET_KEY"):
        return os.environ["QYZMET_SECRET_KEY"]
    path = HOME / "secret_key"
    try:
        return path.read_text().strip()
    except OSError:
        key = secrets.token_urlsafe(50)
        try:
            HOME.mkdir(parents=True, exist_ok=True)
            path.write_text(key)
        except OSError:
            pass  # a read-only home still runs, with a per-process key
        return key


SECRET_KEY = _secret_key()
# The address printed under each document's QR code: its public /verify/<code> page.
QYZMET_PUBLIC_URL = os.environ.get("QYZMET_PUBLIC_URL", "http://localhost:8000")
DEBUG = os.environ.get("QYZMET_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("QYZMET_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "qyzmet.directory",
    "qyzmet.cases",
    "qyzmet.documents",
    "qyzmet.notify",
    "qyzmet.portal",
    "qyzmet.payments",
    "qyzmet.proactive",
    "qyzmet.entitlements",
    "qyzmet.health",
    "qyzmet.hall",
    "qyzmet.complaints",
    "qyzmet.monitoring",
    "qyzmet.recompute",
    "qyzmet.web",
    "qyzmet.api",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Next to outermost, so it sees every error response under /api/v1/ whichever layer made it, and
    # the security headers are still added to the JSON it puts in their place.
    "qyzmet.api.middleware.json_errors",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "qyzmet.api.middleware.english",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "qyzmet.urls"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "staff:inbox"
WSGI_APPLICATION = "qyzmet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("QYZMET_DB", str(HOME / "qyzmet.sqlite3")),
            # WAL lets readers (the web pages) run while a writer applies a transition;
            # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of deadlocking.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "qyzmet_language"
TIME_ZONE = "Asia/Almaty"
# Django ships no date formats for Kazakh; ours write dates the way Kazakh documents do.
FORMAT_MODULE_PATH = ["qyzmet.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files (the admin's) are served by WhiteNoise straight from the installed apps; a collected
# copy is only needed behind a separate web server: set QYZMET_STATIC_ROOT and run collectstatic.
STATIC_ROOT = os.environ.get("QYZMET_STATIC_ROOT") or None

# The citizen lookup counts failed tries per client address (qyzmet/web/throttle.py).  Behind a reverse
# proxy, name the header the proxy sets to the client's address (e.g. HTTP_X_REAL_IP); never set this
# without such a proxy, or a client could write any address into the header.
QYZMET_CLIENT_IP_HEADER = os.environ.get("QYZMET_CLIENT_IP_HEADER", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Counters of failed tries (qyzmet/web/throttle.py) must hold across all server processes, so the cache is a
# table in the database they share.  `migrate` creates it (cases migration 0013); after renaming the table
# or adding another database cache, run `qyzmet manage createcachetable`.  MAX_ENTRIES well above Django's
# 300: culling at 300 would let somebody wipe counters by failing on many different numbers.
CACHES = {
    "default": {
        # Django's DatabaseCache with an atomic incr (qyzmet/shared_cache.py): parallel failures all count.
        "BACKEND": "qyzmet.shared_cache.DatabaseCache",
        "LOCATION": "qyzmet_cache",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("QYZMET_LOG_LEVEL", "WARNING")},
}
# Every handler carries the personal-data filter (qyzmet/log_privacy.py): request paths can hold an IIN, and
# DEBUG template logs hold whole contexts.  A handler added here must list it too (tests/test_log_privacy.py).
LOGGING["filters"] = {"personal_data": {"()": "qyzmet.log_privacy.PersonalDataFilter"}}
LOGGING["handlers"]["console"]["filters"] = ["personal_data"]
