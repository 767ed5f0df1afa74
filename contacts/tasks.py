"""Celery tasks of the contact engine: thin, ids in, idempotent, on the `contacts` queue.

The daily de-duplication is declared here on Celery beat (FAQ: "Backstory automatically removes
duplicate contacts via an automated daily de-duplication process").
"""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from backstory.celery import app
from backstory.database import DATABASE_UNAVAILABLE

from .services import contact_engine_process_activities, contacts_deduplicate

# Work goes in bounded batches: a caller with a big backlog sends several tasks of this size.
MAX_ACTIVITIES_PER_TASK = 5_000

DEDUPLICATION_SCHEDULE = {
    "task": "contacts.deduplicate",
    "schedule": crontab(hour=3, minute=15),
    "options": {"queue": "contacts"},
}
app.conf.beat_schedule.update({"contacts-daily-deduplication": DEDUPLICATION_SCHEDULE})


@shared_task(
    name="contacts.process_activities",
    queue="contacts",
    acks_late=True,
    autoretry_for=DATABASE_UNAVAILABLE,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def process_activities(activity_ids: list[int]) -> dict:
    """Run the contact engine over these activities. Safe to retry: a second run changes nothing."""
    if len(activity_ids) > MAX_ACTIVITIES_PER_TASK:
        raise ValueError(f"at most {MAX_ACTIVITIES_PER_TASK} activities per task; split the batch")
    report = contact_engine_process_activities(activity_ids=[int(pk) for pk in activity_ids])
    return {**report.as_dict(), "error_details": report.errors[:20]}


def enqueue_process_activities(activity_ids: list[int]) -> None:
    """Queue the engine for these activities in bounded batches (call after commit)."""
    ids = list(dict.fromkeys(activity_ids))
    for start in range(0, len(ids), MAX_ACTIVITIES_PER_TASK):
        process_activities.delay(ids[start : start + MAX_ACTIVITIES_PER_TASK])


@shared_task(
    name="contacts.deduplicate",
    queue="contacts",
    soft_time_limit=1800,  # the whole org's contacts
    time_limit=1900,
    acks_late=True,
    autoretry_for=DATABASE_UNAVAILABLE,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def deduplicate() -> dict:
    """The daily de-duplication of contacts Backstory created. Safe to retry: one transaction."""
    report = contacts_deduplicate()
    return {**report.as_dict(), "failures": report.failures}
