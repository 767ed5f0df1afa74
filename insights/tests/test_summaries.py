"""Summaries end to end: refresh, people rows, staleness and its debounced refresh, snapshots."""

import datetime as dt
import io
import math
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command

from accounts.tests.factories import AccountFactory
from activities.models import Activity, ActivityOpportunity
from benchmarks.insights_world import match_activities_by_contacts
from contacts.tests.factories import ContactFactory
from insights.models import EngagementSnapshot, PersonEngagement, Summary
from insights.services import (
    engagement_snapshots_take,
    insights_configuration_update,
    scores,
    summaries_mark_stale,
    summaries_refresh,
    summaries_refresh_all,
    summaries_refresh_stale,
)
from insights.services.summaries import REFRESH_LOCK_KEY, company_names, internal_company_names
from opportunities.models import Opportunity
from opportunities.tests.factories import NextStepFactory, OpportunityContactRoleFactory, OpportunityFactory
from users.tests.factories import UserFactory

from .factories import NOW, activity_on

pytestmark = pytest.mark.django_db


def ago(days):
    return NOW - dt.timedelta(days=days)


@pytest.fixture
def deal(frozen_now):
    """An opportunity in Proposal with a pricing thread, a security meeting, a CRM task and a contact role."""
    rep = UserFactory(first_name="Dana", last_name="Rivera")
    account = AccountFactory(name="Northwind Logistics", owner=rep)
    olivia = ContactFactory(
        account=account, first_name="Olivia", last_name="Chen", seniority="director", department="procurement"
    )
    ceo = ContactFactory(
        account=account, first_name="Grace", last_name="Hill", seniority="c_level", department="executive"
    )
    opportunity = OpportunityFactory(
        account=account, owner=rep, stage="Proposal", created_date=ago(60), stage_changed_at=ago(10)
    )
    OpportunityContactRoleFactory(opportunity=opportunity, contact=olivia, role="Champion")
    NextStepFactory(
        opportunity=opportunity, subject="Send order form for signature", due_date=dt.date(2026, 11, 30)
    )
    NextStepFactory(opportunity=opportunity, subject="Kickoff", status="completed")
    sent = activity_on(
        opportunity=opportunity,
        occurred_at=ago(6),
        users=[rep],
        contacts=[olivia],
        thread_id="pricing",
        subject="Pricing proposal for Northwind Logistics",
        body="Hi Olivia,\n\nAttached is the pricing proposal with the volume discount. I'll send the order form by Friday.\n\nBest,\nDana",
    )
    reply = activity_on(
        opportunity=opportunity,
        direction="inbound",
        occurred_at=ago(5),
        users=[rep],
        contacts=[olivia],
        thread_id="pricing",
        subject="RE: Pricing proposal for Northwind Logistics",
        body="Hi Dana,\n\nBudget is approved. Our CFO wants multi-year pricing and the volume discount before the purchase order.",
    )
    meeting = activity_on(
        opportunity=opportunity,
        kind="meeting",
        occurred_at=ago(3),
        users=[rep],
        contacts=[olivia, ceo],
        subject="Security review",
        body="Walked through the SOC 2 report and data residency. Action: send the sub-processor list.",
    )
    private = activity_on(
        opportunity=opportunity,
        kind="call",
        occurred_at=ago(2),
        users=[rep],
        contacts=[ceo],
        is_private=True,
        subject="Call with Grace",
        body="Grace shared the acquisition rumours.",
    )
    upcoming = activity_on(
        opportunity=opportunity,
        kind="meeting",
        occurred_at=NOW + dt.timedelta(days=3),
        users=[rep],
        contacts=[olivia],
    )
    return {
        "rep": rep,
        "account": account,
        "olivia": olivia,
        "ceo": ceo,
        "opportunity": opportunity,
        "activities": [sent, reply, meeting, private],
        "upcoming": upcoming,
    }


def test_refresh_writes_a_summary_whose_bullets_link_to_the_records_activities(deal):
    opportunity, account = deal["opportunity"], deal["account"]
    report = summaries_refresh(account_ids=[account.id], opportunity_ids=[opportunity.id])
    assert (report.accounts, report.opportunities) == (1, 1)
    summary = Summary.objects.get(opportunity=opportunity)
    ids = {a.id for a in deal["activities"]}
    assert summary.generated_at == NOW and summary.is_stale is False
    assert summary.latest_activity_at == ago(2)
    assert summary.engagement_level == summary.engagement_breakdown["score"] > 0
    topics = [t["text"].lower() for t in summary.key_topics]
    assert "pricing proposal" in topics and "volume discount" in topics
    for bullet in summary.key_topics + summary.next_steps + summary.risks + summary.warnings:
        assert set(bullet["activity_ids"]) <= ids, bullet
    private_id = deal["activities"][3].id
    for topic in summary.key_topics:
        assert "grace" not in topic["text"].lower()
        if "acquisition" in topic["text"].lower():  # said only in the private call
            assert topic["private_only"] is True and topic["activity_ids"] == [private_id]
    steps = [s["text"] for s in summary.next_steps]
    assert steps[0] == "Send order form for signature" and "Kickoff" not in steps
    assert "I'll send the order form by Friday." in steps and "Send the sub-processor list." in steps
    assert set(summary.metrics) == {
        "last_7_days",
        "last_30_days",
        "last_90_days",
        "current_quarter",
        "current_year",
        "trend",
    }
    assert (
        summary.metrics["last_7_days"]["meetings"] == 1
        and summary.metrics["last_7_days"]["response_rate"] == 100.0
    )
    assert summary.metrics["last_7_days"]["executives_engaged"] == 1
    assert summary.executive_engagement is True and summary.champion_identified is True
    assert summary.budget_confirmed == 60 + 25 + 15
    assert summary.multi_threading == 2 and summary.stakeholder_count == 2
    assert (
        summary.win_probability == 60
        and summary.score_inputs["win_probability"]["method"] == "stage_probability"
    )
    assert summary.deal_velocity is not None and summary.engagement_trend == "increasing"
    assert "pricing_not_discussed" not in [w["code"] for w in summary.warnings]
    assert set(summary.score_inputs) >= {
        "relationship_strength",
        "competition_risk",
        "budget_confirmed",
        "deal_velocity",
    }
    account_summary = Summary.objects.get(account=account)
    assert account_summary.buying_intent is not None and account_summary.win_probability is None
    assert account_summary.churn_risk is None  # a prospect


def test_people_rows_for_contacts_and_colleagues(deal):
    summaries_refresh(opportunity_ids=[deal["opportunity"].id])
    people = {p.email: p for p in PersonEngagement.objects.filter(opportunity=deal["opportunity"])}
    olivia, ceo, rep = people[deal["olivia"].email], people[deal["ceo"].email], people[deal["rep"].email]
    assert olivia.contact == deal["olivia"] and olivia.is_internal is False
    assert (olivia.seniority, olivia.department, olivia.name) == ("director", "procurement", "Olivia Chen")
    assert (olivia.meetings, olivia.emails_sent, olivia.emails_received) == (1, 1, 1)
    assert olivia.time_spent_minutes == 60 + 5 + 2
    assert olivia.last_activity_at == ago(3) and olivia.next_meeting_at == NOW + dt.timedelta(days=3)
    assert olivia.breakdown["summary"].startswith(
        "In the last 12 months: 1 meeting, 1 email sent and 1 email received"
    )
    assert olivia.breakdown["benchmark"] == {
        "seniority": "director",
        "median": None,
        "sample": 0,
        "delta": None,
    }
    assert ceo.calls == 1  # the private call counts
    assert rep.is_internal and rep.user == deal["rep"] and "benchmark" not in rep.breakdown
    assert rep.engagement_score >= olivia.engagement_score > 0


def test_buyer_benchmark_compares_with_buyers_of_won_deals(deal):
    account = deal["account"]
    for n in range(3):
        won = OpportunityFactory(account=account, won=True, created_date=ago(200), stage_changed_at=ago(100))
        buyer = ContactFactory(account=account, seniority="director")
        OpportunityContactRoleFactory(opportunity=won, contact=buyer)
        for k in range(n + 1):
            activity_on(account=account, kind="meeting", occurred_at=ago(101 + k), contacts=[buyer])
    summaries_refresh(opportunity_ids=[deal["opportunity"].id])
    olivia = PersonEngagement.objects.get(opportunity=deal["opportunity"], email=deal["olivia"].email)
    benchmark = olivia.breakdown["benchmark"]
    # The median buyer had two meetings, one and two days before the close.
    median = round(100 * (1 - math.exp(-3 * (0.5 ** (1 / 28) + 0.5 ** (2 / 28)) / 8)))
    assert benchmark["sample"] == 3 and benchmark["median"] == median == 51
    assert benchmark["delta"] == olivia.engagement_score - median


def test_a_record_with_no_activity_gets_an_empty_summary(frozen_now):
    account = AccountFactory()
    summaries_refresh(account_ids=[account.id])
    summary = Summary.objects.get(account=account)
    assert summary.engagement_level == 0 and summary.key_topics == [] and summary.risks == []
    assert summary.latest_activity_at is None and summary.metrics["last_7_days"]["meetings"] == 0


def test_refresh_is_idempotent(deal):
    summaries_refresh(opportunity_ids=[deal["opportunity"].id])
    first = Summary.objects.get(opportunity=deal["opportunity"])
    summaries_refresh(opportunity_ids=[deal["opportunity"].id])
    again = Summary.objects.get(opportunity=deal["opportunity"])
    assert again.pk == first.pk and again.key_topics == first.key_topics and again.metrics == first.metrics
    assert PersonEngagement.objects.filter(opportunity=deal["opportunity"]).count() == 3
    assert (
        EngagementSnapshot.objects.filter(
            subject_type="opportunity", subject_id=deal["opportunity"].id
        ).count()
        == 1
    )


def test_a_small_refresh_reuses_the_org_facts_until_opportunities_change(deal):
    cache.clear()
    with mock.patch("insights.services.scores.WinModel.train", wraps=scores.WinModel.train) as train:
        summaries_refresh(opportunity_ids=[deal["opportunity"].id])
        summaries_refresh(opportunity_ids=[deal["opportunity"].id])
        assert train.call_count == 1
        OpportunityFactory(account=deal["account"], lost=True)
        summaries_refresh(opportunity_ids=[deal["opportunity"].id])
        assert train.call_count == 2
        summaries_refresh_all(backfill_weeks=0)  # the nightly run always recomputes
        assert train.call_count == 3


def test_competitors_come_from_the_configuration(deal):
    activity_on(
        opportunity=deal["opportunity"],
        direction="inbound",
        occurred_at=ago(1),
        contacts=[deal["olivia"]],
        body="We are also evaluating Gong.",
    )
    summaries_refresh(opportunity_ids=[deal["opportunity"].id])
    assert Summary.objects.get(opportunity=deal["opportunity"]).competition_risk == 0
    insights_configuration_update(competitors=["Gong", "Clari, Clari Copilot"], no_activity_days=21)
    summaries_refresh(opportunity_ids=[deal["opportunity"].id])
    summary = Summary.objects.get(opportunity=deal["opportunity"])
    assert summary.competition_risk == round(25 * 1.5 + 10)
    assert list(summary.score_inputs["competition_risk"]["mentions"]) == ["Gong"]
    with pytest.raises(ValueError):
        insights_configuration_update(no_such_threshold=3)


def test_new_activities_mark_summaries_stale_and_one_refresh_follows(
    deal, django_capture_on_commit_callbacks
):
    summaries_refresh(account_ids=[deal["account"].id], opportunity_ids=[deal["opportunity"].id])
    cache.delete(REFRESH_LOCK_KEY)
    new = activity_on(
        opportunity=deal["opportunity"],
        direction="inbound",
        occurred_at=ago(0),
        contacts=[deal["olivia"]],
        subject="Signed order form",
        body="Signed order form attached.",
    )
    other = OpportunityFactory(account=deal["account"])
    ActivityOpportunity.objects.create(activity=new, opportunity=other, match="multi")
    with mock.patch("insights.tasks.refresh_stale_summaries.apply_async") as schedule:
        with django_capture_on_commit_callbacks(execute=True):
            accounts, opportunities = summaries_mark_stale(activity_ids=[new.id])
        with django_capture_on_commit_callbacks(execute=True):
            summaries_mark_stale(activity_ids=[new.id])  # a burst schedules one refresh
    assert accounts == {deal["account"].id} and opportunities == {deal["opportunity"].id, other.id}
    schedule.assert_called_once_with(countdown=60)
    assert set(Summary.objects.filter(is_stale=True).values_list("opportunity_id", flat=True)) >= {
        deal["opportunity"].id,
        other.id,
    }
    assert Summary.objects.get(opportunity=other).generated_at == NOW  # an empty one, waiting
    summaries_refresh_stale()
    assert not Summary.objects.filter(is_stale=True).exists()
    assert Summary.objects.get(opportunity=other).engagement_level > 0
    assert Summary.objects.get(opportunity=deal["opportunity"]).latest_activity_at == ago(0)


def test_the_debounced_refresh_runs_as_a_task(deal, django_capture_on_commit_callbacks):
    cache.delete(REFRESH_LOCK_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        summaries_mark_stale(activity_ids=[a.id for a in deal["activities"]])
    # Celery runs eagerly in tests: the refresh already happened and released the lock.
    assert not Summary.objects.filter(is_stale=True).exists()
    assert Summary.objects.get(opportunity=deal["opportunity"]).engagement_level > 0
    assert cache.get(REFRESH_LOCK_KEY) is None


def test_a_summary_marked_after_the_refresh_started_stays_stale(deal):
    summaries_refresh(opportunity_ids=[deal["opportunity"].id])
    Summary.objects.filter(opportunity=deal["opportunity"]).update(
        is_stale=True, stale_since=NOW + dt.timedelta(seconds=1)
    )
    summaries_refresh(opportunity_ids=[deal["opportunity"].id])
    assert Summary.objects.get(opportunity=deal["opportunity"]).is_stale is True
    Summary.objects.filter(opportunity=deal["opportunity"]).update(stale_since=NOW - dt.timedelta(seconds=1))
    summaries_refresh(opportunity_ids=[deal["opportunity"].id])
    assert Summary.objects.get(opportunity=deal["opportunity"]).is_stale is False


def test_snapshots_every_week_with_a_backfill(deal):
    taken = engagement_snapshots_take(backfill_weeks=3)
    snapshots = EngagementSnapshot.objects.filter(
        subject_type="opportunity", subject_id=deal["opportunity"].id
    )
    assert [s.week_start for s in snapshots] == [
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 23),
    ]
    scores = [s.score for s in snapshots]
    assert scores[0] == 0 and scores[-1] > 0
    assert EngagementSnapshot.objects.filter(
        subject_type="contact", subject_id=deal["olivia"].id, week_start=dt.date(2026, 11, 23)
    ).exists()
    assert EngagementSnapshot.objects.filter(subject_type="user", subject_id=deal["rep"].id).exists()
    assert engagement_snapshots_take(backfill_weeks=3) == taken
    assert EngagementSnapshot.objects.count() == taken


def test_company_names_to_mask(settings):
    settings.BACKSTORY_INTERNAL_DOMAINS = ["lumen-analytics.com"]
    assert company_names("Northwind Logistics") == ("Northwind", "Northwind Logistics")
    assert company_names("IBM") == ("IBM",)
    assert internal_company_names() == ("lumen", "lumen analytics", "lumen-analytics")


def test_the_demo_org_gets_a_summary_for_every_record_with_bullets_on_real_activities(frozen_now):
    call_command("seed_demo", "--accounts", "8", "--activities", "800", "--no-progress", stdout=io.StringIO())
    match_activities_by_contacts()  # only what capture left unmatched
    # seed_demo may already build summaries: start from none, so these are this refresh's.
    Summary.objects.all().delete()
    PersonEngagement.objects.all().delete()
    EngagementSnapshot.objects.all().delete()
    report = summaries_refresh_all(backfill_weeks=2)
    assert report.accounts == 8 and report.opportunities == Opportunity.objects.count()
    assert Summary.objects.filter(account__isnull=False).count() == 8
    assert Summary.objects.filter(opportunity__isnull=False).count() == Opportunity.objects.count()
    by_account = {a: set(ids) for a, ids in _activities_by("account_id").items()}
    by_opportunity = {o: set(ids) for o, ids in _activities_by("opportunity").items()}
    with_topics = 0
    for summary in Summary.objects.all():
        own = (
            by_account.get(summary.account_id, set())
            if summary.account_id
            else by_opportunity.get(summary.opportunity_id, set())
        )
        for bullet in summary.key_topics + summary.next_steps + summary.risks + summary.warnings:
            assert set(bullet["activity_ids"]) <= own, (summary, bullet)
        with_topics += bool(summary.key_topics)
    assert with_topics >= 8
    assert PersonEngagement.objects.exists()
    assert (
        EngagementSnapshot.objects.filter(subject_type="account").values("week_start").distinct().count() == 3
    )


def _activities_by(field):
    rows = {}
    if field == "opportunity":
        for activity_id, opportunity_id in ActivityOpportunity.objects.values_list(
            "activity_id", "opportunity_id"
        ):
            rows.setdefault(opportunity_id, []).append(activity_id)
    else:
        for activity_id, account_id in Activity.objects.filter(account__isnull=False).values_list(
            "id", "account_id"
        ):
            rows.setdefault(account_id, []).append(activity_id)
    return rows
