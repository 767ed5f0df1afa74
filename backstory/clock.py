"""One clock for the whole project, so "today" can be frozen by tests and demos.

Set ``BACKSTORY_NOW`` (an ISO datetime) in settings or the environment to freeze it.
"""

import datetime as dt
import zoneinfo

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


def user_zone(user) -> zoneinfo.ZoneInfo:
    """The user's time zone (``User.time_zone``); UTC when it is empty or unknown."""
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def user_today(user) -> dt.date:
    """Today in the user's time zone, from the project clock."""
    return now().astimezone(user_zone(user)).date()
