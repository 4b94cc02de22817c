"""Settings for every environment, read from environment variables only (12-factor).

With nothing set this is the embedded default: SQLite in the project folder, Celery tasks run
in-process, e-mail to the console. Set DATABASE_URL / CELERY_BROKER_URL / REDIS_URL to run on
PostgreSQL and Redis. ``production.py`` adds the HTTPS hardening on top of this module.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# A fixed key is acceptable only for the embedded default; production.py refuses to start
# without a real SECRET_KEY.
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-dev-only-key-do-not-use-in-production-0123456789abcdef",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files, no CDN
    "guardian",
    "simple_history",
    "axes",
    # The floors, bottom up: each app imports only the ones listed before it.
    "scoring",
    "notifications",
    "cases",
    "meetings",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tumorboard.middleware.AbsoluteSessionTimeoutMiddleware",
    "tumorboard.middleware.AuditRequestFactsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tumorboard.middleware.NoStoreMiddleware",
    # Last, as django-axes requires: turns a lockout into a 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tumorboard.urls"
WSGI_APPLICATION = "tumorboard.wsgi.application"

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
                "web.context.shell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication and sessions ---------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires: refuses authentication while locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the cookie lives 30 minutes and is renewed by every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute timeout: enforced by tumorboard.middleware.AbsoluteSessionTimeoutMiddleware.
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout per (username, address) pair, so one user behind a hospital NAT cannot lock out the
# whole hospital, and a wrong password for one account does not lock out the others.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "tumorboard.security.client_ip"
# Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted
# (0: use the socket address only; docker-compose behind one proxy: 1).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # runserver without collectstatic in the embedded default

# --- E-mail -----------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.hospital.example:587
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tumorboard@localhost")
EMAIL_SUBJECT_PREFIX = "[Spine Tumor Board] "
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process (the embedded default). With one, they are sent to it.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic work (`make beat`): sweeps over what is due, never long ETAs.
CELERY_BEAT_SCHEDULE = {
    # Delivers whatever the after-commit kick did not (broker down, worker lost). Expires
    # before the next one is due, so a backlog after an outage is one sweep, not hundreds.
    "notifications-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Keeps each recurring meeting series' next weeks of occurrences created (idempotent).
    "meetings-extend-series": {
        "task": "meetings.tasks.extend_series",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 6 * 3600},
    },
    # Meeting reminders, escalations and unsigned-decision reminders (idempotent per dedupe
    # key). Expires before the next run: a backlog after an outage is one sweep.
    "meetings-send-reminders": {
        "task": "meetings.tasks.send_reminders",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Builds the pre-meeting packets that are due (one per agenda version, claimed by its row).
    "meetings-build-due-packets": {
        "task": "meetings.tasks.build_due_packets",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tumorboard.api.BoardPermission"],
    "DEFAULT_PAGINATION_CLASS": "tumorboard.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "tumorboard.api.OrderingFilter",  # strict: an unknown field is a 400
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tumorboard.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_USER_RATE", default="2000/hour")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Spine Tumor Board API",
    "DESCRIPTION": "Cases, clinical data and specialty assessments of spinal metastasis boards.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SpinalLevelEnum": "cases.models.SPINAL_LEVEL_CHOICES",
        "TechniqueEnum": "cases.models.RadiotherapyTechnique",
        "CaseStatusEnum": "cases.models.CaseStatus",
        "YesNoUnknownEnum": "cases.assessment_schemas.YES_NO_UNKNOWN",
        "KindEnum": "cases.models.PresentationKind",  # its name before agendas came
        "AgendaKindEnum": "meetings.models.AgendaKind",
        "DecisionKindEnum": "meetings.models.DecisionKind",
        "ActionKindEnum": "meetings.models.ActionKind",
        "PacketStatusEnum": "meetings.models.PacketStatus",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging: never log request bodies or patient identifiers -----------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint (letters, packets) logs every page and font glyph at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

GUARDIAN_RAISE_403 = False
GUARDIAN_AUTO_PREFETCH = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: every page requires a login

# --- Meetings ---------------------------------------------------------------------------------
# How far ahead each recurring series' occurrences exist (meetings.services.series_extend).
MEETINGS_HORIZON_WEEKS = env.int("MEETINGS_HORIZON_WEEKS", default=8)
# Hours after a meeting's start before its unsigned draft decisions are reminded (then daily).
MEETINGS_UNSIGNED_REMINDER_HOURS = env.int("MEETINGS_UNSIGNED_REMINDER_HOURS", default=24)
