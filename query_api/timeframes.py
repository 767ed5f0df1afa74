"""The time window behind each variation period of the metrics reference.

A variation id is ``{slug}_{period}``; this module says which span of days each period means and
turns it into the half-open datetime window ``[starts_at, ends_at)`` the SQL compares with.
Calendar arithmetic (weeks, months, fiscal quarters and years from
``settings.BACKSTORY_FISCAL_YEAR_START_MONTH``) is ``insights.periods``, shared with the pages.

Meaning of each period (dates in the project time zone, both ends included):

* ``last_7_days`` / ``last_30_days`` / ``last_90_days``: the last N calendar days, today included.
* ``current_week``: Monday to Sunday of this week; ``current_month``: this calendar month;
  ``current_quarter`` / ``current_year``: this fiscal quarter / fiscal year.
* ``last_month`` / ``last_quarter`` / ``last_year``: the previous calendar month, fiscal quarter,
  fiscal year.
* User metrics' ``daily`` / ``weekly`` / ``monthly`` / ``quarterly`` / ``yearly``: the current day,
  week, month, fiscal quarter and fiscal year (the same windows as ``current_*``; today for daily).
* ``current`` and ``total``: no window (everything up to now).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from insights.periods import period_dates

# The reference's periods that name a span of days, and the user metrics' words for them.
CALENDAR_PERIODS = (
    "last_7_days",
    "last_30_days",
    "last_90_days",
    "current_week",
    "current_month",
    "current_quarter",
    "current_year",
    "last_month",
    "last_quarter",
    "last_year",
)
USER_CADENCES = {
    "daily": "today",
    "weekly": "current_week",
    "monthly": "current_month",
    "quarterly": "current_quarter",
    "yearly": "current_year",
}
ALL_TIME_PERIODS = ("current", "total")


@dataclass(frozen=True)
class Window:
    """A span of whole days, both ends included; ``None`` ends mean "unbounded"."""

    first_day: dt.date | None
    last_day: dt.date | None

    @property
    def is_all_time(self) -> bool:
        return self.first_day is None and self.last_day is None

    @property
    def starts_at(self) -> dt.datetime | None:
        """Midnight at the start of ``first_day`` in the project time zone."""
        return None if self.first_day is None else _midnight(self.first_day)

    @property
    def ends_at(self) -> dt.datetime | None:
        """Midnight after ``last_day``: the window is ``[starts_at, ends_at)``."""
        return None if self.last_day is None else _midnight(self.last_day + dt.timedelta(days=1))


ALL_TIME = Window(None, None)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def window_for(period: str, *, today: dt.date) -> Window:
    """The window a variation period means on ``today``; ``ALL_TIME`` for ``current`` and ``total``."""
    if period in ALL_TIME_PERIODS:
        return ALL_TIME
    name = USER_CADENCES.get(period, period)
    if name == "today":
        return Window(today, today)
    first, after_last = period_dates(name, today=today)
    return Window(first, after_last - dt.timedelta(days=1))
