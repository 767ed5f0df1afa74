"""Sync-state use cases an admin or the drain triggers: retry failed entries, pause and resume."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from backstory import clock

from .models import OutboxEntry, OutboxState
from .outbox import outbox_drain_after_commit
from .selectors import outbox_state_get


@transaction.atomic
def outbox_entries_retry(*, entries: QuerySet[OutboxEntry]) -> int:
    """Send failed (or waiting) entries again at the next drain, with a fresh attempt count.

    Entries already done are left alone. Returns how many entries were re-queued.
    """
    count = entries.exclude(status=OutboxEntry.Status.DONE).update(
        status=OutboxEntry.Status.PENDING,
        attempts=0,
        next_attempt_at=None,
        claim_token="",
        completed_at=None,
    )
    if count:
        outbox_drain_after_commit()
    return count


@transaction.atomic
def outbox_pause(*, until: dt.datetime, reason: str) -> OutboxState:
    """Stop pushing until `until` (Salesforce refused calls for the API limit). A longer pause wins."""
    state = OutboxState.objects.select_for_update().get(pk=outbox_state_get().pk)
    if state.paused_until is None or state.paused_until < until:
        state.paused_until = until
        state.pause_reason = reason[:2000]
        state.save(update_fields=["paused_until", "pause_reason", "updated_at"])
    return state


@transaction.atomic
def outbox_resume() -> OutboxState:
    """End a pause now and drain what waited."""
    state = OutboxState.objects.select_for_update().get(pk=outbox_state_get().pk)
    state.paused_until = None
    state.pause_reason = ""
    state.save(update_fields=["paused_until", "pause_reason", "updated_at"])
    outbox_drain_after_commit()
    return state


def outbox_record_drain(*, summary: str) -> None:
    """Remember when the outbox was last drained and what happened (shown in the admin)."""
    OutboxState.objects.filter(pk=outbox_state_get().pk).update(
        last_drain_at=clock.now(), last_drain_summary=summary[:255]
    )
