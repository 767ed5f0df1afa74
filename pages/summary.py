"""The summary of a record as a reader may see it: key topics, next steps, risks (and an
opportunity's warnings), each bullet coloured by recency, and the activities behind a bullet.

Which bullets a reader may see is decided in one place, ``insights.selectors``; this module only
shapes them for the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from activities.models import Activity
from insights.selectors import (
    VisibleSummaryItem,
    summary_activity_ids,
    summary_item_activities,
    summary_items_visible_to,
    summary_section_items,
    summary_visible_to,
)

from .recency import Band, iso, local_date, parse_moment, recency_band, short_date
from .record import Record

SECTION_LABELS = {
    "key_topics": "Key topics",
    "next_steps": "Next steps",
    "risks": "Potential risks",
    "warnings": "Warnings",
}
SECTION_HELP = {
    "key_topics": "Themes discussed recently: customer priorities, and conversations still to have.",
    "next_steps": "Upcoming actions and tasks logged in your CRM: your action list.",
    "risks": "Warning signs in the activity: gaps in communication, missing stakeholders, stalled threads.",
    "warnings": "What needs attention on this deal.",
}
SECTION_EMPTY = {
    "key_topics": "No topics stand out in the recent activity.",
    "next_steps": "No next steps are logged in the CRM or mentioned in recent activity.",
    "risks": "No risks stand out in the recent activity.",
    "warnings": "No warnings on this deal.",
}
SEVERITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}


@dataclass
class Bullet:
    """One bullet of the summary as this user may see it."""

    section: str
    index: int
    text: str
    band: Band
    moment: dt.datetime | dt.date | None
    activity_count: int
    detail: str = ""
    severity: str = ""
    due_date: dt.date | None = None
    owner: str = ""
    from_crm: bool = False
    url: str = ""
    when_text: str = ""
    when_iso: str = ""
    due_text: str = ""
    next_step_id: int | None = None  # a CRM next step: the bullet's anchor, #next-step-<id>
    is_overdue: bool = False

    @property
    def anchor(self) -> str:
        return f"next-step-{self.next_step_id}" if self.next_step_id else ""

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, "")

    @property
    def meta_rest(self) -> str:
        """What follows the date under a bullet: due date, owner, origin and activity count."""
        parts = []
        if self.due_text:
            parts.append(f"due {self.due_text}")
        if self.owner:
            parts.append(self.owner)
        if self.from_crm:
            parts.append("CRM task")
        if self.activity_count:
            parts.append(f"{self.activity_count} activit{'y' if self.activity_count == 1 else 'ies'}")
        return "".join(f" · {part}" for part in parts) if self.when_text else " · ".join(parts)


@dataclass
class Section:
    key: str
    label: str
    help: str
    empty: str
    bullets: list[Bullet] = field(default_factory=list)


def _bullet(section: str, shown: VisibleSummaryItem, today: dt.date, zone) -> Bullet:
    item = shown.item
    if section == "key_topics":
        moment = parse_moment(item.get("latest_at"))
    else:
        moment = parse_moment(item.get("date"))
    due = parse_moment(item.get("due_date"))
    if moment is None and section == "next_steps":
        moment = due
    owner = item.get("owner")
    due_date = local_date(due, zone)
    from_crm = item.get("source") == "crm_task"
    next_step_id = item.get("next_step_id")
    return Bullet(
        section=section,
        index=shown.index,
        text=str(item.get("title") or item.get("text") or "").strip(),
        detail=str(item.get("detail") or "").strip() if item.get("title") else "",
        band=recency_band(moment, today=today, zone=zone),
        moment=moment,
        activity_count=len(shown.activity_ids),
        severity=str(item.get("severity") or ""),
        due_date=due_date,
        owner=owner if isinstance(owner, str) else "",
        from_crm=from_crm,
        # An open CRM next step past its due date: the rep should see it at a glance.
        is_overdue=bool(section == "next_steps" and from_crm and due_date and due_date < today),
        next_step_id=next_step_id if isinstance(next_step_id, int) else None,
        when_text=short_date(moment, zone),
        when_iso=iso(moment),
        due_text=short_date(due, zone),
    )


def summary_sections(
    record: Record, *, user, today: dt.date, zone, sections: tuple[str, ...]
) -> list[Section]:
    """The summary's sections with the bullets ``user`` may see (insights' one rule), each coloured
    by recency."""
    visible = summary_visible_to(
        user=user, summary=record.summary, sections=sections, activities=record.activities()
    )
    result = []
    for section in sections:
        bullets = [_bullet(section, shown, today, zone) for shown in visible[section]]
        result.append(
            Section(
                section,
                SECTION_LABELS[section],
                SECTION_HELP[section],
                SECTION_EMPTY[section],
                [b for b in bullets if b.text],
            )
        )
    return result


def _item_at(record: Record, section: str, index: int) -> dict | None:
    items = summary_section_items(record.summary, section)
    return items[index] if 0 <= index < len(items) and isinstance(items[index], dict) else None


def bullet_for_user(record: Record, *, user, section: str, index: int, today: dt.date, zone) -> Bullet | None:
    """One bullet of the summary, if it exists and ``user`` may see it."""
    item = _item_at(record, section, index)
    if item is None:
        return None
    shown = summary_items_visible_to(user=user, items=[item], activities=record.activities())
    if not shown:
        return None
    return _bullet(section, VisibleSummaryItem(index, item, shown[0].activity_ids), today, zone)


@dataclass
class ActivityRow:
    """An activity as the sidebar lists it."""

    activity: Activity
    band: Band
    people: list[str]
    more_people: int


SIDEBAR_LIMIT = 50


def activity_rows(activities, *, today: dt.date, zone) -> list[ActivityRow]:
    rows = []
    for activity in activities:
        names = [p.name or p.email for p in activity.participants.all()]
        rows.append(
            ActivityRow(
                activity=activity,
                band=recency_band(activity.occurred_at, today=today, zone=zone),
                people=names[:4],
                more_people=max(0, len(names) - 4),
            )
        )
    return rows


def bullet_activities(
    record: Record, *, user, section: str, index: int, today: dt.date, zone
) -> tuple[list[ActivityRow], int]:
    """The activities behind a bullet that ``user`` may see, most recent first (at most
    ``SIDEBAR_LIMIT``), and how many there are in all."""
    item = _item_at(record, section, index)
    if item is None or not summary_activity_ids(item):
        return [], 0
    visible = summary_item_activities(user=user, item=item, activities=record.activities())
    activities = list(visible.select_related("owner").prefetch_related("participants")[: SIDEBAR_LIMIT + 1])
    total = len(activities) if len(activities) <= SIDEBAR_LIMIT else visible.count()
    return activity_rows(activities[:SIDEBAR_LIMIT], today=today, zone=zone), total
