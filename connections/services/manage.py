"""A rep adds, changes, pauses, resumes and removes connections; selectors pick what to sync."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from backstory import clock

from ..models import CalendarConnection, Connection, MailboxConnection
from ..tasks import enqueue_sync


def connection_save(*, connection: Connection, secrets_changed: bool) -> Connection:
    """Save a new or edited connection and sync it soon.

    New sign-in details clear the backoff: a rep who fixed a wrong password should not wait an hour.
    """
    if secrets_changed or connection.pk is None:
        connection.failures = 0
        connection.next_attempt_at = None
    with transaction.atomic():
        connection.save()
        enqueue_sync(connection)
    return connection


def connection_pause(*, connection: Connection, paused: bool) -> Connection:
    """Pause stops syncing (the cursors stay, so resuming continues where it stopped)."""
    connection.is_paused = paused
    connection.next_attempt_at = None
    connection.save(update_fields=["is_paused", "next_attempt_at"])
    if not paused:
        transaction.on_commit(lambda: enqueue_sync(connection))
    return connection


def connection_delete(*, connection: Connection) -> None:
    """Stop syncing and forget the sign-in details and cursors; captured activities stay
    (removing them is the Engagement Log's job)."""
    # A run in progress checks between batches that its connection still exists, and stops.
    connection.delete()


def connections_due() -> list[Connection]:
    """Active connections whose next attempt (after a failure's backoff) has come."""
    due = Q(is_paused=False) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=clock.now()))
    return [*MailboxConnection.objects.filter(due), *CalendarConnection.objects.filter(due)]
