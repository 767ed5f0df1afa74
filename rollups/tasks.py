"""The rollups' Celery task: capture's new activities added within seconds (rollups.services)."""

from celery import shared_task

from backstory.celery import app
from backstory.database import DATABASE_UNAVAILABLE

from .services import APPLY_PENDING_EVERY_SECONDS, APPLY_PENDING_TASK, rollups_apply_pending


@shared_task(
    name=APPLY_PENDING_TASK,
    queue="capture",
    autoretry_for=DATABASE_UNAVAILABLE,
    retry_backoff=True,
    retry_backoff_max=30,
    max_retries=10,
)
def apply_pending() -> int:
    """After each capture, and from Celery beat: add the pending activities to the rollups."""
    return rollups_apply_pending()


app.conf.beat_schedule.update(
    {
        "rollups-apply-pending": {
            "task": APPLY_PENDING_TASK,
            "schedule": APPLY_PENDING_EVERY_SECONDS,
            "options": {"queue": "capture", "expires": APPLY_PENDING_EVERY_SECONDS},
        }
    }
)
