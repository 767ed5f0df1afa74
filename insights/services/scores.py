"""The scores the Query API names, each a small documented function of a record's facts.

``docs/scores.md`` is the reference: each score's inputs and formula, in the order below. Every
function returns the value and the inputs it used; both are stored (``Summary.<score>`` and
``Summary.score_inputs[<score>]``) so a page or an analyst can see why a number is what it is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, F, Q
from django.db.models.functions import Coalesce

from activities.models import Participant
from contacts.rules import EXECUTIVE_SENIORITIES
from opportunities.models import Opportunity, OpportunityStageHistory
from opportunities.stages import stage_info

from .engagement import RECORD_HALF_LIFE_DAYS, component_totals, engagement_from_totals
from .records import OPPORTUNITIES, TWO_WAY, age_days, binary, counted, with_heavy_reads
from .risks import StageTiming, TimelineItem
from .text import competitors_in, signals_in
from .topics import TextActivity

ENGAGED_DAYS = 90
COMPETITION_WINDOW_DAYS = 90
BUDGET_WINDOW_DAYS = 180
SENIORITY_POINTS = {
    "c_level": 100,
    "vp": 100,
    "director": 70,
    "manager": 50,
    "individual_contributor": 30,
    "unknown": 30,
    "": 30,
}
TREND_LOOKBACK_DAYS = 28
TREND_CHANGE = 10


def _clamp(value: float) -> int:
    return max(0, min(100, round(value)))


# Seed: "ootb_engagement_trend | Direction of engagement | String | Values: increasing, stable, declining"
def engagement_trend(*, score_now: int, score_before: int) -> str:
    """Increasing / stable / declining: the engagement level now against the same formula four
    weeks ago; a change of 10 points or more is a trend."""
    change = score_now - score_before
    if change >= TREND_CHANGE:
        return "increasing"
    if change <= -TREND_CHANGE:
        return "declining"
    return "stable"


# Seed: "ootb_activity_frequency | Activity frequency trend | String | Values: high, medium, low"
def activity_frequency(*, activities_12_weeks: int) -> str:
    """High from three activities a week on average over 12 weeks, medium from one, low below."""
    per_week = activities_12_weeks / 12
    if per_week >= 3:
        return "high"
    return "medium" if per_week >= 1 else "low"


def reciprocity(timeline: Iterable[TimelineItem], *, now: dt.datetime) -> int | None:
    """Share (0-100) of the last 90 days' activities in which the customer took part: emails they
    sent, meetings and calls. None with no activity."""
    since = now - dt.timedelta(days=ENGAGED_DAYS)
    recent = [item for item in timeline if item.occurred_at > since]
    if not recent:
        return None
    return round(100 * sum(item.component in TWO_WAY for item in recent) / len(recent))


# Seed: "ootb_relationship_strength | Relationship depth score | Number | 0-100"
def relationship_strength(
    *, engagement: int, engaged_people: int, best_seniority: str | None, reciprocity_share: int | None
) -> tuple[int, dict]:
    """40% engagement level, 20% breadth (20 points per external person engaged in 90 days, up to
    five), 20% seniority of the most senior person engaged, 20% reciprocity."""
    breadth = min(100, 20 * engaged_people)
    seniority = 0 if best_seniority is None else SENIORITY_POINTS.get(best_seniority, 30)
    share = reciprocity_share or 0
    value = _clamp(0.4 * engagement + 0.2 * breadth + 0.2 * seniority + 0.2 * share)
    return value, {
        "engagement_level": engagement,
        "people_engaged_90_days": engaged_people,
        "breadth_points": breadth,
        "most_senior_engaged": best_seniority,
        "seniority_points": seniority,
        "reciprocity_percent": reciprocity_share,
        "formula": "0.4 x engagement + 0.2 x breadth + 0.2 x seniority + 0.2 x reciprocity",
    }


MOMENTUM_POINTS = {"increasing": 100, "stable": 50, "declining": 0}
DECLINE_POINTS = {"declining": 100, "stable": 40, "increasing": 0}


# Seed: "ootb_buying_intent_score | Likelihood to purchase | Number | 0-100"
def buying_intent(
    *, engagement: int, trend: str, budget: int, best_open_stage_probability: int | None
) -> tuple[int, dict]:
    """Accounts: 35% engagement level, 25% momentum (trend), 20% budget signals, 20% the stage
    probability of the most advanced open opportunity (0 with none)."""
    pipeline = best_open_stage_probability or 0
    value = _clamp(0.35 * engagement + 0.25 * MOMENTUM_POINTS[trend] + 0.2 * budget + 0.2 * pipeline)
    return value, {
        "engagement_level": engagement,
        "engagement_trend": trend,
        "momentum_points": MOMENTUM_POINTS[trend],
        "budget_confirmed": budget,
        "best_open_stage_probability": best_open_stage_probability,
        "formula": "0.35 x engagement + 0.25 x momentum + 0.2 x budget + 0.2 x pipeline stage",
    }


# Seed: "ootb_churn_risk_score | Risk of account churn | Number | 0-100"
def churn_risk(
    *, is_customer: bool, engagement: int, trend: str, has_gap: bool, reciprocity_share: int | None
) -> tuple[int | None, dict]:
    """Customers only (type "Customer" or a won opportunity): 40% missing engagement, 25% decline,
    20% a communication gap, 15% missing reciprocity. None for prospects."""
    if not is_customer:
        return None, {"is_customer": False, "reason": "Churn risk is scored for customers only."}
    share = reciprocity_share or 0
    value = _clamp(
        0.4 * (100 - engagement)
        + 0.25 * DECLINE_POINTS[trend]
        + 0.2 * (100 if has_gap else 0)
        + 0.15 * (100 - share)
    )
    return value, {
        "is_customer": True,
        "engagement_level": engagement,
        "engagement_trend": trend,
        "decline_points": DECLINE_POINTS[trend],
        "communication_gap": has_gap,
        "reciprocity_percent": reciprocity_share,
        "formula": "0.4 x (100 - engagement) + 0.25 x decline + 0.2 x gap + 0.15 x (100 - reciprocity)",
    }


# Seed: "ootb_competition_risk_score | Competitive threat level | Number | 0-100"
def competition_risk(
    *, activities: Iterable[TextActivity], competitors: dict[str, list[str]], now: dt.datetime
) -> tuple[int, dict]:
    """Mentions of configured competitors in the last 90 days: 10 points per competitor named, plus
    25 per mentioning activity, x1.5 when the buyer said it (their email, a meeting or call) and
    halved when older than 30 days; at most 100."""
    since = now - dt.timedelta(days=COMPETITION_WINDOW_DAYS)
    named: dict[str, list[int]] = {}
    points = 0.0
    for activity in activities:
        if not competitors or activity.occurred_at <= since or activity.occurred_at > now:
            continue
        found = competitors_in(f"{activity.subject}\n{activity.body}", competitors)
        if not found:
            continue
        weight = (
            25
            * (1.5 if activity.said_by_buyer else 1.0)
            * (1.0 if (now - activity.occurred_at).days <= 30 else 0.5)
        )
        points += weight
        for name in found:
            named.setdefault(name, []).append(activity.id)
    points += 10 * len(named)
    return _clamp(points), {
        "configured_competitors": sorted(competitors),
        "mentions": {
            name: {"activities": len(ids), "activity_ids": ids[:10]} for name, ids in sorted(named.items())
        },
        "window_days": COMPETITION_WINDOW_DAYS,
    }


BUDGET_POINTS = {"budget_confirmed": (60, 30), "purchase_order": (25, 15), "pricing": (15, 15)}


# Seed: "ootb_budget_confirmed_score | Budget qualification score | Number | 0-100"
def budget_confirmed(*, activities: Iterable[TextActivity], now: dt.datetime) -> tuple[int, dict]:
    """Budget, purchase-order and pricing signals in the last 180 days. Each kind counts once:
    budget approved/confirmed 60 (30 when only we said it), purchase order 25 (15), pricing or a
    quote discussed 15; at most 100."""
    since = now - dt.timedelta(days=BUDGET_WINDOW_DAYS)
    best: dict[str, int] = {}
    evidence: dict[str, list[int]] = {}
    for activity in activities:
        if activity.occurred_at <= since or activity.occurred_at > now:
            continue
        found = signals_in(f"{activity.subject}\n{activity.body}")
        for name in ("budget_confirmed", "purchase_order", "pricing"):
            if getattr(found, name):
                buyer_points, our_points = BUDGET_POINTS[name]
                best[name] = max(best.get(name, 0), buyer_points if activity.said_by_buyer else our_points)
                evidence.setdefault(name, []).append(activity.id)
    return _clamp(sum(best.values())), {
        "signals": {
            name: {"points": best[name], "activity_ids": evidence[name][:10]} for name in sorted(best)
        },
        "window_days": BUDGET_WINDOW_DAYS,
    }


DEFAULT_DAYS_PER_STAGE = 21
DEFAULT_WON_CYCLE_DAYS = 90


# Seed: "ootb_deal_velocity_score | Deal progression speed | Number | 0-100"
def deal_velocity(*, opportunity: Opportunity, now: dt.datetime, timing: StageTiming) -> tuple[int, dict]:
    """100 x E / (E + A): A is the opportunity's age in days (its cycle once closed); E is how long
    this org's opportunities take to leave its current stage, counted from creation (median, at
    least five of them; else 21 days per stage), or the median won cycle once closed. On par
    gives 50; twice as fast 67; twice as slow 33."""
    created = opportunity.created_date or opportunity.created_at
    info = stage_info(opportunity.stage)
    if opportunity.is_closed:
        end = opportunity.stage_changed_at or dt.datetime.combine(
            opportunity.actual_close_date or opportunity.close_date or now.date(),
            dt.time.min,
            tzinfo=dt.UTC,
        )
        median, sample = timing.won_cycle
        expected = median if sample >= 5 else DEFAULT_WON_CYCLE_DAYS
        basis = (
            "median won sales cycle"
            if sample >= 5
            else f"default won sales cycle of {DEFAULT_WON_CYCLE_DAYS} days"
        )
    else:
        end = now
        median, sample = timing.reach_exit.get(info.name, (0.0, 0))
        expected = median if sample >= 5 else DEFAULT_DAYS_PER_STAGE * info.order
        basis = (
            f"median days from creation to leaving {info.name}"
            if sample >= 5
            else f"default of {DEFAULT_DAYS_PER_STAGE} days per stage"
        )
    actual = max(1.0, (end - created).total_seconds() / 86400) if created else 1.0
    expected = max(1.0, float(expected))
    return _clamp(100 * expected / (expected + actual)), {
        "age_days": round(actual, 1),
        "expected_days": round(expected, 1),
        "expected_from": basis,
        "sample": sample,
        "formula": "100 x expected / (expected + age)",
    }


def best_seniority(seniorities: Iterable[str]) -> str | None:
    order = ["c_level", "vp", "director", "manager", "individual_contributor", "unknown"]
    present = [s or "unknown" for s in seniorities]
    for level in order:
        if level in present:
            return level
    return None


@dataclass(frozen=True)
class ChampionCandidate:
    contact_id: int | None
    email: str
    engagement: int
    emails_sent: int
    meetings: int


CHAMPION_MIN_ENGAGEMENT = 60


# Seed: "ootb_champion_identified | Champion contact identified | Boolean | Current"
def champion_identified(
    *, has_champion_role: bool, candidates: Iterable[ChampionCandidate]
) -> tuple[bool, dict]:
    """A contact role "Champion" on the opportunity (on an open opportunity, for an account), or a
    contact who behaves like one: engagement of 60 or more, at least two emails written to us and
    a meeting in the last 12 months."""
    if has_champion_role:
        return True, {"from": "contact_role"}
    for person in candidates:
        if person.engagement >= CHAMPION_MIN_ENGAGEMENT and person.emails_sent >= 2 and person.meetings >= 1:
            return True, {"from": "behaviour", "contact_id": person.contact_id, "email": person.email}
    return False, {"from": None}


# --- win probability ---------------------------------------------------------------------------

FEATURES = (
    "engagement",
    "people_engaged",
    "executive_engaged",
    "reciprocity",
    "log_amount",
    "log_age_days",
    "stage_order",
)
MIN_TRAINING = 20
MIN_PER_CLASS = 5


def _close_reference(prefix: str):
    return Coalesce(
        F(f"{prefix}stage_changed_at"),
        F(f"{prefix}actual_close_date"),
        F(f"{prefix}close_date"),
        output_field=DateTimeField(),
    )


@with_heavy_reads
def opportunity_features(
    opportunities: list[Opportunity], *, now: dt.datetime
) -> dict[int, dict[str, float]]:
    """The model's features per opportunity, measured when it closed (closed ones: the training
    set) or now (open ones): engagement level, external people and executives engaged in the 90 days
    before, the customer's share of activities, amount, age and the furthest open stage reached."""
    closed = [o for o in opportunities if o.is_closed]
    open_ = [o for o in opportunities if not o.is_closed]
    engagement: dict[int, int] = {}
    share: dict[int, float] = {}
    people: dict[int, tuple[int, int]] = {}
    for group, as_of, participant_as_of in (
        (open_, now, now),
        (
            closed,
            _close_reference("opportunity__"),
            _close_reference("activity__opportunity_links__opportunity__"),
        ),
    ):
        if not group:
            continue
        ids = [o.id for o in group]
        totals = component_totals(
            OPPORTUNITIES.activity_rows(ids),
            group_by=["opportunity_id"],
            prefix="activity__",
            as_of=as_of,
            half_life=RECORD_HALF_LIFE_DAYS,
        )
        for (opportunity_id,), kinds in totals.items():
            engagement[opportunity_id] = engagement_from_totals(kinds).score
            count = sum(t.count for t in kinds.values())
            share[opportunity_id] = (
                sum(t.count for k, t in kinds.items() if k in TWO_WAY) / count if count else 0.0
            )
        rows = (
            OPPORTUNITIES.participant_rows(ids)
            .filter(counted("activity__"), is_internal=False)
            .exclude(response=Participant.Response.DECLINED)
            .alias(_age=age_days("activity__", participant_as_of))
            .filter(_age__gte=0, _age__lt=ENGAGED_DAYS)
            .values(OPPORTUNITIES.participant_key)
            .annotate(
                _people=Count(binary("email"), distinct=True),
                _execs=Count(
                    "contact_id", distinct=True, filter=Q(contact__seniority__in=EXECUTIVE_SENIORITIES)
                ),
            )
            .order_by()
        )
        for row in rows:
            people[row[OPPORTUNITIES.participant_key]] = (row["_people"], row["_execs"])
    reached: dict[int, int] = {}
    closed_ids = [o.id for o in closed]
    if closed_ids:
        for opportunity_id, stage in OpportunityStageHistory.objects.filter(
            opportunity_id__in=closed_ids
        ).values_list("opportunity_id", "stage"):
            info = stage_info(stage)
            if not info.is_closed:
                reached[opportunity_id] = max(reached.get(opportunity_id, 0), info.order)
    features = {}
    for o in opportunities:
        created = o.created_date or o.created_at
        end = now
        if o.is_closed:
            end = o.stage_changed_at or dt.datetime.combine(
                o.actual_close_date or o.close_date or now.date(), dt.time.min, tzinfo=dt.UTC
            )
        n_people, n_execs = people.get(o.id, (0, 0))
        features[o.id] = {
            "engagement": float(engagement.get(o.id, 0)),
            "people_engaged": float(n_people),
            "executive_engaged": 1.0 if n_execs else 0.0,
            "reciprocity": round(share.get(o.id, 0.0), 3),
            "log_amount": round(math.log1p(float(o.amount or 0)), 3),
            "log_age_days": round(
                math.log1p(max(0.0, (end - created).total_seconds() / 86400)) if created else 0.0, 3
            ),
            "stage_order": float(reached.get(o.id, 1) if o.is_closed else stage_info(o.stage).order),
        }
    return features


# Seed: "ootb_win_probability_score | AI-predicted win likelihood | Number | 0-100"
class WinModel:
    """Logistic regression on this org's closed opportunities, calibrated (sigmoid, cross-validated);
    with fewer than 20 closed opportunities or 5 of either outcome it is not trained and the stage
    probability is used instead."""

    def __init__(self, *, estimator=None, trained_on: int = 0, won: int = 0):
        self.estimator = estimator
        self.trained_on = trained_on
        self.won = won

    @classmethod
    def train(cls, *, now: dt.datetime) -> WinModel:
        closed = list(Opportunity.objects.filter(is_closed=True))
        won = sum(o.is_won for o in closed)
        lost = len(closed) - won
        if len(closed) < MIN_TRAINING or min(won, lost) < MIN_PER_CLASS:
            return cls(trained_on=len(closed), won=won)
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        features = opportunity_features(closed, now=now)
        x = [[features[o.id][name] for name in FEATURES] for o in closed]
        y = [1 if o.is_won else 0 for o in closed]
        model = CalibratedClassifierCV(
            make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
            method="sigmoid",
            cv=min(5, won, lost),
        )
        model.fit(x, y)
        return cls(estimator=model, trained_on=len(closed), won=won)

    def predict(self, opportunities: list[Opportunity], *, now: dt.datetime) -> dict[int, tuple[int, dict]]:
        """Win probability (0-100) and its inputs for each opportunity; a closed one is 100 or 0."""
        results: dict[int, tuple[int, dict]] = {}
        open_ = [o for o in opportunities if not o.is_closed]
        for o in opportunities:
            if o.is_closed:
                results[o.id] = (100 if o.is_won else 0, {"method": "closed", "is_won": o.is_won})
        if not open_:
            return results
        if self.estimator is None:
            for o in open_:
                results[o.id] = (
                    stage_info(o.stage).probability,
                    {
                        "method": "stage_probability",
                        "stage": o.stage,
                        "closed_opportunities": self.trained_on,
                        "reason": f"At least {MIN_TRAINING} closed opportunities with {MIN_PER_CLASS} won and {MIN_PER_CLASS} lost are needed to train the model.",
                    },
                )
            return results
        features = opportunity_features(open_, now=now)
        probabilities = self.estimator.predict_proba(
            [[features[o.id][name] for name in FEATURES] for o in open_]
        )
        for o, p in zip(open_, probabilities, strict=True):
            results[o.id] = (
                _clamp(100 * p[1]),
                {
                    "method": "model",
                    "trained_on": self.trained_on,
                    "won": self.won,
                    "features": features[o.id],
                    "stage_probability": stage_info(o.stage).probability,
                },
            )
        return results
