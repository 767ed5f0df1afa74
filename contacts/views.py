"""Pages of the contact engine for admins: "why was this person (not) created?" and the
Created-by-Backstory report as CSV."""

from __future__ import annotations

import csv

from django.contrib.admin.views.decorators import staff_member_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backstory import clock
from backstory.spreadsheets import formula_safe

from .selectors import contacts_created_by_backstory, decisions_for_emails

REPORT_COLUMNS = ["Name", "Email", "Title", "Account", "Owner", "Created Date", "Lead Source"]


@require_GET
@staff_member_required
def why(request):
    """Every decision the engine took about an address, with the rule and the activity: answers
    "why was this person (not) created?" in one click. `?email=` may repeat."""
    emails = [e.strip() for e in request.GET.getlist("email") if e.strip()]
    decisions = list(decisions_for_emails(emails=emails)[:500]) if emails else []
    context = {"emails": emails, "email": emails[0] if len(emails) == 1 else "", "decisions": decisions}
    template = "contacts/why.html#results" if request.htmx else "contacts/why.html"
    return render(request, template, context)


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    return formula_safe("" if value is None else str(value))


def report_rows(contacts):
    """The seed's Salesforce report (Contacts & Accounts, Created By Backstory = True) as rows."""
    yield REPORT_COLUMNS
    for contact in contacts.iterator(chunk_size=2_000):
        yield [
            _cell(contact.name),
            _cell(contact.email),
            _cell(contact.title),
            _cell(contact.account.name if contact.account else ""),
            _cell(contact.owner or ""),
            contact.created_on.date().isoformat() if contact.created_on else "",
            _cell(contact.lead_source),
        ]


def csv_response(contacts, *, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in report_rows(contacts)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@staff_member_required
def created_by_backstory_csv(request):
    """Every contact Backstory created, with the report's columns: name, email, title, account,
    owner, created date, lead source."""
    return csv_response(
        contacts_created_by_backstory(),
        filename=f"contacts-created-by-backstory-{clock.today().isoformat()}.csv",
    )
