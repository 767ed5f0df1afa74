"""Capture's hand-off to the engines that read activities, by Celery task name.

Capture sits below the contact engine and the insights engine in the house (docs/architecture.md):
it never imports them. It names their tasks instead, and Celery finds them in the process that runs
them: eagerly in this one when there is no broker, on their own queues (`contacts`, `insights`)
with a worker. Every hand-off waits for the surrounding transaction to commit.

Every hand-off is recorded first as an ``EngineWork`` row in the caller's transaction, sent after
commit, and swept until done (activities/services/engine_work.py): a broker outage delays it, never
loses it.

| hand-off (``EngineWork.task_name``) | tasks, in order |
|---|---|
| new or re-matched activities (`after_capture`) | `contacts.process_activities`, `insights.summaries_mark_stale`, `activities.engine_work_done` |
| an activity removed from sync (`after_removal`) | `insights.summaries_mark_stale`, `activities.engine_work_done` |
| before an activity leaves its account or opportunities (`summaries_stale`) | `insights.summaries_mark_stale` of where it was, `activities.engine_work_done` |
| a CRM change that may match activities anew (`rematch_after_crm_change`) | `activities.rematch_after_crm_change` (which hands off what it re-matched), `activities.engine_work_done` |
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from celery import chain, current_app

from .selectors import records_matched_to

# The EngineWork names of the hand-offs below.
AFTER_CAPTURE = "after_capture"
AFTER_REMOVAL = "after_removal"
SUMMARIES_STALE = "summaries_stale"
REMATCH_AFTER_CRM_CHANGE = "rematch_after_crm_change"
REMATCH_TASK = "activities.rematch_after_crm_change"
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


def engine_work_signature(work):
    """What sending an ``EngineWork`` row means: the engines' tasks in order, then the row is done."""
    if work.task_name == AFTER_CAPTURE:
        engines = [
            _task(CONTACT_ENGINE, activity_ids=work.activity_ids),
            _task(SUMMARIES_MARK_STALE, activity_ids=work.activity_ids),
        ]
    elif work.task_name == AFTER_REMOVAL:
        engines = [_task(SUMMARIES_MARK_STALE, activity_ids=work.activity_ids)]
    elif work.task_name == SUMMARIES_STALE:
        engines = [
            _task(SUMMARIES_MARK_STALE, account_ids=work.account_ids, opportunity_ids=work.opportunity_ids)
        ]
    elif work.task_name == REMATCH_AFTER_CRM_CHANGE:
        engines = [_task(REMATCH_TASK, **work.payload)]
    else:
        raise ValueError(f"unknown hand-off {work.task_name!r}")
    return chain(*engines, _task(ENGINE_WORK_DONE, work_id=work.pk))


def hand_off_after_removal(activity_ids: Iterable[int]) -> None:
    """After commit, the summaries that counted these activities (removed from sync) are stale.

    Recorded in the caller's transaction (``EngineWork``) like every hand-off: never lost to a
    broker outage.
    """
    from .services.engine_work import engine_work_record  # services import this module: import on use

    for ids in _batches(activity_ids):
        engine_work_record(task_name=AFTER_REMOVAL, activity_ids=ids)


def summaries_stale_where_matched(activity_ids: Iterable[int]) -> None:
    """The summaries of the accounts and opportunities these activities are matched to now are stale.

    Call it inside the transaction before an activity leaves its account or opportunities: the old
    match is read now, recorded (``EngineWork``), and the summaries are marked after commit. Also
    after a change that keeps or adds matches.
    """
    from .services.engine_work import engine_work_record  # services import this module: import on use

    activity_ids = list(dict.fromkeys(activity_ids))
    account_ids, opportunity_ids = records_matched_to(activity_ids=activity_ids)
    if not (account_ids or opportunity_ids):
        return
    engine_work_record(
        task_name=SUMMARIES_STALE,
        activity_ids=activity_ids,
        account_ids=sorted(account_ids),
        opportunity_ids=sorted(opportunity_ids),
    )


def hand_off_rematch_after_crm_change(payload: dict) -> None:
    """After commit, match again what a CRM change affects (``payload``: the keyword arguments of
    ``activities.rematch_after_crm_change``). Recorded in the caller's transaction like every
    hand-off: a broker outage delays the re-match, never loses it."""
    from .services.engine_work import engine_work_record  # services import this module: import on use

    engine_work_record(task_name=REMATCH_AFTER_CRM_CHANGE, activity_ids=[], payload=payload)
