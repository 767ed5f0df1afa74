"""Each metric family on hand-built data, with the clock frozen at Monday 2026-11-23 12:00 UTC."""

import datetime as dt

import pytest

from accounts.tests.factories import AccountFactory
from activities.models import Activity
from activities.selectors import activities_in_sync
from activities.tests.factories import ActivityFactory, ActivityOpportunityFactory, ParticipantFactory
from contacts.tests.factories import ContactFactory
from insights.tests.factories import EngagementSnapshotFactory, SummaryFactory
from opportunities.tests.factories import OpportunityFactory, OpportunityStageHistoryFactory
from query_api.registry.activity import IN_SYNC
from query_api.services import query_run
from rollups.services import rollups_rebuild
from users.tests.factories import QuotaFactory, UserFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def at(day: str, hour: int = 15) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def email(account, rep, contact, day, *, direction="outbound", thread="", source_id=None, **extra):
    activity = ActivityFactory(
        account=account,
        owner=rep,
        occurred_at=at(day),
        direction=direction,
        thread_id=thread,
        **({"source_id": source_id} if source_id else {}),
        **extra,
    )
    sender, recipient = (rep, contact) if direction == "outbound" else (contact, rep)
    for person, role in ((sender, "from"), (recipient, "to")):
        internal = person is rep
        ParticipantFactory(
            activity=activity,
            email=person.email,
            role=role,
            is_internal=internal,
            user=rep if internal else None,
            contact=None if internal else contact,
        )
    return activity


@pytest.fixture
def world(frozen_now):
    rep = UserFactory(username="dana", first_name="Dana", last_name="Rivera")
    acme = AccountFactory(name="Acme", owner=rep, tier="Enterprise", industry="Technology")
    quiet = AccountFactory(name="Quiet Co", owner=rep, tier="SMB", industry="")
    pat = ContactFactory(account=acme, owner=rep, crm_created_at=at("2025-01-10"))
    ContactFactory(account=acme, owner=rep, crm_created_at=at("2026-11-05"))
    sent = email(acme, rep, pat, "2026-11-20", thread="t1", source_id="s1", crm_id="00T000000000000001")
    email(acme, rep, pat, "2026-11-21", direction="inbound", thread="t1", in_reply_to="s1")
    email(acme, rep, pat, "2026-10-01", thread="t2")
    email(acme, rep, pat, "2026-03-01", is_private=True)
    email(acme, rep, pat, "2026-11-22", removed_from_sync_at=at("2026-11-22", 18))
    ActivityFactory(account=acme, owner=rep, occurred_at=at("2026-11-23", 9), direction="internal")
    held = ActivityFactory(meeting=True, account=acme, owner=rep, occurred_at=at("2026-11-10"))
    upcoming = ActivityFactory(meeting=True, account=acme, owner=rep, occurred_at=at("2026-11-25"))
    cancelled = ActivityFactory(
        meeting=True, account=acme, owner=rep, occurred_at=at("2026-11-05"), is_cancelled=True
    )
    for meeting, responses in (
        (held, ["accepted", "declined"]),
        (upcoming, ["accepted"]),
        (cancelled, ["accepted"]),
    ):
        ParticipantFactory(
            activity=meeting,
            email=rep.email,
            role="organizer",
            is_internal=True,
            user=rep,
            response="accepted",
        )
        for response in responses:
            ParticipantFactory(activity=meeting, role="attendee", response=response)
    call = ActivityFactory(call=True, account=acme, owner=rep, occurred_at=at("2026-11-15"))
    ParticipantFactory(activity=call, email=rep.email, role="from", is_internal=True, user=rep)
    SummaryFactory(
        account=acme,
        engagement_level=70,
        relationship_strength=60,
        buying_intent=40,
        churn_risk=10,
        engagement_trend="increasing",
        activity_frequency="",
        multi_threading=4,
        executive_engagement=True,
    )
    for week, score in (("2026-11-16", 80), ("2026-11-09", 60), ("2026-08-03", 10)):
        EngagementSnapshotFactory(subject_id=acme.pk, week_start=dt.date.fromisoformat(week), score=score)
    deal = OpportunityFactory(
        account=acme, owner=rep, amount=100_000, stage="Proposal", created_date=at("2026-10-05")
    )
    OpportunityFactory(
        account=acme,
        owner=rep,
        amount=50_000,
        won=True,
        actual_close_date=dt.date(2026, 11, 1),
        created_date=at("2026-06-01"),
    )
    OpportunityFactory(
        account=acme,
        owner=rep,
        amount=30_000,
        lost=True,
        actual_close_date=dt.date(2026, 8, 15),
        created_date=at("2026-05-01"),
    )
    OpportunityFactory(
        account=acme,
        owner=rep,
        amount=20_000,
        won=True,
        actual_close_date=dt.date(2025, 12, 10),
        created_date=at("2025-09-01"),
    )
    for stage, day in (
        ("Prospecting", "2026-09-01"),
        ("Discovery", "2026-10-01"),
        ("Proposal", "2026-11-13"),
    ):
        OpportunityStageHistoryFactory(opportunity=deal, stage=stage, changed_at=at(day, 10))
    ActivityOpportunityFactory(activity=sent, opportunity=deal)
    ActivityOpportunityFactory(activity=held, opportunity=deal)
    SummaryFactory(
        account=None, opportunity=deal, win_probability=55, champion_identified=True, stakeholder_count=3
    )
    QuotaFactory(
        user=rep,
        period="quarter",
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 12, 31),
        amount=200_000,
    )
    rollups_rebuild()  # written with factories, not captured: count them as capture would
    return {"rep": rep, "acme": acme, "quiet": quiet, "deal": deal}


def values(query_object, name_slug, columns, *, sort=None):
    """{record name: {column id: value}} for these columns (strings are slugs or slug_period)."""
    specs = [{"slug": name_slug}]
    for column in columns:
        slug, _, period = column.partition(":")
        specs.append({"slug": slug, "variation_id": f"{slug}_{period}"} if period else {"slug": slug})
    body = {"object": query_object, "columns": specs}
    if sort:
        body["sort"] = [{"attribute": specs[1], "direction": sort}]
    result = query_run(body=body)
    return {row[name_slug]: row for row in result.rows}


def test_the_in_sync_lookup_keeps_what_the_activities_selector_keeps(world):
    assert set(Activity.objects.filter(IN_SYNC).values_list("pk", flat=True)) == set(
        activities_in_sync().values_list("pk", flat=True)
    )


ACCOUNT_ACTIVITY = {
    "ootb_emails_sent_last_7_days": 1,
    "ootb_emails_sent_last_30_days": 1,
    "ootb_emails_sent_current_quarter": 2,
    "ootb_emails_sent_current_year": 3,
    "ootb_emails_sent_current": 3,
    "ootb_emails_received_last_7_days": 1,
    "ootb_meetings_held_current_quarter": 1,
    "ootb_calls_made_last_30_days": 1,
    "ootb_last_activity_date": "2026-11-21",
    "ootb_last_activity_days": 2,
    "ootb_response_rate_last_30_days": 100,
    "ootb_response_rate_current_quarter": 50,
}


@pytest.mark.parametrize("sort", [None, "desc"], ids=["correlated", "grouped-pass"])
def test_account_activity_counts_matched_activities_in_the_period(world, sort):
    columns = [
        "ootb_emails_sent:last_7_days",
        "ootb_emails_sent:last_30_days",
        "ootb_emails_sent:current_quarter",
        "ootb_emails_sent:current_year",
        "ootb_emails_sent:current",
        "ootb_emails_received:last_7_days",
        "ootb_meetings_held:current_quarter",
        "ootb_calls_made:last_30_days",
        "ootb_last_activity_date",
        "ootb_last_activity_days",
        "ootb_response_rate:last_30_days",
        "ootb_response_rate:current_quarter",
    ]
    rows = values("account", "ootb_account_name", columns, sort=sort)
    acme = rows["Acme"]
    for key, expected in ACCOUNT_ACTIVITY.items():
        assert acme[key] == expected, key
    quiet = rows["Quiet Co"]
    assert (
        quiet["ootb_emails_sent_current"] == 0
        and quiet["ootb_last_activity_date"] is None
        and quiet["ootb_response_rate_last_30_days"] is None
    )


def test_account_health_scores_come_from_the_summary_and_snapshots(world):
    rows = values(
        "account",
        "ootb_account_name",
        [
            "ootb_account_engagement_level",
            "ootb_account_engagement_level:last_30_days",
            "ootb_account_engagement_level:last_90_days",
            "ootb_relationship_strength",
            "ootb_buying_intent_score",
            "ootb_churn_risk_score",
            "ootb_engagement_trend",
            "ootb_activity_frequency",
            "ootb_multi_threading_score",
            "ootb_executive_engagement",
        ],
    )
    assert rows["Acme"] == {
        "ootb_account_name": "Acme",
        "ootb_account_engagement_level_current": 70,
        "ootb_account_engagement_level_last_30_days": 70,
        "ootb_account_engagement_level_last_90_days": 70,
        "ootb_relationship_strength": 60,
        "ootb_buying_intent_score": 40,
        "ootb_churn_risk_score": 10,
        "ootb_engagement_trend": "increasing",
        "ootb_activity_frequency": None,
        "ootb_multi_threading_score": 4,
        "ootb_executive_engagement": True,
    }
    assert (
        rows["Quiet Co"]["ootb_relationship_strength"] is None
        and rows["Quiet Co"]["ootb_executive_engagement"] is None
    )


@pytest.mark.parametrize("sort", [None, "asc"], ids=["correlated", "grouped-pass"])
def test_account_pipeline_from_opportunities(world, sort):
    rows = values(
        "account",
        "ootb_account_name",
        [
            "ootb_total_pipeline_value",
            "ootb_open_pipeline_value",
            "ootb_won_pipeline_value:current_quarter",
            "ootb_won_pipeline_value:current_year",
            "ootb_won_pipeline_value:last_year",
            "ootb_won_pipeline_value:current",
            "ootb_lost_pipeline_value:last_quarter",
            "ootb_opportunity_count:total",
            "ootb_opportunity_count:open",
            "ootb_opportunity_count:won",
            "ootb_opportunity_count:lost",
            "ootb_opportunity_count:current_quarter",
            "ootb_average_deal_size",
        ],
        sort=sort,
    )
    acme = rows["Acme"]
    assert [acme[k] for k in list(acme)[1:]] == [
        200_000,
        100_000,
        50_000,
        50_000,
        20_000,
        70_000,
        30_000,
        4,
        1,
        2,
        1,
        1,
        50_000,
    ]
    assert (
        rows["Quiet Co"]["ootb_total_pipeline_value"] == 0
        and rows["Quiet Co"]["ootb_average_deal_size"] is None
    )


def test_account_core_fields(world):
    rows = values(
        "account",
        "ootb_account_name",
        ["ootb_account_crm_id", "crm_account_owner", "account_domain", "industry", "account_tier"],
    )
    assert rows["Acme"]["crm_account_owner"] == "Dana Rivera" and rows["Acme"]["account_domain"] == "acme.com"
    assert rows["Quiet Co"]["industry"] == ""  # an empty string, not a missing value


def test_opportunity_stage_activity_and_scores(world):
    rows = values(
        "opportunity",
        "crm_opportunity_name",
        [
            "crm_account_name",
            "opportunity_owner",
            "opportunity_value",
            "ootb_opportunity_stage",
            "ootb_stage_probability",
            "ootb_days_in_current_stage",
            "ootb_total_sales_cycle_days",
            "ootb_stage_progression_velocity",
            "ootb_emails_sent_opp:total",
            "ootb_emails_sent_opp:last_30_days",
            "ootb_meetings_held_opp:total",
            "ootb_last_meaningful_activity_date",
            "ootb_win_probability_score",
            "ootb_stakeholder_engagement_count",
            "ootb_champion_identified",
        ],
    )
    deal = rows[world["deal"].name]
    assert (
        deal["crm_account_name"] == "Acme"
        and deal["opportunity_owner"] == "Dana Rivera"
        and deal["opportunity_value"] == 100_000
    )
    assert (deal["ootb_opportunity_stage"], deal["ootb_stage_probability"]) == ("Proposal", 60)
    assert deal["ootb_days_in_current_stage"] == 10
    assert deal["ootb_total_sales_cycle_days"] == 83
    assert deal["ootb_stage_progression_velocity"] == pytest.approx(0.72)
    assert (
        deal["ootb_emails_sent_opp_total"],
        deal["ootb_emails_sent_opp_last_30_days"],
        deal["ootb_meetings_held_opp_total"],
    ) == (1, 1, 1)
    assert deal["ootb_last_meaningful_activity_date"] == "2026-11-20"
    assert (
        deal["ootb_win_probability_score"],
        deal["ootb_stakeholder_engagement_count"],
        deal["ootb_champion_identified"],
    ) == (55, 3, True)


@pytest.mark.parametrize("sort", [None, "desc"], ids=["correlated", "grouped-pass"])
def test_user_activity_and_engagement(world, sort):
    rows = values(
        "user",
        "user_name",
        [
            "ootb_emails_sent_user:monthly",
            "ootb_emails_sent_user:weekly",
            "ootb_emails_sent_user:quarterly",
            "ootb_user_count_emails_sent:last_30_days",
            "ootb_emails_received_user:monthly",
            "ootb_meetings_booked:quarterly",
            "ootb_calls_made_user:monthly",
            "ootb_activities_logged:monthly",
            "ootb_account_penetration:monthly",
            "ootb_meeting_acceptance_rate:quarterly",
            "ootb_response_rate_user:quarterly",
            "ootb_new_contact_creation:monthly",
        ],
        sort=sort,
    )
    dana = rows["Dana Rivera"]
    assert [dana[k] for k in list(dana)[1:]] == [1, 0, 2, 1, 1, 2, 1, 1, 1, pytest.approx(200 / 3), 50, 1]


def test_user_performance_and_quota(world):
    rows = values(
        "user",
        "user_name",
        [
            "ootb_pipeline_generated:quarterly",
            "ootb_opportunities_created:quarterly",
            "ootb_deals_won:quarterly",
            "ootb_deals_won:yearly",
            "ootb_revenue_generated:quarterly",
            "ootb_quota_attainment:quarterly",
            "ootb_quota_attainment:current_year",
            "ootb_win_rate:yearly",
            "team_name",
            "hire_date",
        ],
    )
    dana = rows["Dana Rivera"]
    assert [dana[k] for k in list(dana)[1:9]] == [100_000, 1, 1, 1, 50_000, 25, None, 50]


def test_the_integration_user_is_not_a_seller(world):
    UserFactory(integration=True)
    assert "Backstory Integration" not in values("user", "user_name", [])
    assert set(values("user", "user_email", [])) == {"dana@lumen-analytics.com"}
