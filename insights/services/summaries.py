"""Account and opportunity summaries: computing, caching, marking stale, weekly snapshots.

Seed: "A label at the top right of the full summary shows when the summary was last generated or
the date of the most recent activity included in it."

A refresh works on batches of records with a fixed number of grouped queries per batch (never one
query per record), then writes each batch with bulk upserts in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Account
from activities.models import Activity, Participant
from activities.selectors import records_matched_to
from backstory import clock
from contacts.models import Contact
from opportunities.models import NextStep, Opportunity, OpportunityContactRole, OpportunityStageHistory
from opportunities.stages import stage_info

from ..models import EngagementSnapshot, PersonEngagement, Summary
from ..selectors import insights_configuration_get
from . import risks as risk_rules
from . import scores
from .engagement import Engagement, engagement_levels, people_engagement_levels
from .metrics import answered_by_reply, engagement_metrics
from .next_steps import next_steps as build_next_steps
from .people import (
    PersonFacts,
    benchmark_for,
    buyer_benchmarks,
    people_facts,
    person_activity_summary,
    person_engagement,
    person_profiles,
)
from .records import ACCOUNT, COMPONENT_NAMES, OPPORTUNITY, SCOPES, component, counted, with_heavy_reads
from .risks import RecordFacts, Stakeholder, TimelineItem
from .topics import TextActivity, key_topics

logger = logging.getLogger(__name__)

# Text read per record: the most recent activities of the last six months.
TEXT_WINDOW_DAYS = 180
TEXT_MAX_ACTIVITIES = 60
TOPIC_MAX_ACTIVITIES = 40
TIMELINE_DAYS = 365
TIMELINE_MAX_ACTIVITIES = 200
ACCOUNT_BATCH = 500
OPPORTUNITY_BATCH = 1_000
# Debounce: one refresh this long after the first new activity of a burst.
REFRESH_DELAY_SECONDS = 60
REFRESH_LOCK_KEY = "insights:summaries-refresh-scheduled"

SUMMARY_FIELDS = [
    "generated_at",
    "latest_activity_at",
    "engagement_level",
    "engagement_breakdown",
    "key_topics",
    "next_steps",
    "risks",
    "warnings",
    "metrics",
    "relationship_strength",
    "buying_intent",
    "churn_risk",
    "win_probability",
    "deal_velocity",
    "competition_risk",
    "budget_confirmed",
    "engagement_trend",
    "activity_frequency",
    "multi_threading",
    "stakeholder_count",
    "executive_engagement",
    "champion_identified",
    "score_inputs",
]


@dataclass
class RefreshReport:
    """What a refresh did, for logs, commands and tasks."""

    accounts: int = 0
    opportunities: int = 0
    people: int = 0
    snapshots: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, other: RefreshReport) -> None:
        self.accounts += other.accounts
        self.opportunities += other.opportunities
        self.people += other.people
        self.snapshots += other.snapshots
        for name, seconds in other.timings.items():
            self.timings[name] = self.timings.get(name, 0.0) + seconds

    def as_dict(self) -> dict:
        return {
            "accounts": self.accounts,
            "opportunities": self.opportunities,
            "people": self.people,
            "snapshots": self.snapshots,
            "seconds": round(self.seconds, 2),
        }


class _Stopwatch:
    def __init__(self, report: RefreshReport):
        self.report = report

    def __call__(self, name: str):
        stopwatch = self

        class _Lap:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                stopwatch.report.timings[name] = (
                    stopwatch.report.timings.get(name, 0.0) + time.perf_counter() - self.start
                )

        return _Lap()


@dataclass
class RefreshContext:
    """What every batch of one refresh shares: the time, the configuration and org-wide facts."""

    now: dt.datetime
    today: dt.date
    config: object
    timing: risk_rules.StageTiming
    win_model: scores.WinModel
    benchmarks: dict
    internal_names: tuple[str, ...]

    @classmethod
    def load(cls, *, reuse_org_facts: bool = True) -> RefreshContext:
        """The context of a refresh starting now. The org-wide facts (stage timing, the trained win
        model, buyer benchmarks) take seconds on a large org, so a refresh of a few records reuses
        those of the last run for up to six hours while the org's opportunities are unchanged;
        the nightly full refresh always recomputes them."""
        now = clock.now()
        signature = _org_signature()
        cached = cache.get(ORG_FACTS_CACHE_KEY) if reuse_org_facts else None
        if cached and cached[0] == signature:
            timing, win_model, benchmarks = cached[1:]
        else:
            timing, win_model, benchmarks = (
                risk_rules.stage_timing(),
                scores.WinModel.train(now=now),
                buyer_benchmarks(),
            )
            cache.set(ORG_FACTS_CACHE_KEY, (signature, timing, win_model, benchmarks), ORG_FACTS_SECONDS)
        return cls(
            now=now,
            today=clock.today(),
            config=insights_configuration_get(),
            timing=timing,
            win_model=win_model,
            benchmarks=benchmarks,
            internal_names=internal_company_names(),
        )


ORG_FACTS_CACHE_KEY = "insights:org-facts"
ORG_FACTS_SECONDS = 6 * 3600


def _org_signature() -> tuple:
    """Changes whenever an opportunity, a stage change or a contact role is added or edited."""
    opportunities = Opportunity.objects.aggregate(
        n=Count("id"), changed=Max("updated_at"), closed=Count("id", filter=Q(is_closed=True))
    )
    return (
        opportunities["n"],
        opportunities["closed"],
        opportunities["changed"],
        OpportunityStageHistory.objects.count(),
        OpportunityContactRole.objects.count(),
        clock.today(),
    )


def internal_company_names() -> tuple[str, ...]:
    """Our own company's names, guessed from its mail domains ("lumen-analytics.com" gives
    "lumen analytics", "lumen-analytics" and "lumen"): never a topic."""
    names = set()
    for domain in settings.BACKSTORY_INTERNAL_DOMAINS:
        label = domain.split(".")[0]
        words = [w for w in re.split(r"[-_]", label) if w]
        names |= {label, " ".join(words)}
        if words and len(words[0]) >= 3:
            names.add(words[0])
    return tuple(sorted(names))


def company_names(account_name: str) -> tuple[str, ...]:
    """An account's name as it appears in mail: in full, and its first word when distinctive
    ("Northwind Logistics", "Northwind")."""
    name = (account_name or "").strip()
    if not name:
        return ()
    words = re.findall(r"[\w'&.-]+", name)
    names = {name}
    if words and len(words[0]) >= 4:
        names.add(words[0])
    return tuple(sorted(names))


# --- loading a batch -----------------------------------------------------------------------------


def _chunks(values: list, size: int = 2_000) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def load_text_activities(
    kind: str,
    ids: list[int],
    *,
    now: dt.datetime,
    account_names: dict[int, str],
    internal_names: tuple[str, ...],
) -> dict[int, list[TextActivity]]:
    """Per record, its most recent activities of the last six months with their text and the names
    to mask (its people, its company, ours), most recent first."""
    scope = SCOPES[kind]
    p = scope.prefix
    rows = (
        scope.activity_rows(ids)
        .filter(counted(p, start=now - dt.timedelta(days=TEXT_WINDOW_DAYS), end=now))
        .annotate(
            _rank=Window(
                RowNumber(),
                partition_by=[F(scope.key)],
                order_by=[F(f"{p}occurred_at").desc(), F(f"{p}id").desc()],
            )
        )
        .filter(_rank__lte=TEXT_MAX_ACTIVITIES)
        .values(
            scope.key,
            f"{p}id",
            f"{p}occurred_at",
            f"{p}is_private",
            f"{p}kind",
            f"{p}direction",
            f"{p}subject",
            f"{p}body",
            f"{p}owner_id",
        )
    )
    raw = [
        (row[scope.key], {name[len(p) :]: value for name, value in row.items() if name != scope.key})
        for row in rows
    ]
    activity_ids = list({fields["id"] for _, fields in raw})
    people: dict[int, set[str]] = {}
    authors: dict[int, str] = {}
    for chunk in _chunks(activity_ids):
        for activity_id, name, first, last, role in Participant.objects.filter(
            activity_id__in=chunk
        ).values_list("activity_id", "name", "first_name", "last_name", "role"):
            names = people.setdefault(activity_id, set())
            names.update(n for n in (first, last, name, *name.split()) if n and len(n) >= 2)
            if role in (Participant.Role.FROM, Participant.Role.ORGANIZER) and name:
                authors[activity_id] = name
    owners = {}
    owner_ids = {fields["owner_id"] for _, fields in raw if fields["owner_id"]}
    if owner_ids:
        from users.models import User

        owners = {u.id: u.get_full_name() for u in User.objects.filter(id__in=owner_ids)}
    result: dict[int, list[TextActivity]] = {}
    for record_id, fields in raw:
        activity_id = fields["id"]
        result.setdefault(record_id, []).append(
            TextActivity(
                id=activity_id,
                occurred_at=fields["occurred_at"],
                is_private=fields["is_private"],
                kind=fields["kind"],
                direction=fields["direction"],
                subject=fields["subject"],
                body=fields["body"],
                author=authors.get(activity_id) or owners.get(fields["owner_id"], ""),
                people_names=tuple(sorted(people.get(activity_id, ()))),
                company_names=company_names(account_names.get(record_id, "")) + internal_names,
            )
        )
    for items in result.values():
        items.sort(key=lambda a: (a.occurred_at, a.id), reverse=True)
    return result


def load_timelines(kind: str, ids: list[int], *, now: dt.datetime) -> dict[int, list[TimelineItem]]:
    """Per record, its counted activities of the last year (the latest 200), most recent first."""
    scope = SCOPES[kind]
    p = scope.prefix
    rows = (
        scope.activity_rows(ids)
        .filter(counted(p, start=now - dt.timedelta(days=TIMELINE_DAYS), end=now))
        .annotate(
            _component=component(p),
            _rank=Window(
                RowNumber(),
                partition_by=[F(scope.key)],
                order_by=[F(f"{p}occurred_at").desc(), F(f"{p}id").desc()],
            ),
        )
        .filter(_rank__lte=TIMELINE_MAX_ACTIVITIES)
        .values_list(scope.key, f"{p}id", f"{p}occurred_at", "_component", f"{p}is_private")
    )
    result: dict[int, list[TimelineItem]] = {}
    for record_id, activity_id, occurred_at, code, is_private in rows:
        result.setdefault(record_id, []).append(
            TimelineItem(activity_id, occurred_at, COMPONENT_NAMES[code], is_private)
        )
    for items in result.values():
        items.sort(key=lambda i: (i.occurred_at, i.id), reverse=True)
    return result


def load_stalled_threads(
    kind: str, ids: list[int], *, now: dt.datetime, after_days: int
) -> dict[int, list[TimelineItem]]:
    """Per record, the last emails of threads where we wrote and nobody replied, sent between
    ``after_days`` and 60 days ago. Emails without a thread id cannot be followed and are left out."""
    scope = SCOPES[kind]
    p = scope.prefix
    followed_up = Exists(
        Activity.objects.filter(
            thread_id=OuterRef(f"{p}thread_id"),
            kind=Activity.Kind.EMAIL,
            direction=Activity.Direction.OUTBOUND,
            occurred_at__gt=OuterRef(f"{p}occurred_at"),
            removed_from_sync_at__isnull=True,
        )
    )
    rows = (
        scope.activity_rows(ids)
        .filter(
            counted(
                p,
                start=now - dt.timedelta(days=risk_rules.STALLED_THREAD_MAX_DAYS),
                end=now - dt.timedelta(days=after_days),
            ),
            **{f"{p}kind": Activity.Kind.EMAIL, f"{p}direction": Activity.Direction.OUTBOUND},
        )
        .exclude(**{f"{p}thread_id": ""})
        .annotate(_answered=answered_by_reply(p), _followed=followed_up)
        .filter(_answered=False, _followed=False)
        .values_list(scope.key, f"{p}id", f"{p}occurred_at", f"{p}is_private")
    )
    result: dict[int, list[TimelineItem]] = {}
    for record_id, activity_id, occurred_at, is_private in rows:
        result.setdefault(record_id, []).append(
            TimelineItem(activity_id, occurred_at, "email_sent", is_private)
        )
    return result


def _latest_activity(kind: str, ids: list[int], *, now: dt.datetime) -> dict[int, dt.datetime]:
    scope = SCOPES[kind]
    rows = (
        scope.activity_rows(ids)
        .filter(counted(scope.prefix, end=now))
        .values(scope.key)
        .annotate(_last=Max(f"{scope.prefix}occurred_at"))
        .order_by()
    )
    return {row[scope.key]: row["_last"] for row in rows}


# --- one batch -------------------------------------------------------------------------------


@dataclass
class _Records:
    """The records of one batch and their CRM facts."""

    kind: str
    ids: list[int]
    accounts: dict[int, Account] = field(default_factory=dict)
    opportunities: dict[int, Opportunity] = field(default_factory=dict)

    def account_name(self, record_id: int) -> str:
        if self.kind == ACCOUNT:
            return self.accounts[record_id].name
        return self.opportunities[record_id].account.name

    def label(self, record_id: int) -> str:
        return self.account_name(record_id) if self.kind == ACCOUNT else self.opportunities[record_id].name


def _load_records(kind: str, ids: list[int]) -> _Records:
    records = _Records(kind=kind, ids=ids)
    if kind == ACCOUNT:
        records.accounts = Account.objects.in_bulk(ids)
        records.ids = [i for i in ids if i in records.accounts]
    else:
        records.opportunities = Opportunity.objects.select_related("account").in_bulk(ids)
        records.ids = [i for i in ids if i in records.opportunities]
    return records


def _decision_makers(kind: str, ids: list[int]) -> tuple[set[tuple[int, int]], set[int]]:
    """(record, contact) pairs holding a decision-making contact role, and the records with a
    champion contact role (for an account: on one of its open opportunities)."""
    roles = OpportunityContactRole.objects.all()
    if kind == ACCOUNT:
        roles = roles.filter(opportunity__account_id__in=ids)
        key = "opportunity__account_id"
    else:
        roles = roles.filter(opportunity_id__in=ids)
        key = "opportunity_id"
    deciders, champions = set(), set()
    for record_id, contact_id, role, is_closed in roles.values_list(
        key, "contact_id", "role", "opportunity__is_closed"
    ):
        if role in risk_rules.DECISION_MAKER_ROLES:
            deciders.add((record_id, contact_id))
        if role == OpportunityContactRole.Role.CHAMPION and (kind == OPPORTUNITY or not is_closed):
            champions.add(record_id)
    return deciders, champions


def _open_tasks(kind: str, ids: list[int]) -> dict[int, list[NextStep]]:
    key = "account_id" if kind == ACCOUNT else "opportunity_id"
    tasks: dict[int, list[NextStep]] = {}
    for task in NextStep.objects.filter(**{f"{key}__in": ids}, status=NextStep.Status.OPEN).select_related(
        "owner"
    ):
        tasks.setdefault(getattr(task, key), []).append(task)
    return tasks


def _account_pipeline(ids: list[int]) -> tuple[dict[int, int], set[int]]:
    """Per account: the stage probability of its most advanced open opportunity; and the accounts
    with a won opportunity."""
    best: dict[int, int] = {}
    won: set[int] = set()
    for account_id, stage, is_closed, is_won in Opportunity.objects.filter(account_id__in=ids).values_list(
        "account_id", "stage", "is_closed", "is_won"
    ):
        if is_won:
            won.add(account_id)
        if not is_closed:
            best[account_id] = max(best.get(account_id, 0), stage_info(stage).probability)
    return best, won


@dataclass
class _Batch:
    """Everything loaded for one batch of records, by record id."""

    kind: str
    records: _Records
    levels: dict[int, Engagement]
    before: dict[int, Engagement]
    metrics: dict[int, dict]
    people: dict[int, list[PersonFacts]]
    profiles: dict
    personas: dict[int, str]
    deciders: set[tuple[int, int]]
    champion_roles: set[int]
    timelines: dict[int, list[TimelineItem]]
    stalled: dict[int, list[TimelineItem]]
    latest: dict[int, dt.datetime]
    texts: dict[int, list[TextActivity]]
    tasks: dict[int, list[NextStep]]
    entered: dict[int, dt.datetime] = field(default_factory=dict)
    win: dict[int, tuple[int, dict]] = field(default_factory=dict)
    pipeline: dict[int, int] = field(default_factory=dict)
    won_accounts: set[int] = field(default_factory=set)


@with_heavy_reads
def _load_batch(kind: str, records: _Records, ctx: RefreshContext, lap: _Stopwatch) -> _Batch:
    """A fixed number of grouped queries for the whole batch."""
    now, ids = ctx.now, records.ids
    with lap("engagement"):
        levels = engagement_levels(kind=kind, record_ids=ids, as_of=now)
        before = engagement_levels(
            kind=kind, record_ids=ids, as_of=now - dt.timedelta(days=scores.TREND_LOOKBACK_DAYS)
        )
    with lap("metrics"):
        metrics = engagement_metrics(kind=kind, record_ids=ids, now=now, today=ctx.today)
    with lap("people"):
        facts = people_facts(kind=kind, record_ids=ids, now=now)
        people: dict[int, list[PersonFacts]] = {}
        for person in facts.values():
            people.setdefault(person.record_id, []).append(person)
        contact_ids = {p.contact_id for p in facts.values() if p.contact_id}
        personas = dict(Contact.objects.filter(id__in=contact_ids).values_list("id", "persona"))
        deciders, champion_roles = _decision_makers(kind, ids)
        profiles = person_profiles(facts.values())
    with lap("timelines"):
        timelines = load_timelines(kind, ids, now=now)
        stalled = load_stalled_threads(kind, ids, now=now, after_days=ctx.config.stalled_thread_days)
        latest = _latest_activity(kind, ids, now=now)
    with lap("text"):
        texts = load_text_activities(
            kind,
            ids,
            now=now,
            account_names={i: records.account_name(i) for i in ids},
            internal_names=ctx.internal_names,
        )
    batch = _Batch(
        kind=kind,
        records=records,
        levels=levels,
        before=before,
        metrics=metrics,
        people=people,
        profiles=profiles,
        personas=personas,
        deciders=deciders,
        champion_roles=champion_roles,
        timelines=timelines,
        stalled=stalled,
        latest=latest,
        texts=texts,
        tasks=_open_tasks(kind, ids),
    )
    if kind == ACCOUNT:
        batch.pipeline, batch.won_accounts = _account_pipeline(ids)
    else:
        batch.entered = risk_rules.stage_entered_at(list(records.opportunities.values()))
        with lap("win_probability"):
            batch.win = ctx.win_model.predict([records.opportunities[i] for i in ids], now=now)
    return batch


def _stakeholders(batch: _Batch, record_id: int) -> list[Stakeholder]:
    stakeholders = []
    for person in batch.people.get(record_id, []):
        if person.is_internal:
            continue
        is_decider = (record_id, person.contact_id) in batch.deciders or (
            batch.personas.get(person.contact_id) in risk_rules.DECISION_MAKER_PERSONAS
        )
        stakeholders.append(
            Stakeholder(person.email, person.last_at, batch.profiles[person.email].seniority, is_decider)
        )
    return stakeholders


def _summary_of(batch: _Batch, record_id: int, ctx: RefreshContext, lap: _Stopwatch) -> Summary:
    """One record's summary from its batch: bullets, metrics and every score with its inputs."""
    now, today, kind = ctx.now, ctx.today, batch.kind
    engagement = batch.levels[record_id]
    timeline = batch.timelines.get(record_id, [])
    texts = batch.texts.get(record_id, [])
    opportunity = batch.records.opportunities.get(record_id)
    stakeholders = _stakeholders(batch, record_id)
    typical, sample = ctx.timing.stay.get(opportunity.stage, (None, 0)) if opportunity else (None, 0)
    budget, budget_inputs = scores.budget_confirmed(activities=texts, now=now)
    facts = RecordFacts(
        kind=kind,
        record_id=record_id,
        label=batch.records.label(record_id),
        timeline=timeline,
        stalled=batch.stalled.get(record_id, []),
        stakeholders=stakeholders,
        opportunity=opportunity,
        stage_entered_at=batch.entered.get(record_id),
        typical_stage_days=typical,
        typical_stage_sample=sample,
        pricing_discussed="pricing" in budget_inputs["signals"]
        or "budget_confirmed" in budget_inputs["signals"],
    )
    with lap("topics"):
        topics = key_topics(texts[:TOPIC_MAX_ACTIVITIES], now=now)
    risks = risk_rules.record_risks(
        facts, now=now, today=today, stalled_thread_days=ctx.config.stalled_thread_days
    )

    since_90 = now - dt.timedelta(days=risk_rules.ENGAGED_WINDOW_DAYS)
    engaged = [s for s in stakeholders if s.last_at and s.last_at > since_90]
    executives = [s for s in engaged if s.seniority in scores.EXECUTIVE_SENIORITIES]
    activities_12_weeks = sum(t.count for t in engagement.totals.values())
    score_before = batch.before[record_id].score
    trend = scores.engagement_trend(score_now=engagement.score, score_before=score_before)
    share = scores.reciprocity(timeline, now=now)
    strength, strength_inputs = scores.relationship_strength(
        engagement=engagement.score,
        engaged_people=len(engaged),
        best_seniority=scores.best_seniority(s.seniority for s in engaged),
        reciprocity_share=share,
    )
    competition, competition_inputs = scores.competition_risk(
        activities=texts, competitors=ctx.config.competitor_names, now=now
    )
    record_people = batch.people.get(record_id, [])
    champion, champion_inputs = scores.champion_identified(
        has_champion_role=record_id in batch.champion_roles,
        candidates=[
            scores.ChampionCandidate(
                p.contact_id, p.email, person_engagement(p).score, p.emails_sent, p.counts.get("meeting", 0)
            )
            for p in record_people
            if not p.is_internal and p.contact_id
        ],
    )
    external_year = [p for p in record_people if not p.is_internal]
    inputs = {
        "engagement_trend": {
            "score_now": engagement.score,
            "score_4_weeks_ago": score_before,
            "change_for_trend": scores.TREND_CHANGE,
        },
        "activity_frequency": {
            "activities_12_weeks": activities_12_weeks,
            "per_week": round(activities_12_weeks / 12, 2),
        },
        "relationship_strength": strength_inputs,
        "competition_risk": competition_inputs,
        "budget_confirmed": budget_inputs,
        "multi_threading": {"external_people_engaged_90_days": len(engaged)},
        "stakeholder_count": {"external_people_12_months": len(external_year)},
        "executive_engagement": {"executives_engaged_90_days": len(executives)},
        "champion_identified": champion_inputs,
    }
    summary = Summary(
        generated_at=now,
        latest_activity_at=batch.latest.get(record_id),
        engagement_level=engagement.score,
        engagement_breakdown=engagement.as_breakdown(),
        key_topics=topics,
        next_steps=build_next_steps(tasks=batch.tasks.get(record_id, []), activities=texts, now=now),
        risks=risks,
        warnings=risk_rules.deal_warnings(facts, config=ctx.config, now=now, today=today),
        metrics=batch.metrics[record_id],
        relationship_strength=strength,
        competition_risk=competition,
        budget_confirmed=budget,
        engagement_trend=trend,
        activity_frequency=scores.activity_frequency(activities_12_weeks=activities_12_weeks),
        multi_threading=len(engaged),
        stakeholder_count=len(external_year),
        executive_engagement=bool(executives),
        champion_identified=champion,
        score_inputs=inputs,
    )
    if kind == ACCOUNT:
        account = batch.records.accounts[record_id]
        summary.account_id = record_id
        summary.buying_intent, inputs["buying_intent"] = scores.buying_intent(
            engagement=engagement.score,
            trend=trend,
            budget=budget,
            best_open_stage_probability=batch.pipeline.get(record_id),
        )
        summary.churn_risk, inputs["churn_risk"] = scores.churn_risk(
            is_customer=account.account_type == "Customer" or record_id in batch.won_accounts,
            engagement=engagement.score,
            trend=trend,
            has_gap=any(r["code"] == "communication_gap" for r in risks),
            reciprocity_share=share,
        )
    else:
        summary.opportunity_id = record_id
        summary.win_probability, inputs["win_probability"] = batch.win[record_id]
        summary.deal_velocity, inputs["deal_velocity"] = scores.deal_velocity(
            opportunity=opportunity, now=now, timing=ctx.timing
        )
    return summary


def _people_rows(batch: _Batch, record_id: int, ctx: RefreshContext) -> list[PersonEngagement]:
    rows = []
    for person in batch.people.get(record_id, []):
        profile = batch.profiles[person.email]
        level = person_engagement(person)
        breakdown = level.as_breakdown()
        breakdown["summary"] = person_activity_summary(person)
        if not person.is_internal and person.contact_id:
            breakdown["benchmark"] = benchmark_for(
                seniority=profile.seniority, score=level.score, benchmarks=ctx.benchmarks
            )
        rows.append(
            PersonEngagement(
                account_id=record_id if batch.kind == ACCOUNT else None,
                opportunity_id=record_id if batch.kind == OPPORTUNITY else None,
                contact_id=person.contact_id,
                user_id=person.user_id,
                email=person.email,
                name=profile.name[:200],
                is_internal=person.is_internal,
                title=profile.title[:128],
                seniority=profile.seniority,
                department=profile.department,
                engagement_score=level.score,
                breakdown=breakdown,
                time_spent_minutes=person.time_spent_minutes,
                activity_count=person.activity_count,
                emails_sent=person.emails_sent,
                emails_received=person.emails_received,
                meetings=person.counts.get("meeting", 0),
                calls=person.counts.get("call", 0),
                last_activity_at=person.last_at,
                next_meeting_at=person.next_meeting_at,
                computed_at=ctx.now,
            )
        )
    return rows


def _refresh_batch(kind: str, ids: list[int], ctx: RefreshContext, lap: _Stopwatch) -> RefreshReport:
    report = RefreshReport()
    records = _load_records(kind, ids)
    if not records.ids:
        return report
    batch = _load_batch(kind, records, ctx, lap)
    week_start = ctx.today - dt.timedelta(days=ctx.today.weekday())
    summaries, person_rows, snapshots = [], [], []
    for record_id in records.ids:
        with lap("records, topics included"):
            summaries.append(_summary_of(batch, record_id, ctx, lap))
            person_rows += _people_rows(batch, record_id, ctx)
            snapshots.append(_snapshot(kind, record_id, week_start, batch.levels[record_id]))
    with lap("write"):
        _write(kind, records.ids, summaries, person_rows, snapshots, started=ctx.now)
    report.people, report.snapshots = len(person_rows), len(snapshots)
    if kind == ACCOUNT:
        report.accounts = len(records.ids)
    else:
        report.opportunities = len(records.ids)
    return report


def _snapshot(kind: str, subject_id: int, week_start: dt.date, engagement: Engagement) -> EngagementSnapshot:
    return EngagementSnapshot(
        subject_type=kind,
        subject_id=subject_id,
        week_start=week_start,
        score=engagement.score,
        breakdown={
            "counts": {kind_name: total.count for kind_name, total in engagement.totals.items()},
            "decayed_points": round(engagement.decayed_points, 2),
        },
    )


def _write(
    kind: str,
    ids: list[int],
    summaries: list[Summary],
    person_rows: list[PersonEngagement],
    snapshots,
    *,
    started: dt.datetime,
) -> None:
    key = "account" if kind == ACCOUNT else "opportunity"
    with transaction.atomic():
        Summary.objects.bulk_create(
            summaries,
            update_conflicts=True,
            unique_fields=[key],
            update_fields=SUMMARY_FIELDS,
            batch_size=500,
        )
        # Every refreshed summary is a new version (the pages' cache key), whatever the clock says.
        Summary.objects.filter(**{f"{key}_id__in": ids}).update(version=F("version") + 1)
        # A summary marked stale after this refresh read its activities stays stale.
        Summary.objects.filter(**{f"{key}_id__in": ids}, is_stale=True).filter(
            Q(stale_since__isnull=True) | Q(stale_since__lte=started)
        ).update(is_stale=False, stale_since=None)
        PersonEngagement.objects.filter(**{f"{key}_id__in": ids}).delete()
        PersonEngagement.objects.bulk_create(person_rows, batch_size=2_000)
        EngagementSnapshot.objects.bulk_create(
            snapshots,
            update_conflicts=True,
            unique_fields=["subject_type", "subject_id", "week_start"],
            update_fields=["score", "breakdown"],
            batch_size=2_000,
        )


# --- public services ---------------------------------------------------------------------------

Progress = Callable[[str, int], None]


def summaries_refresh(
    *,
    account_ids: Iterable[int] | None = None,
    opportunity_ids: Iterable[int] | None = None,
    progress: Progress | None = None,
    reuse_org_facts: bool = True,
) -> RefreshReport:
    """Recompute the summaries, scores and people metrics of the given accounts and opportunities
    and write them (bulk upserts, one transaction per batch); returns what was done, with timings.

    Every account or opportunity given gets a summary, even with no activity yet (an empty one).
    """
    started = time.perf_counter()
    report = RefreshReport()
    lap = _Stopwatch(report)
    account_ids = sorted(set(account_ids or ()))
    opportunity_ids = sorted(set(opportunity_ids or ()))
    if not account_ids and not opportunity_ids:
        return report
    with lap("context"):
        ctx = RefreshContext.load(reuse_org_facts=reuse_org_facts)
    for kind, ids, size in (
        (ACCOUNT, account_ids, ACCOUNT_BATCH),
        (OPPORTUNITY, opportunity_ids, OPPORTUNITY_BATCH),
    ):
        for batch in _chunks(ids, size):
            report.add(_refresh_batch(kind, batch, ctx, lap))
            if progress:
                progress(kind, len(batch))
    report.seconds = time.perf_counter() - started
    logger.info("insights refresh: %s", report.as_dict())
    return report


def summaries_refresh_all(*, progress: Progress | None = None, backfill_weeks: int = 12) -> RefreshReport:
    """Recompute every account and opportunity summary (the nightly run, and after ``seed_demo``),
    then take this week's engagement snapshots of contacts and users and fill in missing weekly
    snapshots of the last ``backfill_weeks`` weeks so trends show from the first day."""
    started = time.perf_counter()
    report = summaries_refresh(
        account_ids=Account.objects.values_list("id", flat=True),
        opportunity_ids=Opportunity.objects.values_list("id", flat=True),
        progress=progress,
        reuse_org_facts=False,
    )
    lap = _Stopwatch(report)
    with lap("snapshots"):
        report.snapshots += engagement_snapshots_take(backfill_weeks=backfill_weeks)
    report.seconds = time.perf_counter() - started
    return report


def summaries_mark_stale(
    *, activity_ids: Iterable[int] = (), account_ids: Iterable[int] = (), opportunity_ids: Iterable[int] = ()
) -> tuple[set[int], set[int]]:
    """New or changed activities arrived: mark the summaries of their accounts and opportunities
    stale and schedule one refresh shortly after (debounced: a burst of calls schedules one task).

    The records are those `activity_ids` are matched to now, and `account_ids` / `opportunity_ids`
    (where activities were matched before a change, read by capture before it). Call it inside or
    outside a transaction; the marking and the scheduling happen after commit. Returns the
    (account ids, opportunity ids) affected.
    """
    accounts, opportunities = records_matched_to(activity_ids=activity_ids)
    accounts |= set(account_ids)
    opportunities |= set(opportunity_ids)
    if accounts or opportunities:
        transaction.on_commit(lambda: _mark_and_schedule(accounts, opportunities))
    return accounts, opportunities


def _mark_and_schedule(account_ids: set[int], opportunity_ids: set[int]) -> None:
    # Marked after commit, so a refresh that started earlier cannot clear it (see ``_write``).
    now = clock.now()
    for key, ids in (("account", account_ids), ("opportunity", opportunity_ids)):
        if not ids:
            continue
        Summary.objects.filter(**{f"{key}_id__in": ids}).update(
            is_stale=True, stale_since=now, version=F("version") + 1
        )
        existing = set(Summary.objects.filter(**{f"{key}_id__in": ids}).values_list(f"{key}_id", flat=True))
        # A record with no summary yet gets an empty one, marked stale, for the refresh to fill.
        Summary.objects.bulk_create(
            [
                Summary(**{f"{key}_id": i}, generated_at=now, is_stale=True, stale_since=now)
                for i in sorted(ids - existing)
            ],
            ignore_conflicts=True,
        )
    if cache.add(REFRESH_LOCK_KEY, True, timeout=REFRESH_DELAY_SECONDS * 10):
        from ..tasks import refresh_stale_summaries

        refresh_stale_summaries.apply_async(countdown=REFRESH_DELAY_SECONDS)


def summaries_refresh_stale() -> RefreshReport:
    """Refresh every summary marked stale: what the debounced task runs."""
    cache.delete(REFRESH_LOCK_KEY)  # marks from now on schedule the next run
    stale = Summary.objects.filter(is_stale=True)
    return summaries_refresh(
        account_ids=stale.filter(account__isnull=False).values_list("account_id", flat=True),
        opportunity_ids=stale.filter(opportunity__isnull=False).values_list("opportunity_id", flat=True),
    )


def engagement_snapshots_take(*, backfill_weeks: int = 0, as_of: dt.datetime | None = None) -> int:
    """Record this week's engagement score of every account, opportunity, contact and user (the
    weekly snapshot a trend is drawn from; an existing snapshot of this week is updated), and add
    the missing snapshots of the ``backfill_weeks`` weeks before, scored as of each week's end.
    Returns how many snapshots were written."""
    now = as_of or clock.now()
    today = timezone.localtime(now).date()
    this_week = today - dt.timedelta(days=today.weekday())
    account_ids = list(Account.objects.values_list("id", flat=True))
    opportunity_created = {
        row[0]: row[1] or row[2]
        for row in Opportunity.objects.values_list("id", "created_date", "created_at")
    }
    written = 0
    for weeks_back in range(backfill_weeks + 1):
        week_start = this_week - dt.timedelta(weeks=weeks_back)
        moment = (
            now
            if weeks_back == 0
            else dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time.min, tzinfo=dt.UTC)
        )
        accounts = engagement_levels(kind=ACCOUNT, as_of=moment)
        opportunities = engagement_levels(kind=OPPORTUNITY, as_of=moment)
        # Records with nothing in the window score 0 that week (opportunities only once they existed).
        for account_id in account_ids:
            accounts.setdefault(account_id, Engagement(score=0))
        for opportunity_id, created in opportunity_created.items():
            if weeks_back == 0 or created is None or created <= moment:
                opportunities.setdefault(opportunity_id, Engagement(score=0))
        rows = []
        for subject, levels in (
            (EngagementSnapshot.Subject.ACCOUNT, accounts),
            (EngagementSnapshot.Subject.OPPORTUNITY, opportunities),
            (EngagementSnapshot.Subject.CONTACT, people_engagement_levels(subject="contact", as_of=moment)),
            (EngagementSnapshot.Subject.USER, people_engagement_levels(subject="user", as_of=moment)),
        ):
            rows += [
                _snapshot(subject, subject_id, week_start, level) for subject_id, level in levels.items()
            ]
        if weeks_back == 0:
            EngagementSnapshot.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["subject_type", "subject_id", "week_start"],
                update_fields=["score", "breakdown"],
                batch_size=2_000,
            )
        else:
            EngagementSnapshot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2_000)
        written += len(rows)
    return written
