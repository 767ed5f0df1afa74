"""The crm Celery tasks (queue "crm"): the outbox drain and the scheduled pull.

Both are idempotent and take no state but ids and names: a drain sends what is due at the time it
runs, a pull continues from each object's checkpoint. Salesforce's own failures never fail a task
(they become outbox retries or the pull's report); a database error is retried with backoff.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from backstory import clock
from backstory.celery import app

from .client import SalesforceNotConfigured
from .connection import SalesforceSessionRefused, SalesforceUnreachable
from .push import outbox_drain
from .sync import salesforce_pull

logger = logging.getLogger(__name__)

# A drain that leaves entries due within this many seconds schedules itself again; later ones
# are picked up by the beat safety net.
FOLLOW_UP_WITHIN_SECONDS = 60

app.conf.beat_schedule.update(
    {
        "crm-pull-salesforce": {
            "task": "crm.pull_salesforce",
            "schedule": float(settings.SALESFORCE_PULL_EVERY_SECONDS),
            "options": {"queue": "crm", "expires": float(settings.SALESFORCE_PULL_EVERY_SECONDS)},
        },
        "crm-drain-outbox": {
            "task": "crm.drain_outbox",
            "schedule": 60.0,
            "options": {"queue": "crm", "expires": 60.0},
        },
    }
)


@shared_task(
    name="crm.drain_outbox",
    queue="crm",
    # Inside the entries' 5-minute claim lease: a drain stopped here gives back what it claimed.
    soft_time_limit=240,
    time_limit=290,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def drain_outbox() -> dict:
    """Push the due outbox entries to Salesforce (see crm.push)."""
    if settings.SALESFORCE_MODE == "off":
        return {"skipped": "SALESFORCE_MODE is off"}
    report = outbox_drain()
    if (
        report.next_attempt_at is not None
        and not report.paused_until
        and not report.held
        and not drain_outbox.app.conf.task_always_eager
    ):
        wait = (report.next_attempt_at - clock.now()).total_seconds()
        if wait <= FOLLOW_UP_WITHIN_SECONDS:
            drain_outbox.apply_async(countdown=max(wait, 0.5))
    return {
        "summary": report.summary(),
        "done": report.done,
        "retrying": report.retrying,
        "failed": report.failed,
    }


@shared_task(
    name="crm.pull_salesforce",
    queue="crm",
    soft_time_limit=1800,  # a full pull of a large org
    time_limit=1900,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def pull_salesforce(objects: list[str] | None = None, full: bool = False) -> dict:
    """Pull Salesforce changes (every object, or `objects`) into Backstory (see crm.sync)."""
    if settings.SALESFORCE_MODE == "off":
        return {"skipped": "SALESFORCE_MODE is off"}
    try:
        report = salesforce_pull(objects=objects, full=full)
    except (SalesforceNotConfigured, SalesforceUnreachable, SalesforceSessionRefused) as error:
        logger.warning("Salesforce pull skipped: %s", error)
        return {"skipped": str(error)}
    if report.held and not report.objects:
        return {"skipped": f"held for the Salesforce API budget: {report.held}"}
    return {
        "held": report.held,
        "objects": {o.object_name: o.counts() for o in report.objects},
        "stopped": report.stopped,
        "warnings": report.warnings,
    }
