"""Citations: every fact in an answer carries a [n] marker that maps to a record a link opens."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.urls import reverse

from .dates import format_day

ENGAGEMENT_LOG_URL = "/activities/log/"


def activity_url(activity_id: int) -> str:
    """The Engagement Log opened on one activity."""
    return f"{ENGAGEMENT_LOG_URL}?activity={activity_id}"


def record_url(record) -> str:
    from opportunities.models import Opportunity

    if isinstance(record, Opportunity):
        return reverse("opportunities:detail", args=[record.pk])
    return reverse("accounts:detail", args=[record.pk])


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
        base = record_url(self.record) if self.record is not None else "#"
        return self.cite(
            kind="contact",
            id=contact.pk,
            label=contact.name or contact.email,
            url=f"{base}#person-{contact.pk}",
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
        base = record_url(self.record) if self.record is not None else "#"
        return self.cite(
            kind="next_step",
            id=step.pk,
            label=step.subject,
            url=f"{base}#next-steps",
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
