"""Settings for Backstory, read once from the environment (django-environ).

Every value has a safe local default: with nothing set, the project runs on an SQLite file,
Celery tasks run eagerly in process, and Salesforce is the local stand-in.
Production hardening lives in ``backstory/settings_production.py``.
"""

from pathlib import Path

import environ
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="backstory-local-development-key-not-for-production")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "backstory",
    "users",
    "accounts",
    "opportunities",
    "contacts",
    "activities",
    "rollups",
    "insights",
    "crm",
    "query_api",
    "support",
    "assistant",
    "pages",
    "connections",
    # Tools, not product code: product code never imports them.
    "salesforce_standin",
    "demo",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "backstory.urls"
WSGI_APPLICATION = "backstory.wsgi.application"
ASGI_APPLICATION = "backstory.asgi.application"

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
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'backstory.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A kept connection (CONN_MAX_AGE, production) is checked before a request or task reuses it, so
# after a database restart the first capture reconnects instead of failing (issue 15).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a Celery-eager import writes; NORMAL sync is safe with WAL
    # (a power cut may lose the last transactions, never corrupt the file) and much faster.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (users/login_throttle.py): failures per username and per address within the window.
AUTHENTICATION_BACKENDS = [
    "users.login_throttle.LoginThrottleBackend",
    "users.authentication.UserBackend",
    # Only for sessions signed in before UserBackend: they name this one, and stay signed in.
    "django.contrib.auth.backends.ModelBackend",
]
BACKSTORY_LOGIN_FAILURES_PER_USER = env.int("BACKSTORY_LOGIN_FAILURES_PER_USER", default=10)
BACKSTORY_LOGIN_FAILURES_PER_ADDRESS = env.int("BACKSTORY_LOGIN_FAILURES_PER_ADDRESS", default=30)
BACKSTORY_LOGIN_LOCKOUT_MINUTES = env.int("BACKSTORY_LOGIN_LOCKOUT_MINUTES", default=15)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="backstory@localhost")
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="support@backstory.ai")

# --- Celery: no broker means every task runs eagerly, in process. ---
_configured_broker = env("CELERY_BROKER_URL", default="")
# Eager tasks still build a producer on .delay(): give them an in-process transport, never a network one.
CELERY_BROKER_URL = _configured_broker or "memory://localhost/"  # a host, or kombu warns on every send
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = not _configured_broker
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Workers ride out a broker outage: they reconnect (forever) instead of exiting, at start-up too.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Late acks: a task whose worker dies is delivered again. Redis redelivers an unacknowledged task
# after the visibility timeout, so it is sized to the longest task (minutes, not kombu's hour).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=1800)
}
# What capture owes the engines and is not done after this long is sent again (activities/services/engine_work.py).
BACKSTORY_ENGINE_WORK_RETRY_MINUTES = env.int("BACKSTORY_ENGINE_WORK_RETRY_MINUTES", default=5)
CELERY_BEAT_SCHEDULE: dict = {}  # each app adds its schedules in its apps.py ready()
# Every queue a task is routed to, so a plain `celery -A backstory worker -B` consumes all of them
# (with no -Q, a worker consumes only the declared queues, or only "default" when none are).
CELERY_TASK_QUEUES = tuple(Queue(name) for name in ("default", "capture", "contacts", "insights", "crm"))
# Seconds a task may run: past the soft limit it is interrupted (SoftTimeLimitExceeded, so it can
# give back what it holds), past the hard limit its worker process is replaced. Tasks that need
# longer say so in their own decorator.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)

# Live capture from connected mailboxes (IMAP) and calendars (CalDAV, ICS feeds): connections/.
# Fernet key(s) for the connections' passwords and tokens; empty: derived from SECRET_KEY (local use).
BACKSTORY_SECRETS_KEY = env("BACKSTORY_SECRETS_KEY", default="")
CONNECTIONS_SYNC_EVERY_SECONDS = env.int("CONNECTIONS_SYNC_EVERY_SECONDS", default=120)
CONNECTIONS_BACKFILL_DAYS = env.int("CONNECTIONS_BACKFILL_DAYS", default=90)
CONNECTIONS_BATCH_SIZE = env.int("CONNECTIONS_BATCH_SIZE", default=200)  # messages fetched and stored at once
# At most this many messages per run; a longer back-fill continues in a follow-up task.
CONNECTIONS_MAX_PER_RUN = env.int("CONNECTIONS_MAX_PER_RUN", default=2_000)
CONNECTIONS_TIMEOUT_SECONDS = env.float("CONNECTIONS_TIMEOUT_SECONDS", default=30.0)  # every network call
CONNECTIONS_RETRY_MAX_SECONDS = env.int("CONNECTIONS_RETRY_MAX_SECONDS", default=3_600)
# One IMAP IDLE wait (then renewed): servers drop an IDLE after about 30 minutes.
CONNECTIONS_IDLE_SECONDS = env.int("CONNECTIONS_IDLE_SECONDS", default=300)

# --- Backstory domain settings ---
# The company's own mail domains: a participant on one of these is internal.
BACKSTORY_INTERNAL_DOMAINS = [
    d.lower() for d in env.list("BACKSTORY_INTERNAL_DOMAINS", default=["lumen-analytics.com"])
]
# Month (1-12) the fiscal year starts in; quarters and years in metrics follow it.
BACKSTORY_FISCAL_YEAR_START_MONTH = env.int("BACKSTORY_FISCAL_YEAR_START_MONTH", default=1)
# An ISO datetime that freezes "now" (demos, tests); empty means the real clock.
BACKSTORY_NOW = env("BACKSTORY_NOW", default="")
# How long a rendered Backstory page and its sections are reused (per reader and summary version).
BACKSTORY_PAGE_CACHE_SECONDS = env.int("BACKSTORY_PAGE_CACHE_SECONDS", default=60)
# Where sessions live: the database here; production keeps them in the cache in front of the
# database (settings_production), which saves every page load a query.
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.db")
# A participant with a new address, named like a contact Backstory created on the same account, is
# that contact's email changing when the old address has had no activity for this many days.
BACKSTORY_EMAIL_CHANGE_QUIET_DAYS = env.int("BACKSTORY_EMAIL_CHANGE_QUIET_DAYS", default=30)
# Bounded capture (RELIABILITY.md): recurring meetings are expanded only inside this window and
# to at most this many occurrences per series; a bigger message is refused and longer text is cut,
# each naming its setting. (The capture API's batch limit, 1,000 items, is in activities/apis.py.)
BACKSTORY_RECURRENCE_DAYS_BACK = env.int("BACKSTORY_RECURRENCE_DAYS_BACK", default=90)
BACKSTORY_RECURRENCE_DAYS_AHEAD = env.int("BACKSTORY_RECURRENCE_DAYS_AHEAD", default=180)
BACKSTORY_RECURRENCE_MAX_OCCURRENCES = env.int("BACKSTORY_RECURRENCE_MAX_OCCURRENCES", default=500)
BACKSTORY_MAX_MESSAGE_MB = env.int("BACKSTORY_MAX_MESSAGE_MB", default=100)
BACKSTORY_MAX_TEXT_KB = env.int("BACKSTORY_MAX_TEXT_KB", default=1024)
# Who owns records created for people who are not CRM users.
BACKSTORY_INTEGRATION_USERNAME = env("BACKSTORY_INTEGRATION_USERNAME", default="integration")

# --- Salesforce ---
# Where Backstory is reached: links in the Tasks and Events it writes point back here.
BACKSTORY_BASE_URL = env("BACKSTORY_BASE_URL", default="http://localhost:8000")
# "standin": the local REST stand-in; "salesforce": a real org; "off": local records are the system of record.
SALESFORCE_MODE = env("SALESFORCE_MODE", default="standin")
SALESFORCE_API_VERSION = env("SALESFORCE_API_VERSION", default="59.0")
SALESFORCE_INSTANCE_URL = env("SALESFORCE_INSTANCE_URL", default="")
SALESFORCE_SESSION_ID = env("SALESFORCE_SESSION_ID", default="")
SALESFORCE_USERNAME = env("SALESFORCE_USERNAME", default="")
SALESFORCE_PASSWORD = env("SALESFORCE_PASSWORD", default="")
SALESFORCE_SECURITY_TOKEN = env("SALESFORCE_SECURITY_TOKEN", default="")
SALESFORCE_DOMAIN = env("SALESFORCE_DOMAIN", default="login")
SALESFORCE_CONSUMER_KEY = env("SALESFORCE_CONSUMER_KEY", default="")
SALESFORCE_CONSUMER_SECRET = env("SALESFORCE_CONSUMER_SECRET", default="")
SALESFORCE_CA_BUNDLE = env("SALESFORCE_CA_BUNDLE", default="")
SALESFORCE_PRIVATE_KEY_FILE = env("SALESFORCE_PRIVATE_KEY_FILE", default="")
# Seconds to wait for a connection and for an answer on every Salesforce call; past them the call
# fails and the outbox retries it, so a silent endpoint never holds a worker.
SALESFORCE_CONNECT_TIMEOUT = env.float("SALESFORCE_CONNECT_TIMEOUT", default=30.0)
SALESFORCE_READ_TIMEOUT = env.float("SALESFORCE_READ_TIMEOUT", default=30.0)
SALESFORCE_STANDIN_PORT = env.int("SALESFORCE_STANDIN_PORT", default=8443)
SALESFORCE_FIELD_BACKSTORY_ID = env("SALESFORCE_FIELD_BACKSTORY_ID", default="Backstory_Id__c")
SALESFORCE_FIELD_CREATED_BY_BACKSTORY = env(
    "SALESFORCE_FIELD_CREATED_BY_BACKSTORY", default="Created_By_Backstory__c"
)
SALESFORCE_FIELD_DEPARTMENT = env("SALESFORCE_FIELD_DEPARTMENT", default="Department__c")
SALESFORCE_FIELD_SENIORITY = env("SALESFORCE_FIELD_SENIORITY", default="Seniority__c")
SALESFORCE_FIELD_PERSONA = env("SALESFORCE_FIELD_PERSONA", default="Persona__c")
SALESFORCE_FIELD_SECONDARY_DOMAINS = env("SALESFORCE_FIELD_SECONDARY_DOMAINS", default="Secondary_Domains__c")
SALESFORCE_FIELD_ACCOUNT_TIER = env("SALESFORCE_FIELD_ACCOUNT_TIER", default="Tier__c")
# Pull and push (crm/sync, crm/push.py; docs/salesforce.md has the retry policy table).
SALESFORCE_PULL_EVERY_SECONDS = env.int("SALESFORCE_PULL_EVERY_SECONDS", default=300)
SALESFORCE_OUTBOX_BACKOFF_SECONDS = env.int("SALESFORCE_OUTBOX_BACKOFF_SECONDS", default=30)
SALESFORCE_OUTBOX_BACKOFF_CAP_SECONDS = env.int("SALESFORCE_OUTBOX_BACKOFF_CAP_SECONDS", default=3600)
SALESFORCE_OUTBOX_MAX_ATTEMPTS = env.int("SALESFORCE_OUTBOX_MAX_ATTEMPTS", default=10)
# Past those attempts, an entry failing for a passing reason (server errors, network) retries at this
# cadence until it is this many days old, then waits on the admin's Sync problems page.
SALESFORCE_OUTBOX_SLOW_RETRY_SECONDS = env.int("SALESFORCE_OUTBOX_SLOW_RETRY_SECONDS", default=3600)
SALESFORCE_OUTBOX_SLOW_RETRY_DAYS = env.int("SALESFORCE_OUTBOX_SLOW_RETRY_DAYS", default=7)
SALESFORCE_PAUSE_SECONDS = env.int("SALESFORCE_PAUSE_SECONDS", default=900)
# The API budget (crm/budget.py): Backstory's share of the org's DailyApiRequests (the starting value
# of the admin-editable "Salesforce API budget"), how often /limits is read, the part of the share
# only pushes may use, and the org's remaining below which Backstory stops for everyone's sake.
SALESFORCE_API_SHARE_PERCENT = env.int("SALESFORCE_API_SHARE_PERCENT", default=20)
SALESFORCE_LIMITS_EVERY_SECONDS = env.int("SALESFORCE_LIMITS_EVERY_SECONDS", default=300)
SALESFORCE_API_PUSH_RESERVE_PERCENT = env.int("SALESFORCE_API_PUSH_RESERVE_PERCENT", default=25)
SALESFORCE_API_ORG_FLOOR_PERCENT = env.int("SALESFORCE_API_ORG_FLOOR_PERCENT", default=5)
# Salesforce Canvas signed requests are checked with the Connected App's consumer secret.
SALESFORCE_CANVAS_CONSUMER_SECRET = env("SALESFORCE_CANVAS_CONSUMER_SECRET", default="")
# Origins allowed to frame the embedded Backstory pages (CSP frame-ancestors).
BACKSTORY_FRAME_ANCESTORS = env.list(
    "BACKSTORY_FRAME_ANCESTORS",
    default=[
        "https://*.salesforce.com",
        "https://*.force.com",
        "https://*.lightning.force.com",
        "https://*.visualforce.com",
    ],
)

# --- Assistant: an OpenAI-compatible endpoint is optional; offline answers otherwise. ---
ASSISTANT_LLM_BASE_URL = env("ASSISTANT_LLM_BASE_URL", default="")
ASSISTANT_LLM_API_KEY = env("ASSISTANT_LLM_API_KEY", default="")
ASSISTANT_LLM_MODEL = env("ASSISTANT_LLM_MODEL", default="gpt-4o-mini")
ASSISTANT_LLM_TIMEOUT = env.float("ASSISTANT_LLM_TIMEOUT", default=20.0)

# --- REST framework and the Query API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "query_api_key": env("QUERY_API_RATE", default="600/min"),
        # Token requests per caller address: guessing a client secret stays slow.
        "query_api_token": env("QUERY_API_TOKEN_RATE", default="30/min"),
    },
}
# Every Query API query stops after this many seconds (504 query_timeout); gunicorn's worker
# timeout (gunicorn.conf.py) is set above it so the API's JSON error always gets out.
QUERY_API_STATEMENT_TIMEOUT = env.float("QUERY_API_STATEMENT_TIMEOUT", default=15.0)
# $regex on SQLite: the most one value may take to match (PostgreSQL: the statement limit above).
QUERY_API_REGEX_TIMEOUT = env.float("QUERY_API_REGEX_TIMEOUT", default=0.1)
SPECTACULAR_SETTINGS = {
    "TITLE": "Backstory API",
    "DESCRIPTION": "Activity capture and the Query API of Backstory.",
    "VERSION": "3.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("QUERY_API_TOKEN_SECONDS", default=3600),
    "SCOPES": {
        "query": "Run Query API queries",
        "capture": "Capture activities for any colleague (POST /api/v1/activities)",
    },
    "DEFAULT_SCOPES": ["query"],
    # "capture" is granted only to keys an admin owns (users/api_keys.py).
    "SCOPES_BACKEND_CLASS": "users.api_keys.ApiKeyScopes",
    # Analysts use client credentials only; adopt every RFC 9700 (OAuth 2.0 Security BCP) behaviour.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://backstory"),
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis outage must slow pages down, not break them (backstory/cache.py).
    CACHES["default"]["BACKEND"] = "backstory.cache.OutageTolerantRedisCache"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
