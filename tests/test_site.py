"""Login, the home page, search as you type, and the production settings."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def rep_client(client, frozen_now):
    call_command("seed_demo", "--accounts", "6", "--activities", "50", "--no-progress", stdout=io.StringIO())
    client.login(username="rep", password="backstory-demo")
    return client


def test_pages_need_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_login_page_serves_htmx_from_static_not_a_cdn(client):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in to Backstory" in page
    assert "/static/js/htmx.min.js" in page
    assert "unpkg" not in page and "cdn" not in page.lower()


def test_a_wrong_password_says_so(client):
    response = client.post(reverse("login"), {"username": "rep", "password": "nope"})
    assert b"do not match" in response.content


def test_home_lists_the_reps_accounts_and_has_the_search_box(rep_client):
    page = rep_client.get(reverse("home")).content.decode()
    assert 'id="global-search"' in page
    assert "Northwind Logistics" in page


def test_search_as_you_type_returns_the_partial(rep_client):
    response = rep_client.get(reverse("accounts:search"), {"q": "north"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "Northwind Logistics" in body


def test_search_by_domain_and_without_javascript(rep_client):
    response = rep_client.get(reverse("accounts:search"), {"q": "globex.com"})
    body = response.content.decode()
    assert "<html" in body and "Globex Corporation" in body


def test_search_with_no_match_says_so(rep_client):
    body = rep_client.get(reverse("accounts:search"), {"q": "zzzz"}, HTTP_HX_REQUEST="true").content.decode()
    assert "No account or opportunity matches" in body


def test_health_check_reports_database_cache_and_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "eager"}


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backstory.settings_production",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-the-check-only",
        "ALLOWED_HOSTS": "backstory.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_home_puts_the_most_engaged_accounts_first_and_counts_each_open_deal_once(client, frozen_now):
    from accounts.tests.factories import AccountFactory, AccountTeamMemberFactory
    from insights.tests.factories import SummaryFactory
    from opportunities.tests.factories import OpportunityFactory
    from users.tests.factories import UserFactory

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
