"""Django settings, driven by the environment (see .env.example).

SQLite and in-process background work by default; PostgreSQL when DATABASE_URL is set; Celery with
Redis when CELERY_BROKER_URL is set.  Every integration is off until configured.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import dj_database_url

from steward.env import env, env_bool, env_int, env_list, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
load_env_file(Path(os.environ.get("STEWARD_ENV_FILE", BASE_DIR / ".env")))
VAR_DIR = Path(env("STEWARD_VAR_DIR", str(BASE_DIR / "var")))
# The embedded default keeps its database, media and collected static files here; a read-only
# deployment sets its own paths.
with contextlib.suppress(OSError):
    (VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# Production must set SECRET_KEY (or SECRET_KEY_FILE); the short development fallback is what
# `check --deploy` flags (security.W009) when it is forgotten.
SECRET_KEY = env("SECRET_KEY") or "dev-only-insecure-key-change-me"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

DISTRICT_NAME = env("DISTRICT_NAME", "Lawrence Public Schools")
DISTRICT_HELP_EMAIL = env("DISTRICT_HELP_EMAIL", "LPShelp@lawrence.k12.ma.us")
DISTRICT_EMAIL_DOMAIN = env("DISTRICT_EMAIL_DOMAIN", "lawrence.k12.ma.us")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "steward.core",
    "steward.people",
    "steward.registry",
    "steward.authorizations",
    "steward.moderation",
    "steward.archive",
    "steward.platforms",
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
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "steward.core.middleware.RequireMFAForAdministratorsMiddleware",
    "steward.core.middleware.NoStoreForSignedInMiddleware",
    # Lockout runs last so that it sees the authentication result.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "steward.urls"
WSGI_APPLICATION = "steward.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "steward" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "steward.core.context_processors.steward",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'steward.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while an import writes; IMMEDIATE avoids upgrade deadlocks. FULL makes
    # each commit survive a power cut too (NORMAL may lose the last ones): a webhook is answered
    # only after its commit, so that commit must be durable.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: local accounts by e-mail, OpenID Connect providers when configured (see
# steward/core/oidc.py), TOTP multi-factor authentication.
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "steward.core.auth.StewardAccountAdapter"
ACCOUNT_FORMS = {"login": "steward.core.forms.LoginForm"}
SOCIALACCOUNT_ADAPTER = "steward.core.auth.DistrictSocialAccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Steward"
STEWARD_REQUIRE_MFA_FOR_ADMINS = env_bool("STEWARD_REQUIRE_MFA_FOR_ADMINS", not DEBUG)

SOCIALACCOUNT_PROVIDERS: dict[str, object] = {}
_oidc_apps = []
if env("OIDC_GOOGLE_CLIENT_ID"):
    _oidc_apps.append(
        {
            "provider_id": "google-workspace",
            "name": "Google Workspace",
            "client_id": env("OIDC_GOOGLE_CLIENT_ID"),
            "secret": env("OIDC_GOOGLE_CLIENT_SECRET"),
            "settings": {
                "server_url": "https://accounts.google.com",
                "auth_params": {"hd": DISTRICT_EMAIL_DOMAIN, "prompt": "select_account"},
                "oauth_pkce_enabled": True,
            },
        }
    )
if env("OIDC_MICROSOFT_CLIENT_ID"):
    _tenant = env("OIDC_MICROSOFT_TENANT_ID")
    _oidc_apps.append(
        {
            "provider_id": "microsoft-entra",
            "name": "Microsoft Entra ID",
            "client_id": env("OIDC_MICROSOFT_CLIENT_ID"),
            "secret": env("OIDC_MICROSOFT_CLIENT_SECRET"),
            "settings": {
                "server_url": f"https://login.microsoftonline.com/{_tenant}/v2.0",
                "oauth_pkce_enabled": True,
            },
        }
    )
if _oidc_apps:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {"APPS": _oidc_apps}
SOCIALACCOUNT_ONLY = False
# The district's Entra tenant id; tokens from any other tenant are refused (platforms.md 7.2).
OIDC_MICROSOFT_TENANT_ID = env("OIDC_MICROSOFT_TENANT_ID")

# django-axes: lock out after repeated failures (records-and-law.md J).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# One counter per account whether the username or the e-mail was typed; Steward's own lockout page.
AXES_USERNAME_CALLABLE = "steward.core.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "steward.core.auth.lockout_response"
# django-axes locks an account (per username and address); allauth only throttles one address
# trying many accounts, so that its per-account limit does not pre-empt the lockout page.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip"}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "steward" / "locale"]
TIME_ZONE = env("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# steward/ itself is not an app, so its shared static files (steward.css) are listed here.
STATICFILES_DIRS = [BASE_DIR / "steward" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Background work: Celery with a broker when configured, otherwise tasks run in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE  # beat's daily entries (reminders at 7 am) on the district's clock

# Platforms (docs/live.md). Secrets may come from NAME_FILE. Webhooks are refused until set.
META_APP_SECRET = env("META_APP_SECRET")
META_VERIFY_TOKEN = env("META_VERIFY_TOKEN")
X_CONSUMER_SECRET = env("X_CONSUMER_SECRET")
TIKTOK_CLIENT_SECRET = env("TIKTOK_CLIENT_SECRET")
STEWARD_LEASE_SECONDS = env_int("STEWARD_LEASE_SECONDS", 90)  # how long a worker holds an action
POLL_INTERVAL_SECONDS = env_int("POLL_INTERVAL_SECONDS", 300)
YOUTUBE_POLL_UNITS_PER_ACCOUNT = env_int("YOUTUBE_POLL_UNITS_PER_ACCOUNT", 2000)
# Replies that hide a comment carry a short notice with an appeal link (records-and-law.md B).
MODERATION_NOTICE_ON_HIDE = env_bool("MODERATION_NOTICE_ON_HIDE", False)

# Archive: signed checkpoints (Ed25519, base64 raw key) and the periodic integrity work that a
# Celery beat runs when a broker is configured (`celery -A steward beat`).
STEWARD_ARCHIVE_SIGNING_KEY = env("STEWARD_ARCHIVE_SIGNING_KEY")
CELERY_BEAT_SCHEDULE = {
    "archive-checkpoint-daily": {"task": "steward.archive.checkpoint", "schedule": 24 * 3600},
    "archive-verify-weekly": {"task": "steward.archive.verify", "schedule": 7 * 24 * 3600},
}

# Platform tokens are encrypted at rest with this key (Fernet, urlsafe base64 of 32 bytes).
STEWARD_TOKEN_KEY = env("STEWARD_TOKEN_KEY", "")

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"steward@{DISTRICT_EMAIL_DOMAIN}")
SAFETY_CONTACT_EMAIL = env("SAFETY_CONTACT_EMAIL", f"safety@{DISTRICT_EMAIL_DOMAIN}")
RECORDS_CONTACT_EMAIL = env("RECORDS_CONTACT_EMAIL", f"records@{DISTRICT_EMAIL_DOMAIN}")

# Security: the Django deployment checklist (records-and-law.md K).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The preload directive only matters once the domain is submitted to the browsers' list.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
