"""Capture's Celery tasks: thin, idempotent, ids in. The hand-off to the engines that read
activities is in ``activities/handoff.py``: by task name, after commit."""

from __future__ import annotations

import logging

from celery import shared_task

from backstory.celery import app
from backstory.database import DATABASE_UNAVAILABLE

from .services.engine_work import engine_work_done, engine_work_sweep

logger = logging.getLogger(__name__)


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
    soft_time_limit=1800,  # a whole backlog
    time_limit=1900,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def match_activities_task(activity_ids: list[int] | None = None) -> dict:
    """Match a backlog of stored activities (all automatically matched ones when no ids are given)."""
    from .services.rematching import match_activities

    report = match_activities(activity_ids=activity_ids, hand_off=True)
    return {"examined": report.examined, "changed": report.changed}


@shared_task(
    name="activities.engine_work_done",
    queue="capture",
    # The database restarting: retried, so the row is closed without waiting for the sweeper.
    autoretry_for=DATABASE_UNAVAILABLE,
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=10,
)
def engine_work_done_task(work_id: int) -> None:
    """The last link of a hand-off: the engines ran, nothing is owed for this ``EngineWork`` row."""
    engine_work_done(work_id=work_id)


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
