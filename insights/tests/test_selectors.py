"""What pages and the Query API read: privacy-filtered bullets, people lists, snapshots."""

import datetime as dt

import pytest

from accounts.tests.factories import AccountFactory
from insights.selectors import (
    engagement_history,
    insights_configuration_get,
    people_for_record,
    summary_item_activities,
    summary_item_is_visible,
    summary_items_visible_to,
    summary_metric,
    summary_visible_to,
)
from users.tests.factories import UserFactory

from .factories import NOW, EngagementSnapshotFactory, PersonEngagementFactory, SummaryFactory, activity_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def activities():
    owner, account = UserFactory(), AccountFactory()
    public = activity_on(account=account, occurred_at=NOW - dt.timedelta(days=2), owner=owner)
    private = activity_on(
        account=account, occurred_at=NOW - dt.timedelta(days=1), owner=owner, is_private=True
    )
    return {"owner": owner, "public": public, "private": private}


def test_private_bullets_and_ids_are_filtered_for_other_users(activities):
    public, private = activities["public"].id, activities["private"].id
    items = [
        {"text": "Pricing proposal", "activity_ids": [private, public], "private_only": False},
        {"text": "Merger", "activity_ids": [private], "private_only": True},
    ]
    other = UserFactory()
    shown = summary_items_visible_to(user=other, items=items)
    assert [(s.index, s.item["text"], s.activity_ids) for s in shown] == [(0, "Pricing proposal", [public])]
    for reader in (activities["owner"], UserFactory(admin=True)):
        assert [s.item for s in summary_items_visible_to(user=reader, items=items)] == items
    summary = SummaryFactory(key_topics=items, risks=[])
    by_section = summary_visible_to(user=other, summary=summary)
    assert [s.item["text"] for s in by_section["key_topics"]] == ["Pricing proposal"]
    assert by_section["risks"] == []


@pytest.mark.parametrize(
    "item, visible, shown",
    [
        ({"activity_ids": [1, 2]}, {2}, True),
        ({"activity_ids": [1, 2]}, set(), False),  # every activity hidden (private, or removed from sync)
        ({"activity_ids": [1], "private_only": True}, {1}, True),  # its owner sees it
        ({"activity_ids": [1], "private_only": True}, set(), False),
        ({"activity_ids": []}, set(), True),  # a CRM task, a gap in communication
        ({"activity_ids": [], "private_only": True}, set(), False),
        ({"activity_ids": ["3", "x"]}, {3}, True),
    ],
)
def test_summary_item_visibility(item, visible, shown):
    assert summary_item_is_visible(item, visible_ids=visible) is shown


def test_sidebar_lists_visible_activities_most_recent_first(activities):
    item = {"activity_ids": [activities["public"].id, activities["private"].id]}
    assert list(summary_item_activities(user=activities["owner"], item=item)) == [
        activities["private"],
        activities["public"],
    ]
    assert list(summary_item_activities(user=UserFactory(), item=item)) == [activities["public"]]


def test_people_sorted_and_filtered():
    account = AccountFactory()
    ceo = PersonEngagementFactory(
        account=account,
        name="Ceo",
        seniority="c_level",
        engagement_score=20,
        time_spent_minutes=10,
        last_activity_at=NOW - dt.timedelta(days=9),
    )
    analyst = PersonEngagementFactory(
        account=account,
        name="Analyst",
        seniority="individual_contributor",
        department="data",
        engagement_score=80,
        time_spent_minutes=300,
        last_activity_at=None,
    )
    manager = PersonEngagementFactory(
        account=account,
        name="Manager",
        seniority="manager",
        engagement_score=50,
        time_spent_minutes=60,
        last_activity_at=NOW - dt.timedelta(days=1),
    )
    rep = PersonEngagementFactory(account=account, name="Rep", is_internal=True, engagement_score=99)
    assert list(people_for_record(account_id=account.id)) == [analyst, manager, ceo]
    assert list(people_for_record(account_id=account.id, order_by="seniority")) == [ceo, manager, analyst]
    assert list(people_for_record(account_id=account.id, order_by="time_spent")) == [analyst, manager, ceo]
    assert list(people_for_record(account_id=account.id, order_by="recently_engaged")) == [
        manager,
        ceo,
        analyst,
    ]
    assert list(people_for_record(account_id=account.id, department="data")) == [analyst]
    assert list(people_for_record(account_id=account.id, seniority="c_level")) == [ceo]
    assert list(people_for_record(account_id=account.id, internal=True)) == [rep]
    with pytest.raises(ValueError):
        people_for_record(account_id=account.id, order_by="alphabet")


def test_engagement_history_is_the_last_weeks_oldest_first():
    for week in range(15):
        EngagementSnapshotFactory(
            subject_id=7, week_start=dt.date(2026, 11, 23) - dt.timedelta(weeks=week), score=week
        )
    history = list(engagement_history(subject_type="account", subject_id=7, today=dt.date(2026, 11, 25)))
    assert len(history) == 12 and history[0].week_start == dt.date(2026, 9, 7) and history[-1].score == 0


def test_metric_lookup_and_configuration_defaults():
    summary = SummaryFactory(metrics={"last_30_days": {"meetings": 4}})
    assert summary_metric(summary=summary, period="last_30_days", name="meetings") == 4
    assert summary_metric(summary=summary, period="current_year", name="meetings") is None
    with pytest.raises(ValueError):
        summary_metric(summary=summary, period="fortnight", name="meetings")
    configuration = insights_configuration_get()
    assert (
        configuration.pk == 1
        and configuration.no_activity_days == 14
        and configuration.competitor_names == {}
    )
