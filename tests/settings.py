"""Settings for the test suite: production settings with test conveniences only."""

from steward.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STEWARD_REQUIRE_MFA_FOR_ADMINS = False  # the MFA tests switch it on
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True

if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    import os

    # One test database per run, so that parallel runs on one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_steward_{os.getpid()}"}  # noqa: F405
