"""Production settings: the local defaults plus the hardening `manage.py check --deploy` asks for.

Use with DJANGO_SETTINGS_MODULE=backstory.settings_production and a real SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL in the environment, and start it with ``bin/serve``: static files are
served from the collected manifest (``collectstatic``), which bin/serve builds before gunicorn starts.
"""

from .settings import *  # noqa: F403
from .settings import DATABASES, env

SECRET_KEY = env("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages open inside Salesforce iframes: cookies must cross sites, so they need SameSite=None; Secure.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "None"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "None"
X_FRAME_OPTIONS = "DENY"

# Page speed: keep database connections, and read sessions from the cache (set CACHE_URL to Redis).
# cached_db: every session is also in the database, so a cache outage signs nobody out.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
