"""Answer composition: one function per intent, each grounded in the record's data the user may see.

Every fact carries a [n] marker (see citations.py). When the data has no answer, the answer says so
plainly instead of guessing. Aggregate numbers that include other reps' private activities (as the
pages' metrics do) say so; those activities never contribute words or citations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from activities.models import Activity, Participant
from contacts.models import Contact
from insights.selectors import insights_configuration_get
from insights.services.engagement import HALF_LIFE_DAYS, LOW_MAX, MEDIUM_MAX, WEIGHTS, engagement_band
from insights.services.text import competitors_in, competitors_pattern
from opportunities.models import NextStep, OpportunityContactRole, OpportunityStageHistory
from opportunities.stages import stage_info
from pages.record import contact_roles_known_to

from .citations import Citations
from .dates import Period, default_period, format_day, quarter_to_date
from .intents import Understanding, is_why_question, is_yes_no_question
from .retrieval import (
    RecordContext,
    activity_snippet,
    count_activities,
    external_people_activity,
    mentions,
    minutes_spent,
    search_activities,
    visible_items,
)

DECISION_ROLES = [
    OpportunityContactRole.Role.DECISION_MAKER,
    OpportunityContactRole.Role.ECONOMIC_BUYER,
    OpportunityContactRole.Role.EXECUTIVE_SPONSOR,
]
BAND_RANGES = {
    "low": f"0 to {LOW_MAX}",
    "medium": f"{LOW_MAX + 1} to {MEDIUM_MAX}",
    "high": f"{MEDIUM_MAX + 1} to 100",
}
QUIET_AFTER_DAYS = 30
AWAITING_REPLY_DAYS = 30
TOPICS = {
    "pricing": (r"pric(e|es|ing)|discount|quote|budget|cost|per year|\$\d|multi-year", "pricing"),
    "security": (
        r"security|soc ?2|sso|saml|encrypt|infosec|penetration|data residency|sub-processor",
        "security",
    ),
    "legal": (r"legal|msa|redline|contract|indemnif|liability|data processing addendum", "legal terms"),
    "timeline": (r"timeline|go-live|kickoff|implementation|project plan|migration", "the timeline"),
    "renewal": (r"renewal|renew|expansion|qbr|seats", "the renewal"),
    "integration": (r"integration|api\b|sandbox|data warehouse|snowflake|salesforce sync", "the integration"),
}
_TOPIC_WORDS = {
    "pricing": ("pricing", "price", "prices", "discount", "budget", "cost", "costs", "quote", "money"),
    "security": ("security", "sso", "soc", "infosec", "saml", "encryption"),
    "legal": ("legal", "contract", "msa", "redlines", "redline", "terms"),
    "timeline": ("timeline", "go-live", "implementation", "kickoff", "schedule"),
    "renewal": ("renewal", "renew", "expansion", "upsell"),
    "integration": ("integration", "api", "sandbox", "warehouse", "snowflake"),
}


@dataclass
class Answer:
    intent: str
    text: str
    citations: list[dict] = field(default_factory=list)
    has_data: bool = True


def _finish(intent: str, lines: list[str], cites: Citations, has_data: bool = True) -> Answer:
    return Answer(
        intent=intent,
        text="\n".join(line for line in lines if line is not None),
        citations=cites.items,
        has_data=has_data,
    )


def _private_note(hidden: int, noun: str = "activity") -> str:
    if not hidden:
        return ""
    plural = noun if hidden == 1 else ("activities" if noun == "activity" else noun + "s")
    return (
        f" That includes {hidden} private {plural} of a colleague that you can't open; "
        "the page's engagement metrics count private activities too."
    )


def _external_names(activity: Activity, limit: int = 3) -> str:
    names = [p.name or p.email for p in activity.participants.all() if not p.is_internal][:limit]
    return ", ".join(names)


def _activity_line(activity: Activity, cites: Citations, *, tz, terms=None, with_snippet: bool = True) -> str:
    who = _external_names(activity)
    line = f"- {format_day(activity.occurred_at, tz)}, {activity.get_kind_display().lower()} “{activity.subject or '(no subject)'}”"
    if who:
        line += f" with {who}"
    if with_snippet and activity.body:
        line += f": {activity_snippet(activity, terms=terms)}"
    return f"{line} {cites.activity(activity)}"


def _with_participants(queryset):
    return queryset.prefetch_related(Prefetch("participants", queryset=Participant.objects.order_by("id")))


def _clip(period: Period, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return period.start, min(period.end, now)


def _last_visible(context: RecordContext):
    return (
        _with_participants(context.visible_activities().filter(occurred_at__lte=context.now))
        .order_by("-occurred_at")
        .first()
    )


def _contact_line(contact: Contact, cites: Citations, extra: str = "") -> str:
    title = f", {contact.title}" if contact.title else ""
    return f"- {contact.name}{title}{extra} {cites.contact(contact)}"


def _last_touch_by_contact(context: RecordContext) -> dict[int, tuple[dt.datetime, int]]:
    """For each contact on the visible activities: when we last had an activity with them, and which."""
    rows = (
        Participant.objects.filter(
            activity__in=context.visible_activities().filter(occurred_at__lte=context.now),
            contact__isnull=False,
        )
        .values_list("contact_id", "activity__occurred_at", "activity_id")
        .order_by("contact_id", "-activity__occurred_at")
    )
    latest: dict[int, tuple[dt.datetime, int]] = {}
    for contact_id, when, activity_id in rows:
        latest.setdefault(contact_id, (when, activity_id))
    return latest


# --- people --------------------------------------------------------------------------------------
def answer_decision_makers(*, context: RecordContext, understanding: Understanding) -> Answer:
    """Contacts holding Decision Maker, Economic Buyer or Executive Sponsor roles; else senior contacts."""
    cites = Citations(tz=context.tz, record=context.record)
    roles = (
        contact_roles_known_to(
            OpportunityContactRole.objects.filter(
                opportunity__in=context.opportunities(), role__in=DECISION_ROLES
            ),
            user=context.user,
        )
        .select_related("contact", "opportunity")
        .order_by("-is_primary", "contact__last_name")
    )
    touches = _last_touch_by_contact(context)
    by_contact: dict[int, list] = defaultdict(list)
    for role in roles:
        by_contact[role.contact_id].append(role)
    lines = []
    if by_contact:
        lines.append(f"The decision makers on {context.record.name}, from the CRM contact roles:")
        for contact_roles in by_contact.values():
            contact = contact_roles[0].contact
            what = ", ".join(
                sorted({r.role for r in contact_roles})
                if context.is_opportunity
                else sorted(
                    {
                        f"{r.role} on {r.opportunity.name}{' (closed)' if r.opportunity.is_closed else ''}"
                        for r in contact_roles
                    }
                )
            )
            extra = f" ({what})"
            touch = touches.get(contact.pk)
            line = _contact_line(contact, cites, extra)
            if touch:
                activity = Activity.objects.get(pk=touch[1])
                line += (
                    f"; last activity with them {format_day(touch[0], context.tz)} {cites.activity(activity)}"
                )
            else:
                line += "; no activity with them that you can see"
            lines.append(line)
        return _finish("decision_makers", lines, cites)
    seniors = Contact.objects.filter(account=context.account, seniority__in=["c_level", "vp"]).order_by(
        "seniority", "last_name"
    )[:5]
    if seniors:
        lines.append(
            f"No contact on {context.record.name} holds a Decision Maker, Economic Buyer or Executive Sponsor role in the CRM. "
            "The most senior contacts at the account are:"
        )
        lines += [_contact_line(c, cites) for c in seniors]
        return _finish("decision_makers", lines, cites)
    return _finish(
        "decision_makers",
        [
            f"The data doesn't say: no contact on {context.record.name} holds a decision-maker role, and no C-level or VP contact is on the account."
        ],
        cites,
        has_data=False,
    )


def answer_champion(*, context: RecordContext, understanding: Understanding) -> Answer:
    """The contact with the Champion role; else the most engaged external contact the user can see."""
    cites = Citations(tz=context.tz, record=context.record)
    champions = OpportunityContactRole.objects.filter(
        opportunity__in=context.opportunities(), role=OpportunityContactRole.Role.CHAMPION
    ).select_related("contact", "opportunity")
    if champions:
        lines = [f"The champion on {context.record.name}, from the CRM contact roles:"]
        seen = set()
        for role in champions:
            if role.contact_id not in seen:
                seen.add(role.contact_id)
                lines.append(_contact_line(role.contact, cites, f" (Champion on {role.opportunity.name})"))
        return _finish("champion", lines, cites)
    people = [
        p
        for p in external_people_activity(context=context, since=context.now - dt.timedelta(days=90))
        if p["contact_id"]
    ]
    if not people:
        return _finish(
            "champion",
            [
                f"No contact has the Champion role on {context.record.name}, and no contact has been active in the last 90 days, so the data names no champion."
            ],
            cites,
            has_data=False,
        )
    top = people[0]
    contact = Contact.objects.get(pk=top["contact_id"])
    lines = [
        f"No contact has the Champion role on {context.record.name} in the CRM. The likeliest candidate is the most engaged contact "
        f"in the last 90 days: {contact.name}{', ' + contact.title if contact.title else ''} {cites.contact(contact)}, "
        f"on {top['count']} activit{'y' if top['count'] == 1 else 'ies'}, the latest on {format_day(top['last'], context.tz)}.",
        "Consider confirming them as champion and adding the role in the CRM.",
    ]
    return _finish("champion", lines, cites)


def answer_people(*, context: RecordContext, understanding: Understanding) -> Answer:
    """The external people most active on the record in the last 90 days, and our colleagues on it."""
    cites = Citations(tz=context.tz, record=context.record)
    since = context.now - dt.timedelta(days=90)
    people = external_people_activity(context=context, since=since)[:6]
    if not people:
        return _finish(
            "people",
            [
                f"No activity you can see on {context.record.name} in the last 90 days involves anyone at the customer."
            ],
            cites,
            has_data=False,
        )
    contacts = Contact.objects.in_bulk([p["contact_id"] for p in people if p["contact_id"]])
    names = dict(
        Participant.objects.filter(email__in=[p["email"] for p in people])
        .exclude(name="")
        .values_list("email", "name")
    )
    lines = [
        f"The most engaged people at the customer on {context.record.name} in the last 90 days (activities you can see):"
    ]
    for p in people:
        contact = contacts.get(p["contact_id"])
        label = f"{p['count']} activit{'y' if p['count'] == 1 else 'ies'}, last {format_day(p['last'], context.tz)}"
        if contact:
            lines.append(_contact_line(contact, cites, f" ({label})"))
        else:
            last = (
                context.visible_activities()
                .filter(participants__email=p["email"])
                .order_by("-occurred_at")
                .first()
            )
            lines.append(
                f"- {names.get(p['email'], p['email'])} ({label}; not a CRM contact yet) {cites.activity(last)}"
            )
    colleagues = (
        Participant.objects.filter(
            activity__in=context.visible_activities().filter(occurred_at__gte=since), is_internal=True
        )
        .exclude(name="")
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:6]
    )
    if colleagues:
        lines.append("Colleagues on these activities: " + ", ".join(sorted(colleagues)) + ".")
    return _finish("people", lines, cites)


def answer_quiet_contacts(*, context: RecordContext, understanding: Understanding) -> Answer:
    """Contacts with no activity (that the user can see) in the last 30 days, longest silence first."""
    cites = Citations(tz=context.tz, record=context.record)
    if context.is_opportunity:
        roles = contact_roles_known_to(context.record.contact_roles.all(), user=context.user)
        contacts = [r.contact for r in roles.select_related("contact")]
        scope = "contact roles"
    else:
        contacts = list(Contact.objects.filter(account=context.record))
        scope = "contacts"
    if not contacts:
        return _finish(
            "quiet_contacts",
            [f"{context.record.name} has no {scope} in the CRM, so there is no one to check."],
            cites,
            has_data=False,
        )
    touches = _last_touch_by_contact(context)
    cutoff = context.now - dt.timedelta(days=QUIET_AFTER_DAYS)
    quiet = [
        (touches.get(c.pk), c) for c in contacts if touches.get(c.pk) is None or touches[c.pk][0] < cutoff
    ]
    if not quiet:
        return _finish(
            "quiet_contacts",
            [
                f"Every one of the {len(contacts)} {scope} on {context.record.name} has had an activity in the last {QUIET_AFTER_DAYS} days."
            ],
            cites,
        )
    quiet.sort(
        key=lambda pair: (
            pair[0] is not None,
            pair[0][0] if pair[0] else dt.datetime.min.replace(tzinfo=dt.UTC),
            pair[1].last_name,
        )
    )
    lines = [
        f"{len(quiet)} of the {len(contacts)} {scope} on {context.record.name} {'has' if len(quiet) == 1 else 'have'} had no activity you can see in the last {QUIET_AFTER_DAYS} days:"
    ]
    for touch, contact in quiet[:8]:
        if touch:
            line = _contact_line(contact, cites)
            days = (context.now - touch[0]).days
            lines.append(
                f"{line}: last activity {format_day(touch[0], context.tz)}, {days} days ago {cites.activity(Activity.objects.get(pk=touch[1]))}"
            )
        else:
            lines.append(_contact_line(contact, cites, ": no activity with them that you can see"))
    if len(quiet) > 8:
        lines.append(f"…and {len(quiet) - 8} more.")
    return _finish("quiet_contacts", lines, cites)


# --- activities ----------------------------------------------------------------------------------
def answer_recent_discussion(*, context: RecordContext, understanding: Understanding) -> Answer:
    """What was discussed in the period (default: the last 14 days), newest first."""
    cites = Citations(tz=context.tz, record=context.record)
    period = understanding.period or default_period(
        now=context.now, tz=context.tz, days=14, label="in the last 14 days"
    )
    start, end = _clip(period, context.now)
    activities = list(
        _with_participants(
            context.visible_activities().filter(occurred_at__gte=start, occurred_at__lt=end)
        ).order_by("-occurred_at")[:6]
    )
    counts = count_activities(context=context, start=start, end=end)
    if not activities:
        lines = [f"No activity you can see on {context.record.name} {period.label}."]
        if counts.hidden:
            lines[0] += (
                f" ({counts.hidden} private activit{'y' if counts.hidden == 1 else 'ies'} of a colleague fall in that period; only their owner can read them.)"
            )
        last = _last_visible(context)
        if last:
            lines.append("The latest activity you can see before that:")
            lines.append(_activity_line(last, cites, tz=context.tz))
        return _finish("recent_discussion", lines, cites, has_data=False)
    lines = [
        f"What was discussed on {context.record.name} {period.label}: {counts.visible} activit{'y' if counts.visible == 1 else 'ies'} you can see, newest first.{_private_note(counts.hidden)}"
    ]
    lines += [_activity_line(a, cites, tz=context.tz) for a in activities]
    if counts.visible > len(activities):
        lines.append(f"…and {counts.visible - len(activities)} more in the Engagement Log.")
    return _finish("recent_discussion", lines, cites)


def answer_changes_since(*, context: RecordContext, understanding: Understanding) -> Answer:
    """What changed in the period (default: the last 7 days): activities, stages, contacts, roles, next steps."""
    cites = Citations(tz=context.tz, record=context.record)
    period = understanding.period or default_period(
        now=context.now, tz=context.tz, days=7, label="in the last 7 days"
    )
    start, end = _clip(period, context.now)
    lines = [f"What changed on {context.record.name} {period.label}:"]
    found = False
    by_kind = []
    hidden = 0
    for kind, label in Activity.Kind.choices:
        c = count_activities(context=context, start=start, end=end, kind=kind)
        hidden += c.hidden
        if c.visible:
            by_kind.append(f"{c.visible} {label.lower()}{'' if c.visible == 1 else 's'}")
    if by_kind:
        found = True
        lines.append(f"- Activity you can see: {', '.join(by_kind)}.{_private_note(hidden)}")
        for activity in _with_participants(
            context.visible_activities().filter(occurred_at__gte=start, occurred_at__lt=end)
        ).order_by("-occurred_at")[:3]:
            lines.append("  " + _activity_line(activity, cites, tz=context.tz, with_snippet=False))
    elif hidden:
        lines.append(f"- No activity you can see.{_private_note(hidden)}")
    for change in (
        OpportunityStageHistory.objects.filter(
            opportunity__in=context.opportunities(), changed_at__gte=start, changed_at__lt=end
        )
        .select_related("opportunity")
        .order_by("changed_at")
    ):
        found = True
        lines.append(
            f"- {change.opportunity.name} moved to {change.stage} on {format_day(change.changed_at, context.tz)} {cites.opportunity(change.opportunity)}"
        )
    new_contacts = Contact.objects.filter(
        account=context.account, created_at__gte=start, created_at__lt=end
    ).order_by("created_at")
    for contact in new_contacts[:5]:
        found = True
        how = "created by Backstory" if contact.created_by_backstory else "added"
        lines.append(
            _contact_line(
                contact, cites, f": new contact, {how} on {format_day(contact.created_at, context.tz)}"
            )
        )
    for role in OpportunityContactRole.objects.filter(
        opportunity__in=context.opportunities(), created_at__gte=start, created_at__lt=end
    ).select_related("contact", "opportunity")[:5]:
        found = True
        lines.append(
            _contact_line(
                role.contact,
                cites,
                f": new contact role {role.role or ''} on {role.opportunity.name}".rstrip(),
            )
        )
    steps = NextStep.objects.filter(**_next_step_scope(context))
    for step in steps.filter(completed_at__gte=start, completed_at__lt=end).order_by("completed_at")[:5]:
        found = True
        lines.append(
            f"- Next step completed: {step.subject} ({format_day(step.completed_at, context.tz)}) {cites.next_step(step)}"
        )
    for step in steps.filter(status=NextStep.Status.OPEN, created_at__gte=start, created_at__lt=end)[:5]:
        found = True
        lines.append(f"- New next step: {step.subject}{_due(step)} {cites.next_step(step)}")
    if not found:
        return _finish(
            "changes_since",
            [
                f"Nothing changed on {context.record.name} {period.label} that you can see: no activities, stage changes, new contacts or next steps."
            ],
            cites,
            has_data=False,
        )
    return _finish("changes_since", lines, cites)


def answer_next_meeting(*, context: RecordContext, understanding: Understanding) -> Answer:
    """The next meeting on the calendar that the user can see."""
    cites = Citations(tz=context.tz, record=context.record)
    upcoming = list(
        _with_participants(
            context.visible_activities().filter(kind=Activity.Kind.MEETING, occurred_at__gt=context.now)
        ).order_by("occurred_at")[:3]
    )
    if not upcoming:
        lines = [f"No upcoming meeting you can see is on the calendar for {context.record.name}."]
        last = (
            _with_participants(
                context.visible_activities().filter(kind=Activity.Kind.MEETING, occurred_at__lte=context.now)
            )
            .order_by("-occurred_at")
            .first()
        )
        if last:
            lines.append(f"The last meeting was on {format_day(last.occurred_at, context.tz)}:")
            lines.append(_activity_line(last, cites, tz=context.tz))
        return _finish("next_meeting", lines, cites, has_data=False)
    meeting = upcoming[0]
    local = meeting.occurred_at.astimezone(context.tz)
    who = _external_names(meeting, limit=5)
    owner = meeting.owner.get_full_name() if meeting.owner else ""
    lines = [
        f"The next meeting on {context.record.name} is “{meeting.subject}” on {local:%A}, {format_day(local)} at "
        f"{local:%H:%M} ({context.tz.key}){f', {meeting.duration_minutes} minutes' if meeting.duration_minutes else ''}"
        f"{f', with {who}' if who else ''}{f', organized by {owner}' if owner else ''} {cites.activity(meeting)}."
    ]
    if len(upcoming) > 1:
        lines.append("After that:")
        lines += [_activity_line(m, cites, tz=context.tz, with_snippet=False) for m in upcoming[1:]]
    return _finish("next_meeting", lines, cites)


def answer_awaiting_reply(*, context: RecordContext, understanding: Understanding) -> Answer:
    """Email threads whose latest message is from the customer (we owe a reply), and ours still unanswered."""
    cites = Citations(tz=context.tz, record=context.record)
    emails = (
        context.visible_activities()
        .filter(
            kind=Activity.Kind.EMAIL,
            occurred_at__lte=context.now,
            occurred_at__gte=context.now - dt.timedelta(days=AWAITING_REPLY_DAYS),
        )
        .order_by("occurred_at")
    )
    latest: dict[str, Activity] = {}
    for email in _with_participants(emails):
        latest[email.thread_id or email.source_id] = email
    ours = sorted(
        (e for e in latest.values() if e.direction == Activity.Direction.INBOUND), key=lambda e: e.occurred_at
    )
    theirs = sorted(
        (
            e
            for e in latest.values()
            if e.direction == Activity.Direction.OUTBOUND
            and e.occurred_at < context.now - dt.timedelta(days=3)
        ),
        key=lambda e: e.occurred_at,
        reverse=True,
    )
    if not ours and not theirs:
        return _finish(
            "awaiting_reply",
            [
                f"No email thread on {context.record.name} in the last {AWAITING_REPLY_DAYS} days is waiting on a reply, among the emails you can see."
            ],
            cites,
            has_data=False,
        )
    lines = []
    if ours:
        lines.append(
            f"{len(ours)} email thread{'s' if len(ours) != 1 else ''} on {context.record.name} in the last {AWAITING_REPLY_DAYS} days end{'s' if len(ours) == 1 else ''} with a message from the customer that has no reply yet, longest waiting first:"
        )
        for email in ours[:6]:
            days = (context.now - email.occurred_at).days
            lines.append(
                _activity_line(email, cites, tz=context.tz).replace(
                    f" {cites.activity(email)}",
                    f" (waiting {days} day{'s' if days != 1 else ''}) {cites.activity(email)}",
                )
            )
    else:
        lines.append(f"No customer email on {context.record.name} is waiting for our reply.")
    if theirs:
        lines.append(
            f"{len(theirs)} of our emails have had no answer from the customer for more than 3 days; the latest:"
        )
        lines += [_activity_line(e, cites, tz=context.tz, with_snippet=False) for e in theirs[:3]]
    return _finish("awaiting_reply", lines, cites)


def answer_last_activity(*, context: RecordContext, understanding: Understanding) -> Answer:
    cites = Citations(tz=context.tz, record=context.record)
    last = _last_visible(context)
    if not last:
        return _finish(
            "recent_discussion",
            [f"There is no activity you can see on {context.record.name}."],
            cites,
            has_data=False,
        )
    days = (context.now - last.occurred_at).days
    return _finish(
        "recent_discussion",
        [
            f"The latest activity on {context.record.name} was {days} days ago:",
            _activity_line(last, cites, tz=context.tz),
        ],
        cites,
    )


# --- counts --------------------------------------------------------------------------------------
def answer_activity_count(*, context: RecordContext, understanding: Understanding) -> Answer:
    """How many meetings, emails or calls in the period (default: this quarter), past ones only."""
    cites = Citations(tz=context.tz, record=context.record)
    period = understanding.period or quarter_to_date(now=context.now, tz=context.tz)
    start, end = _clip(period, context.now)
    kind = understanding.kind
    noun = {"meeting": "meeting", "email": "email", "call": "call"}.get(kind, "activity")
    counts = count_activities(context=context, start=start, end=end, kind=kind)
    plural = (noun + "s") if noun != "activity" else "activities"
    metric = cites.metric(
        slug=f"{plural}_{start:%Y%m%d}_{end:%Y%m%d}",
        label=f"{plural.capitalize()} {period.label}",
        value=counts.total,
        anchor="engagement",
    )
    lines = [
        f"{counts.visible} {noun if counts.visible == 1 else plural} on {context.record.name} {period.label} {metric}."
    ]
    if counts.hidden:
        lines[0] = (
            f"{counts.total} {plural} on {context.record.name} {period.label} {metric}: {counts.visible} you can see, and "
            f"{counts.hidden} private {noun if counts.hidden == 1 else plural} of a colleague that only its owner can open "
            "(the page's engagement metrics count private activities too)."
        )
    if kind == "email":
        sent = count_activities(context=context, start=start, end=end, kind="email")
        out = (
            context.visible_activities()
            .filter(kind="email", occurred_at__gte=start, occurred_at__lt=end, direction="outbound")
            .count()
        )
        lines.append(
            f"Of the ones you can see, {out} were sent and {sent.visible - out} received or internal."
        )
    recent = list(
        _with_participants(
            context.visible_activities().filter(
                occurred_at__gte=start, occurred_at__lt=end, **({"kind": kind} if kind else {})
            )
        ).order_by("-occurred_at")[:3]
    )
    if recent:
        lines.append("The latest:")
        lines += [_activity_line(a, cites, tz=context.tz, with_snippet=False) for a in recent]
    return _finish("activity_count", lines, cites, has_data=counts.total > 0)


def answer_time_spent(*, context: RecordContext, understanding: Understanding) -> Answer:
    """Minutes in meetings and calls in the period (default: the last 12 weeks), by colleague."""
    cites = Citations(tz=context.tz, record=context.record)
    period = understanding.period or default_period(
        now=context.now, tz=context.tz, days=84, label="in the last 12 weeks"
    )
    start, end = _clip(period, context.now)
    visible, hidden = minutes_spent(context=context, start=start, end=end)
    if not visible and not hidden:
        return _finish(
            "time_spent",
            [f"No meeting or call time on {context.record.name} {period.label}."],
            cites,
            has_data=False,
        )
    metric = cites.metric(
        slug=f"time_spent_{start:%Y%m%d}_{end:%Y%m%d}",
        label=f"Time in meetings and calls {period.label}",
        value=f"{visible + hidden} minutes",
        anchor="people",
    )
    lines = [
        f"The team spent {_hours(visible + hidden)} in meetings and calls on {context.record.name} {period.label} {metric}."
    ]
    if hidden:
        lines[0] += (
            f" {_hours(hidden)} of it was in private activities of a colleague that you can't open (the page's people metrics count them too)."
        )
    by_owner = defaultdict(int)
    activities = (
        context.visible_activities()
        .filter(kind__in=["meeting", "call"], occurred_at__gte=start, occurred_at__lt=end)
        .select_related("owner")
    )
    for activity in activities:
        by_owner[activity.owner.get_full_name() if activity.owner else "Unknown"] += (
            activity.duration_minutes or 0
        )
    if by_owner:
        lines.append(
            "By colleague, in the activities you can see: "
            + ", ".join(f"{name} {_hours(m)}" for name, m in sorted(by_owner.items(), key=lambda i: -i[1]))
            + "."
        )
    longest = activities.order_by("-duration_minutes", "-occurred_at").first()
    if longest:
        lines.append("The longest:")
        lines.append(_activity_line(longest, cites, tz=context.tz, with_snippet=False))
    return _finish("time_spent", lines, cites)


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


# --- insights ------------------------------------------------------------------------------------
def _summary_missing(context: RecordContext, what: str) -> str:
    return (
        f"Backstory hasn't generated {what} for {context.record.name} yet. That usually means there are no matched "
        "activities yet, or the summary is still being built."
    )


def _item_line(
    item: dict, readable: list[int], cites: Citations, context: RecordContext, text_key: str = "text"
) -> str:
    activities = Activity.objects.in_bulk(readable[:3])
    markers = " ".join(cites.activity(activities[i]) for i in readable[:3] if i in activities)
    when = item.get("date") or item.get("latest_at")
    date = ""
    if when:
        try:
            date = f" ({format_day(dt.datetime.fromisoformat(str(when).replace('Z', '+00:00')), context.tz)})"
        except ValueError:
            date = ""
    return f"- {item.get(text_key) or item.get('title')}{date} {markers}".rstrip()


def answer_risks(*, context: RecordContext, understanding: Understanding) -> Answer:
    """The summary's potential risks the user may read, most severe first."""
    cites = Citations(tz=context.tz, record=context.record)
    summary = context.summary()
    if summary is None:
        return _finish("risks", [_summary_missing(context, "potential risks")], cites, has_data=False)
    severity = {"high": 0, "medium": 1, "low": 2}
    risks = sorted(
        visible_items(context=context, items=summary.risks or []),
        key=lambda pair: severity.get(pair[0].get("severity"), 3),
    )
    if not risks:
        return _finish(
            "risks",
            [
                f"No potential risks are flagged on {context.record.name} in its summary of {format_day(summary.generated_at, context.tz)}."
            ],
            cites,
        )
    lines = [f"Potential risks on {context.record.name}:"]
    for item, readable in risks:
        label = f"{item.get('title')}" + (f": {item['detail']}" if item.get("detail") else "")
        sev = (
            f" [{item['severity']} severity]".replace("[", "(").replace("]", ")")
            if item.get("severity")
            else ""
        )
        lines.append(_item_line({**item, "text": label + sev}, readable, cites, context))
    return _finish("risks", lines, cites)


def answer_key_topics(*, context: RecordContext, understanding: Understanding) -> Answer:
    """The summary's key topics the user may read; without a summary, the recent subjects they can see."""
    cites = Citations(tz=context.tz, record=context.record)
    summary = context.summary()
    topics = visible_items(context=context, items=summary.key_topics or []) if summary else []
    if topics:
        topics.sort(key=lambda pair: -(pair[0].get("score") or 0))
        lines = [f"Key topics on {context.record.name}:"]
        lines += [_item_line(item, readable, cites, context) for item, readable in topics[:6]]
        return _finish("key_topics", lines, cites)
    recent = list(
        context.visible_activities()
        .filter(occurred_at__lte=context.now, occurred_at__gte=context.now - dt.timedelta(days=30))
        .order_by("-occurred_at")
    )
    if not recent:
        return _finish(
            "key_topics",
            [
                _summary_missing(context, "key topics")
                + " There is no activity you can see in the last 30 days either."
            ],
            cites,
            has_data=False,
        )
    groups: dict[str, list[Activity]] = defaultdict(list)
    for activity in recent:
        groups[
            re.sub(r"^(re|fw|fwd):\s*", "", activity.subject, flags=re.I).strip() or "(no subject)"
        ].append(activity)
    lines = [
        _summary_missing(context, "key topics")
        + " The subjects of the last 30 days you can see, most frequent first:"
    ]
    for subject, items in sorted(
        groups.items(), key=lambda g: (-len(g[1]), -g[1][0].occurred_at.timestamp())
    )[:5]:
        lines.append(
            f"- {subject} ({len(items)} activit{'y' if len(items) == 1 else 'ies'}) {cites.activity(items[0])}"
        )
    return _finish("key_topics", lines, cites)


def _next_step_scope(context: RecordContext) -> dict:
    return {"opportunity": context.record} if context.is_opportunity else {"account": context.record}


def _due(step: NextStep) -> str:
    return f", due {format_day(step.due_date)}" if step.due_date else ""


def answer_next_steps(*, context: RecordContext, understanding: Understanding) -> Answer:
    """Open CRM next steps by due date, then next steps the summary found in activities."""
    cites = Citations(tz=context.tz, record=context.record)
    steps = list(
        NextStep.objects.filter(status=NextStep.Status.OPEN, **_next_step_scope(context))
        .select_related("owner", "opportunity")
        .order_by("due_date", "id")[:8]
    )
    lines = []
    today = context.now.astimezone(context.tz).date()
    if steps:
        lines.append(f"Open next steps on {context.record.name}, from the CRM:")
        for step in steps:
            owner = f", owner {step.owner.get_full_name()}" if step.owner else ""
            overdue = " (overdue)" if step.due_date and step.due_date < today else ""
            where = f" on {step.opportunity.name}" if step.opportunity and not context.is_opportunity else ""
            lines.append(f"- {step.subject}{where}{_due(step)}{overdue}{owner} {cites.next_step(step)}")
    summary = context.summary()
    from_activities = [
        (item, readable)
        for item, readable in visible_items(context=context, items=summary.next_steps if summary else [])
        if item.get("source") != "crm" and not item.get("next_step_id")
    ]
    if from_activities:
        lines.append("Next steps mentioned in activities:")
        lines += [_item_line(item, readable, cites, context) for item, readable in from_activities[:5]]
    if not lines:
        return _finish(
            "next_steps",
            [
                f"No open next steps are logged on {context.record.name}, and none were found in its activities."
            ],
            cites,
            has_data=False,
        )
    return _finish("next_steps", lines, cites)


def answer_engagement(*, context: RecordContext, understanding: Understanding) -> Answer:
    """The engagement level and why: what it counts, the trend, and the activity over 12 weeks."""
    cites = Citations(tz=context.tz, record=context.record)
    summary = context.summary()
    start = context.now - dt.timedelta(weeks=12)
    lines = []
    if summary is not None:
        metric = cites.metric(
            slug="engagement_level", label="Engagement level", value=summary.engagement_level
        )
        trend = (
            f", and the trend is {summary.get_engagement_trend_display().lower()}"
            if summary.engagement_trend
            else ""
        )
        lines.append(
            f"The engagement level of {context.record.name} is {summary.engagement_level} out of 100{trend} {metric}."
        )
        band = engagement_band(summary.engagement_level)
        premise = re.search(r"\b(low|medium|high)\b", understanding.question.lower())
        if premise and premise.group(1) != band:
            lines.append(f"It is not {premise.group(1)}: the level is {band}.")
        lines.append(
            f"That is {band} engagement ({BAND_RANGES[band]}). It is based on the volume, type, and recency of matched activities "
            "over the last 12 weeks, counting every matched activity, private ones included."
        )
        breakdown = summary.engagement_breakdown or {}
        explanation = breakdown.get("explanation")
        if isinstance(explanation, str) and explanation.strip():
            lines.append(f"Why: {explanation.strip().rstrip('.')}.")
        else:
            parts = [
                f"{str(k).replace('_', ' ')} {v}"
                for k, v in breakdown.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "score"
            ][:6]
            if parts:
                lines.append("What it is made of: " + ", ".join(parts) + ".")
        if is_why_question(understanding.question) and band != "high":
            lines.append(
                f"What raises it: a meeting counts {WEIGHTS['meeting']:g} points, a call {WEIGHTS['call']:g}, an email received "
                f"{WEIGHTS['email_received']:g} and an email sent {WEIGHTS['email_sent']:g}, and each activity's points halve every "
                f"{HALF_LIFE_DAYS:g} days, so recent meetings and replies from the customer lift it fastest."
            )
    else:
        lines.append(_summary_missing(context, "an engagement level"))
    by_kind = []
    hidden = 0
    for kind, label in Activity.Kind.choices:
        c = count_activities(context=context, start=start, end=context.now, kind=kind)
        hidden += c.hidden
        if c.total:
            by_kind.append(f"{c.total} {label.lower()}{'' if c.total == 1 else 's'}")
    if by_kind:
        counts = cites.metric(
            slug="activity_last_12_weeks", label="Activities in the last 12 weeks", value=", ".join(by_kind)
        )
        lines.append(f"In the last 12 weeks: {', '.join(by_kind)} {counts}.{_private_note(hidden)}")
        last = _last_visible(context)
        if last:
            lines.append(
                f"The latest activity you can see was on {format_day(last.occurred_at, context.tz)} {cites.activity(last)}."
            )
    elif summary is None:
        return _finish(
            "engagement",
            lines + ["There were no matched activities in the last 12 weeks."],
            cites,
            has_data=False,
        )
    return _finish("engagement", lines, cites)


# --- opportunities -------------------------------------------------------------------------------
def answer_opportunities(*, context: RecordContext, understanding: Understanding) -> Answer:
    """On an account: its open opportunities with stage, amount and close date. On an opportunity: its stage."""
    cites = Citations(tz=context.tz, record=context.record)
    if context.is_opportunity:
        opp = context.record
        days = (context.now - opp.stage_changed_at).days if opp.stage_changed_at else None
        status = "closed won" if opp.is_won else ("closed lost" if opp.is_closed else "open")
        line = (
            f"{opp.name} is {status}, in stage {opp.stage} ({opp.probability}% probability){f' for {days} days' if days is not None else ''}"
            f"{f', amount ${opp.amount:,.0f}' if opp.amount is not None else ''}"
            f"{f', expected to close {format_day(opp.close_date)}' if opp.close_date and not opp.is_closed else ''} {cites.opportunity(opp)}."
        )
        lines = [line]
        history = list(opp.stage_history.order_by("-changed_at")[:4])
        if history:
            lines.append(
                "Recent stage changes: "
                + "; ".join(f"{h.stage} on {format_day(h.changed_at, context.tz)}" for h in history)
                + "."
            )
        return _finish("opportunities", lines, cites)
    opps = list(context.record.opportunities.select_related("owner").order_by("close_date", "name"))
    open_opps = [o for o in opps if not o.is_closed]
    if not opps:
        return _finish(
            "opportunities",
            [f"{context.record.name} has no opportunities in the CRM."],
            cites,
            has_data=False,
        )
    lines = []
    if open_opps:
        total = sum((o.amount or 0) for o in open_opps)
        lines.append(
            f"{context.record.name} has {len(open_opps)} open opportunit{'y' if len(open_opps) == 1 else 'ies'}, ${total:,.0f} in total:"
        )
        for o in open_opps:
            owner = f", owner {o.owner.get_full_name()}" if o.owner else ""
            lines.append(
                f"- {o.name}: {o.stage} ({stage_info(o.stage).probability}%), "
                f"{f'${o.amount:,.0f}' if o.amount is not None else 'no amount'}"
                f"{f', closing {format_day(o.close_date)}' if o.close_date else ''}{owner} {cites.opportunity(o)}"
            )
    else:
        lines.append(f"{context.record.name} has no open opportunities.")
    won = [o for o in opps if o.is_won]
    lost = [o for o in opps if o.is_closed and not o.is_won]
    if won or lost:
        lines.append(f"Closed: {len(won)} won, {len(lost)} lost.")
    return _finish("opportunities", lines, cites, has_data=bool(open_opps))


# --- mentions ------------------------------------------------------------------------------------
def answer_competitors(*, context: RecordContext, understanding: Understanding) -> Answer:
    """Competitors named in the activities the user can see, with the latest mention of each: the
    competitors an admin lists in the insights configuration, the list the competitive threat reads."""
    cites = Citations(tz=context.tz, record=context.record)
    competitors = insights_configuration_get().competitor_names
    pattern = competitors_pattern(competitors)
    if pattern is None:
        return _finish(
            "competitors",
            [
                "No competitors are listed in the insights configuration yet, so Backstory does not know "
                "whom to look for. An admin lists them in Admin, Insights configuration, Competition risk."
            ],
            cites,
            has_data=False,
        )
    found = mentions(context=context, pattern=pattern)
    if not found:
        names = list(competitors)
        return _finish(
            "competitors",
            [
                f"No competitor ({', '.join(names[:5])}{', …' if len(names) > 5 else ''}) is mentioned in the activities you can see on {context.record.name}."
            ],
            cites,
            has_data=False,
        )
    per_name: dict[str, list[tuple[Activity, str]]] = defaultdict(list)
    for activity, sentence in found:
        for name in competitors_in(f"{activity.subject}\n{activity.body}", competitors):
            per_name[name].append((activity, sentence))
    lines = [f"Competitors mentioned on {context.record.name}, in the activities you can see:"]
    for name, items in sorted(per_name.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        activity, sentence = items[0]
        lines.append(
            f"- {name}: {len(items)} activit{'y' if len(items) == 1 else 'ies'}, latest {format_day(activity.occurred_at, context.tz)}: “{_shorten(sentence)}” {cites.activity(activity)}"
        )
    return _finish("competitors", lines, cites)


def _shorten(text: str, length: int = 180) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def _topic_named(question: str) -> str:
    words = set(re.findall(r"[a-z][a-z\-]*", question.lower()))
    for topic, vocabulary in _TOPIC_WORDS.items():
        if words & set(vocabulary):
            return topic
    return ""


def answer_topic_discussed(*, context: RecordContext, understanding: Understanding) -> Answer:
    """Yes or no: did a topic (pricing, security, legal, timeline, renewal, integration) come up, and where."""
    topic = _topic_named(understanding.question)
    if not topic:
        return answer_search(context=context, understanding=understanding)
    cites = Citations(tz=context.tz, record=context.record)
    regex, label = TOPICS[topic]
    since = understanding.period.start if understanding.period else None
    found = mentions(context=context, pattern=re.compile(regex, re.I), since=since)
    when = understanding.period.label if understanding.period else ""
    # "Yes"/"No" only answers "did pricing come up?"; "Is their budget frozen?" only names a topic.
    asks_if_discussed = understanding.score >= 3 and is_yes_no_question(understanding.question)
    if not asks_if_discussed:
        return _answer_topic_question(context=context, understanding=understanding, label=label, found=found)
    if not found:
        return _finish(
            "topic_discussed",
            [
                f"No. {label.capitalize()} doesn't come up in the activities you can see on {context.record.name}{' ' + when if when else ''}."
            ],
            cites,
            has_data=False,
        )
    lines = [
        f"Yes: {label} came up in {len(found)} activit{'y' if len(found) == 1 else 'ies'} you can see on {context.record.name}{' ' + when if when else ''}. The latest:"
    ]
    for activity, sentence in found[:4]:
        lines.append(
            f"- {format_day(activity.occurred_at, context.tz)}, {activity.get_kind_display().lower()} “{activity.subject}”: {_shorten(sentence)} {cites.activity(activity)}"
        )
    return _finish("topic_discussed", lines, cites)


def _answer_topic_question(
    *, context: RecordContext, understanding: Understanding, label: str, found: list
) -> Answer:
    """A "what/which/how much" question about a topic ("What budget has the CFO approved?"): Backstory
    holds no such figure, so say so plainly, show where the topic came up, and where to look."""
    cites = Citations(tz=context.tz, record=context.record)
    lines = [
        "I can't answer that as a fact: Backstory keeps no field for it, and I won't guess. "
        f"Here is what the activities you can see on {context.record.name} say about {label}, closest to your question first; read them to check."
    ]
    hits = search_activities(context=context, query=understanding.question)[:3]
    if hits:
        for hit in hits:
            a = hit.activity
            lines.append(
                f"- {format_day(a.occurred_at, context.tz)}, {a.get_kind_display().lower()} “{a.subject}”: {hit.snippet} {cites.activity(a)}"
            )
    elif found:
        lines.append(f"{label.capitalize()} comes up in {len(found)} activities you can see; the latest:")
        for activity, sentence in found[:2]:
            lines.append(
                f"- {format_day(activity.occurred_at, context.tz)} “{activity.subject}”: {_shorten(sentence)} {cites.activity(activity)}"
            )
    opportunity = context.record if context.is_opportunity else None
    where = (
        f"the opportunity's Amount in the CRM {cites.opportunity(opportunity)}"
        if opportunity is not None
        else "the opportunity's Amount in the CRM"
    )
    lines.append(f"Where to look: ask the account team or your contact directly, and check {where}.")
    return _finish("topic_discussed", lines, cites, has_data=False)


# Seed: activities marked private are visible only to their owner; the engagement level counts them.
VISIBILITY_RULES = (
    "An activity a colleague marked private can be opened only by its owner: it is left out of your Engagement Log, the summary and the assistant's answers.",
    "Activities removed from sync in the Engagement Log, and cancelled meetings, are shown to no one.",
    "The engagement level and metrics still count private activities, so their numbers can be higher than what you can open.",
    "To read a private activity, ask its owner. If one is missing for another reason, send a support request from the help center (/help/support/) with its Activity ID.",
)


def answer_visibility(*, context: RecordContext | None, understanding: Understanding) -> Answer:
    """Why a reader cannot see some activities: privacy, removal from sync, cancellation; with the
    record's own numbers when the assistant is on an account or opportunity."""
    cites = Citations(tz=context.tz if context else dt.UTC, record=context.record if context else None)
    lines = []
    if context is not None:
        counts = count_activities(context=context, start=None, end=None)
        if counts.hidden:
            lines.append(
                f"On {context.record.name}, {counts.hidden} of the {counts.total} activities are private to a colleague: "
                f"you can open the other {counts.visible}, and only their owners can open those."
            )
        else:
            lines.append(f"You can open every one of the {counts.total} activities on {context.record.name}.")
    lines += [f"- {rule}" for rule in VISIBILITY_RULES]
    return _finish("visibility", lines, cites)


def answer_search(*, context: RecordContext, understanding: Understanding) -> Answer:
    """An open question: the best-matching passages of the activities the user can see."""
    cites = Citations(tz=context.tz, record=context.record)
    hits = search_activities(context=context, query=understanding.question)
    if understanding.period:
        hits = [
            h for h in hits if understanding.period.start <= h.activity.occurred_at < understanding.period.end
        ]
    if not hits:
        return _finish(
            "search",
            [
                f"I couldn't find anything about that in the activities you can see on {context.record.name}. Try other words, or ask about decision makers, risks, next steps or the next meeting."
            ],
            cites,
            has_data=False,
        )
    lines = [f"What the activities on {context.record.name} say, best match first:"]
    for hit in hits[:4]:
        a = hit.activity
        lines.append(
            f"- {format_day(a.occurred_at, context.tz)}, {a.get_kind_display().lower()} “{a.subject}”: {hit.snippet} {cites.activity(a)}"
        )
    return _finish("search", lines, cites)


# --- the manager's summary -----------------------------------------------------------------------
def answer_manager_summary(*, context: RecordContext, understanding: Understanding) -> Answer:
    """A short brief: engagement, opportunities, key topics, risks, next steps, last and next activity."""
    cites = Citations(tz=context.tz, record=context.record)
    summary = context.summary()
    lines = [f"Summary of {context.record.name} for your manager:"]
    if summary is not None:
        trend = f", {summary.get_engagement_trend_display().lower()}" if summary.engagement_trend else ""
        lines.append(
            f"- Engagement level {summary.engagement_level}/100{trend} {cites.metric(slug='engagement_level', label='Engagement level', value=summary.engagement_level)}"
        )
    if context.is_opportunity:
        opp = context.record
        lines.append(
            f"- Stage {opp.stage} ({opp.probability}%)"
            f"{f', ${opp.amount:,.0f}' if opp.amount is not None else ''}"
            f"{f', closing {format_day(opp.close_date)}' if opp.close_date else ''} {cites.opportunity(opp)}"
        )
    else:
        open_opps = list(context.record.opportunities.filter(is_closed=False).order_by("close_date"))
        if open_opps:
            total = sum((o.amount or 0) for o in open_opps)
            lines.append(
                f"- {len(open_opps)} open opportunit{'y' if len(open_opps) == 1 else 'ies'}, ${total:,.0f}: "
                + "; ".join(f"{o.name} ({o.stage}) {cites.opportunity(o)}" for o in open_opps[:3])
            )
        else:
            lines.append("- No open opportunities.")
    if summary is not None:
        topics = sorted(
            visible_items(context=context, items=summary.key_topics or []),
            key=lambda p: -(p[0].get("score") or 0),
        )[:3]
        if topics:
            lines.append(
                "- Key topics: " + "; ".join(_item_line(i, r, cites, context)[2:] for i, r in topics)
            )
        risks = visible_items(context=context, items=summary.risks or [])[:3]
        if risks:
            lines.append(
                "- Risks: "
                + "; ".join(
                    _item_line({**i, "text": i.get("title")}, r, cites, context)[2:] for i, r in risks
                )
            )
        else:
            lines.append("- No potential risks flagged.")
    steps = list(
        NextStep.objects.filter(status=NextStep.Status.OPEN, **_next_step_scope(context)).order_by(
            "due_date"
        )[:3]
    )
    if steps:
        lines.append(
            "- Next steps: " + "; ".join(f"{s.subject}{_due(s)} {cites.next_step(s)}" for s in steps)
        )
    last = _last_visible(context)
    if last:
        lines.append(
            f"- Last activity: {format_day(last.occurred_at, context.tz)}, {last.get_kind_display().lower()} “{last.subject}” {cites.activity(last)}"
        )
    upcoming = (
        context.visible_activities()
        .filter(kind=Activity.Kind.MEETING, occurred_at__gt=context.now)
        .order_by("occurred_at")
        .first()
    )
    if upcoming:
        lines.append(
            f"- Next meeting: {format_day(upcoming.occurred_at, context.tz)}, “{upcoming.subject}” {cites.activity(upcoming)}"
        )
    else:
        lines.append("- No upcoming meeting on the calendar.")
    return _finish("manager_summary", lines, cites, has_data=len(lines) > 2)


ANSWERS = {
    "decision_makers": answer_decision_makers,
    "champion": answer_champion,
    "people": answer_people,
    "quiet_contacts": answer_quiet_contacts,
    "recent_discussion": answer_recent_discussion,
    "changes_since": answer_changes_since,
    "next_meeting": answer_next_meeting,
    "awaiting_reply": answer_awaiting_reply,
    "activity_count": answer_activity_count,
    "time_spent": answer_time_spent,
    "risks": answer_risks,
    "key_topics": answer_key_topics,
    "next_steps": answer_next_steps,
    "engagement": answer_engagement,
    "opportunities": answer_opportunities,
    "competitors": answer_competitors,
    "topic_discussed": answer_topic_discussed,
    "manager_summary": answer_manager_summary,
    "search": answer_search,
    "visibility": answer_visibility,
}


_MARKER = re.compile(r"\[(\d{1,3})\]")


def answers_combined(*, parts: list[tuple[str, Answer]]) -> Answer:
    """One answer to a compound question: each part under its own heading, citations renumbered
    into one list (a source cited by two parts keeps one number)."""
    citations: list[dict] = []
    numbers: dict[tuple[str, str], int] = {}
    lines: list[str] = []
    for heading, answer in parts:
        renumber: dict[int, int] = {}
        for c in answer.citations:
            key = (c["kind"], str(c["id"]))
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append({**c, "n": numbers[key]})
            renumber[c["n"]] = numbers[key]
        text = _MARKER.sub(lambda m, table=renumber: f"[{table.get(int(m.group(1)), 0)}]", answer.text)
        lines.append("### " + heading[:1].upper() + heading[1:])
        lines += text.split("\n")
    return Answer(
        intent="compound",
        text="\n".join(lines),
        citations=citations,
        has_data=any(a.has_data for _, a in parts),
    )


def answer_record_question(*, context: RecordContext, understanding: Understanding) -> Answer:
    """The offline answer to a question about the record, by intent."""
    if (
        understanding.intent == "recent_discussion"
        and re.search(
            r"\b(last|latest|most recent)(ly)? (time |activity|touch|contact)|when did we last\b",
            understanding.question.lower(),
        )
        and not understanding.period
    ):
        return answer_last_activity(context=context, understanding=understanding)
    return ANSWERS[understanding.intent](context=context, understanding=understanding)
