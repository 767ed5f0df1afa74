"""The Connections page: a rep connects, tests, pauses and removes mailboxes and calendars."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .forms import CalendarConnectionForm, MailboxConnectionForm
from .models import CalendarConnection, MailboxConnection
from .selectors import connection_get_for_user, connection_kind, connections_for_user
from .services import ConnectionFailure, calendar_test, mailbox_test
from .services.manage import connection_delete, connection_pause, connection_save
from .tasks import enqueue_sync

_FORMS = {"mailbox": MailboxConnectionForm, "calendar": CalendarConnectionForm}
_MODELS = {"mailbox": MailboxConnection, "calendar": CalendarConnection}


def _card(request, connection, *, test_result: dict | None = None):
    return render(
        request,
        "connections/partials/card.html",
        {
            "connection": connection,
            "kind": connection_kind(connection),
            "test_result": test_result,
            "backfill_days": settings.CONNECTIONS_BACKFILL_DAYS,
        },
    )


def _back_to_page(request, connection):
    if request.htmx:
        connection.refresh_from_db()
        return _card(request, connection)
    return redirect("connections:index")


@require_GET
@login_required
def index(request):
    context = {**connections_for_user(user=request.user), "backfill_days": settings.CONNECTIONS_BACKFILL_DAYS}
    return render(request, "connections/index.html", context)


@require_GET
@login_required
def card(request, kind: str, pk: int):
    """One connection's card, polled by the page while it back-fills."""
    return _card(request, connection_get_for_user(user=request.user, kind=kind, pk=pk))


@require_http_methods(["GET", "POST"])
@login_required
def edit(request, kind: str, pk: int | None = None):
    """Add a connection (no pk) or change one; secrets are never sent back to the browser."""
    if kind not in _FORMS:
        return redirect("connections:index")
    connection = (
        connection_get_for_user(user=request.user, kind=kind, pk=pk)
        if pk
        else _MODELS[kind](owner=request.user)
    )
    form = _FORMS[kind](request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        is_new = connection.pk is None
        connection = form.save(commit=False)
        connection.owner = request.user
        connection_save(connection=connection, secrets_changed=form.secrets_changed)
        messages.success(
            request,
            f"{connection} {'is connected' if is_new else 'is saved'}: "
            "its first sync has started; the card below shows its progress.",
        )
        return redirect(reverse("connections:index") + f"#conn-{kind}-{connection.pk}")
    return render(
        request,
        "connections/edit.html",
        {"form": form, "kind": kind, "connection": connection, "is_new": connection.pk is None},
    )


@require_POST
@login_required
def test(request, kind: str, pk: int):
    """Sign in now and say what would be read, or what went wrong."""
    connection = connection_get_for_user(user=request.user, kind=kind, pk=pk)
    try:
        found = (
            mailbox_test(connection=connection) if kind == "mailbox" else calendar_test(connection=connection)
        )
        result = {
            "ok": True,
            "message": f"Signed in. {'Folders' if kind == 'mailbox' else 'Calendars'} to read: "
            + (", ".join(found) or "none found")
            + ".",
        }
    except ConnectionFailure as failure:
        result = {"ok": False, "message": str(failure)}
    if request.htmx:
        return _card(request, connection, test_result=result)
    (messages.success if result["ok"] else messages.error)(request, result["message"])
    return redirect("connections:index")


@require_POST
@login_required
def sync_now(request, kind: str, pk: int):
    connection = connection_get_for_user(user=request.user, kind=kind, pk=pk)
    enqueue_sync(connection)
    return _back_to_page(request, connection)


@require_POST
@login_required
def pause(request, kind: str, pk: int):
    connection = connection_get_for_user(user=request.user, kind=kind, pk=pk)
    connection_pause(connection=connection, paused=not connection.is_paused)
    return _back_to_page(request, connection)


@require_POST
@login_required
def remove(request, kind: str, pk: int):
    connection = connection_get_for_user(user=request.user, kind=kind, pk=pk)
    label = str(connection)
    connection_delete(connection=connection)
    messages.success(request, f"{label} is removed. What it captured stays in your Engagement Log.")
    if request.htmx:
        response = render(request, "connections/partials/removed.html", {"label": label})
        return response
    return redirect("connections:index")
