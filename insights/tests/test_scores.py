"""The Query API's scores: each formula pinned on small hand-built inputs."""

import datetime as dt

import pytest

from accounts.tests.factories import AccountFactory
from contacts.tests.factories import ContactFactory
from insights.services import scores
from insights.services.engagement import engagement_score
from insights.services.risks import StageTiming, TimelineItem
from insights.services.topics import TextActivity
from opportunities.tests.factories import OpportunityFactory, OpportunityStageHistoryFactory
from users.tests.factories import UserFactory

from .factories import NOW, activity_on


def ago(days):
    return NOW - dt.timedelta(days=days)


def said(n, days, body, *, direction="outbound", kind="email"):
    return TextActivity(
        id=n, occurred_at=ago(days), is_private=False, kind=kind, direction=direction, subject="", body=body
    )


@pytest.mark.parametrize(
    "now, before, trend",
    [(60, 40, "increasing"), (50, 41, "stable"), (40, 50, "declining"), (0, 0, "stable")],
)
def test_engagement_trend(now, before, trend):
    assert scores.engagement_trend(score_now=now, score_before=before) == trend


@pytest.mark.parametrize(
    "count, frequency", [(36, "high"), (35, "medium"), (12, "medium"), (11, "low"), (0, "low")]
)
def test_activity_frequency(count, frequency):
    assert scores.activity_frequency(activities_12_weeks=count) == frequency


def test_reciprocity_is_the_customers_share_of_recent_activity():
    items = [
        TimelineItem(1, ago(1), "meeting", False),
        TimelineItem(2, ago(2), "email_sent", False),
        TimelineItem(3, ago(3), "email_received", False),
        TimelineItem(4, ago(100), "email_received", False),
    ]
    assert scores.reciprocity(items, now=NOW) == 67
    assert scores.reciprocity([], now=NOW) is None


def test_relationship_strength():
    value, inputs = scores.relationship_strength(
        engagement=50, engaged_people=3, best_seniority="vp", reciprocity_share=40
    )
    assert value == round(0.4 * 50 + 0.2 * 60 + 0.2 * 100 + 0.2 * 40)
    assert inputs["breadth_points"] == 60 and inputs["seniority_points"] == 100
    assert (
        scores.relationship_strength(
            engagement=0, engaged_people=0, best_seniority=None, reciprocity_share=None
        )[0]
        == 0
    )


def test_buying_intent_and_churn_risk():
    assert scores.buying_intent(engagement=80, trend="increasing", budget=60, best_open_stage_probability=60)[
        0
    ] == round(28 + 25 + 12 + 12)
    assert (
        scores.buying_intent(engagement=0, trend="declining", budget=0, best_open_stage_probability=None)[0]
        == 0
    )
    risk, inputs = scores.churn_risk(
        is_customer=True, engagement=20, trend="declining", has_gap=True, reciprocity_share=10
    )
    assert risk == round(0.4 * 80 + 25 + 20 + 0.15 * 90)
    assert (
        scores.churn_risk(
            is_customer=False, engagement=20, trend="declining", has_gap=True, reciprocity_share=10
        )[0]
        is None
    )


def test_competition_risk_counts_configured_competitors_only():
    competitors = {"Gong": ["Gong"], "Clari": ["Clari", "Clari Copilot"]}
    activities = [
        said(1, 5, "We are comparing your proposal with Gong.", direction="inbound"),
        said(2, 40, "Happy to do a side-by-side with Gong and Clari Copilot."),
        said(3, 2, "The meeting room has a gong."),  # the word, not the company
        said(4, 120, "Clari came up."),  # too old
        said(5, 1, "Outreach is on their list too.", direction="inbound"),  # not configured
    ]
    value, inputs = scores.competition_risk(activities=activities, competitors=competitors, now=NOW)
    # 25 x 1.5 (the buyer said it) + 25 x 0.5 (older than 30 days) + 10 per competitor named
    assert value == round(37.5 + 12.5 + 20)
    assert inputs["mentions"] == {
        "Clari": {"activities": 1, "activity_ids": [2]},
        "Gong": {"activities": 2, "activity_ids": [1, 2]},
    }
    assert scores.competition_risk(activities=activities, competitors={}, now=NOW)[0] == 0


def test_budget_confirmed_signals():
    activities = [
        said(
            1,
            10,
            "Budget is approved for this fiscal year; we need the purchase order signed.",
            direction="inbound",
        ),
        said(2, 20, "Attached is the pricing proposal."),
    ]
    value, inputs = scores.budget_confirmed(activities=activities, now=NOW)
    assert value == 60 + 25 + 15
    assert set(inputs["signals"]) == {"budget_confirmed", "purchase_order", "pricing"}
    ours = scores.budget_confirmed(
        activities=[said(1, 10, "Our understanding is the budget is approved.")], now=NOW
    )
    assert ours[0] == 30 + 15  # we said it: half credit; "budget" is also pricing talk
    assert scores.budget_confirmed(activities=[said(1, 10, "Thanks for the demo.")], now=NOW)[0] == 0


def test_deal_velocity_against_the_org():
    timing = StageTiming(stay={}, reach_exit={"Discovery": (40.0, 6)}, won_cycle=(90.0, 6))
    on_par = OpportunityFactory.build(stage="Discovery", created_date=ago(40))
    slow = OpportunityFactory.build(stage="Discovery", created_date=ago(120))
    assert scores.deal_velocity(opportunity=on_par, now=NOW, timing=timing)[0] == 50
    assert scores.deal_velocity(opportunity=slow, now=NOW, timing=timing)[0] == 25
    few = StageTiming(stay={}, reach_exit={"Discovery": (40.0, 2)}, won_cycle=(0.0, 0))
    value, inputs = scores.deal_velocity(opportunity=on_par, now=NOW, timing=few)
    assert inputs["expected_days"] == 63.0 and value == round(100 * 63 / 103)


def test_champion_from_a_role_or_from_behaviour():
    assert scores.champion_identified(has_champion_role=True, candidates=[])[0] is True
    keen = scores.ChampionCandidate(1, "keen@acme.com", engagement=70, emails_sent=3, meetings=1)
    quiet = scores.ChampionCandidate(2, "quiet@acme.com", engagement=70, emails_sent=1, meetings=4)
    assert scores.champion_identified(has_champion_role=False, candidates=[quiet, keen]) == (
        True,
        {"from": "behaviour", "contact_id": 1, "email": "keen@acme.com"},
    )
    assert scores.champion_identified(has_champion_role=False, candidates=[quiet])[0] is False


@pytest.mark.django_db
def test_win_probability_falls_back_to_the_stage_with_too_little_history(frozen_now):
    for _ in range(3):
        OpportunityFactory(won=True)
    model = scores.WinModel.train(now=NOW)
    deal = OpportunityFactory(stage="Proposal")
    value, inputs = model.predict([deal], now=NOW)[deal.id]
    assert value == 60 and inputs["method"] == "stage_probability"


@pytest.mark.django_db
def test_win_probability_model_learns_from_closed_deals(frozen_now):
    rep = UserFactory()
    account = AccountFactory()
    buyer = ContactFactory(account=account, seniority="vp")
    for n in range(24):
        won = n % 2 == 0
        opp = OpportunityFactory(
            account=account,
            stage="Closed Won" if won else "Closed Lost",
            created_date=ago(200),
            stage_changed_at=ago(30 + n),
            amount=50_000,
        )
        OpportunityStageHistoryFactory(opportunity=opp, stage="Prospecting", changed_at=ago(200))
        OpportunityStageHistoryFactory(
            opportunity=opp, stage="Proposal" if won else "Qualification", changed_at=ago(100)
        )
        for k in range(6 if won else 1):
            activity_on(
                opportunity=opp, kind="meeting", occurred_at=ago(31 + n + k), users=[rep], contacts=[buyer]
            )
    model = scores.WinModel.train(now=NOW)
    assert model.estimator is not None and model.trained_on == 24 and model.won == 12
    busy = OpportunityFactory(account=account, stage="Proposal", created_date=ago(100), amount=50_000)
    idle = OpportunityFactory(account=account, stage="Qualification", created_date=ago(100), amount=50_000)
    for k in range(6):
        activity_on(opportunity=busy, kind="meeting", occurred_at=ago(1 + k), users=[rep], contacts=[buyer])
    result = model.predict([busy, idle], now=NOW)
    assert result[busy.id][0] > result[idle.id][0]
    assert (
        result[busy.id][1]["method"] == "model" and result[busy.id][1]["features"]["executive_engaged"] == 1.0
    )
    assert 0 <= result[idle.id][0] <= 100


@pytest.mark.django_db
def test_features_of_a_closed_deal_are_measured_before_it_closed():
    opp = OpportunityFactory(won=True, created_date=ago(300), stage_changed_at=ago(100))
    activity_on(opportunity=opp, kind="meeting", occurred_at=ago(101))
    activity_on(opportunity=opp, kind="meeting", occurred_at=ago(50))  # after the close: not part of the deal
    features = scores.opportunity_features([opp], now=NOW)[opp.id]
    assert features["engagement"] == engagement_score(3 * 0.5 ** (1 / 14))  # one meeting a day before close
