"""Read-side: a rep's connections, fetched with the ownership check in one place."""

from __future__ import annotations

from django.http import Http404

from .models import CalendarConnection, Connection, MailboxConnection

KINDS = {"mailbox": MailboxConnection, "calendar": CalendarConnection}


def connection_get_for_user(*, user, kind: str, pk: int) -> Connection:
    """The connection if ``user`` owns it; anyone else gets a 404 (admins use the Django admin)."""
    model = KINDS.get(kind)
    if model is None:
        raise Http404("No such kind of connection.")
    connection = model.objects.filter(pk=pk, owner=user).first()
    if connection is None:
        raise Http404("No such connection.")
    return connection


def connections_for_user(*, user) -> dict[str, list[Connection]]:
    return {
        "mailboxes": list(MailboxConnection.objects.filter(owner=user).prefetch_related("folder_cursors")),
        "calendars": list(CalendarConnection.objects.filter(owner=user).prefetch_related("cursors")),
    }


def connection_kind(connection: Connection) -> str:
    return "mailbox" if isinstance(connection, MailboxConnection) else "calendar"
