"""The engagement level: volume, type and recency over 12 weeks, normalised to 0-100."""

import datetime as dt
import math

import pytest

from accounts.tests.factories import AccountFactory
from contacts.tests.factories import ContactFactory
from insights.services.engagement import (
    WEIGHTS,
    engagement_band,
    engagement_color,
    engagement_levels,
    engagement_score,
    people_engagement_levels,
    person_engagement_levels,
)
from insights.services.people import people_facts, person_engagement
from opportunities.tests.factories import OpportunityFactory
from users.tests.factories import UserFactory

from .factories import NOW, activity_on

pytestmark = pytest.mark.django_db


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


def level(account) -> int:
    return engagement_levels(kind="account", record_ids=[account.id], as_of=NOW)[account.id].score


@pytest.mark.parametrize(
    "points, saturation, expected",
    [
        # A record: logarithmic, 100 at 240 points.
        (0, None, 0),
        (-1, None, 0),
        (4, None, round(100 * math.log(2) / math.log(76))),
        (300, None, 100),
        (0.01, None, 1),  # anything counted shows
        (1000, None, 100),
        # A person: 1 - e^(-points / saturation).
        (8, 8, 63),
        (20, 20, 63),
    ],
)
def test_score_curves(points, saturation, expected):
    assert engagement_score(points, saturation=saturation) == expected


@pytest.mark.parametrize(
    "score, band, color",
    [
        (0, "low", "red"),
        (30, "low", "red"),
        (31, "medium", "green"),
        (70, "medium", "green"),
        (71, "high", "green"),
        (100, "high", "green"),
    ],
)
def test_bands_and_wheel_colour(score, band, color):
    assert engagement_band(score) == band
    assert engagement_color(score) == color


def test_a_meeting_yesterday_scores_higher_than_the_same_meeting_eleven_weeks_ago():
    recent, old = AccountFactory(), AccountFactory()
    activity_on(account=recent, kind="meeting", occurred_at=days_ago(1))
    activity_on(account=old, kind="meeting", occurred_at=days_ago(77))
    assert level(recent) > level(old) > 0
    # 3 points x 0.5^(1/14) against 3 x 0.5^(77/14)
    assert level(recent) == engagement_score(3 * 0.5 ** (1 / 14))
    assert level(old) == engagement_score(3 * 0.5 ** (77 / 14))


def test_nothing_in_twelve_weeks_scores_zero():
    account = AccountFactory()
    activity_on(account=account, kind="meeting", occurred_at=days_ago(85))
    levels = engagement_levels(kind="account", record_ids=[account.id], as_of=NOW)
    assert levels[account.id].score == 0
    assert levels[account.id].as_breakdown()["explanation"].startswith("No meetings, calls or emails")


def test_a_private_activity_counts_like_any_other():
    public, private = AccountFactory(), AccountFactory()
    activity_on(account=public, kind="meeting", occurred_at=days_ago(3))
    activity_on(account=private, kind="meeting", occurred_at=days_ago(3), is_private=True)
    assert level(private) == level(public) > 0


def test_a_meeting_counts_more_than_a_received_email_which_counts_more_than_a_sent_one():
    meeting, received, sent = AccountFactory(), AccountFactory(), AccountFactory()
    activity_on(account=meeting, kind="meeting", occurred_at=days_ago(2))
    activity_on(account=received, kind="email", direction="inbound", occurred_at=days_ago(2))
    activity_on(account=sent, kind="email", direction="outbound", occurred_at=days_ago(2))
    assert level(meeting) > level(received) > level(sent) > 0
    assert WEIGHTS["meeting"] > WEIGHTS["call"] > WEIGHTS["email_received"] > WEIGHTS["email_sent"]


def test_more_activity_scores_higher():
    one, five = AccountFactory(), AccountFactory()
    activity_on(account=one, occurred_at=days_ago(2))
    for n in range(5):
        activity_on(account=five, occurred_at=days_ago(2 + n))
    assert level(five) > level(one)


def test_what_does_not_count(frozen_now):
    account = AccountFactory()
    activity_on(account=account, kind="meeting", occurred_at=days_ago(2), is_cancelled=True)
    activity_on(account=account, kind="meeting", occurred_at=NOW + dt.timedelta(days=2))
    activity_on(account=account, kind="email", direction="internal", occurred_at=days_ago(2))
    activity_on(account=account, kind="email", occurred_at=days_ago(2), removed_from_sync_at=days_ago(1))
    assert level(account) == 0
    activity_on(account=account, kind="email", occurred_at=days_ago(2))
    assert level(account) > 0


def test_breakdown_explains_volume_type_and_recency():
    account = AccountFactory()
    activity_on(account=account, kind="meeting", occurred_at=days_ago(0))
    activity_on(account=account, kind="email", direction="inbound", occurred_at=days_ago(14))
    activity_on(account=account, kind="email", occurred_at=days_ago(14))
    breakdown = engagement_levels(kind="account", record_ids=[account.id], as_of=NOW)[
        account.id
    ].as_breakdown()
    components = {c["kind"]: c for c in breakdown["components"]}
    assert [c["kind"] for c in breakdown["components"]] == ["meeting", "call", "email_received", "email_sent"]
    assert components["meeting"] == {"kind": "meeting", "count": 1, "weight": 3.0, "points": 3.0}
    assert components["email_received"]["points"] == 0.75  # 1.5 halved after two weeks
    assert components["email_sent"]["points"] == 0.5
    assert components["call"]["count"] == 0
    assert breakdown["recency"] == {
        "last_activity_at": NOW.isoformat(),
        "decayed_points": 4.25,
        "undecayed_points": 5.5,
    }
    assert breakdown["score"] == engagement_score(4.25)
    assert breakdown["band"] == "low" and breakdown["color"] == "red" and breakdown["window_weeks"] == 12
    assert "1 meeting, 1 email received and 1 email sent" in breakdown["explanation"]
    assert "ln(1 + decayed points / 4) / ln(1 + 300 / 4)" in breakdown["normalisation"]


def test_opportunities_count_the_activities_matched_to_them():
    opportunity = OpportunityFactory()
    other = OpportunityFactory(account=opportunity.account)
    activity_on(opportunity=opportunity, kind="meeting", occurred_at=days_ago(1))
    activity_on(account=opportunity.account, kind="meeting", occurred_at=days_ago(1))
    levels = engagement_levels(kind="opportunity", record_ids=[opportunity.id, other.id], as_of=NOW)
    assert levels[opportunity.id].score == engagement_score(3 * 0.5 ** (1 / 14))
    assert levels[other.id].score == 0
    account_level = engagement_levels(kind="account", record_ids=[opportunity.account_id], as_of=NOW)
    assert account_level[opportunity.account_id].score == engagement_score(2 * 3 * 0.5 ** (1 / 14))


def test_each_person_scores_on_the_activities_they_took_part_in():
    account = AccountFactory()
    rep = UserFactory()
    busy, quiet, declining = (
        ContactFactory(account=account),
        ContactFactory(account=account),
        ContactFactory(account=account),
    )
    activity_on(
        account=account,
        kind="meeting",
        occurred_at=days_ago(1),
        users=[rep],
        contacts=[busy, quiet, declining],
        declined=[declining],
    )
    activity_on(
        account=account,
        kind="email",
        direction="inbound",
        occurred_at=days_ago(2),
        users=[rep],
        contacts=[busy],
    )
    people = people_facts(kind="account", record_ids=[account.id], now=NOW)
    scores = {email: person_engagement(p).score for (_, email), p in people.items()}
    assert scores[busy.email] > scores[quiet.email] > 0
    assert declining.email not in scores  # a declined meeting is not engagement
    assert scores[rep.email] == scores[busy.email]
    by_contact = people_engagement_levels(subject="contact", as_of=NOW)
    assert by_contact[busy.id].score == scores[busy.email]
    on_record = person_engagement_levels(kind="account", record_ids=[account.id], as_of=NOW)
    assert {email: level.score for (_, email), level in on_record.items()} == scores


# --- issue 16: a curve that separates busy accounts -------------------------------------------


def steady(account, *, per_week: float, weeks: int = 12, silent_days: int = 0, kinds=("email",)):
    """``per_week`` activities a week on ``account`` for ``weeks`` weeks, evenly spread, the newest
    ``silent_days`` ago: emails alternate sent and received; other kinds take turns."""
    from activities.models import Activity

    every = 7 / per_week
    rows = []
    n = int(per_week * weeks)
    for i in range(n):
        kind = kinds[i % len(kinds)]
        rows.append(
            Activity(
                kind=kind,
                source_id=f"steady-{account.pk}-{i}",
                occurred_at=days_ago(silent_days + 0.5 + i * every),
                direction="inbound" if kind == "email" and i % 2 else "outbound",
                account=account,
                account_match=Activity.AccountMatch.DOMAIN,
            )
        )
    Activity.objects.bulk_create(rows)


def test_ten_and_forty_activities_a_week_differ_by_at_least_fifteen_points():
    ten, forty = AccountFactory(), AccountFactory()
    steady(ten, per_week=10)
    steady(forty, per_week=40)
    assert level(forty) - level(ten) >= 15
    # The same with meetings and calls in the mix.
    mixed_ten, mixed_forty = AccountFactory(), AccountFactory()
    steady(mixed_ten, per_week=10, kinds=("email", "email", "meeting", "call"))
    steady(mixed_forty, per_week=40, kinds=("email", "email", "meeting", "call"))
    assert level(mixed_forty) - level(mixed_ten) >= 15
    assert level(mixed_forty) < 100


def test_a_quiet_account_stays_low():
    quiet = AccountFactory()
    steady(quiet, per_week=1)  # an email a week, twelve weeks running
    assert engagement_band(level(quiet)) == "low"


def test_a_week_of_silence_after_steady_contact_visibly_lowers_the_score():
    steady_contact, gone_quiet = AccountFactory(), AccountFactory()
    steady(steady_contact, per_week=10)
    steady(gone_quiet, per_week=10, silent_days=7)
    assert level(steady_contact) - level(gone_quiet) >= 7
