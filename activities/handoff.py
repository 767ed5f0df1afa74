"""Capture's hand-off to the engines that read activities, by Celery task name.

Capture sits below the contact engine and the insights engine in the house (docs/architecture.md):
it never imports them. It names their tasks instead, and Celery finds them in the process that runs
them: eagerly in this one when there is no broker, on their own queues (`contacts`, `insights`)
with a worker. Every hand-off waits for the surrounding transaction to commit.

| hand-off | tasks, in order |
|---|---|
| new or re-matched activities | `contacts.process_activities`, then `insights.summaries_mark_stale`, then `activities.engine_work_done` (recorded first as an `EngineWork` row, swept until done) |
| an activity removed from sync | `insights.summaries_mark_stale` |
| before an activity leaves its account or opportunities | `insights.summaries_mark_stale` of where it was |
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from celery import chain, current_app
from django.db import transaction

from .selectors import records_matched_to

AFTER_CAPTURE = "after_capture"  # the EngineWork name of the hand-off below
CONTACT_ENGINE = "contacts.process_activities"
ENGINE_WORK_DONE = "activities.engine_work_done"
SUMMARIES_MARK_STALE = "insights.summaries_mark_stale"
# One message carries at most this many activities (the contact engine's task takes 5,000 at most).
BATCH_SIZE = 1_000


def _batches(activity_ids: Iterable[int]) -> list[list[int]]:
    ids = list(dict.fromkeys(activity_ids))
    return [ids[start : start + BATCH_SIZE] for start in range(0, len(ids), BATCH_SIZE)]


def _task(name: str, **kwargs):
    # immutable: a task in a chain gets its own arguments, not the result of the one before.
    return current_app.signature(name, kwargs=kwargs, immutable=True)


def hand_off_after_capture(
    activity_ids: Iterable[int], *, on_sent: Callable[[bool], None] | None = None
) -> None:
    """After commit, the contact engine reads these new or re-matched activities, then the summaries
    of their accounts and opportunities are marked stale (the contact engine first: the summary's
    people are the contacts it links).

    What is owed is recorded now, in the caller's transaction (``EngineWork``), and sent after
    commit; if the broker is down it is sent again by the sweeper, never lost. ``on_sent`` hears
    whether the broker took it.
    """
    from .services.engine_work import engine_work_record  # services import this module: import on use

    for ids in _batches(activity_ids):
        engine_work_record(task_name=AFTER_CAPTURE, activity_ids=ids, on_sent=on_sent)


def engine_work_signature(*, task_name: str, activity_ids: list[int], work_id: int):
    """What sending an ``EngineWork`` row means: the engines' tasks in order, then the row is done."""
    if task_name != AFTER_CAPTURE:
        raise ValueError(f"unknown hand-off {task_name!r}")
    return chain(
        _task(CONTACT_ENGINE, activity_ids=activity_ids),
        _task(SUMMARIES_MARK_STALE, activity_ids=activity_ids),
        _task(ENGINE_WORK_DONE, work_id=work_id),
    )


def hand_off_after_removal(activity_ids: Iterable[int]) -> None:
    """After commit, the summaries that counted these activities (removed from sync) are stale."""
    batches = _batches(activity_ids)

    def send() -> None:
        for ids in batches:
            _task(SUMMARIES_MARK_STALE, activity_ids=ids).apply_async()

    transaction.on_commit(send, robust=True)


def summaries_stale_where_matched(activity_ids: Iterable[int]) -> None:
    """The summaries of the accounts and opportunities these activities are matched to now are stale.

    Call it inside the transaction before an activity leaves its account or opportunities: the old
    match is read now, and the summaries are marked after commit. Also after a change that keeps or
    adds matches.
    """
    account_ids, opportunity_ids = records_matched_to(activity_ids=activity_ids)
    if not (account_ids or opportunity_ids):
        return
    task = _task(
        SUMMARIES_MARK_STALE, account_ids=sorted(account_ids), opportunity_ids=sorted(opportunity_ids)
    )
    transaction.on_commit(task.apply_async, robust=True)
