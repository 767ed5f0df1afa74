"""Realistic questions over the demo org: each answer must state the expected facts and cite the
records they come from. Expectations are computed here from the data with plain queries, not with
the assistant's code. Run with -rA to see every question; the pass rate is the assistant's accuracy."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db.models import Q, Sum

from activities.models import Activity
from assistant.models import Message
from assistant.services import assistant_ask
from contacts.models import Contact
from opportunities.models import NextStep, Opportunity, OpportunityContactRole, OpportunityStageHistory

from .demo_world import NOW, SECRET, DemoWorld

pytestmark = pytest.mark.django_db
OCT_1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


# --- plain queries for the expectations -----------------------------------------------------------
def readable(world: DemoWorld, **lookup):
    """What the rep may read: not removed, not cancelled, and public or their own."""
    return Activity.objects.filter(removed_from_sync_at=None, is_cancelled=False, **lookup).filter(
        Q(is_private=False) | Q(owner=world.rep)
    )


def counted(**lookup):
    return Activity.objects.filter(removed_from_sync_at=None, is_cancelled=False, **lookup)


def acct(world, key):
    return world.accounts[key]


def stark_opp(world) -> Opportunity:
    return world.opportunity


def initech_opp(world) -> Opportunity:
    # An Initech deal with a Decision Maker in its contact roles (the demo's names change with its data).
    return (
        Opportunity.objects.filter(account__name="Initech", contact_roles__role="Decision Maker")
        .order_by("is_closed", "pk")
        .first()
    )


def role_contact(opps, role) -> Contact:
    return (
        OpportunityContactRole.objects.filter(opportunity__in=opps, role=role)
        .select_related("contact")
        .first()
        .contact
    )


def hours(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min" if h and m else (f"{h} h" if h else f"{m} minutes")


def quiet_contacts(world):
    account = acct(world, "northwind")
    cutoff = NOW - dt.timedelta(days=30)
    quiet = []
    for contact in Contact.objects.filter(account=account):
        last = (
            readable(world, account=account, participants__contact=contact, occurred_at__lte=NOW)
            .order_by("-occurred_at")
            .first()
        )
        if last is None or last.occurred_at < cutoff:
            quiet.append(contact)
    return quiet


def awaiting(world):
    emails = readable(
        world,
        account=acct(world, "northwind"),
        kind="email",
        occurred_at__lte=NOW,
        occurred_at__gte=NOW - dt.timedelta(days=30),
    ).order_by("occurred_at")
    latest = {}
    for email in emails:
        latest[email.thread_id or email.source_id] = email
    return sorted((e for e in latest.values() if e.direction == "inbound"), key=lambda e: e.occurred_at)


def most_engaged(world) -> Contact:
    counts = {}
    for activity in readable(
        world,
        account=acct(world, "northwind"),
        occurred_at__lte=NOW,
        occurred_at__gte=NOW - dt.timedelta(days=90),
    ).prefetch_related("participants"):
        for p in activity.participants.all():
            if not p.is_internal and p.contact_id:
                counts[p.contact_id] = counts.get(p.contact_id, 0) + 1
    return Contact.objects.get(pk=max(counts, key=lambda k: counts[k]))


def opp_candidate(world) -> Contact:
    counts = {}
    for activity in readable(
        world,
        opportunity_links__opportunity=stark_opp(world),
        occurred_at__lte=NOW,
        occurred_at__gte=NOW - dt.timedelta(days=90),
    ).prefetch_related("participants"):
        for p in activity.participants.all():
            if not p.is_internal and p.contact_id:
                counts[p.contact_id] = counts.get(p.contact_id, 0) + 1
    best = max(counts.values())
    return [Contact.objects.get(pk=k) for k, v in counts.items() if v == best]


def minutes_12_weeks(world) -> int:
    qs = counted(
        account=acct(world, "northwind"),
        kind__in=["meeting", "call"],
        occurred_at__gte=NOW - dt.timedelta(days=84),
        occurred_at__lt=NOW,
    )
    # the assistant counts from the start of the day 83 days ago in the user's time zone (UTC)
    start = dt.datetime.combine((NOW - dt.timedelta(days=83)).date(), dt.time.min, tzinfo=dt.UTC)
    qs = counted(
        account=acct(world, "northwind"),
        kind__in=["meeting", "call"],
        occurred_at__gte=start,
        occurred_at__lt=NOW,
    )
    return qs.aggregate(m=Sum("duration_minutes"))["m"]


@dataclass
class Case:
    record: str  # an account key, "stark_opp", "initech_opp", or "help"
    question: str
    intent: str
    says: Callable[[DemoWorld], list[str]]
    cites: Callable[[DemoWorld], list[tuple[str, object]]] = lambda w: []
    cites_any_of: Callable[[DemoWorld], list[tuple[str, object]]] | None = None
    every_cited_activity: Callable[[Activity], bool] | None = None


def _a(activity):
    return ("activity", activity.pk)


CASES = [
    Case(
        "northwind",
        "Who are the decision makers?",
        "decision_makers",
        lambda w: [
            role_contact(acct(w, "northwind").opportunities.all(), "Decision Maker").name,
            "Decision Maker",
        ],
        lambda w: [("contact", role_contact(acct(w, "northwind").opportunities.all(), "Decision Maker").pk)],
    ),
    Case(
        "initech_opp",
        "Who are the decision makers on this deal?",
        "decision_makers",
        lambda w: [role_contact([initech_opp(w)], "Decision Maker").name],
        lambda w: [("contact", role_contact([initech_opp(w)], "Decision Maker").pk)],
    ),
    Case(
        "northwind",
        "What was discussed last week?",
        "recent_discussion",
        lambda w: [
            "last week (Nov 16, 2026 to Nov 22, 2026)",
            readable(
                w,
                account=acct(w, "northwind"),
                occurred_at__gte=dt.datetime(2026, 11, 16, tzinfo=dt.UTC),
                occurred_at__lt=dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
            )
            .order_by("-occurred_at")
            .first()
            .subject,
        ],
        lambda w: [
            _a(a)
            for a in readable(
                w,
                account=acct(w, "northwind"),
                occurred_at__gte=dt.datetime(2026, 11, 16, tzinfo=dt.UTC),
                occurred_at__lt=dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
            ).order_by("-occurred_at")[:6]
        ],
    ),
    Case(
        "northwind",
        "What are the risks?",
        "risks",
        lambda w: ["Champion has gone quiet", "high severity"],
        lambda w: [_a(w.extra["quiet"])],
    ),
    Case(
        "wayne",
        "When is the next meeting?",
        "next_meeting",
        lambda w: [
            readable(w, account=acct(w, "wayne"), kind="meeting", occurred_at__gt=NOW)
            .order_by("occurred_at")
            .first()
            .subject
        ],
        lambda w: [
            _a(
                readable(w, account=acct(w, "wayne"), kind="meeting", occurred_at__gt=NOW)
                .order_by("occurred_at")
                .first()
            )
        ],
    ),
    Case(
        "northwind",
        "When's our next meeting with them?",
        "next_meeting",
        lambda w: ["No upcoming meeting you can see"],
    ),
    Case(
        "umbrella",
        "What changed since October 1?",
        "changes_since",
        lambda w: ["since Oct 1, 2026"]
        + [
            f"moved to {h.stage}"
            for h in OpportunityStageHistory.objects.filter(
                opportunity__account=acct(w, "umbrella"), changed_at__gte=OCT_1
            )
        ],
        lambda w: [
            ("opportunity", h.opportunity_id)
            for h in OpportunityStageHistory.objects.filter(
                opportunity__account=acct(w, "umbrella"), changed_at__gte=OCT_1
            )
        ],
    ),
    Case(
        "northwind",
        "Give me a summary for my manager",
        "manager_summary",
        lambda w: ["Engagement level 78/100", "Champion has gone quiet", "Pricing and the volume discount"],
        lambda w: [("metric", "engagement_level"), _a(w.extra["quiet"]), _a(w.extra["pricing"])],
    ),
    Case(
        "stark_opp",
        "What are the next steps?",
        "next_steps",
        lambda w: [s.subject for s in NextStep.objects.filter(opportunity=stark_opp(w), status="open")],
        lambda w: [
            ("next_step", s.pk) for s in NextStep.objects.filter(opportunity=stark_opp(w), status="open")
        ],
    ),
    Case(
        "northwind",
        "Any action items for me?",
        "next_steps",
        lambda w: ["Send the sub-processor list to InfoSec"],
        lambda w: [_a(w.extra["security"])],
    ),
    Case(
        "northwind",
        "What's the engagement level and why?",
        "engagement",
        lambda w: ["78 out of 100", "increasing", "volume, type, and recency"],
        lambda w: [("metric", "engagement_level")],
    ),
    Case(
        "northwind",
        "Who haven't we talked to lately?",
        "quiet_contacts",
        lambda w: [c.name for c in quiet_contacts(w)],
        lambda w: [("contact", c.pk) for c in quiet_contacts(w)],
    ),
    Case(
        "wayne",
        "What are the open opportunities and their stages?",
        "opportunities",
        lambda w: [f"{o.name}: {o.stage}" for o in acct(w, "wayne").opportunities.filter(is_closed=False)],
        lambda w: [("opportunity", o.pk) for o in acct(w, "wayne").opportunities.filter(is_closed=False)],
    ),
    Case(
        "northwind",
        "Which emails are awaiting a reply?",
        "awaiting_reply",
        lambda w: [f"{len(awaiting(w))} email threads", awaiting(w)[0].subject],
        lambda w: [_a(e) for e in awaiting(w)[:6]],
    ),
    Case(
        "northwind",
        "Were any competitors mentioned?",
        "competitors",
        lambda w: ["Gong", "Clari"],
        lambda w: [
            _a(
                readable(w, account=acct(w, "northwind"), occurred_at__lte=NOW)
                .filter(Q(body__contains="Gong") | Q(subject__contains="Gong"))
                .order_by("-occurred_at")
                .first()
            )
        ],
    ),
    Case(
        "northwind",
        "Was pricing discussed?",
        "topic_discussed",
        lambda w: ["Yes: pricing came up"],
        lambda w: [
            _a(
                readable(w, account=acct(w, "northwind"), occurred_at__lte=NOW)
                .filter(Q(body__icontains="pric") | Q(subject__icontains="pric"))
                .order_by("-occurred_at")
                .first()
            )
        ],
    ),
    Case(
        "stark_opp",
        "Who is our champion?",
        "champion",
        lambda w: ["No contact has the Champion role"],
        cites_any_of=lambda w: [("contact", c.pk) for c in opp_candidate(w)],
    ),
    Case(
        "northwind",
        "How much time have we spent with them?",
        "time_spent",
        lambda w: [hours(minutes_12_weeks(w)), "in the last 12 weeks", "private activities of a colleague"],
    ),
    Case(
        "northwind",
        "How many meetings did we have this quarter?",
        "activity_count",
        lambda w: [
            f"{counted(account=acct(w, 'northwind'), kind='meeting', occurred_at__gte=OCT_1, occurred_at__lt=NOW).count()} meetings",
            "1 private meeting",
        ],
    ),
    Case(
        "northwind",
        "What did they say about SSO?",
        "search",
        lambda w: ["SSO"],
        cites_any_of=lambda w: [
            _a(a)
            for a in readable(w, account=acct(w, "northwind"), occurred_at__lte=NOW)
            if re.search(r"\bSSO\b", a.body)
        ],
        every_cited_activity=lambda a: re.search(r"\bSSO\b", a.body) is not None,
    ),
    Case(
        "help",
        "How long does it take for a contact to appear in Salesforce?",
        "help",
        lambda w: ["up to 2 hours"],
        lambda w: [("article", "faq-how-long-for-a-new-contact")],
    ),
    Case(
        "northwind",
        "How long does it take for a new contact to appear in Salesforce?",
        "help",
        lambda w: ["up to 2 hours"],
        lambda w: [("article", "faq-how-long-for-a-new-contact")],
    ),
    Case(
        "northwind",
        "What are the key topics?",
        "key_topics",
        lambda w: ["Pricing and the volume discount", "Security review and SSO"],
        lambda w: [_a(w.extra["pricing"]), _a(w.extra["security"])],
    ),
    Case(
        "initech",
        "When did we last talk to them?",
        "recent_discussion",
        lambda w: [
            readable(w, account=acct(w, "initech"), occurred_at__lte=NOW)
            .order_by("-occurred_at")
            .first()
            .subject
        ],
        lambda w: [
            _a(readable(w, account=acct(w, "initech"), occurred_at__lte=NOW).order_by("-occurred_at").first())
        ],
    ),
    Case(
        "northwind",
        "Who are the key contacts?",
        "people",
        lambda w: [most_engaged(w).name],
        lambda w: [("contact", most_engaged(w).pk)],
    ),
    Case(
        "northwind",
        "How many emails did we send last month?",
        "activity_count",
        lambda w: [
            f"{counted(account=acct(w, 'northwind'), kind='email', occurred_at__gte=OCT_1, occurred_at__lt=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)).count()} emails",
            "last month (October 2026)",
        ],
    ),
    Case(
        "northwind",
        "Did security come up since October?",
        "topic_discussed",
        lambda w: ["Yes: security came up"],
        lambda w: [
            _a(
                readable(w, account=acct(w, "northwind"), occurred_at__lte=NOW, occurred_at__gte=OCT_1)
                .filter(Q(body__icontains="security") | Q(subject__icontains="security"))
                .order_by("-occurred_at")
                .first()
            )
        ],
    ),
    Case(
        "help",
        "What is the variation_id for emails sent in the last 30 days?",
        "help",
        lambda w: ["variation_id"],
        cites_any_of=lambda w: [("article", "query-api-overview"), ("article", "query-api-variations")],
    ),
    Case(
        "help",
        "What does it mean if the Account or Deal Summary shows no data?",
        "help",
        lambda w: ["24 to 48 hours"],
        lambda w: [("article", "faq-summary-shows-no-data")],
    ),
    Case(
        "northwind",
        "Why does the engagement level in Backstory look different from what I see in Salesforce?",
        "help",
        lambda w: ["privacy"],
        lambda w: [("article", "faq-engagement-level-differs")],
    ),
    Case(
        "stark_opp",
        "What stage is this deal in?",
        "opportunities",
        lambda w: [f"in stage {stark_opp(w).stage}", f"${stark_opp(w).amount:,.0f}"],
        lambda w: [("opportunity", stark_opp(w).pk)],
    ),
    Case(
        "stark_opp",
        "What was discussed last week?",
        "recent_discussion",
        lambda w: ["No activity you can see", "1 private activity of a colleague"],
    ),
    Case("northwind", f"Tell me about {SECRET}", "search", lambda w: ["couldn't find anything"]),
    Case(
        "help",
        "Who is assigned as the contact owner?",
        "help",
        lambda w: ["integration user"],
        lambda w: [("article", "faq-contact-owner")],
    ),
    Case(
        "umbrella",
        "What are the risks on this account?",
        "risks",
        lambda w: ["hasn't generated potential risks"],
    ),
    Case(
        "globex",
        "How many calls this year?",
        "activity_count",
        lambda w: [
            f"{counted(account=acct(w, 'globex'), kind='call', occurred_at__gte=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), occurred_at__lt=NOW).count()} call"
        ],
    ),
    Case(
        "help",
        "When is support open?",
        "help",
        lambda w: ["Monday to Friday", "Support opens today at 9:00 AM PT"],
        lambda w: [("article", "contact-support")],
    ),
]


def _record(world: DemoWorld, key: str):
    if key == "help":
        return None
    if key == "stark_opp":
        return stark_opp(world)
    if key == "initech_opp":
        return initech_opp(world)
    return world.accounts[key]


def _markers_resolve(answer: Message) -> None:
    numbers = {c["n"] for c in answer.citations}
    for n in re.findall(r"\[(\d+)\]", answer.text):
        assert int(n) in numbers, f"[{n}] has no citation"
    for c in answer.citations:
        assert c["url"] and c["label"], c


@pytest.mark.parametrize("case", CASES, ids=[f"{c.record}: {c.question}" for c in CASES])
def test_question_is_answered_with_the_facts_and_cites_their_sources(case: Case, demo_world, frozen_now):
    world = demo_world
    _, answer = assistant_ask(user=world.rep, record=_record(world, case.record), question=case.question)

    assert answer.intent == case.intent, answer.text
    for expected in case.says(world):
        assert expected.lower() in answer.text.lower(), f"{expected!r} not in:\n{answer.text}"
    cited = {(c["kind"], c["id"]) for c in answer.citations}
    for expected in case.cites(world):
        assert expected in cited, f"{expected} not cited; cited {sorted(cited, key=str)}\n{answer.text}"
    if case.cites_any_of:
        assert cited & set(case.cites_any_of(world)), (
            f"none of {case.cites_any_of(world)} cited\n{answer.text}"
        )
    if case.every_cited_activity:
        for c in answer.citations:
            assert c["kind"] != "activity" or case.every_cited_activity(Activity.objects.get(pk=c["id"])), c
    _markers_resolve(answer)
    # Never a word or a citation from another rep's private activities.
    assert SECRET not in answer.text
    private_ids = {world.private_meeting.pk, world.private_upcoming.pk, world.extra["private_opp_meeting"].pk}
    assert not private_ids & {c["id"] for c in answer.citations if c["kind"] == "activity"}


def test_the_question_set_is_large_enough():
    assert len(CASES) >= 30
    assert len({c.intent for c in CASES}) >= 18
