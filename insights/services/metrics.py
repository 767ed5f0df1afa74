"""Engagement metrics per period: meetings, executives engaged, emails sent and received, calls,
time spent, response rate, people engaged, and the weekly activity trend.

Three grouped queries per kind of record (activities, participants, weeks), each with one
conditional aggregate per period, whatever the number of records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from activities.models import Activity, Participant
from contacts.rules import EXECUTIVE_SENIORITIES

from ..periods import period_range
from .records import (
    CALL,
    EMAIL_RECEIVED,
    EMAIL_SENT,
    MEETING,
    SCOPES,
    binary,
    component_of,
    counted,
    with_heavy_reads,
)

# Seed: "Engagement Metrics provide a detailed look into activity across the opportunity or account,
# including number of meetings, executives engaged, and emails sent and received. You can adjust the
# time period of these metrics using the dropdown."
METRIC_PERIODS = ("last_7_days", "last_30_days", "last_90_days", "current_quarter", "current_year")
# Time spent: the minutes of meetings and calls as scheduled, plus an estimate per email:
# five minutes to write one we send, two to read one we receive.
EMAIL_SENT_MINUTES = 5
EMAIL_RECEIVED_MINUTES = 2
# Weekly activity for the page's chart, which follows the chosen period: "This year" is the longest.
TREND_WEEKS = 53

METRIC_NAMES = (
    "meetings",
    "executives_engaged",
    "emails_sent",
    "emails_received",
    "calls",
    "time_spent_minutes",
    "response_rate",
    "people_engaged",
)


def answered_by_reply(prefix: str) -> Exists:
    """An outbound email is answered when an inbound email in the same thread came after it.
    Use it on outbound emails with a thread id: on a blank thread id it would walk every activity
    without one."""
    return Exists(
        Activity.objects.filter(
            thread_id=OuterRef(f"{prefix}thread_id"),
            kind=Activity.Kind.EMAIL,
            direction=Activity.Direction.INBOUND,
            occurred_at__gt=OuterRef(f"{prefix}occurred_at"),
            removed_from_sync_at__isnull=True,
        )
    )


def empty_period_metrics() -> dict:
    return {
        "meetings": 0,
        "executives_engaged": 0,
        "emails_sent": 0,
        "emails_received": 0,
        "calls": 0,
        "time_spent_minutes": 0,
        "response_rate": None,
        "people_engaged": 0,
    }


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@with_heavy_reads
def engagement_metrics(
    *, kind: str, record_ids: Iterable[int] | None, now: dt.datetime, today: dt.date
) -> dict[int, dict]:
    """``Summary.metrics`` of every account or opportunity (``kind``) given: one dict per period
    (``METRIC_PERIODS``) and the activity count of each of the last 12 weeks (``trend``).

    A period counts what already happened: from its start up to ``now``.
    """
    scope = SCOPES[kind]
    ids = None if record_ids is None else list(record_ids)
    prefix = scope.prefix
    occurred = f"{prefix}occurred_at"
    ranges = {name: period_range(name, today=today) for name in METRIC_PERIODS}
    earliest = min(start for start, _ in ranges.values())
    in_period = {
        name: Q(**{f"{occurred}__gte": start, f"{occurred}__lte": min(end, now)})
        for name, (start, end) in ranges.items()
    }

    # All periods end now, so "in the period" is "on or after its start": one pass with a filtered
    # count per period, grouped on the raw kind and direction (cheap to compare).
    aggregates = {}
    for name, when in in_period.items():
        aggregates[f"{name}|n"] = Count("pk", filter=when)
        aggregates[f"{name}|minutes"] = Sum(f"{prefix}duration_minutes", filter=when, default=0)
    activity_rows = (
        scope.activity_rows(ids)
        .filter(counted(prefix, start=None, end=now), **{f"{occurred}__gte": earliest})
        .values(scope.key, f"{prefix}kind", f"{prefix}direction")
        .annotate(**aggregates)
        .order_by()
    )
    # Answered emails in a query of their own, so each outbound email's reply is looked up once.
    answered_rows = (
        scope.activity_rows(ids)
        .filter(
            counted(prefix, start=None, end=now),
            **{
                f"{occurred}__gte": earliest,
                f"{prefix}kind": Activity.Kind.EMAIL,
                f"{prefix}direction": Activity.Direction.OUTBOUND,
            },
        )
        .exclude(**{f"{prefix}thread_id": ""})
        .filter(answered_by_reply(prefix))
        .values(scope.key)
        .annotate(**{f"{name}|answered": Count("pk", filter=when) for name, when in in_period.items()})
        .order_by()
    )
    answered = {row[scope.key]: row for row in answered_rows}
    results: dict[int, dict] = {}
    outbound: dict[tuple[int, str], int] = {}
    for row in activity_rows:
        record_id, kind, direction = row[scope.key], row[f"{prefix}kind"], row[f"{prefix}direction"]
        metrics = results.setdefault(record_id, {name: empty_period_metrics() for name in METRIC_PERIODS})
        field_name = {
            MEETING: "meetings",
            CALL: "calls",
            EMAIL_SENT: "emails_sent",
            EMAIL_RECEIVED: "emails_received",
        }[component_of(kind, direction)]
        for name in METRIC_PERIODS:
            values = metrics[name]
            count = row[f"{name}|n"]
            values[field_name] += count
            if kind == Activity.Kind.EMAIL:
                values["time_spent_minutes"] += count * (
                    EMAIL_RECEIVED_MINUTES if field_name == "emails_received" else EMAIL_SENT_MINUTES
                )
                if direction == Activity.Direction.OUTBOUND:
                    outbound[(record_id, name)] = outbound.get((record_id, name), 0) + count
            else:
                values["time_spent_minutes"] += int(row[f"{name}|minutes"] or 0)
    for (record_id, name), sent in outbound.items():
        if sent:
            replies = answered.get(record_id, {}).get(f"{name}|answered", 0)
            results[record_id][name]["response_rate"] = round(100.0 * replies / sent, 1)

    # People engaged in a period are those whose latest activity falls in it (periods end now).
    period_starts = {name: start for name, (start, _) in ranges.items()}
    people_rows = (
        scope.participant_rows(ids)
        .filter(
            counted("activity__", start=None, end=now), is_internal=False, activity__occurred_at__gte=earliest
        )
        .exclude(response=Participant.Response.DECLINED)
        .annotate(_email=binary("email"))
        .values(scope.participant_key, "_email", "contact__seniority")
        .annotate(_last=Max("activity__occurred_at"))
        .order_by()
    )
    engaged: dict[int, dict[str, set[str]]] = {}
    for row in people_rows:
        record_id = row[scope.participant_key]
        metrics = results.setdefault(record_id, {name: empty_period_metrics() for name in METRIC_PERIODS})
        for name, start in period_starts.items():
            if row["_last"] >= start:
                sets = engaged.setdefault(record_id, {}).setdefault(name, set())
                sets.add(row["_email"])
                if row["contact__seniority"] in EXECUTIVE_SENIORITIES:
                    engaged[record_id].setdefault(f"{name}|executives", set()).add(row["_email"])
    for record_id, sets in engaged.items():
        for name in METRIC_PERIODS:
            results[record_id][name]["people_engaged"] = len(sets.get(name, ()))
            results[record_id][name]["executives_engaged"] = len(sets.get(f"{name}|executives", ()))

    first_week = _week_start(today) - dt.timedelta(weeks=TREND_WEEKS - 1)
    weeks = [first_week + dt.timedelta(weeks=n) for n in range(TREND_WEEKS)]
    zone_start = dt.datetime.combine(first_week, dt.time.min, tzinfo=timezone.get_default_timezone())
    weekly = (
        scope.activity_rows(ids)
        .filter(counted(prefix, start=None, end=now), **{f"{occurred}__gte": zone_start})
        .annotate(_week=TruncWeek(F(occurred)))
        .values(scope.key, "_week")
        .annotate(_n=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[dt.date, int]] = {}
    for row in weekly:
        week = row["_week"].date() if isinstance(row["_week"], dt.datetime) else row["_week"]
        counts.setdefault(row[scope.key], {})[week] = row["_n"]
    for record_id in set(results) | set(counts) | set(ids or ()):
        metrics = results.setdefault(record_id, {name: empty_period_metrics() for name in METRIC_PERIODS})
        by_week = counts.get(record_id, {})
        metrics["trend"] = [
            {"week_start": week.isoformat(), "activities": by_week.get(week, 0)} for week in weeks
        ]
    return results
