"""Project-wide test settings: fast password hashing, eager Celery, and a frozen clock when asked."""

import pytest

# The Salesforce stand-in's fixtures (`salesforce_standin`, `salesforce_standin_factory`) for every app.
pytest_plugins = ["salesforce_standin.pytest_plugin"]


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    # Every test starts with an empty cache: the page cache is keyed by record id and summary
    # version, which a later test's fresh database can repeat (a browser test saw another test's
    # People section).
    from django.core.cache import cache

    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def frozen_now(settings):
    """Freeze backstory.clock at 2026-11-23 12:00 UTC; returns that datetime."""
    import datetime as dt

    settings.BACKSTORY_NOW = "2026-11-23T12:00:00+00:00"
    return dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
