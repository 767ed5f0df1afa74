"""Potential risks and deal warnings: activity-based warning signs, each with the activities that
show it.

Seed: "Potential Risks show activity-based warning signs (gaps in communication, missing
stakeholders, stalled threads). Use it to resolve risks early."

Every rule is a small function of a record's facts (``RecordFacts``) that returns one bullet or
``None``. Details are plain words with numbers only, never text taken from an activity, so a risk
never repeats what a private activity said; its evidence is a list of activity ids the page filters.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from contacts.rules import EXECUTIVE_SENIORITIES
from opportunities.models import Opportunity, OpportunityStageHistory
from opportunities.stages import EARLY_STAGE_MAX_ORDER, stage_info

from .records import EMAIL_SENT, TWO_WAY

# Communication gap: "longer than the account's own usual cadence" is more than twice the median
# interval between days with two-way activity over the last year, and never less than two weeks.
GAP_CADENCE_FACTOR = 2.0
GAP_MIN_DAYS = 14
DEFAULT_CADENCE_DAYS = 14
# Stakeholders are "engaged" when they took part in an activity in the last 90 days.
ENGAGED_WINDOW_DAYS = 90
# Single-threaded: every activity of the last 90 days (at least this many) had the same one person.
SINGLE_THREAD_MIN_ACTIVITIES = 3
# Too long in stage: more than twice the org's median time in that stage (from stage history, with
# at least five opportunities that left it), else more than twice this default.
STAGE_SAMPLE_MIN = 5
DEFAULT_STAGE_DAYS = 30
STAGE_FACTOR = 2.0
# Stalled threads older than this are history: the communication gap covers them.
STALLED_THREAD_MAX_DAYS = 60
EVIDENCE_LIMIT = 10
DECISION_MAKER_ROLES = frozenset({"Decision Maker", "Economic Buyer", "Executive Sponsor"})
DECISION_MAKER_PERSONAS = frozenset({"decision_maker", "economic_buyer"})


@dataclass(frozen=True)
class TimelineItem:
    id: int
    occurred_at: dt.datetime
    component: str
    is_private: bool


@dataclass(frozen=True)
class Stakeholder:
    """An external person engaged on a record, as far as risks care."""

    email: str
    last_at: dt.datetime | None
    seniority: str = ""
    is_decision_maker: bool = False

    @property
    def has_power(self) -> bool:
        return self.seniority in EXECUTIVE_SENIORITIES or self.is_decision_maker


@dataclass
class RecordFacts:
    """Everything the risk and warning rules read about one account or opportunity."""

    kind: str
    record_id: int
    label: str
    timeline: list[TimelineItem] = field(default_factory=list)  # most recent first
    stalled: list[TimelineItem] = field(default_factory=list)
    stakeholders: list[Stakeholder] = field(default_factory=list)
    opportunity: Opportunity | None = None
    stage_entered_at: dt.datetime | None = None
    typical_stage_days: float | None = None
    typical_stage_sample: int = 0
    pricing_discussed: bool = False


def _bullet(
    code: str, title: str, detail: str, severity: str, evidence: list[TimelineItem], *, date=None, context=()
) -> dict:
    """A risk or warning. ``evidence`` decides ``private_only``; ``context`` activities are only
    shown alongside (a deal past its close date, with its latest activities)."""
    items = (
        list(evidence)[:EVIDENCE_LIMIT]
        + [c for c in context if c not in evidence][: max(0, 3 - len(evidence))]
    )
    items.sort(key=lambda item: (item.occurred_at, item.id), reverse=True)
    latest = max([item.occurred_at for item in evidence] + ([date] if date else []), default=date)
    return {
        "code": code,
        "title": title,
        "detail": detail,
        "severity": severity,
        "date": latest.isoformat() if latest else None,
        "activity_ids": [item.id for item in items],
        "private_only": bool(evidence) and all(item.is_private for item in evidence),
    }


def _days(delta: dt.timedelta) -> int:
    return max(0, delta.days)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def usual_cadence_days(timeline: list[TimelineItem], *, now: dt.datetime) -> tuple[float, int]:
    """Median days between days with two-way activity in the last year, and how many gaps that is."""
    since = now - dt.timedelta(days=365)
    days = sorted(
        {
            item.occurred_at.date()
            for item in timeline
            if item.component in TWO_WAY and item.occurred_at > since
        }
    )
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    if len(gaps) < 2:
        return float(DEFAULT_CADENCE_DAYS), len(gaps)
    return float(statistics.median(gaps)), len(gaps)


def communication_gap(facts: RecordFacts, *, now: dt.datetime) -> dict | None:
    # Seed: "Potential Risks show activity-based warning signs (gaps in communication, ...)".
    if not facts.timeline:
        return None
    two_way = [item for item in facts.timeline if item.component in TWO_WAY]
    cadence, _ = usual_cadence_days(facts.timeline, now=now)
    threshold = max(GAP_CADENCE_FACTOR * cadence, GAP_MIN_DAYS)
    if two_way:
        last = two_way[0]
        gap = _days(now - last.occurred_at)
        if gap <= threshold:
            return None
        attempts = [item for item in facts.timeline if item.occurred_at > last.occurred_at]
        detail = (
            f"No reply, meeting or call for {gap} days; this {facts.kind} usually has one every "
            f"{cadence:g} days, so more than {threshold:g} days is a gap."
        )
        if attempts:
            detail += f" {_plural(len(attempts), 'email')} sent since got no answer."
        severity = "high" if gap > 2 * threshold else "medium"
        return _bullet("communication_gap", "Gap in communication", detail, severity, [last, *attempts])
    oldest = facts.timeline[-1]
    waited = _days(now - oldest.occurred_at)
    if waited <= GAP_MIN_DAYS:
        return None
    return _bullet(
        "communication_gap",
        "Gap in communication",
        f"No reply, meeting or call in the last 12 months: {_plural(len(facts.timeline), 'email')} sent, "
        f"the first {waited} days ago.",
        "high",
        facts.timeline,
    )


def _engaged(facts: RecordFacts, *, now: dt.datetime) -> list[Stakeholder]:
    since = now - dt.timedelta(days=ENGAGED_WINDOW_DAYS)
    return [s for s in facts.stakeholders if s.last_at and s.last_at > since]


def _recent(facts: RecordFacts, *, now: dt.datetime) -> list[TimelineItem]:
    since = now - dt.timedelta(days=ENGAGED_WINDOW_DAYS)
    return [item for item in facts.timeline if item.occurred_at > since]


def _past_early_stage(opportunity: Opportunity | None) -> bool:
    return (
        opportunity is not None
        and opportunity.is_open
        and stage_info(opportunity.stage).order > EARLY_STAGE_MAX_ORDER
    )


def missing_stakeholders(facts: RecordFacts, *, now: dt.datetime) -> dict | None:
    # Seed: "... missing stakeholders ...": past an early stage, an executive or decision maker
    # should be in the conversation.
    if not _past_early_stage(facts.opportunity):
        return None
    engaged = _engaged(facts, now=now)
    if any(s.has_power for s in engaged):
        return None
    stage = facts.opportunity.stage
    detail = (
        f"The opportunity is in {stage}, but no executive or decision maker took part in its activities in the last "
        f"{ENGAGED_WINDOW_DAYS} days ({_plural(len(engaged), 'person', 'people')} at the customer did)."
    )
    severity = "high" if stage_info(stage).order >= stage_info("Proposal").order else "medium"
    return _bullet("missing_stakeholders", "Missing stakeholders", detail, severity, _recent(facts, now=now))


def single_threaded(facts: RecordFacts, *, now: dt.datetime) -> dict | None:
    # Seed: "... missing stakeholders ...": one contact carrying the whole relationship.
    if facts.opportunity is not None and not facts.opportunity.is_open:
        return None
    recent = _recent(facts, now=now)
    engaged = _engaged(facts, now=now)
    if len(engaged) != 1 or len(recent) < SINGLE_THREAD_MIN_ACTIVITIES:
        return None
    detail = (
        f"Only one person at the customer took part in the {len(recent)} activities of the last "
        f"{ENGAGED_WINDOW_DAYS} days: the {facts.kind} depends on a single thread."
    )
    return _bullet("single_threaded", "Single-threaded", detail, "medium", recent)


def stalled_threads(facts: RecordFacts, *, now: dt.datetime, after_days: int) -> dict | None:
    # Seed: "... stalled threads ...": outbound emails with no reply in their thread.
    if not facts.stalled or (facts.opportunity is not None and not facts.opportunity.is_open):
        return None
    oldest = _days(now - min(item.occurred_at for item in facts.stalled))
    newest = _days(now - max(item.occurred_at for item in facts.stalled))
    count = len(facts.stalled)
    span = f"{newest} days ago" if newest == oldest else f"between {newest} and {oldest} days ago"
    detail = f"{_plural(count, 'email thread')} got no reply: the last emails were sent {span} (threshold {after_days} days)."
    return _bullet(
        "stalled_threads", "Stalled threads", detail, "high" if count >= 3 else "medium", facts.stalled
    )


def close_date_passed(facts: RecordFacts, *, today: dt.date, overdue_days: int = 0) -> dict | None:
    # Issue 6: "Potential risks, activity-based, each with evidence activities: ... close date passed".
    opportunity = facts.opportunity
    if opportunity is None or not opportunity.is_open or opportunity.close_date is None:
        return None
    late = (today - opportunity.close_date).days
    if late <= overdue_days:
        return None
    detail = (
        f"The expected close date ({opportunity.close_date:%d %b %Y}) passed {_plural(late, 'day')} ago and the "
        f"opportunity is still open in {opportunity.stage}."
    )
    date = dt.datetime.combine(opportunity.close_date, dt.time.min, tzinfo=dt.UTC)
    return _bullet(
        "close_date_passed", "Close date passed", detail, "high", [], date=date, context=facts.timeline
    )


def days_in_stage(facts: RecordFacts, *, now: dt.datetime) -> int | None:
    if facts.stage_entered_at is None:
        return None
    return _days(now - facts.stage_entered_at)


def too_long_in_stage(facts: RecordFacts, *, now: dt.datetime) -> dict | None:
    # Issue 6: "Potential risks, activity-based, each with evidence activities: ... too long in stage".
    opportunity = facts.opportunity
    if opportunity is None or not opportunity.is_open:
        return None
    days = days_in_stage(facts, now=now)
    if days is None:
        return None
    typical = facts.typical_stage_days if facts.typical_stage_sample >= STAGE_SAMPLE_MIN else None
    limit = STAGE_FACTOR * (typical if typical else DEFAULT_STAGE_DAYS)
    if days <= limit:
        return None
    if typical:
        usual = f"opportunities here usually spend {typical:g} days in it (median of {facts.typical_stage_sample})"
    else:
        usual = f"too few opportunities have left it to know the usual time, so {DEFAULT_STAGE_DAYS} days is assumed"
    detail = f"In {opportunity.stage} for {days} days; {usual}."
    severity = "high" if days > 1.5 * limit else "medium"
    return _bullet(
        "too_long_in_stage",
        "Too long in stage",
        detail,
        severity,
        [],
        date=facts.stage_entered_at,
        context=facts.timeline,
    )


def record_risks(
    facts: RecordFacts, *, now: dt.datetime, today: dt.date, stalled_thread_days: int
) -> list[dict]:
    """``Summary.risks`` of one record, most severe first."""
    found = [
        communication_gap(facts, now=now),
        missing_stakeholders(facts, now=now),
        single_threaded(facts, now=now),
        stalled_threads(facts, now=now, after_days=stalled_thread_days),
        close_date_passed(facts, today=today),
        too_long_in_stage(facts, now=now),
    ]
    if facts.opportunity is not None and not facts.opportunity.is_open:
        found = []
    return _ordered([risk for risk in found if risk])


def _ordered(bullets: list[dict]) -> list[dict]:
    rank = {"high": 0, "medium": 1, "low": 2}
    return sorted(bullets, key=lambda b: (rank[b["severity"]], b["code"]))


# --- deal warnings ---------------------------------------------------------------------------


def _warn_no_activity(facts: RecordFacts, config, *, now, today) -> dict | None:
    days = config.no_activity_days
    last = facts.timeline[0] if facts.timeline else None
    since = now - last.occurred_at if last else now - (facts.opportunity.created_date or now)
    if _days(since) <= days:
        return None
    if last is None:
        detail = (
            f"No activity since the opportunity was created {_days(since)} days ago (threshold {days} days)."
        )
        return _bullet("no_activity", "No activity", detail, "high", [])
    detail = f"No activity for {_days(since)} days (threshold {days} days)."
    return _bullet("no_activity", "No activity", detail, "high", [last])


def _warn_ghosted(facts: RecordFacts, config, *, now, today) -> dict | None:
    days = config.ghosted_days
    two_way = [item for item in facts.timeline if item.component in TWO_WAY]
    last_reply = two_way[0].occurred_at if two_way else None
    if last_reply is not None and _days(now - last_reply) <= days:
        return None
    since = last_reply or (now - dt.timedelta(days=365))
    chasing = [item for item in facts.timeline if item.component == EMAIL_SENT and item.occurred_at > since]
    if len(chasing) < 2 or _days(now - chasing[-1].occurred_at) <= days:
        return None
    silent = f"for {_days(now - last_reply)} days" if last_reply else "at all in the last 12 months"
    detail = f"The buyer has not replied, met or called {silent} while {_plural(len(chasing), 'email')} were sent (threshold {days} days)."
    return _bullet("ghosted", "Ghosted", detail, "high", chasing)


def _warn_overdue_close_date(facts: RecordFacts, config, *, now, today) -> dict | None:
    bullet = close_date_passed(facts, today=today, overdue_days=config.overdue_close_date_days)
    if bullet:
        bullet.update(code="overdue_close_date", title="Close date overdue")
    return bullet


def _warn_not_enough_contacts(facts: RecordFacts, config, *, now, today) -> dict | None:
    engaged = _engaged(facts, now=now)
    if len(engaged) >= config.not_enough_contacts_min:
        return None
    detail = (
        f"{_plural(len(engaged), 'person', 'people')} at the customer took part in the last {ENGAGED_WINDOW_DAYS} days; "
        f"at least {config.not_enough_contacts_min} are expected."
    )
    return _bullet("not_enough_contacts", "Not enough contacts", detail, "medium", _recent(facts, now=now))


def _warn_no_power(facts: RecordFacts, config, *, now, today) -> dict | None:
    if not _past_early_stage(facts.opportunity):
        return None
    since = now - dt.timedelta(days=config.no_power_days)
    if any(s.has_power and s.last_at and s.last_at > since for s in facts.stakeholders):
        return None
    window = [item for item in facts.timeline if item.occurred_at > since]
    detail = f"No executive or decision maker took part in the last {config.no_power_days} days."
    return _bullet("no_power", "No power", detail, "high", window)


def _warn_pricing_not_discussed(facts: RecordFacts, config, *, now, today) -> dict | None:
    opportunity = facts.opportunity
    from_stage = stage_info(config.pricing_not_discussed_from_stage)
    if stage_info(opportunity.stage).order < from_stage.order or facts.pricing_discussed:
        return None
    detail = (
        f"The opportunity is in {opportunity.stage} and pricing, a quote or budget has not come up in its "
        f"recent activities (expected from {from_stage.name})."
    )
    return _bullet(
        "pricing_not_discussed", "Pricing not discussed", detail, "medium", [], context=facts.timeline
    )


def _warn_stalled_in_stage(facts: RecordFacts, config, *, now, today) -> dict | None:
    days = days_in_stage(facts, now=now)
    if days is None or days <= config.stalled_in_stage_days:
        return None
    detail = f"In {facts.opportunity.stage} for {days} days (threshold {config.stalled_in_stage_days} days)."
    return _bullet(
        "stalled_in_stage",
        "Stalled in stage",
        detail,
        "medium",
        [],
        date=facts.stage_entered_at,
        context=facts.timeline,
    )


# Issue 6: "Deal warnings (no activity, ghosted, overdue close date, not enough contacts, no power,
# pricing not discussed, stalled in stage), each switchable and with a threshold in the configuration."
WARNINGS: dict[str, tuple[str, Callable]] = {
    # code: (the configuration switch, the rule)
    "no_activity": ("no_activity_enabled", _warn_no_activity),
    "ghosted": ("ghosted_enabled", _warn_ghosted),
    "overdue_close_date": ("overdue_close_date_enabled", _warn_overdue_close_date),
    "not_enough_contacts": ("not_enough_contacts_enabled", _warn_not_enough_contacts),
    "no_power": ("no_power_enabled", _warn_no_power),
    "pricing_not_discussed": ("pricing_not_discussed_enabled", _warn_pricing_not_discussed),
    "stalled_in_stage": ("stalled_in_stage_enabled", _warn_stalled_in_stage),
}


def deal_warnings(facts: RecordFacts, *, config, now: dt.datetime, today: dt.date) -> list[dict]:
    """``Summary.warnings`` of an open opportunity: every switched-on warning that fires."""
    if facts.opportunity is None or not facts.opportunity.is_open:
        return []
    found = []
    for switch, rule in WARNINGS.values():
        if getattr(config, switch):
            bullet = rule(facts, config, now=now, today=today)
            if bullet:
                found.append(bullet)
    return _ordered(found)


# --- stage timing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageTiming:
    """What the org's stage history says about time: per stage, the median days spent in it and the
    median days from creation to leaving it, each with its sample size; and the median sales cycle
    of won opportunities."""

    stay: dict[str, tuple[float, int]]
    reach_exit: dict[str, tuple[float, int]]
    won_cycle: tuple[float, int]


def _medians(values: dict[str, list[float]]) -> dict[str, tuple[float, int]]:
    return {key: (round(statistics.median(v), 1), len(v)) for key, v in values.items() if v}


def stage_timing() -> StageTiming:
    """Read the whole stage history once (ordered, streamed) and return the org's ``StageTiming``."""
    stays: dict[str, list[float]] = {}
    exits: dict[str, list[float]] = {}
    cycles: list[float] = []
    created = {
        row[0]: row[1] or row[2]
        for row in Opportunity.objects.values_list("id", "created_date", "created_at").iterator(
            chunk_size=5_000
        )
    }
    won = set(Opportunity.objects.filter(is_won=True).values_list("id", flat=True))
    previous: tuple[int, str, dt.datetime] | None = None
    first_at: dt.datetime | None = None
    rows = OpportunityStageHistory.objects.order_by("opportunity_id", "changed_at", "id").values_list(
        "opportunity_id", "stage", "changed_at"
    )
    for opportunity_id, stage, changed_at in rows.iterator(chunk_size=5_000):
        if previous is None or previous[0] != opportunity_id:
            first_at = created.get(opportunity_id) or changed_at
            previous = None
        if previous and previous[1] != stage:
            stays.setdefault(previous[1], []).append((changed_at - previous[2]).total_seconds() / 86400)
            exits.setdefault(previous[1], []).append((changed_at - first_at).total_seconds() / 86400)
        if opportunity_id in won and stage_info(stage).is_won:
            cycles.append((changed_at - first_at).total_seconds() / 86400)
        previous = (opportunity_id, stage, changed_at)
    cycle = (round(statistics.median(cycles), 1), len(cycles)) if cycles else (0.0, 0)
    return StageTiming(stay=_medians(stays), reach_exit=_medians(exits), won_cycle=cycle)


def stage_entered_at(opportunities: list[Opportunity]) -> dict[int, dt.datetime]:
    """When each opportunity entered its current stage: the CRM's stage change time, else the latest
    history entry, else when it was created."""
    missing = [o.id for o in opportunities if o.stage_changed_at is None]
    latest: dict[int, dt.datetime] = {}
    if missing:
        rows = OpportunityStageHistory.objects.filter(opportunity_id__in=missing).order_by("changed_at", "id")
        for opportunity_id, changed_at in rows.values_list("opportunity_id", "changed_at"):
            latest[opportunity_id] = changed_at
    return {
        o.id: o.stage_changed_at or latest.get(o.id) or o.created_date or o.created_at for o in opportunities
    }
