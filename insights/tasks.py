"""Celery tasks of the insights engine: thin, idempotent, on the ``insights`` queue.

Schedules (declared here, run by ``celery beat``): every summary nightly at 02:30 UTC, and the
weekly engagement snapshot on Monday at 03:30 UTC.
"""

from celery import shared_task
from celery.schedules import crontab

from backstory.celery import app

from . import services

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5}


@shared_task(name="insights.summaries_mark_stale", queue="insights", **RETRY)
def mark_summaries_stale(
    activity_ids: list[int] | None = None,
    account_ids: list[int] | None = None,
    opportunity_ids: list[int] | None = None,
) -> dict:
    """Capture's hand-off (activities/handoff.py): these activities, accounts and opportunities changed."""
    accounts, opportunities = services.summaries_mark_stale(
        activity_ids=activity_ids or (), account_ids=account_ids or (), opportunity_ids=opportunity_ids or ()
    )
    return {"accounts": len(accounts), "opportunities": len(opportunities)}


@shared_task(name="insights.summaries_refresh", queue="insights", **RETRY)
def refresh_summaries(account_ids: list[int] | None = None, opportunity_ids: list[int] | None = None) -> dict:
    """Recompute the summaries of the given accounts and opportunities."""
    return services.summaries_refresh(account_ids=account_ids, opportunity_ids=opportunity_ids).as_dict()


@shared_task(name="insights.summaries_refresh_stale", queue="insights", **RETRY)
def refresh_stale_summaries() -> dict:
    """The debounced refresh scheduled by ``summaries_mark_stale``: every stale summary."""
    return services.summaries_refresh_stale().as_dict()


@shared_task(
    name="insights.summaries_refresh_all", queue="insights", soft_time_limit=3600, time_limit=3700, **RETRY
)
def refresh_all_summaries() -> dict:
    """The nightly recompute of every summary."""
    return services.summaries_refresh_all(backfill_weeks=0).as_dict()


@shared_task(name="insights.engagement_snapshots_take", queue="insights", **RETRY)
def take_engagement_snapshots() -> int:
    """The weekly engagement snapshot of every account, opportunity, contact and user."""
    return services.engagement_snapshots_take()


app.conf.beat_schedule.update(
    {
        "insights-nightly-summaries": {
            "task": "insights.summaries_refresh_all",
            "schedule": crontab(hour=2, minute=30),
            "options": {"queue": "insights"},
        },
        "insights-weekly-snapshot": {
            "task": "insights.engagement_snapshots_take",
            "schedule": crontab(hour=3, minute=30, day_of_week="mon"),
            "options": {"queue": "insights"},
        },
    }
)
