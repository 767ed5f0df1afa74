"""People metrics: every external and internal person on an account's or opportunity's activities,
with their engagement score, time spent, last activity, next meeting, an activity summary in words,
and (for contacts) how they compare with buyers of the same seniority on won opportunities.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Coalesce

from activities.models import Activity, Participant
from contacts.models import Contact
from contacts.rules import department_from_title, seniority_from_title
from users.models import User

from .engagement import (
    HALF_LIFE_DAYS,
    LABELS,
    PERSON_SATURATION,
    WINDOW_DAYS,
    ComponentTotal,
    Engagement,
    component_totals,
    engagement_from_totals,
)
from .metrics import EMAIL_RECEIVED_MINUTES, EMAIL_SENT_MINUTES
from .records import (
    CALL,
    COMPONENTS,
    EMAIL_RECEIVED,
    EMAIL_SENT,
    MEETING,
    SCOPES,
    binary,
    component_of,
    counted,
    decay,
    in_sync,
    with_heavy_reads,
)

# Seed: "Contacts appear in the People section only when they are matched to activities in Backstory."
# People are listed from the activities of the last twelve months; their score uses the usual 12 weeks.
PEOPLE_WINDOW_DAYS = 365
# Buyer benchmarks need a few won deals' buyers of the same seniority to mean anything.
BENCHMARK_MIN_SAMPLE = 3
EMAIL_ROLES = (Participant.Role.TO, Participant.Role.CC, Participant.Role.BCC)


@dataclass
class PersonFacts:
    """What the participant rows say about one person on one record."""

    record_id: int
    email: str
    contact_id: int | None = None
    user_id: int | None = None
    is_internal: bool = False
    name: str = ""
    title: str = ""
    totals: dict[str, ComponentTotal] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    emails_sent: int = 0
    emails_received: int = 0
    minutes: int = 0
    last_at: dt.datetime | None = None
    last_kind: str = ""
    next_meeting_at: dt.datetime | None = None

    @property
    def activity_count(self) -> int:
        return sum(self.counts.values())

    @property
    def time_spent_minutes(self) -> int:
        return int(
            self.minutes
            + EMAIL_SENT_MINUTES * self.counts.get(EMAIL_SENT, 0)
            + EMAIL_RECEIVED_MINUTES * self.counts.get(EMAIL_RECEIVED, 0)
        )


@with_heavy_reads
def people_facts(
    *, kind: str, record_ids: Iterable[int] | None, now: dt.datetime
) -> dict[tuple[int, str], PersonFacts]:
    """Per (record, email): counts over the last 12 months, 12-week engagement totals, and the next
    meeting; one grouped query for the past and one for the meetings ahead."""
    scope = SCOPES[kind]
    ids = None if record_ids is None else list(record_ids)
    occurred = "activity__occurred_at"
    window_start = now - dt.timedelta(days=WINDOW_DAYS)
    recent = Q(**{f"{occurred}__gt": window_start})
    # Grouped on narrow raw columns (kind, direction) rather than the component expression; the
    # component is derived in Python by the same rule (``component_of``).
    rows = (
        scope.participant_rows(ids)
        .filter(counted("activity__", start=now - dt.timedelta(days=PEOPLE_WINDOW_DAYS), end=now))
        .exclude(response=Participant.Response.DECLINED)
        .annotate(_email=binary("email"))
        .values(scope.participant_key, "_email", "is_internal", "activity__kind", "activity__direction")
        .annotate(
            _n=Count("pk"),
            _n12=Count("pk", filter=recent),
            _decay=Sum(decay("activity__", now, HALF_LIFE_DAYS), filter=recent),
            _last12=Max(occurred, filter=recent),
            _last=Max(occurred),
            _minutes=Sum("activity__duration_minutes", default=0),
            _from=Count("pk", filter=Q(role=Participant.Role.FROM)),
            _to=Count("pk", filter=Q(role__in=EMAIL_ROLES)),
            _contact=Max("contact_id"),
            _user=Max("user_id"),
            _name=Max("name"),
            _title=Max("title"),
        )
        .order_by()
    )
    people: dict[tuple[int, str], PersonFacts] = {}
    for row in rows:
        key = (row[scope.participant_key], row["_email"].lower())
        person = people.get(key)
        if person is None:
            person = people[key] = PersonFacts(record_id=key[0], email=key[1])
        person.contact_id = person.contact_id or row["_contact"]
        person.user_id = person.user_id or row["_user"]
        person.is_internal = person.is_internal or row["is_internal"]
        person.name = person.name or row["_name"] or ""
        person.title = person.title or row["_title"] or ""
        kind = row["activity__kind"]
        kind_name = component_of(kind, row["activity__direction"])
        person.counts[kind_name] = person.counts.get(kind_name, 0) + row["_n"]
        if row["_n12"]:
            total = ComponentTotal(row["_n12"], float(row["_decay"] or 0.0), row["_last12"])
            previous = person.totals.get(kind_name)
            person.totals[kind_name] = previous.plus(total) if previous else total
        if kind == Activity.Kind.EMAIL:
            person.emails_sent += row["_from"]
            person.emails_received += row["_to"]
        else:
            person.minutes += row["_minutes"] or 0
        if person.last_at is None or row["_last"] > person.last_at:
            person.last_at, person.last_kind = row["_last"], kind_name

    upcoming = (
        scope.participant_rows(ids)
        .filter(counted("activity__", start=now), activity__kind=Activity.Kind.MEETING)
        .exclude(response=Participant.Response.DECLINED)
        .annotate(_email=binary("email"))
        .values(scope.participant_key, "_email")
        .annotate(_next=Min(occurred))
        .order_by()
    )
    for row in upcoming:
        person = people.get((row[scope.participant_key], row["_email"].lower()))
        if person is not None:
            person.next_meeting_at = row["_next"]
    return people


def _duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def person_activity_summary(person: PersonFacts) -> str:
    """One or two plain sentences: what this person did with us in the last 12 months (counts,
    which include private activities like every score, and the last activity's date)."""
    parts = []
    meetings, calls = person.counts.get(MEETING, 0), person.counts.get(CALL, 0)
    if meetings:
        parts.append(f"{meetings} meeting{'s' if meetings != 1 else ''}")
    if calls:
        parts.append(f"{calls} call{'s' if calls != 1 else ''}")
    if person.emails_sent:
        parts.append(f"{person.emails_sent} email{'s' if person.emails_sent != 1 else ''} sent")
    if person.emails_received:
        parts.append(f"{person.emails_received} email{'s' if person.emails_received != 1 else ''} received")
    if not parts:
        return "No meetings, calls or emails in the last 12 months."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    text = f"In the last 12 months: {listed}, about {_duration(person.time_spent_minutes)} in all."
    if person.last_at:
        text += f" Last activity on {person.last_at:%d %b %Y} ({LABELS[person.last_kind][0]})."
    # No next meeting here: this sentence is stored once and read by everyone, and issue 15 says "a
    # next meeting known only from activities a reader may not see is not shown to that reader
    # anywhere". The sidebar's "Next meeting" row picks it from the reader's visible meetings.
    return text


def _won_reference(path: str):
    """When a won opportunity closed: its last stage change, else its close dates."""
    from django.db.models import DateTimeField

    return Coalesce(
        F(f"{path}stage_changed_at"),
        F(f"{path}actual_close_date"),
        F(f"{path}close_date"),
        output_field=DateTimeField(),
    )


@with_heavy_reads
def buyer_benchmarks() -> dict[str, dict]:
    """Per seniority: the median engagement of the buyers on won opportunities (the contacts holding
    a contact role on one), each measured over the activities of that opportunity's account they
    took part in during the 12 weeks before it closed. One grouped query for all of them.

    Seed: "Click on each contact to view: ... Buyer benchmarks".
    """
    role = "contact__opportunity_roles__opportunity__"
    rows = Participant.objects.filter(
        in_sync("activity__"),
        is_internal=False,
        contact__opportunity_roles__opportunity__is_won=True,
        activity__account_id=F(f"{role}account_id"),
    ).exclude(response=Participant.Response.DECLINED)
    totals = component_totals(
        rows, group_by=[f"{role}id", "contact_id"], prefix="activity__", as_of=_won_reference(role)
    )
    contact_ids = {key[1] for key in totals}
    seniority = dict(Contact.objects.filter(id__in=contact_ids).values_list("id", "seniority"))
    scores: dict[str, list[int]] = {}
    for (_opportunity_id, contact_id), kinds in totals.items():
        score = engagement_from_totals(kinds, saturation=PERSON_SATURATION).score
        if score > 0:
            scores.setdefault(seniority.get(contact_id) or "unknown", []).append(score)
    return {
        level: {
            "median": round(statistics.median(values)) if len(values) >= BENCHMARK_MIN_SAMPLE else None,
            "sample": len(values),
        }
        for level, values in scores.items()
    }


def benchmark_for(*, seniority: str, score: int, benchmarks: dict[str, dict]) -> dict:
    """A contact's score against the median of won deals' buyers of the same seniority."""
    level = seniority or "unknown"
    found = benchmarks.get(level, {"median": None, "sample": 0})
    median = found["median"]
    return {
        "seniority": level,
        "median": median,
        "sample": found["sample"],
        "delta": None if median is None else score - median,
    }


@dataclass(frozen=True)
class PersonProfile:
    name: str
    title: str
    seniority: str
    department: str


def person_profiles(people: Iterable[PersonFacts]) -> dict[str, PersonProfile]:
    """Name, title, seniority and department per email: the contact's or user's own, else inferred
    from the title the activity showed (a signature, a meeting invitation)."""
    people = list(people)
    contacts = Contact.objects.in_bulk({p.contact_id for p in people if p.contact_id})
    users = User.objects.in_bulk({p.user_id for p in people if p.user_id})
    profiles: dict[str, PersonProfile] = {}
    for person in people:
        if person.email in profiles:
            continue
        contact = contacts.get(person.contact_id)
        user = users.get(person.user_id)
        if contact is not None:
            title = contact.title or person.title
            profiles[person.email] = PersonProfile(
                contact.name or person.name,
                title,
                contact.seniority or seniority_from_title(title),
                contact.department or department_from_title(title),
            )
        elif user is not None:
            title = user.title or person.title
            profiles[person.email] = PersonProfile(
                user.get_full_name() or person.name,
                title,
                seniority_from_title(title),
                department_from_title(title),
            )
        else:
            title = person.title
            profiles[person.email] = PersonProfile(
                person.name,
                title,
                seniority_from_title(title) if title else "",
                department_from_title(title) if title else "",
            )
    return profiles


def person_engagement(person: PersonFacts) -> Engagement:
    return engagement_from_totals(
        {k: v for k, v in person.totals.items() if k in COMPONENTS}, saturation=PERSON_SATURATION
    )
