"""Citations: every fact in an answer carries a [n] marker that maps to a record a link opens."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.urls import reverse

from insights.models import PersonEngagement
from opportunities.models import Opportunity

from .dates import format_day


def activity_url(activity_id: int) -> str:
    """The activity's own page: its people, how it matched, its ID."""
    return reverse("activities:detail", args=[activity_id])


def record_url(record) -> str:
    if isinstance(record, Opportunity):
        return reverse("opportunities:detail", args=[record.pk])
    return reverse("accounts:detail", args=[record.pk])


def person_url(record, contact) -> str:
    """The person's drawer on the record's page, else on their account's page (a contact seen on the
    account but not on this deal); a contact with no people metrics has no drawer: the People section."""
    scopes = [(record, {"account": record, "opportunity": None})]
    if isinstance(record, Opportunity):
        scopes = [
            (record, {"opportunity": record}),
            (record.account, {"account": record.account, "opportunity": None}),
        ]
    for page, scope in scopes:
        person = (
            PersonEngagement.objects.filter(contact=contact, **scope).values_list("pk", flat=True).first()
        )
        if person:
            return f"{record_url(page)}people/{person}/"
    return f"{record_url(record)}#people"


def next_step_url(record, step) -> str:
    """The record's page scrolled to the next step, which the page highlights."""
    return f"{record_url(record)}#next-step-{step.pk}"


class Citations:
    """The numbered sources of one answer; citing the same record twice reuses its number."""

    def __init__(self, *, tz: ZoneInfo, record=None):
        self.tz = tz
        self.record = record
        self.items: list[dict] = []
        self._numbers: dict[tuple[str, str], int] = {}

    def cite(self, *, kind: str, id, label: str, url: str, detail: str = "") -> str:
        key = (kind, str(id))
        if key not in self._numbers:
            self.items.append(
                {
                    "n": len(self.items) + 1,
                    "kind": kind,
                    "id": id,
                    "label": label,
                    "url": url,
                    "detail": detail,
                }
            )
            self._numbers[key] = len(self.items)
        return f"[{self._numbers[key]}]"

    def activity(self, activity) -> str:
        return self.cite(
            kind="activity",
            id=activity.pk,
            label=f"{activity.get_kind_display()}: {activity.subject or '(no subject)'}",
            url=activity_url(activity.pk),
            detail=format_day(activity.occurred_at, self.tz),
        )

    def contact(self, contact) -> str:
        return self.cite(
            kind="contact",
            id=contact.pk,
            label=contact.name or contact.email,
            url=person_url(self.record, contact) if self.record is not None else "#",
            detail=contact.title,
        )

    def opportunity(self, opportunity) -> str:
        return self.cite(
            kind="opportunity",
            id=opportunity.pk,
            label=opportunity.name,
            url=record_url(opportunity),
            detail=opportunity.stage,
        )

    def account(self, account) -> str:
        return self.cite(kind="account", id=account.pk, label=account.name, url=record_url(account))

    def next_step(self, step) -> str:
        return self.cite(
            kind="next_step",
            id=step.pk,
            label=step.subject,
            url=next_step_url(self.record, step) if self.record is not None else "#",
            detail=f"due {format_day(step.due_date)}" if step.due_date else "",
        )

    def metric(self, *, slug: str, label: str, value, anchor: str = "engagement") -> str:
        base = record_url(self.record) if self.record is not None else "#"
        return self.cite(kind="metric", id=slug, label=label, url=f"{base}#{anchor}", detail=str(value))

    def article(self, article) -> str:
        return self.cite(
            kind="article",
            id=article.slug,
            label=article.title,
            url=reverse("support:article", args=[article.slug]),
            detail=article.get_topic_display(),
        )
