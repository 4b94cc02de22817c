"""Test settings: the base settings with fast hashing and in-memory e-mail.

The database and broker still come from the environment: CI sets DATABASE_URL to PostgreSQL and
CELERY_BROKER_URL to Redis.
"""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only, tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
STORAGES = {  # no manifest needed to render templates in tests
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Close connections after each use: the real Celery worker of the task tests runs in a thread,
# and a connection it left open would keep PostgreSQL from dropping the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Serve static files straight from the apps (no collectstatic in a fresh clone).
WHITENOISE_AUTOREFRESH = True
