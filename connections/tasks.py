"""Live capture's Celery tasks (queue "capture"): the beat's sweep and one sync per connection.

A sync that fails has already recorded its error and next attempt on the connection (backoff in
``services.state``), so the task itself does not raise; a back-fill larger than one run's budget
continues in a follow-up task at once.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from backstory.celery import app

logger = logging.getLogger(__name__)

app.conf.beat_schedule.update(
    {
        "connections-sync-due": {
            "task": "connections.sync_due",
            "schedule": float(settings.CONNECTIONS_SYNC_EVERY_SECONDS),
            "options": {"queue": "capture", "expires": float(settings.CONNECTIONS_SYNC_EVERY_SECONDS)},
        }
    }
)


def _sync_task(connection):
    from .models import MailboxConnection

    return sync_mailbox if isinstance(connection, MailboxConnection) else sync_calendar


def enqueue_sync(connection) -> None:
    """Queue a sync of this connection once the current transaction commits."""
    task, pk = _sync_task(connection), connection.pk
    transaction.on_commit(lambda: task.delay(pk), robust=True)


@shared_task(name="connections.sync_due", queue="capture")
def sync_due() -> int:
    """Queue a sync for every active connection whose next attempt has come."""
    from .services.manage import connections_due

    due = connections_due()
    for connection in due:
        _sync_task(connection).delay(connection.pk)
    return len(due)


@shared_task(name="connections.sync_mailbox", queue="capture")
def sync_mailbox(connection_id: int) -> dict:
    from .models import MailboxConnection
    from .services import ConnectionFailure, mailbox_sync

    connection = MailboxConnection.objects.filter(pk=connection_id).select_related("owner").first()
    if connection is None:
        return {"skipped": "deleted"}
    try:
        report = mailbox_sync(connection=connection)
    except ConnectionFailure as failure:
        return {"error": str(failure)}
    if report.more_left:
        sync_mailbox.delay(connection_id)
    return {"captured": report.captured, "duplicates": report.duplicates, "more_left": report.more_left}


@shared_task(name="connections.sync_calendar", queue="capture")
def sync_calendar(connection_id: int) -> dict:
    from .models import CalendarConnection
    from .services import ConnectionFailure, calendar_sync

    connection = CalendarConnection.objects.filter(pk=connection_id).select_related("owner").first()
    if connection is None:
        return {"skipped": "deleted"}
    try:
        report = calendar_sync(connection=connection)
    except ConnectionFailure as failure:
        return {"error": str(failure)}
    return {"captured": report.captured, "updated": report.updated, "cancelled": report.cancelled}
