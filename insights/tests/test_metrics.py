"""Engagement metrics per period, and the weekly trend."""

import datetime as dt

import pytest

from accounts.tests.factories import AccountFactory
from contacts.tests.factories import ContactFactory
from insights.services.metrics import METRIC_PERIODS, engagement_metrics
from opportunities.tests.factories import OpportunityFactory
from users.tests.factories import UserFactory

from .factories import NOW, activity_on

pytestmark = pytest.mark.django_db
TODAY = NOW.date()


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


def metrics_of(account) -> dict:
    return engagement_metrics(kind="account", record_ids=[account.id], now=NOW, today=TODAY)[account.id]


def test_counts_per_period():
    account = AccountFactory()
    rep = UserFactory()
    ceo = ContactFactory(account=account, seniority="c_level")
    buyer = ContactFactory(account=account, seniority="manager")
    activity_on(
        account=account,
        kind="meeting",
        occurred_at=days_ago(2),
        users=[rep],
        contacts=[ceo, buyer],
        duration_minutes=45,
    )
    activity_on(
        account=account,
        kind="call",
        occurred_at=days_ago(20),
        users=[rep],
        contacts=[buyer],
        duration_minutes=10,
    )
    activity_on(account=account, kind="email", occurred_at=days_ago(40), users=[rep], contacts=[buyer])
    activity_on(
        account=account,
        kind="email",
        direction="inbound",
        occurred_at=days_ago(100),
        users=[rep],
        contacts=[buyer],
    )
    metrics = metrics_of(account)
    assert set(metrics) == {*METRIC_PERIODS, "trend"}
    assert metrics["last_7_days"] == {
        "meetings": 1,
        "executives_engaged": 1,
        "emails_sent": 0,
        "emails_received": 0,
        "calls": 0,
        "time_spent_minutes": 45,
        "response_rate": None,
        "people_engaged": 2,
    }
    assert metrics["last_30_days"]["calls"] == 1
    assert metrics["last_30_days"]["time_spent_minutes"] == 55
    assert metrics["last_90_days"]["emails_sent"] == 1
    # minutes of meetings and calls, plus 5 per email sent and 2 per email received
    assert metrics["current_year"]["time_spent_minutes"] == 45 + 10 + 5 + 2
    assert metrics["current_year"]["emails_received"] == 1
    assert metrics["current_quarter"]["emails_received"] == 0  # 100 days ago is last quarter


def test_response_rate_is_the_share_of_sent_emails_answered_in_their_thread():
    account = AccountFactory()
    activity_on(account=account, occurred_at=days_ago(10), thread_id="t1")
    activity_on(account=account, direction="inbound", occurred_at=days_ago(9), thread_id="t1")
    activity_on(account=account, occurred_at=days_ago(8), thread_id="t2")
    activity_on(
        account=account, direction="inbound", occurred_at=days_ago(12), thread_id="t3"
    )  # came before: no answer
    activity_on(account=account, occurred_at=days_ago(11), thread_id="t3")
    activity_on(account=account, occurred_at=days_ago(7), thread_id="")
    assert metrics_of(account)["last_30_days"]["response_rate"] == 25.0


def test_people_engaged_leaves_out_colleagues_and_declined_invitations():
    account = AccountFactory()
    rep, colleague = UserFactory(), UserFactory()
    came, declined = ContactFactory(account=account), ContactFactory(account=account, seniority="vp")
    activity_on(
        account=account,
        kind="meeting",
        occurred_at=days_ago(3),
        users=[rep, colleague],
        contacts=[came, declined],
        declined=[declined],
    )
    metrics = metrics_of(account)["last_7_days"]
    assert metrics["people_engaged"] == 1
    assert metrics["executives_engaged"] == 0


def test_a_meeting_ahead_is_not_counted_yet():
    account = AccountFactory()
    activity_on(account=account, kind="meeting", occurred_at=NOW + dt.timedelta(days=2))
    assert metrics_of(account)["current_quarter"]["meetings"] == 0


def test_trend_has_a_year_of_weeks_oldest_first():
    account = AccountFactory()
    activity_on(account=account, occurred_at=days_ago(0))
    activity_on(account=account, occurred_at=days_ago(1))  # Sunday: the week before
    activity_on(account=account, occurred_at=days_ago(75))  # Wednesday 9 September
    activity_on(account=account, occurred_at=days_ago(365))  # before the first week
    trend = metrics_of(account)["trend"]
    assert len(trend) == 53  # enough for "This year", the longest period the page's chart shows
    assert trend[-1] == {"week_start": "2026-11-23", "activities": 1}
    assert trend[-2] == {"week_start": "2026-11-16", "activities": 1}
    assert trend[0]["week_start"] == "2025-11-24"
    assert sum(week["activities"] for week in trend) == 3


def test_opportunity_metrics_and_records_with_nothing():
    opportunity = OpportunityFactory()
    quiet = OpportunityFactory()
    activity_on(opportunity=opportunity, kind="meeting", occurred_at=days_ago(1))
    result = engagement_metrics(
        kind="opportunity", record_ids=[opportunity.id, quiet.id], now=NOW, today=TODAY
    )
    assert result[opportunity.id]["last_7_days"]["meetings"] == 1
    assert result[quiet.id]["last_7_days"]["meetings"] == 0
    assert len(result[quiet.id]["trend"]) == 53
