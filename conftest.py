"""Project-wide test settings: fast password hashing, eager Celery, and a frozen clock when asked."""

import pytest

# The Salesforce stand-in's fixtures (`salesforce_standin`, `salesforce_standin_factory`) for every app.
pytest_plugins = ["salesforce_standin.pytest_plugin"]


@pytest.fixture(autouse=True)
def _fast_tests(settings):
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
