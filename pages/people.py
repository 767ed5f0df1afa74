"""The People section of a record and a person's sidebar: who took part, as a reader may see
them (someone seen only on activities hidden from the reader is not listed), sorted and filtered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower

from activities.models import Activity, Participant
from activities.selectors import activities_visible_to
from backstory import clock
from contacts.models import DEPARTMENT_CHOICES, SENIORITY_CHOICES
from insights.models import PersonEngagement

from .engagement import Component, Wheel, components, wheel
from .metrics import format_minutes
from .recency import Band, iso, recency_band, short_date
from .record import Record
from .summary import ActivityRow, activity_rows

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
    if user.is_admin:
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
        components=components(breakdown),
        summary_text=str(breakdown.get("summary") or ""),
        explanation=str(breakdown.get("explanation") or ""),
        benchmark=benchmark,
        recent=activity_rows(recent, today=today, zone=zone),
        next_meeting=next_meeting,
        phone=(contact.phone if contact else "") or "",
        email=person.email
        or (contact.email if contact else "")
        or (person.user.email if person.user_id else ""),
        persona=contact.get_persona_display()
        if contact and contact.persona and contact.persona != "unknown"
        else "",
    )
