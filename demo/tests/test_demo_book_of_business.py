"""Issue 16 on the demo org: a real book of business — every band, deals with stage-true histories,
cooling accounts, and nearly every open deal with its activities."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command

from accounts.models import Account
from activities.models import Activity
from activities.services import match_activities
from insights.services.engagement import engagement_band, engagement_levels
from opportunities.models import Opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(frozen_now):
    # The default demo org, as captured, then matched as capture does it.
    call_command("seed_demo", "--raw", "--no-progress", stdout=io.StringIO())
    match_activities()
    return frozen_now


def test_the_demo_org_reads_like_a_real_book_of_business(demo):
    active = list(Account.objects.filter(activities__isnull=False).distinct().values_list("id", flat=True))
    levels = engagement_levels(kind="account", record_ids=active, as_of=demo)
    bands = Counter(engagement_band(levels[a].score) for a in active)
    # Accounts spread over all three bands: each holds at least 15 % of the accounts with activity.
    assert set(bands) == {"low", "medium", "high"}
    assert min(bands.values()) >= 0.15 * len(active), bands

    # At most 10 % of open opportunities have no matched activity.
    open_opps = Opportunity.objects.filter(is_closed=False)
    empty = open_opps.filter(activity_links__isnull=True)
    assert empty.count() <= 0.10 * open_opps.count()

    # A negotiation deal has recent pricing and legal mail (a cooling account's three weeks ago at most).
    negotiations = list(open_opps.filter(stage="Negotiation"))
    assert negotiations
    for deal in negotiations:
        recent = Activity.objects.filter(
            opportunity_links__opportunity=deal, kind="email", occurred_at__gte=demo - dt.timedelta(days=30)
        ).values_list("subject", flat=True)
        assert any("Pricing" in s for s in recent), (deal.name, list(recent))
        assert any("MSA" in s for s in recent), (deal.name, list(recent))

    # Some accounts are cooling: steady contact, then nothing in the last ten days or more.
    cooling = [
        a
        for a in active
        if levels[a].count("email_sent") + levels[a].count("email_received") >= 20
        and levels[a].last_activity_at is not None
        and (demo - levels[a].last_activity_at).days >= 10
    ]
    assert cooling
