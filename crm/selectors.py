"""Read-side queries over the sync state: the outbox and the pull cursors."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q, QuerySet

from .models import OutboxEntry, OutboxState, SyncCursor

OUTBOX_STATE_PK = 1


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


def outbox_failed() -> QuerySet[OutboxEntry]:
    """Entries that failed for good, newest first: what an admin should look at."""
    return OutboxEntry.objects.filter(status=OutboxEntry.Status.FAILED).order_by("-id")


def sync_cursors() -> QuerySet[SyncCursor]:
    """Where the pull of every object stands."""
    return SyncCursor.objects.order_by("object_name")
