"""The home page: the rep's accounts, the most engaged first, their open deals, and the search box."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import AccountFactory, AccountTeamMemberFactory
from insights.tests.factories import SummaryFactory
from opportunities.tests.factories import OpportunityFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_rep_client(client, frozen_now):
    call_command("seed_demo", "--accounts", "6", "--activities", "50", "--no-progress", stdout=io.StringIO())
    client.login(username="rep", password="backstory-demo")
    return client


def test_the_home_page_needs_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_home_lists_the_reps_accounts_and_has_the_search_box(demo_rep_client):
    page = demo_rep_client.get(reverse("home")).content.decode()
    assert 'id="global-search"' in page
    assert "Northwind Logistics" in page


def test_home_puts_the_most_engaged_accounts_first_and_counts_each_open_deal_once(client, frozen_now):
    rep = UserFactory(username="dana")
    quiet = AccountFactory(name="Aardvark Quiet", owner=rep, tier="SMB")
    busy = AccountFactory(name="Zebra Busy", owner=rep)
    AccountFactory(name="Middle New", owner=rep)
    SummaryFactory(account=quiet, engagement_level=12, latest_activity_at=frozen_now.replace(month=7))
    SummaryFactory(account=busy, engagement_level=83, latest_activity_at=frozen_now)
    # The rep is on the team and owns both open deals: each still counts once.
    AccountTeamMemberFactory(account=busy, user=rep)
    for name in ("Pilot", "Rollout"):
        OpportunityFactory(account=busy, owner=rep, name=f"Zebra {name}", is_closed=False)
    OpportunityFactory(account=busy, owner=rep, name="Zebra Lost", stage="Closed Lost", is_closed=True)
    client.force_login(rep)

    page = client.get(reverse("home")).content.decode()
    rows = page.split("<h2>Your accounts</h2>", 1)[1].split("</table>", 1)[0].split("<tr>")[2:]

    assert [next(n for n in ("Zebra Busy", "Aardvark Quiet", "Middle New") if n in row) for row in rows] == [
        "Zebra Busy",
        "Aardvark Quiet",
        "Middle New",
    ]
    assert 'class="band band-high"' in rows[0] and ">83<" in rows[0] and "Nov 23" in rows[0]
    assert '<td class="num">2</td>' in rows[0]
    assert 'class="band band-low"' in rows[1] and "Jul 23" in rows[1] and "SMB" in rows[1]
    assert "None yet" in rows[2] and '<td class="num">0</td>' in rows[2]
