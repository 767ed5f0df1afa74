"""The admins' Sync problems page: every Salesforce write that failed for good or is past the
retry horizon, with Salesforce's error, what it was about, and a Retry button."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from backstory import clock

from .models import OutboxEntry
from .selectors import outbox_paused_until, outbox_problems, outbox_state_get
from .services import outbox_entries_retry

PAGE_SIZE = 200


@dataclass
class Problem:
    entry: OutboxEntry
    record: object | None

    @property
    def what(self) -> str:
        """The record in words: a contact's name and email, else the payload's own words."""
        if self.record is not None:
            email = getattr(self.record, "email", "")
            return f"{self.record} <{email}>" if email and email not in str(self.record) else str(self.record)
        payload = self.entry.payload or {}
        name = " ".join(str(payload.get(k) or "") for k in ("FirstName", "LastName", "Subject")).strip()
        return (
            f"{name} <{payload['Email']}>"
            if payload.get("Email")
            else name or f"{self.entry.record_type} #{self.entry.record_id}"
        )


def _problems(entries: list[OutboxEntry]) -> list[Problem]:
    records: dict[tuple[str, int], object] = {}
    by_type: dict[str, set[int]] = {}
    for entry in entries:
        by_type.setdefault(entry.record_type, set()).add(entry.record_id)
    for record_type, pks in by_type.items():
        try:
            model = apps.get_model(record_type)
        except (LookupError, ValueError):
            continue
        for record in model._default_manager.filter(pk__in=pks):
            records[(record_type, record.pk)] = record
    return [Problem(entry, records.get((entry.record_type, entry.record_id))) for entry in entries]


@require_GET
@staff_member_required
def sync_problems(request):
    """Sync problems: the writes Salesforce refused for good or keeps refusing, newest first."""
    entries = list(outbox_problems()[:PAGE_SIZE])
    context = {
        "problems": _problems(entries),
        "total": outbox_problems().count(),
        "page_size": PAGE_SIZE,
        "paused_until": outbox_paused_until(now=clock.now()),
        "state": outbox_state_get(),
    }
    return render(request, "crm/sync_problems.html", context)


@require_POST
@staff_member_required
def sync_problems_retry(request):
    """Send the chosen entries (`entry`, repeatable) again at the next drain."""
    ids = [int(value) for value in request.POST.getlist("entry") if value.isdigit()]
    if not ids:
        messages.error(request, "Choose at least one entry to retry.")
        return redirect("crm:sync_problems")
    count = outbox_entries_retry(entries=OutboxEntry.objects.filter(pk__in=ids))
    messages.success(
        request, f"{count} entr{'y' if count == 1 else 'ies'} will be sent again at the next drain."
    )
    return redirect("crm:sync_problems")
