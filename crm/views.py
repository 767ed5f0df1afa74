"""The admins' Sync problems page: Backstory's use of the org's Salesforce API budget (and its
share, which they set here), then every Salesforce write that failed for good or is past the retry
horizon, with Salesforce's error, what it was about, and a Retry button."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from backstory import clock

from .budget import ShareInvalid, budget_share_set, budget_status
from .models import OutboxEntry
from .selectors import api_budget_get, outbox_paused_until, outbox_problems, outbox_state_get
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
@xframe_options_sameorigin  # Backstory may show it in a frame of its own; no one else may
def sync_problems(request):
    """Sync problems: the API budget, then the writes Salesforce refused for good or keeps refusing."""
    return _sync_page(request)


def _sync_page(request, *, share_error: str = "", share_value: str = ""):
    entries = list(outbox_problems()[:PAGE_SIZE])
    context = {
        "problems": _problems(entries),
        "total": outbox_problems().count(),
        "page_size": PAGE_SIZE,
        "paused_until": outbox_paused_until(now=clock.now()),
        "state": outbox_state_get(),
        "budget": budget_status(),
        "budget_row": api_budget_get(),
        "settings_reserve": settings.SALESFORCE_API_PUSH_RESERVE_PERCENT,
        "settings_floor": settings.SALESFORCE_API_ORG_FLOOR_PERCENT,
        "share_error": share_error,
        "share_value": share_value,
    }
    return render(request, "crm/sync_problems.html", context, status=400 if share_error else 200)


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


@require_POST
@staff_member_required
def api_share_update(request):
    """Set Backstory's share of the org's daily API requests (`share_percent`)."""
    value = request.POST.get("share_percent", "")
    try:
        budget = budget_share_set(value)
    except ShareInvalid as error:
        return _sync_page(request, share_error=str(error), share_value=value)
    messages.success(
        request, f"Backstory may now use {budget.share_percent} % of the org's daily API requests."
    )
    return redirect("crm:sync_problems")
