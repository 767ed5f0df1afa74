"""Sync-state use cases an admin or the drain triggers: retry failed entries, pause and resume,
count Backstory's own Salesforce API calls."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from backstory import clock

from .models import ApiBudget, ApiCallCount, OutboxEntry, OutboxState
from .outbox import outbox_drain_after_commit
from .selectors import api_budget_get, outbox_state_get


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


# Minute counts older than this are of no use to the rolling 24-hour window any more.
CALL_COUNTS_KEPT = dt.timedelta(days=2)


def api_calls_record(*, calls: int = 1, now: dt.datetime | None = None) -> None:
    """Count `calls` Salesforce API calls Backstory just made (every call of SalesforceConnection).

    One counter per minute: its sum over the last 24 hours is Backstory's own use of the org's
    rolling daily limit, which Salesforce only reports for the whole org.
    """
    minute = (now or clock.now()).replace(second=0, microsecond=0)
    if ApiCallCount.objects.filter(minute=minute).update(calls=F("calls") + calls):
        return
    try:
        with transaction.atomic():
            ApiCallCount.objects.create(minute=minute, calls=calls)
    except IntegrityError:  # another worker opened the minute first
        ApiCallCount.objects.filter(minute=minute).update(calls=F("calls") + calls)
        return
    ApiCallCount.objects.filter(minute__lt=minute - CALL_COUNTS_KEPT).delete()


def api_budget_update(**values) -> ApiBudget:
    """Write fields of the API budget row (the org's figures, the last hold) and return it."""
    budget = api_budget_get()
    for name, value in values.items():
        setattr(budget, name, value)
    budget.save(update_fields=[*values, "updated_at"])
    return budget
