"""Named time periods ("last_30_days", "current_quarter", ...) as datetime ranges.

One module for every place that turns a period name into dates: the engagement metrics of the
Backstory pages and the Query API's variations (``ootb_emails_sent_current_quarter``).

- A range is half-open, ``start <= t < end``, two aware datetimes at midnight in the project's
  time zone (``settings.TIME_ZONE``).
- "Today" is ``backstory.clock.today()`` unless a ``today`` is given.
- Rolling periods end with today: ``last_7_days`` is today and the six days before it.
- Weeks start on Monday. Quarters and years are fiscal: the fiscal year starts on the first day of
  ``settings.BACKSTORY_FISCAL_YEAR_START_MONTH`` (1 = January, so fiscal = calendar by default).
- ``current_*`` periods end when the period ends, in the future; count only what already happened
  by also bounding with "now" where that matters (a meeting next week has not been held).

    >>> period_range("current_quarter", today=date(2026, 11, 23))   # fiscal year from January
    (datetime(2026, 10, 1, 0, 0, tzinfo=UTC), datetime(2027, 1, 1, 0, 0, tzinfo=UTC))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from backstory import clock

__all__ = [
    "PERIODS",
    "UnknownPeriod",
    "add_months",
    "fiscal_quarter_start",
    "fiscal_year_start",
    "period_dates",
    "period_range",
]


class UnknownPeriod(ValueError):
    """The period name is not one of ``PERIODS``."""


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def fiscal_year_start(day: dt.date, *, start_month: int | None = None) -> dt.date:
    """First day of the fiscal year containing ``day``."""
    month = start_month or settings.BACKSTORY_FISCAL_YEAR_START_MONTH
    year = day.year if day.month >= month else day.year - 1
    return dt.date(year, month, 1)


def fiscal_quarter_start(day: dt.date, *, start_month: int | None = None) -> dt.date:
    """First day of the fiscal quarter containing ``day``."""
    year_start = fiscal_year_start(day, start_month=start_month)
    months_in = (day.year - year_start.year) * 12 + day.month - year_start.month
    return add_months(year_start, (months_in // 3) * 3)


def _rolling(days: int) -> Callable[[dt.date], tuple[dt.date, dt.date]]:
    return lambda today: (today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1))


def _current_week(today: dt.date) -> tuple[dt.date, dt.date]:
    start = today - dt.timedelta(days=today.weekday())
    return start, start + dt.timedelta(days=7)


def _last_week(today: dt.date) -> tuple[dt.date, dt.date]:
    start, _ = _current_week(today)
    return start - dt.timedelta(days=7), start


def _current_month(today: dt.date) -> tuple[dt.date, dt.date]:
    start = today.replace(day=1)
    return start, add_months(start, 1)


def _last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    start = today.replace(day=1)
    return add_months(start, -1), start


def _current_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    start = fiscal_quarter_start(today)
    return start, add_months(start, 3)


def _last_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    start = fiscal_quarter_start(today)
    return add_months(start, -3), start


def _current_year(today: dt.date) -> tuple[dt.date, dt.date]:
    start = fiscal_year_start(today)
    return start, add_months(start, 12)


def _last_year(today: dt.date) -> tuple[dt.date, dt.date]:
    start = fiscal_year_start(today)
    return add_months(start, -12), start


# name -> (label, rule); the order is the order a period dropdown shows them in.
_RULES: dict[str, tuple[str, Callable[[dt.date], tuple[dt.date, dt.date]]]] = {
    "last_7_days": ("Last 7 days", _rolling(7)),
    "last_30_days": ("Last 30 days", _rolling(30)),
    "last_90_days": ("Last 90 days", _rolling(90)),
    "current_week": ("This week", _current_week),
    "last_week": ("Last week", _last_week),
    "current_month": ("This month", _current_month),
    "last_month": ("Last month", _last_month),
    "current_quarter": ("This quarter", _current_quarter),
    "last_quarter": ("Last quarter", _last_quarter),
    "current_year": ("This year", _current_year),
    "last_year": ("Last year", _last_year),
}

#: Every period name with its label, e.g. ``PERIODS["current_quarter"] == "This quarter"``.
PERIODS: dict[str, str] = {name: label for name, (label, _) in _RULES.items()}


def period_dates(name: str, *, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The period ``name`` as dates: ``(first day, day after the last day)``."""
    try:
        _, rule = _RULES[name]
    except KeyError:
        raise UnknownPeriod(f"Unknown period {name!r}; expected one of {', '.join(PERIODS)}") from None
    return rule(today or clock.today())


def period_range(name: str, *, today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The period ``name`` as aware datetimes ``(start, end)``: midnights in the project's time zone,
    ``start`` included and ``end`` excluded."""
    first, after_last = period_dates(name, today=today)
    zone = timezone.get_default_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=zone),
        dt.datetime.combine(after_last, dt.time.min, tzinfo=zone),
    )
