"""Capture's Celery tasks: thin, idempotent, ids in. Enqueue them with the ``enqueue_*`` helpers,
which wait for the surrounding transaction to commit."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from celery import shared_task
from django.db import transaction

from backstory.celery import app

from .services.engine_work import engine_work_done, engine_work_record, engine_work_sweep

logger = logging.getLogger(__name__)

# The engines that read new activities, written in other apps; each is called only if present.
_AFTER_CAPTURE = (
    ("contacts.services", "contact_engine_process_activities"),
    ("insights.services", "summaries_mark_stale"),
)
_SUMMARIES = (("insights.services", "summaries_mark_stale"),)


def _engine(module_name: str, function_name: str):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise  # the module exists but is broken: that is a bug to see, not a missing engine
        return None
    return getattr(module, function_name, None)


def _call_engines(engines, activity_ids: list[int]) -> list[str]:
    called = []
    for module_name, function_name in engines:
        function = _engine(module_name, function_name)
        if function is None:
            logger.info(
                "%s.%s is not available: skipped for %d activities",
                module_name,
                function_name,
                len(activity_ids),
            )
            continue
        function(activity_ids=activity_ids)
        called.append(f"{module_name}.{function_name}")
    return called


@shared_task(
    name="activities.after_capture",
    queue="capture",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def after_capture(activity_ids: list[int], work_id: int | None = None) -> list[str]:
    """Hand new or re-matched activities to the contact engine and the insights engine; the
    ``EngineWork`` row that recorded this is then done."""
    called = _call_engines(_AFTER_CAPTURE, list(activity_ids))
    engine_work_done(work_id=work_id)
    return called


@shared_task(name="activities.send_owed_engine_work", queue="capture")
def send_owed_engine_work() -> dict:
    """Celery beat, every minute: send again what capture owes the engines and is not done."""
    return engine_work_sweep()


app.conf.beat_schedule.update(
    {
        "activities-send-owed-engine-work": {
            "task": "activities.send_owed_engine_work",
            "schedule": 60.0,
            "options": {"queue": "capture", "expires": 55},
        }
    }
)


@shared_task(
    name="activities.after_removal",
    queue="capture",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def after_removal(activity_ids: list[int]) -> list[str]:
    """An activity was removed from sync: the summaries that counted it are stale."""
    return _call_engines(_SUMMARIES, list(activity_ids))


@shared_task(
    name="activities.rematch_after_crm_change",
    queue="capture",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def rematch_after_crm_change(
    account_ids: list[int] | None = None,
    emails: list[str] | None = None,
    domains: list[str] | None = None,
    contact_ids: list[int] | None = None,
) -> dict:
    """Match again the activities a CRM change affects (manual matches never change)."""
    from .services.rematching import rematch_after_crm_change as run

    report = run(
        account_ids=account_ids or (),
        emails=emails or (),
        domains=domains or (),
        contact_ids=contact_ids or (),
    )
    return {"examined": report.examined, "changed": report.changed, "people_updated": report.people_updated}


@shared_task(
    name="activities.match_activities",
    queue="capture",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def match_activities_task(activity_ids: list[int] | None = None) -> dict:
    """Match a backlog of stored activities (all automatically matched ones when no ids are given)."""
    from .services.rematching import match_activities

    report = match_activities(activity_ids=activity_ids, hand_off=True)
    return {"examined": report.examined, "changed": report.changed}


def enqueue_after_capture(activity_ids: list[int], on_sent: Callable[[bool], None] | None = None) -> None:
    """Record what the engines owe these activities (in the current transaction) and queue
    ``activities.after_capture`` once it commits; if the broker is down the sweeper sends it later."""
    engine_work_record(task_name=after_capture.name, activity_ids=list(activity_ids), on_sent=on_sent)


def summaries_stale_where_matched(activity_ids: list[int]) -> None:
    """The summaries of the accounts and opportunities these activities are matched to now are stale.

    Call it inside the transaction before an activity leaves its account or opportunities, while the
    old match can still be read (the insights engine reads the activities' current matches), and
    after a change that keeps or adds matches.
    """
    _call_engines(_SUMMARIES, list(activity_ids))


def enqueue_after_removal(activity_ids: list[int]) -> None:
    ids = list(activity_ids)
    transaction.on_commit(lambda: after_removal.delay(ids), robust=True)
