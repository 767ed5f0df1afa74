"""manage.py benchmark_insights: the stand-in matching and the printed figures."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from activities.models import Activity, ActivityOpportunity, Participant
from activities.tests.factories import ActivityFactory
from benchmarks.insights_world import match_activities_by_contacts
from contacts.tests.factories import ContactFactory
from insights.models import Summary
from insights.tests.factories import NOW
from opportunities.tests.factories import OpportunityContactRoleFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def captured(contact, days_ago):
    activity = ActivityFactory(occurred_at=NOW - dt.timedelta(days=days_ago))
    Participant.objects.create(activity=activity, email=contact.email, role="to", contact=contact)
    return activity


def test_matching_stand_in_uses_the_opportunities_open_at_the_time(frozen_now):
    only = OpportunityFactory(created_date=NOW - dt.timedelta(days=100))
    account = only.account
    closed = OpportunityFactory(
        account=account,
        won=True,
        created_date=NOW - dt.timedelta(days=300),
        stage_changed_at=NOW - dt.timedelta(days=200),
    )
    contact = ContactFactory(account=account)
    recent, old, older = captured(contact, 5), captured(contact, 250), captured(contact, 400)
    stranger = ActivityFactory()
    result = match_activities_by_contacts()
    assert result == {"activities matched to an account": 3, "opportunity links": 2}
    assert Activity.objects.get(pk=stranger.pk).account_id is None
    assert set(ActivityOpportunity.objects.values_list("activity_id", "opportunity_id")) == {
        (recent.id, only.id),
        (old.id, closed.id),
    }
    assert Activity.objects.get(pk=older.pk).account_id == account.id
    # Two opportunities open at once: the one where a participant holds a contact role.
    other = OpportunityFactory(account=account, created_date=NOW - dt.timedelta(days=100))
    OpportunityContactRoleFactory(opportunity=other, contact=contact)
    both = captured(contact, 3)
    match_activities_by_contacts()
    assert list(
        ActivityOpportunity.objects.filter(activity=both).values_list("opportunity_id", flat=True)
    ) == [other.id]


def test_benchmark_command_prints_the_figures(frozen_now):
    opportunity = OpportunityFactory(created_date=NOW - dt.timedelta(days=100))
    contact = ContactFactory(account=opportunity.account)
    for n in range(3):
        captured(contact, n + 1)
    out = io.StringIO()
    call_command("benchmark_insights", "--match", "--no-progress", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "activities matched to an account': 3" in text
    assert "engagement: all accounts" in text and "engagement: every person on every opportunity" in text
    assert "summaries: refresh all" in text
    assert "All engagement levels in" in text and "(target < 60 s)" in text
    assert Summary.objects.filter(opportunity=opportunity).get().engagement_level > 0
