"""Settings for Case Audit, read from the environment (12-factor).

Every value has a safe production default; `make run` switches on DEBUG and the
embedded defaults (SQLite, Celery tasks run in-process). Bad values fail loudly.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# Used only with DEBUG on, so `make run` needs no configuration. Never valid in production.
INSECURE_DEVELOPMENT_SECRET_KEY = "django-insecure-case-audit-development-only"  # noqa: S105

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = INSECURE_DEVELOPMENT_SECRET_KEY
elif not DEBUG and (
    SECRET_KEY == INSECURE_DEVELOPMENT_SECRET_KEY
    or SECRET_KEY.startswith("django-insecure")
    or len(SECRET_KEY) < 50
):
    raise ImproperlyConfigured(
        "SECRET_KEY is a development default or shorter than 50 characters; "
        "set a long random value when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

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
    "django_filters",
    "axes",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The kernel (organisation, reference data, scope and roles), then the domains, lowest first.
    "audit_app.apps.AuditAppConfig",
    "audit_app.accounts.apps.AccountsConfig",
    "audit_app.notifications.apps.NotificationsConfig",
    "audit_app.access_log.apps.AccessLogConfig",
    "audit_app.directory.apps.DirectoryConfig",
    "audit_app.audits.apps.AuditsConfig",
    "audit_app.rounds.apps.RoundsConfig",
    "audit_app.feedback.apps.FeedbackConfig",
    "recommendations.apps.RecommendationsConfig",
    "audit_app.reports.apps.ReportsConfig",
    "audit_app.analytics.apps.AnalyticsConfig",
    "audit_app.retention.apps.RetentionConfig",
    "audit_app.demo.apps.DemoConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "audit_app.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that answers for a signed-in user, so it sees every such response.
    "audit_app.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit_app.accounts.middleware.SessionLifetimeMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "audit_app.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "audit_app.access_log.middleware.AccessLogMiddleware",
    "audit_app.api.strict_parameters.UnknownQueryParameterMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Content Security Policy (django-csp): nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "audit_app.urls"
WSGI_APPLICATION = "audit_app.wsgi.application"

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
                "audit_app.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "audit_app.User"
# django-axes checks for a lockout before the password is tried.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failures for one username from one address lock it for the cool-off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "audit_app.accounts.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# The client's address: REMOTE_ADDR, or behind this many trusted reverse proxies (each appending to
# X-Forwarded-For) the address the outermost one saw (audit_app.sign_in.client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "audit_app.accounts.lockout.client_ip"
# Every failure is kept, so failures for one account from every address can be counted; past this
# many in the window, the password is tried only from browsers that account signed in from before.
AXES_HANDLER = "audit_app.accounts.lockout.SignInHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
SIGN_IN_ACCOUNT_FAILURE_LIMIT = env_int("SIGN_IN_ACCOUNT_FAILURE_LIMIT", 10)
SIGN_IN_ACCOUNT_WINDOW_HOURS = env_int("SIGN_IN_ACCOUNT_WINDOW_HOURS", 24)
if SIGN_IN_ACCOUNT_FAILURE_LIMIT < 1 or SIGN_IN_ACCOUNT_WINDOW_HOURS < 1:
    raise ImproperlyConfigured(
        "SIGN_IN_ACCOUNT_FAILURE_LIMIT and SIGN_IN_ACCOUNT_WINDOW_HOURS must be 1 or more."
    )
# A refused attempt tried no password: it neither counts as a failure nor extends the cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Two-factor sign-in (django-otp, TOTP): optional per user unless the force makes it compulsory.
REQUIRE_TWO_FACTOR = env_bool("REQUIRE_TWO_FACTOR", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Case Audit")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The hashed, compressed storage needs `collectstatic` first; the container build runs it.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# PVP report PDFs go through the "reports" storage. REPORT_STORAGE=local (the default) keeps them
# under MEDIA_ROOT/reports, which no URL serves: downloads pass a permission check and are logged.
# REPORT_STORAGE=s3 keeps them in any S3-compatible store (django-storages): set
# AWS_STORAGE_BUCKET_NAME, and AWS_S3_ENDPOINT_URL / AWS_S3_REGION_NAME where the store needs them;
# credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a
# role).
REPORT_STORAGE = os.environ.get("REPORT_STORAGE", "local").strip().lower()
if REPORT_STORAGE == "local":
    STORAGES["reports"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif REPORT_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("REPORT_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    STORAGES["reports"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,
        },
    }
else:
    raise ImproperlyConfigured(f"REPORT_STORAGE must be local or s3, not {REPORT_STORAGE!r}")

# Without `collectstatic` (development, tests) WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", False)

# Sessions and cookies. Secure by default; `make run` serves plain HTTP with DEBUG on.
# A session ends after 30 minutes without a request, and 10 hours after sign-in at most
# (audit_app.accounts.middleware.SessionLifetimeMiddleware, which also renews it on activity).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_MAX_AGE_HOURS = env_int("SESSION_MAX_AGE_HOURS", 10)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks come from the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "case-audit@localhost")

# Celery. With no broker configured, tasks run in-process so the embedded default needs no server.
# The case import (audit_app/rounds): the upload's size, then how much of a file is read before
# it is refused (audit_app/import_reader.py ReadLimits); each can be set by its name.
CASE_IMPORT_MAX_BYTES = env_int("CASE_IMPORT_MAX_BYTES", 20_000_000)
CASE_IMPORT_MAX_ROWS = env_int("CASE_IMPORT_MAX_ROWS", 100_000)
CASE_IMPORT_MAX_COLUMNS = env_int("CASE_IMPORT_MAX_COLUMNS", 256)
CASE_IMPORT_MAX_CELL_CHARS = env_int("CASE_IMPORT_MAX_CELL_CHARS", 32_767)
CASE_IMPORT_MAX_ROW_BYTES = env_int("CASE_IMPORT_MAX_ROW_BYTES", 1_000_000)
CASE_IMPORT_TIME_BUDGET_SECONDS = env_int("CASE_IMPORT_TIME_BUDGET_SECONDS", 120)
CASE_IMPORT_EMPTY_RUN = env_int("CASE_IMPORT_EMPTY_RUN", 1_000)
CASE_IMPORT_MAX_ZIP_ENTRIES = env_int("CASE_IMPORT_MAX_ZIP_ENTRIES", 1_000)
CASE_IMPORT_MAX_SHEET_BYTES = env_int("CASE_IMPORT_MAX_SHEET_BYTES", 100_000_000)
CASE_IMPORT_MAX_SHARED_STRINGS_BYTES = env_int("CASE_IMPORT_MAX_SHARED_STRINGS_BYTES", 50_000_000)
CASE_IMPORT_MAX_SHARED_STRINGS = env_int("CASE_IMPORT_MAX_SHARED_STRINGS", 1_000_000)
CASE_IMPORT_MAX_OTHER_BYTES = env_int("CASE_IMPORT_MAX_OTHER_BYTES", 16_000_000)

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Long tasks (report compiling): acknowledge a message only when its task ends, put it back if the
# worker dies, take one message at a time, and stop a task at the soft then the hard time limit.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_TASK_SOFT_TIME_LIMIT must be positive and below CELERY_TASK_TIME_LIMIT."
    )
# Redis redelivers an unacknowledged task after this long: keep it above the hard limit.
# Redis hands an unacknowledged task to another worker after this long: above the hard limit, so a
# long report is never run twice, and short enough that a killed worker's task is run again.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT * 2),
    # How often a worker sweeps for such tasks (kombu's Redis transport: interval x throttle).
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A queue per kind of work, each with its own worker (docker-compose.yml), so a long import cannot
# hold up a report or an email (a worker started without -Q consumes all three). Routed by task
# name; tests/kernel/test_task_queues.py checks every task (beat's too) has a route to a queue
# here and every queue a worker. A task left unrouted would join the short ones.
CELERY_TASK_QUEUES = {"imports": {}, "reports": {}, "email": {}}
# Feedback to officers: how long an acknowledgement link works, and when (and how often) an
# unacknowledged feedback is chased. Each reminder carries a new link; the old one stops working.
FEEDBACK_LINK_DAYS = env_int("FEEDBACK_LINK_DAYS", 28)
FEEDBACK_REMINDER_DAYS = env_int("FEEDBACK_REMINDER_DAYS", 7)
FEEDBACK_REMINDERS_MAX = env_int("FEEDBACK_REMINDERS_MAX", 2)
if FEEDBACK_LINK_DAYS < 1 or FEEDBACK_REMINDER_DAYS < 1 or FEEDBACK_REMINDERS_MAX < 0:
    raise ImproperlyConfigured(
        "FEEDBACK_LINK_DAYS and FEEDBACK_REMINDER_DAYS must be at least 1, "
        "FEEDBACK_REMINDERS_MAX at least 0."
    )

CELERY_TASK_ROUTES = {
    "rounds.check_case_import": {"queue": "imports"},
    "rounds.save_case_import": {"queue": "imports"},
    "directory.apply_staff_import": {"queue": "imports"},
    "reports.compile_report": {"queue": "reports"},
    "reports.schedule_monthly": {"queue": "reports"},
    "notifications.send": {"queue": "email"},
    "notifications.resend_pending": {"queue": "email"},
    "rounds.flag_overdue_audits": {"queue": "email"},
    "retention.report": {"queue": "email"},
    "feedback.send_reminders": {"queue": "email"},
}
CELERY_TASK_DEFAULT_QUEUE = "email"
# A worker process that has grown past this (KiB of resident memory) is replaced once its task
# ends: memory a task leaves behind does not build up. The import's own limits bound one task.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 512_000)
if CELERY_WORKER_MAX_MEMORY_PER_CHILD < 1:
    raise ImproperlyConfigured("CELERY_WORKER_MAX_MEMORY_PER_CHILD must be a positive KiB count.")

# Celery beat compiles every area's PVP report and the force's, for the month just ended, on this
# day of each month (1-28) at this hour, Europe/London time (CELERY_TIMEZONE above).
REPORT_DAY_OF_MONTH = env_int("REPORT_DAY_OF_MONTH", 5)
REPORT_HOUR = env_int("REPORT_HOUR", 6)
if not 1 <= REPORT_DAY_OF_MONTH <= 28:
    raise ImproperlyConfigured("REPORT_DAY_OF_MONTH must be a day from 1 to 28.")
if not 0 <= REPORT_HOUR <= 23:
    raise ImproperlyConfigured("REPORT_HOUR must be an hour from 0 to 23.")
CELERY_BEAT_SCHEDULE = {
    "monthly-pvp-reports": {
        "task": "reports.schedule_monthly",
        "schedule": crontab(minute=0, hour=REPORT_HOUR, day_of_month=REPORT_DAY_OF_MONTH),
    },
    # Each morning, tell managers and moderators about audits that became overdue.
    "overdue-audits": {
        "task": "rounds.flag_overdue_audits",
        "schedule": crontab(minute=30, hour=7),
    },
    # Emails owed while the broker was down are queued again once it is back.
    "resend-pending-notifications": {
        "task": "notifications.resend_pending",
        "schedule": crontab(minute="*/15"),
    },
    # Each morning, remind officers and supervisors of feedback they have not acknowledged.
    "feedback-reminders": {
        "task": "feedback.send_reminders",
        "schedule": crontab(minute=0, hour=8),
    },
    # Monthly, tell force-wide audit managers what is past retention (erasing needs a person).
    "retention-report": {
        "task": "retention.report",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
}

# The cache holds API rate-limit counters; share it between processes through Redis when set.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "audit_app.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # DRF's throttling answers 429 with Retry-After; counts live in the cache (Redis when set).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    # The anonymous rate is per client: its address is read as sign-in reads it (0 = the
    # connection's address; DRF's default would trust a client-written X-Forwarded-For).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_RATE_USER", "600/minute"),
        "anon": os.environ.get("API_RATE_ANON", "30/minute"),
        # Requests for report versions through the API, per user (audit_app/reports/api.py).
        "report-requests": os.environ.get("API_RATE_REPORT_REQUESTS", "20/hour"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "audit_app.api.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Case Audit API",
    "DESCRIPTION": "Child-protection case audits, moderation, reports and recommendations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The API's description is for signed-in users and token holders only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "GradeEnum": "audit_app.audits.models.Grade",
        "AnswerValueEnum": "audit_app.audits.models.AnswerValue",
        "AuditStateEnum": "audit_app.audits.models.AuditState",
        "ReportStateEnum": "audit_app.reports.models.ReportState",
        "MeetingActionStateEnum": "audit_app.reports.models.ActionState",
        "MeetingActionTypeEnum": "audit_app.reports.models.ActionType",
        "ActionStateEnum": "recommendations.models.ActionState",
        "RatingEnum": "recommendations.models.Rating",
        "AssessorKindEnum": "recommendations.models.AssessorKind",
        "HeadingEnum": "recommendations.models.Heading",
        "TimescaleEnum": "recommendations.models.Timescale",
    },
}

# Records are kept this many years from their round's month (manage.py retention).
RETENTION_YEARS = env_int("RETENTION_YEARS", 7)

# How long the moderator and audit manager have to answer a safeguarding escalation.
ESCALATION_RESPONSE_HOURS = env_int("ESCALATION_RESPONSE_HOURS", 24)

SERVICE_NAME = "Case Audit"
# Links in emails point here.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
FORCE_NAME = os.environ.get("FORCE_NAME", "Lancashire Constabulary")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
