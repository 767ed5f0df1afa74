"""Read-side queries over the sync state: the outbox and the pull cursors."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum

from backstory.backlog import Backlog

from .models import ApiBudget, ApiCallCount, OutboxEntry, OutboxState, SyncCursor

OUTBOX_STATE_PK = 1
API_BUDGET_PK = 1
DAY = dt.timedelta(hours=24)


def outbox_state_get() -> OutboxState:
    """The outbox's single state row (created on first use)."""
    state, _ = OutboxState.objects.get_or_create(pk=OUTBOX_STATE_PK)
    return state


def outbox_paused_until(*, now: dt.datetime) -> dt.datetime | None:
    """When the current pause ends, or None when the outbox is not paused at `now`."""
    paused_until = (
        OutboxState.objects.filter(pk=OUTBOX_STATE_PK).values_list("paused_until", flat=True).first()
    )
    return paused_until if paused_until and paused_until > now else None


def outbox_due(*, now: dt.datetime) -> QuerySet[OutboxEntry]:
    """Pending entries whose time has come (not waiting for a backoff, not held by a drain), oldest first."""
    return (
        OutboxEntry.objects.filter(status=OutboxEntry.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("id")
    )


def outbox_next_attempt_at() -> dt.datetime | None:
    """The earliest time a pending entry waits for (None when every pending entry is due now or none waits)."""
    return OutboxEntry.objects.filter(
        status=OutboxEntry.Status.PENDING, next_attempt_at__isnull=False
    ).aggregate(first=Min("next_attempt_at"))["first"]


def outbox_counts() -> dict[str, int]:
    """How many entries are pending, done and failed."""
    counts = dict.fromkeys(OutboxEntry.Status.values, 0)
    for row in OutboxEntry.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def outbox_backlog() -> Backlog:
    """The entries still to push to Salesforce (pending, including those held by the API budget)."""
    return Backlog.of(OutboxEntry.objects.filter(status=OutboxEntry.Status.PENDING), "created_at")


def outbox_failed() -> QuerySet[OutboxEntry]:
    """Entries that failed for good, newest first: what an admin should look at."""
    return OutboxEntry.objects.filter(status=OutboxEntry.Status.FAILED).order_by("-id")


def outbox_problems() -> QuerySet[OutboxEntry]:
    """What an admin should look at, newest first: entries that failed for good, and entries past
    the retry horizon that are still retrying at the slow cadence. An entry whose record has since
    gone through (a later entry for it is done) is no longer a problem."""
    horizon = settings.SALESFORCE_OUTBOX_MAX_ATTEMPTS
    later_done = OutboxEntry.objects.filter(
        record_type=OuterRef("record_type"),
        record_id=OuterRef("record_id"),
        object_name=OuterRef("object_name"),
        status=OutboxEntry.Status.DONE,
        id__gt=OuterRef("id"),
    )
    return (
        OutboxEntry.objects.filter(
            Q(status=OutboxEntry.Status.FAILED) | Q(status=OutboxEntry.Status.PENDING, attempts__gte=horizon)
        )
        .exclude(Exists(later_done))
        .order_by("-id")
    )


def sync_cursors() -> QuerySet[SyncCursor]:
    """Where the pull of every object stands."""
    return SyncCursor.objects.order_by("object_name")


def api_budget_get() -> ApiBudget:
    """The API budget's single row, created on first use with SALESFORCE_API_SHARE_PERCENT as the share."""
    budget, _ = ApiBudget.objects.get_or_create(
        pk=API_BUDGET_PK, defaults={"share_percent": settings.SALESFORCE_API_SHARE_PERCENT}
    )
    return budget


def api_calls_window(*, now: dt.datetime) -> QuerySet[ApiCallCount]:
    """Backstory's per-minute call counts inside the rolling 24 hours that end at `now`, oldest first."""
    return ApiCallCount.objects.filter(minute__gt=now - DAY, minute__lte=now).order_by("minute")


def api_calls_used(*, now: dt.datetime) -> int:
    """How many Salesforce API calls Backstory made in the 24 hours up to `now`."""
    return api_calls_window(now=now).aggregate(total=Sum("calls"))["total"] or 0
