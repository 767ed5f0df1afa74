"""What a Backstory page shows, read from what the insights engine cached.

The account and the opportunity pages share everything here. Nothing is computed that the
engine owns (scores, topics, risks, metrics): this module reads ``Summary``, ``PersonEngagement``
and ``EngagementSnapshot``, decides what *this* user may see (privacy), colours by recency and
shapes the values for the templates. Every list of activities goes through
``activities.selectors.activities_visible_to``; the number of queries never grows with the number
of activities or people on the page.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower

from accounts.models import Account
from activities.models import Activity, Participant
from activities.selectors import activities_in_sync, activities_visible_to
from backstory import clock
from contacts.models import DEPARTMENT_CHOICES, SENIORITY_CHOICES
from insights.models import EngagementSnapshot, PersonEngagement, Summary
from insights.selectors import (
    VisibleSummaryItem,
    summary_activity_ids,
    summary_item_activities,
    summary_items_visible_to,
    summary_section_items,
    summary_visible_to,
)
from opportunities.models import Opportunity

ACCOUNT = "account"
OPPORTUNITY = "opportunity"

# --- Recency: DESIGN.md's four bands, the same everywhere ------------------------------------


@dataclass(frozen=True)
class Band:
    css: str
    label: str


RECENCY_7 = Band("recency-7", "Last 7 days")
RECENCY_14 = Band("recency-14", "Last 14 days")
RECENCY_30 = Band("recency-30", "Last 30 days")
RECENCY_OLD = Band("recency-old", "Older than 30 days")
RECENCY_NONE = Band("recency-none", "No date")
RECENCY_LEGEND = (RECENCY_7, RECENCY_14, RECENCY_30, RECENCY_OLD)


def parse_moment(value: Any) -> dt.datetime | dt.date | None:
    """A date or an aware datetime from what the engine stored in JSON (ISO text), else None.
    A datetime without an offset is UTC, as everything in the database is."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def local_date(moment: dt.datetime | dt.date | None, zone: dt.tzinfo) -> dt.date | None:
    """The calendar day of ``moment`` in ``zone`` (a date stays as it is)."""
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        return moment.astimezone(zone).date()
    return moment


def recency_band(moment: dt.datetime | dt.date | None, *, today: dt.date, zone: dt.tzinfo = dt.UTC) -> Band:
    """Design: "≤ 7 days, ≤ 14 days, ≤ 30 days, older, measured from today in the user's time zone".
    A moment in the future (a meeting ahead, a due date) is as recent as it gets."""
    day = local_date(moment, zone)
    if day is None:
        return RECENCY_NONE
    age = (today - day).days
    if age <= 7:
        return RECENCY_7
    if age <= 14:
        return RECENCY_14
    if age <= 30:
        return RECENCY_30
    return RECENCY_OLD


def short_date(moment: dt.datetime | dt.date | None, zone: dt.tzinfo) -> str:
    """ "Nov 21": the day of ``moment`` in the reader's time zone (text made here, not by template
    filters: pages render many of them)."""
    day = local_date(moment, zone)
    return f"{day:%b} {day.day}" if day else ""


def long_date(moment: dt.datetime | dt.date | None, zone: dt.tzinfo) -> str:
    """ "Nov 21, 2026"."""
    day = local_date(moment, zone)
    return f"{day:%b} {day.day}, {day.year}" if day else ""


def iso(moment: dt.datetime | dt.date | None) -> str:
    return moment.isoformat() if moment else ""


# --- The record a page is about ------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """An account or an opportunity, with its cached summary (None before the engine has run)."""

    kind: str
    obj: Account | Opportunity
    summary: Summary | None

    @property
    def pk(self) -> int:
        return self.obj.pk

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def is_account(self) -> bool:
        return self.kind == ACCOUNT

    @property
    def is_opportunity(self) -> bool:
        return self.kind == OPPORTUNITY

    @property
    def kind_label(self) -> str:
        return "Account" if self.is_account else "Opportunity"

    def activities(self) -> QuerySet[Activity]:
        """Every activity matched to the record (privacy not applied yet)."""
        if self.is_account:
            return Activity.objects.filter(account_id=self.pk)
        return Activity.objects.filter(opportunity_links__opportunity_id=self.pk)

    def people(self) -> QuerySet[PersonEngagement]:
        """The engine's people metrics of this record."""
        if self.is_account:
            return PersonEngagement.objects.filter(account_id=self.pk, opportunity__isnull=True)
        return PersonEngagement.objects.filter(opportunity_id=self.pk)

    def with_details(self) -> Record:
        """This record with the fields its facts and side cards show (owner, primary domain, the
        opportunity's account): pages fetch only its name and summary version first."""
        if not self.obj.get_deferred_fields():
            return self
        if self.is_account:
            from accounts.selectors import _accounts_with_details

            obj = _accounts_with_details().get(pk=self.pk)
        else:
            obj = Opportunity.objects.select_related("account", "owner").get(pk=self.pk)
        return Record(self.kind, obj, self.summary)

    def with_full_summary(self) -> Record:
        """This record with every field of its summary loaded (the page helpers defer the large
        JSON fields until a section is rendered): one query, or none."""
        if self.summary is None or not self.summary.get_deferred_fields():
            return self
        return Record(self.kind, self.obj, Summary.objects.get(pk=self.summary.pk))

    @property
    def snapshot_subject(self) -> str:
        return (
            EngagementSnapshot.Subject.ACCOUNT if self.is_account else EngagementSnapshot.Subject.OPPORTUNITY
        )


def _cached_summary(obj) -> Summary | None:
    """The record's summary: only its version (id, generated_at, is_stale, stale_since) when the
    record was fetched with ``accounts.selectors.with_summary_version``, the whole of it otherwise."""
    if hasattr(obj, "summary_pk"):
        if obj.summary_pk is None:
            return None
        return Summary.from_db(
            Summary.objects.db,
            ["id", "generated_at", "is_stale", "stale_since"],
            [obj.summary_pk, obj.summary_generated_at, obj.summary_is_stale, obj.summary_stale_since],
        )
    try:
        return obj.summary
    except Summary.DoesNotExist:
        return None


def record_for_account(account: Account) -> Record:
    """The page record of an account fetched by ``accounts.selectors.account_get_for_user``."""
    return Record(ACCOUNT, account, _cached_summary(account))


def record_for_opportunity(opportunity: Opportunity) -> Record:
    """The page record of an opportunity fetched by ``opportunities.selectors.opportunity_get_for_user``."""
    return Record(OPPORTUNITY, opportunity, _cached_summary(opportunity))


def record_for(obj: Account | Opportunity) -> Record:
    """The page record of an account or an opportunity."""
    return record_for_account(obj) if isinstance(obj, Account) else record_for_opportunity(obj)


def is_admin(user) -> bool:
    return bool(user.is_staff or user.is_superuser)


# --- Engagement level: the wheel ------------------------------------------------------------

COMPONENT_LABELS = {
    "meeting": "Meetings",
    "call": "Calls",
    "email_received": "Emails received",
    "email_sent": "Emails sent",
}
BAND_LABELS = {"low": "Low", "medium": "Medium", "high": "High"}
WHEEL_RADIUS = 52


@dataclass
class Wheel:
    """An engagement wheel: a 0-100 score drawn as an arc, green or red."""

    score: int
    color: str
    band: str
    radius: int = WHEEL_RADIUS

    @property
    def circumference(self) -> float:
        return round(2 * math.pi * self.radius, 2)

    @property
    def dash(self) -> float:
        return round(self.circumference * max(0, min(self.score, 100)) / 100, 2)

    @property
    def dasharray(self) -> str:
        return f"{self.dash} {self.circumference}"

    @property
    def label(self) -> str:
        return f"{self.score} out of 100" + (f", {self.band}" if self.band else "")


def wheel(score: int | None, breakdown: dict | None) -> Wheel:
    """The wheel of a score and its engine breakdown (which says green or red, and the band)."""
    breakdown = breakdown or {}
    score = int(score or 0)
    color = (
        breakdown.get("color")
        if breakdown.get("color") in ("green", "red")
        else ("green" if score >= 50 else "red")
    )
    return Wheel(score=score, color=color, band=BAND_LABELS.get(str(breakdown.get("band", "")).lower(), ""))


@dataclass
class Component:
    label: str
    count: int
    weight: float
    points: float


@dataclass
class Sparkline:
    """A small trend line (inline SVG) of weekly scores, oldest first."""

    points: str
    first: int
    last: int
    weeks: int
    width: int = 120
    height: int = 32

    @property
    def direction(self) -> str:
        if self.last > self.first:
            return "up"
        return "down" if self.last < self.first else "flat"

    @property
    def caption(self) -> str:
        return f"{self.first} → {self.last} over {self.weeks} weeks"


@dataclass
class Engagement:
    wheel: Wheel
    components: list[Component]
    window_weeks: int
    explanation: str
    normalisation: str
    last_activity_at: dt.datetime | dt.date | None
    decayed_points: float | None
    undecayed_points: float | None
    trend: Sparkline | None
    some_activities_hidden: bool
    is_stale: bool


def _components(breakdown: dict) -> list[Component]:
    rows = []
    for item in breakdown.get("components") or []:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("kind", ""))
        rows.append(
            Component(
                label=COMPONENT_LABELS.get(kind, kind.replace("_", " ").capitalize()),
                count=int(item.get("count") or 0),
                weight=item.get("weight") or 0,
                points=round(float(item.get("points") or 0), 1),
            )
        )
    return rows


def sparkline(scores: list[int], *, width: int = 120, height: int = 32) -> Sparkline | None:
    """A polyline through weekly scores (0-100), or None with fewer than two weeks."""
    if len(scores) < 2:
        return None
    step = width / (len(scores) - 1)
    pad = 3
    points = " ".join(
        f"{round(i * step, 1)},{round(pad + (height - 2 * pad) * (1 - max(0, min(s, 100)) / 100), 1)}"
        for i, s in enumerate(scores)
    )
    return Sparkline(
        points=points, first=scores[0], last=scores[-1], weeks=len(scores), width=width, height=height
    )


def engagement_trend(record: Record, *, today: dt.date, weeks: int = 12) -> Sparkline | None:
    """The record's weekly engagement snapshots over the last ``weeks`` weeks, as a sparkline."""
    since = today - dt.timedelta(weeks=weeks)
    scores = list(
        EngagementSnapshot.objects.filter(
            subject_type=record.snapshot_subject, subject_id=record.pk, week_start__gt=since
        )
        .order_by("week_start")
        .values_list("score", flat=True)
    )
    return sparkline(scores)


def some_activities_hidden(record: Record, *, user, window_weeks: int) -> bool:
    """FAQ: "The score is calculated using all matched activities, so it may reflect activity that
    is not visible to every user." True when the score's window counts an activity this user may not
    see: a private one of someone else (``activities_visible_to`` shows private activities only to
    their owner and admins)."""
    if is_admin(user):
        return False
    since = clock.now() - dt.timedelta(weeks=window_weeks)
    counted = activities_in_sync(record.activities()).filter(occurred_at__gte=since)
    return counted.filter(is_private=True).exclude(owner_id=user.pk).exists()


def engagement_for(record: Record, *, user, today: dt.date) -> Engagement | None:
    """The engagement level of a record for its wheel and its explanation, or None before the engine ran."""
    summary = record.summary
    if summary is None:
        return None
    breakdown = summary.engagement_breakdown or {}
    recency = breakdown.get("recency") or {}
    window = int(breakdown.get("window_weeks") or 12)
    return Engagement(
        wheel=wheel(summary.engagement_level, breakdown),
        components=_components(breakdown),
        window_weeks=window,
        explanation=str(breakdown.get("explanation") or ""),
        normalisation=str(breakdown.get("normalisation") or ""),
        last_activity_at=parse_moment(recency.get("last_activity_at")) or summary.latest_activity_at,
        decayed_points=recency.get("decayed_points"),
        undecayed_points=recency.get("undecayed_points"),
        trend=engagement_trend(record, today=today, weeks=window),
        some_activities_hidden=some_activities_hidden(record, user=user, window_weeks=window),
        is_stale=summary.is_stale,
    )


# --- The summary: key topics, next steps, risks (and an opportunity's warnings) ---------------

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
ACCOUNT_SECTIONS = ("key_topics", "next_steps", "risks")
OPPORTUNITY_SECTIONS = ("key_topics", "next_steps", "risks", "warnings")
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
    return Bullet(
        section=section,
        index=shown.index,
        text=str(item.get("title") or item.get("text") or "").strip(),
        detail=str(item.get("detail") or "").strip() if item.get("title") else "",
        band=recency_band(moment, today=today, zone=zone),
        moment=moment,
        activity_count=len(shown.activity_ids),
        severity=str(item.get("severity") or ""),
        due_date=local_date(due, zone),
        owner=owner if isinstance(owner, str) else "",
        from_crm=item.get("source") == "crm_task",
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


def _activity_rows(activities, *, today: dt.date, zone) -> list[ActivityRow]:
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
    return _activity_rows(activities[:SIDEBAR_LIMIT], today=today, zone=zone), total


# --- Engagement metrics ---------------------------------------------------------------------

PERIODS = (
    ("last_7_days", "Last 7 days"),
    ("last_30_days", "Last 30 days"),
    ("last_90_days", "Last 90 days"),
    ("current_quarter", "This quarter"),
    ("current_year", "This year"),
)
PERIOD_LABELS = dict(PERIODS)
DEFAULT_PERIOD = "last_30_days"


@dataclass
class Tile:
    key: str
    label: str
    value: str
    hint: str = ""


@dataclass
class Bar:
    """One week's bar; the geometry is text ready for SVG attributes."""

    x: str
    y: str
    width: str
    height: str
    week_start: dt.date | None
    activities: int

    @property
    def title(self) -> str:
        week = f"Week of {self.week_start:%b} {self.week_start.day}" if self.week_start else "A week"
        return f"{week}: {self.activities} activit{'y' if self.activities == 1 else 'ies'}"


@dataclass
class TrendChart:
    bars: list[Bar]
    width: int
    height: int
    max_value: int
    total: int
    first_week: dt.date | None
    last_week: dt.date | None

    @property
    def axis_y(self) -> int:
        return self.height - 13

    @property
    def first_text(self) -> str:
        return short_date(self.first_week, dt.UTC)

    @property
    def last_text(self) -> str:
        return short_date(self.last_week, dt.UTC)


@dataclass
class Metrics:
    period: str
    period_label: str
    tiles: list[Tile]
    trend: TrendChart | None
    has_data: bool


def format_minutes(minutes: Any) -> str:
    """Time spent in words a rep reads at a glance: "45 min", "3 h", "12 h 30 min"."""
    try:
        minutes = int(minutes or 0)
    except (TypeError, ValueError):
        minutes = 0
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


def _count(value: Any) -> str:
    try:
        return f"{int(value or 0):,}"
    except (TypeError, ValueError):
        return "0"


def trend_chart(points: list[dict], *, width: int = 320, height: int = 72) -> TrendChart | None:
    """Weekly activity bars (inline SVG geometry) from the engine's ``metrics.trend``."""
    clean = []
    for point in points or []:
        if not isinstance(point, dict):
            continue
        try:
            count = max(0, int(point.get("activities") or 0))
        except (TypeError, ValueError):
            count = 0
        week = parse_moment(point.get("week_start"))
        clean.append((week.date() if isinstance(week, dt.datetime) else week, count))
    if not clean:
        return None
    top = max(count for _, count in clean) or 1
    slot = width / len(clean)
    gap = min(4.0, slot * 0.25)
    bars = []
    for i, (week, count) in enumerate(clean):
        bar_height = round((height - 14) * count / top, 1) if count else 0
        bars.append(
            Bar(
                x=f"{i * slot + gap / 2:g}",
                y=f"{height - 14 - bar_height:g}",
                width=f"{slot - gap:g}",
                height=f"{max(bar_height, 1 if count else 0):g}",
                week_start=week,
                activities=count,
            )
        )
    return TrendChart(
        bars=bars,
        width=width,
        height=height,
        max_value=top,
        total=sum(c for _, c in clean),
        first_week=clean[0][0],
        last_week=clean[-1][0],
    )


def metrics_for(record: Record, *, period: str) -> Metrics:
    """The engagement metrics of one period, as tiles, and the weekly activity trend."""
    period = period if period in PERIOD_LABELS else DEFAULT_PERIOD
    metrics = (record.summary.metrics if record.summary else None) or {}
    values = metrics.get(period) or {}
    rate = values.get("response_rate")
    tiles = [
        Tile("meetings", "Meetings", _count(values.get("meetings"))),
        Tile(
            "executives_engaged",
            "Executives engaged",
            _count(values.get("executives_engaged")),
            "VP level and above",
        ),
        Tile("emails_sent", "Emails sent", _count(values.get("emails_sent"))),
        Tile("emails_received", "Emails received", _count(values.get("emails_received"))),
        Tile("calls", "Calls", _count(values.get("calls"))),
        Tile(
            "time_spent",
            "Time spent",
            format_minutes(values.get("time_spent_minutes")),
            "in meetings and calls",
        ),
        Tile(
            "response_rate",
            "Response rate",
            "—" if rate is None else f"{round(float(rate))}%",
            "of emails sent got a reply" if rate is not None else "no emails sent",
        ),
        Tile("people_engaged", "People engaged", _count(values.get("people_engaged"))),
    ]
    return Metrics(
        period=period,
        period_label=PERIOD_LABELS[period],
        tiles=tiles,
        trend=trend_chart(metrics.get("trend") or []),
        has_data=bool(values),
    )


# --- People ---------------------------------------------------------------------------------

AUDIENCES = (("external", "External"), ("internal", "Internal"))
PEOPLE_SORTS = (
    ("engagement", "Engagement"),
    ("seniority", "Seniority"),
    ("time_spent", "Time spent"),
    ("recent", "Recently engaged"),
)
SENIORITY_LABELS = dict(SENIORITY_CHOICES)
DEPARTMENT_LABELS = dict(DEPARTMENT_CHOICES)
SENIORITY_ORDER = [code for code, _ in SENIORITY_CHOICES]
PEOPLE_PAGE_SIZE = 20
PEOPLE_MAX = 500


@dataclass(frozen=True)
class PeopleQuery:
    """What the people list is asked for: audience, sort and filters (all from GET parameters)."""

    audience: str = "external"
    sort: str = "engagement"
    seniority: str = ""
    department: str = ""
    show: int = PEOPLE_PAGE_SIZE

    @classmethod
    def from_params(cls, params) -> PeopleQuery:
        audience = params.get("people", "external")
        sort = params.get("sort", "engagement")
        try:
            show = int(params.get("show", PEOPLE_PAGE_SIZE))
        except (TypeError, ValueError):
            show = PEOPLE_PAGE_SIZE
        return cls(
            audience=audience if audience in dict(AUDIENCES) else "external",
            sort=sort if sort in dict(PEOPLE_SORTS) else "engagement",
            seniority=params.get("seniority", "") if params.get("seniority", "") in SENIORITY_LABELS else "",
            department=params.get("department", "")
            if params.get("department", "") in DEPARTMENT_LABELS
            else "",
            show=max(PEOPLE_PAGE_SIZE, min(show, PEOPLE_MAX)),
        )

    @property
    def is_internal(self) -> bool:
        return self.audience == "internal"

    @property
    def is_filtered(self) -> bool:
        return bool(self.seniority or self.department)


@dataclass
class PersonRow:
    person: PersonEngagement
    title: str
    seniority: str
    department: str
    band: Band
    wheel: Wheel
    url: str = ""
    last_text: str = ""
    last_iso: str = ""

    @property
    def name(self) -> str:
        return self.person.name or self.person.email

    @property
    def subtitle(self) -> str:
        return " · ".join(part for part in (self.title, self.seniority, self.department) if part)

    @property
    def score_text(self) -> str:
        return str(self.person.engagement_score)

    @property
    def time_text(self) -> str:
        return format_minutes(self.person.time_spent_minutes)


@dataclass
class PeoplePage:
    query: PeopleQuery
    rows: list[PersonRow]
    total: int
    external_count: int
    internal_count: int
    seniorities: list[tuple[str, str]]
    departments: list[tuple[str, str]]
    more_url: str = ""

    @property
    def has_more(self) -> bool:
        return self.total > len(self.rows)


def people_visible_to(record: Record, *, user) -> QuerySet[PersonEngagement]:
    """The record's people that ``user`` may see: someone who appears only on activities hidden from
    them (another rep's private meeting) is not listed; their activity still counts in every score."""
    people = record.people()
    if is_admin(user):
        return people
    visible = activities_visible_to(user=user, queryset=record.activities())
    seen_on_visible = Participant.objects.annotate(email_ci=Lower("email")).filter(
        email_ci=Lower(OuterRef("email")), activity__in=visible.values("pk")
    )
    return people.filter(Exists(seen_on_visible))


def _person_row(person: PersonEngagement, *, today: dt.date, zone) -> PersonRow:
    # The engine copies title, seniority and department onto the row (the contact's or user's own,
    # else inferred from the title an activity showed); older rows fall back to the contact.
    contact = person.contact if person.contact_id else None
    user = person.user if person.user_id else None
    title = person.title or (contact.title if contact else "") or (user.title if user else "")
    seniority = person.seniority or (contact.seniority if contact else "")
    department = person.department or (contact.department if contact else "")
    return PersonRow(
        person=person,
        title=title,
        seniority=SENIORITY_LABELS.get(seniority, "") if seniority != "unknown" else "",
        department=DEPARTMENT_LABELS.get(department, ""),
        band=recency_band(person.last_activity_at, today=today, zone=zone),
        wheel=wheel(person.engagement_score, person.breakdown),
        last_text=short_date(person.last_activity_at, zone),
        last_iso=iso(person.last_activity_at),
    )


_PEOPLE_LIST_FIELDS = (
    "pk",
    "is_internal",
    "seniority",
    "department",
    "engagement_score",
    "time_spent_minutes",
    "last_activity_at",
    "name",
)
_NO_TIME = dt.datetime.min.replace(tzinfo=dt.UTC)


def _people_sort_key(sort: str):
    rank = {code: i for i, code in enumerate(SENIORITY_ORDER)}

    def key(row):
        pk, _internal, seniority, _department, score, minutes, last, name = row
        tail = (-score, (name or "").casefold(), pk)
        if sort == "seniority":
            return (rank.get(seniority or "unknown", len(rank)), *tail)
        if sort == "time_spent":
            return (-minutes, *tail)
        if sort == "recent":
            return (last is None, -(last or _NO_TIME).timestamp(), *tail)
        return tail

    return key


def people_page(record: Record, *, user, query: PeopleQuery, today: dt.date, zone) -> PeoplePage:
    """People metrics of the record for the People section: external or internal, sorted and
    filtered, the first ``query.show`` of them. Two queries whatever the number of people: the
    visible people's list fields, then the rows shown."""
    listed = list(people_visible_to(record, user=user).values_list(*_PEOPLE_LIST_FIELDS))
    external_count = sum(1 for row in listed if not row[1])
    audience = [row for row in listed if row[1] == query.is_internal]
    seniorities = sorted(
        {row[2] for row in audience if row[2] in SENIORITY_LABELS and row[2] != "unknown"},
        key=SENIORITY_ORDER.index,
    )
    departments = sorted(
        {row[3] for row in audience if row[3] in DEPARTMENT_LABELS}, key=lambda code: DEPARTMENT_LABELS[code]
    )
    chosen = [
        row
        for row in audience
        if (not query.seniority or row[2] == query.seniority)
        and (not query.department or row[3] == query.department)
    ]
    chosen.sort(key=_people_sort_key(query.sort))
    shown = [row[0] for row in chosen[: query.show]]
    by_pk = PersonEngagement.objects.select_related("contact", "user").in_bulk(shown) if shown else {}
    return PeoplePage(
        query=query,
        rows=[_person_row(by_pk[pk], today=today, zone=zone) for pk in shown if pk in by_pk],
        total=len(chosen),
        external_count=external_count,
        internal_count=len(listed) - external_count,
        seniorities=[(code, SENIORITY_LABELS[code]) for code in seniorities],
        departments=[(code, DEPARTMENT_LABELS[code]) for code in departments],
    )


@dataclass
class Benchmark:
    seniority: str
    median: float | None
    sample: int | None
    delta: float | None

    @property
    def comparison(self) -> str:
        if self.delta is None:
            return ""
        delta = round(float(self.delta))
        if delta == 0:
            return "level with"
        return f"{abs(delta)} points {'above' if delta > 0 else 'below'}"


@dataclass
class PersonDetail:
    row: PersonRow
    components: list[Component]
    summary_text: str
    explanation: str
    benchmark: Benchmark | None
    recent: list[ActivityRow]
    next_meeting: Activity | None
    phone: str
    email: str
    persona: str


def person_for_user(record: Record, *, user, person_pk: int) -> PersonEngagement | None:
    """One person of the record's People section, if ``user`` may see them."""
    return people_visible_to(record, user=user).select_related("contact", "user").filter(pk=person_pk).first()


def activities_with_person(record: Record, *, user, email: str) -> QuerySet[Activity]:
    """The record's activities ``user`` may see on which this email address took part."""
    on_it = Participant.objects.annotate(email_ci=Lower("email")).filter(
        email_ci=(email or "").strip().lower()
    )
    return activities_visible_to(
        user=user, queryset=record.activities().filter(pk__in=on_it.values("activity_id"))
    )


def person_detail(record: Record, *, user, person: PersonEngagement, today: dt.date, zone) -> PersonDetail:
    """What the person sidebar shows: contact information, engagement score, last activity, next
    meeting, activity summary and buyer benchmarks; the activities listed are the visible ones."""
    breakdown = person.breakdown or {}
    mine = activities_with_person(record, user=user, email=person.email)
    recent = list(
        mine.filter(occurred_at__lte=clock.now())
        .select_related("owner")
        .prefetch_related("participants")
        .order_by("-occurred_at", "-pk")[:5]
    )
    next_meeting = (
        mine.filter(kind=Activity.Kind.MEETING, occurred_at__gt=clock.now(), is_cancelled=False)
        .order_by("occurred_at", "pk")
        .first()
    )
    raw_benchmark = breakdown.get("benchmark") if isinstance(breakdown.get("benchmark"), dict) else None
    benchmark = None
    if raw_benchmark:
        seniority = str(raw_benchmark.get("seniority") or "")
        benchmark = Benchmark(
            seniority=SENIORITY_LABELS.get(seniority, seniority.replace("_", " ").title()),
            median=raw_benchmark.get("median"),
            sample=raw_benchmark.get("sample"),
            delta=raw_benchmark.get("delta"),
        )
    contact = person.contact
    return PersonDetail(
        row=_person_row(person, today=today, zone=zone),
        components=_components(breakdown),
        summary_text=str(breakdown.get("summary") or ""),
        explanation=str(breakdown.get("explanation") or ""),
        benchmark=benchmark,
        recent=_activity_rows(recent, today=today, zone=zone),
        next_meeting=next_meeting,
        phone=(contact.phone if contact else "") or "",
        email=person.email
        or (contact.email if contact else "")
        or (person.user.email if person.user_id else ""),
        persona=contact.get_persona_display()
        if contact and contact.persona and contact.persona != "unknown"
        else "",
    )
