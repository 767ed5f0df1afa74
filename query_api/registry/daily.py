"""Metrics that are a sum over days read the daily rollups (the ``rollups`` app), not raw activities.

A window of whole days is read as the month rows it covers entirely plus the day rows at its edges,
so a year is about a dozen rows per record and the last 30 days at most 30. The rollups are kept
equal to the raw rows by capture, matching, Edit Match and removal from sync (``rollups.services``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import DateField, IntegerField, Q, Value
from django.db.models.functions import Coalesce, TruncDate

from query_api.timeframes import Window

from . import activity
from .sql import Computed, Tally, percent, tallied
from .types import QueryContext, Variation

RELATION = "daily_rollups"


def rolled_up(variation: Variation, counter: str) -> Computed:
    """The sum of one rollup counter over the variation's days (0 without any)."""
    return tallied(_sum(variation.window, counter), default=0)


def rolled_up_percent(variation: Variation, part: str, whole: str) -> Computed:
    """``part`` as a percentage of ``whole`` over the variation's days (null when ``whole`` is 0)."""
    return Computed((_sum(variation.window, part), _sum(variation.window, whole)), percent)


def held_up_to_now(variation: Variation, ctx: QueryContext, today_tally) -> Computed:
    """Meetings held in the window: the rollups' days before today, and today's meetings that have
    started (raw rows of one day: ``today_tally(condition)`` builds that tally)."""
    window = variation.window
    yesterday = ctx.today - dt.timedelta(days=1)
    tallies = []
    last = yesterday if window.last_day is None else min(window.last_day, yesterday)
    if window.first_day is None or window.first_day <= last:
        tallies.append(_sum(Window(window.first_day, last), "meetings"))
    covers_today = (window.first_day is None or window.first_day <= ctx.today) and (
        window.last_day is None or ctx.today <= window.last_day
    )
    if covers_today:
        midnight = Window(ctx.today, ctx.today).starts_at
        started = activity.MEETINGS & Q(occurred_at__gte=midnight, occurred_at__lte=ctx.now)
        tallies.append(today_tally(activity.IN_SYNC & started))
    if not tallies:
        return Computed((), lambda: Value(0, output_field=IntegerField()))
    return Computed(
        tuple(tallies),
        lambda *values: sum(
            (Coalesce(value, Value(0), output_field=IntegerField()) for value in values[1:]),
            Coalesce(values[0], Value(0), output_field=IntegerField()),
        ),
    )


def last_day_with(ctx: QueryContext, counter: str, today_tally) -> Computed:
    """The last day ``counter`` counted something: today when ``today_tally(condition)`` (the raw
    rows of today so far, a MAX of their time) finds one, else the latest earlier day row above 0
    (one backwards probe of the rollups' (record, is_month, day) index per record)."""
    before_today = Tally(
        RELATION,
        "MAX",
        "day",
        Q(is_month=False, day__lt=ctx.today, **{f"{counter}__gt": 0}),
        output_field=DateField(),
        probe=True,
    )
    midnight = Window(ctx.today, ctx.today).starts_at
    today = today_tally(Q(occurred_at__gte=midnight))
    return Computed(
        (today, before_today),
        lambda at_today, day: Coalesce(TruncDate(at_today), day, output_field=DateField()),
    )


def _sum(window: Window, counter: str) -> Tally:
    return Tally(RELATION, "SUM", counter, days_and_months(window), compact=True)


def days_and_months(window: Window) -> Q:
    """The rollup rows that add up to ``window``: whole months as month rows, the rest as days."""
    first, last = window.first_day, window.last_day
    months_from = first if first is None or first.day == 1 else _next_month(first)
    after_last = None if last is None else last + dt.timedelta(days=1)
    months_until = None if after_last is None else after_last.replace(day=1)  # exclusive
    if months_from is not None and months_until is not None and months_from >= months_until:
        return _days(first, last)
    rows = Q(is_month=True)
    if months_from is not None:
        rows &= Q(day__gte=months_from)
    if months_until is not None:
        rows &= Q(day__lt=months_until)
    if first is not None and first < months_from:
        rows |= _days(first, months_from - dt.timedelta(days=1))
    if last is not None and months_until <= last:
        rows |= _days(months_until, last)
    return rows


def whole_months(window: Window) -> tuple[dt.date | None, dt.date | None] | None:
    """``(first month, month after the last)`` when ``window`` is made of whole months (either end
    may be open), else None."""
    first, last = window.first_day, window.last_day
    if first is not None and first.day != 1:
        return None
    after_last = None if last is None else last + dt.timedelta(days=1)
    if after_last is not None and after_last.day != 1:
        return None
    return first, after_last


def _days(first: dt.date | None, last: dt.date | None) -> Q:
    rows = Q(is_month=False)
    if first is not None:
        rows &= Q(day__gte=first)
    if last is not None:
        rows &= Q(day__lte=last)
    return rows


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
