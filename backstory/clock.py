"""One clock for the whole project, so "today" can be frozen by tests and demos.

Set ``BACKSTORY_NOW`` (an ISO datetime) in settings or the environment to freeze it.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone


def now() -> dt.datetime:
    """The current time, aware and in UTC, or the frozen ``BACKSTORY_NOW``."""
    frozen = getattr(settings, "BACKSTORY_NOW", "")
    if frozen:
        value = dt.datetime.fromisoformat(frozen)
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value
    return timezone.now()


def today() -> dt.date:
    """Today's date in the project's time zone."""
    return timezone.localtime(now()).date()
