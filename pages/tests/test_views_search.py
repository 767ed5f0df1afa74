"""Search as you type: an accessible listbox of accounts and opportunities, matches highlighted."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from opportunities.tests.factories import OpportunityFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client):
    client.force_login(UserFactory())
    return client


@pytest.fixture
def records(db):
    northwind = AccountFactory(name="Northwind Logistics", domain="northwind.com")
    AccountFactory(name="Globex <Corporation>", domain="globex.com")
    deal = OpportunityFactory(name="Northwind - Expansion", account=northwind, stage="Proposal")
    return {"northwind": northwind, "deal": deal}


def search(client, q, **headers):
    return re.sub(r"\s+", " ", client.get(reverse("accounts:search"), {"q": q}, **headers).content.decode())


def test_results_are_a_listbox_of_options_grouped_by_kind(rep_client, records):
    body = search(rep_client, "north", HTTP_HX_REQUEST="true")
    assert '<ul id="search-listbox" class="search-list" role="listbox" aria-label="Search results">' in body
    assert body.count('role="option"') == 2
    assert (
        f'id="search-option-a{records["northwind"].pk}"' in body
        and f'id="search-option-o{records["deal"].pk}"' in body
    )
    assert body.index(">Accounts</li>") < body.index(">Opportunities</li>")
    assert (
        f'href="/accounts/{records["northwind"].pk}/"' in body
        and f'href="/opportunities/{records["deal"].pk}/"' in body
    )


def test_matches_are_highlighted_and_names_escaped(rep_client, records):
    body = search(rep_client, "NORTH", HTTP_HX_REQUEST="true")
    assert "<mark>North</mark>wind Logistics" in body and "<mark>north</mark>wind.com" in body
    body = search(rep_client, "<corp", HTTP_HX_REQUEST="true")
    assert "Globex <mark>&lt;Corp</mark>oration&gt;" in body


def test_the_search_box_is_a_combobox(rep_client, records):
    page = rep_client.get(reverse("home")).content.decode()
    for attribute in (
        'role="combobox"',
        'aria-controls="search-listbox"',
        'aria-expanded="false"',
        'aria-autocomplete="list"',
    ):
        assert attribute in page
    assert 'role="status"' in page  # the result count is announced


def test_one_letter_returns_nothing(rep_client, records):
    assert search(rep_client, "n", HTTP_HX_REQUEST="true").strip() == ""


@pytest.fixture
def demo_rep_client(client, frozen_now):
    call_command("seed_demo", "--accounts", "6", "--activities", "50", "--no-progress", stdout=io.StringIO())
    client.login(username="rep", password="backstory-demo")
    return client


def test_search_as_you_type_returns_the_partial(demo_rep_client):
    response = demo_rep_client.get(reverse("accounts:search"), {"q": "north"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "Northwind Logistics" in body


def test_search_by_domain_and_without_javascript(demo_rep_client):
    response = demo_rep_client.get(reverse("accounts:search"), {"q": "globex.com"})
    body = response.content.decode()
    assert "<html" in body and "Globex Corporation" in body


def test_search_with_no_match_says_so(demo_rep_client):
    body = demo_rep_client.get(
        reverse("accounts:search"), {"q": "zzzz"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "No account or opportunity matches" in body


@pytest.fixture
def wayne(db):
    rep = UserFactory(username="dana")
    other = UserFactory(username="sam")
    wayne = AccountFactory(name="Wayne Financial", domain="waynefinancial.com", owner=other)
    deals = {
        "expansion": OpportunityFactory(
            name="Wayne Financial - Analytics Expansion", account=wayne, owner=other
        ),
        "renewal": OpportunityFactory(name="Wayne Financial - Renewal", account=wayne, owner=rep),
        "closed": OpportunityFactory(
            name="Wayne Financial - Analytics Pilot",
            account=wayne,
            owner=rep,
            stage="Closed Lost",
            is_closed=True,
        ),
    }
    for n in range(12):
        OpportunityFactory(name=f"Analytics Rollout {n:02d}", account=AccountFactory(name=f"Acme {n:02d}"))
    return {"rep": rep, "account": wayne, **deals}


def test_words_in_any_order_find_the_deal(client, wayne):
    client.force_login(wayne["rep"])
    for q in ("wayne analytics", "analytics wayne", "Analytics  WAYNE"):
        body = search(client, q, HTTP_HX_REQUEST="true")
        assert "<mark>Wayne</mark> Financial - <mark>Analytics</mark> Expansion" in body, q


def test_results_are_ranked_prefix_first_then_open_and_own_deals(client, wayne):
    from pages.selectors import search_records

    results = search_records(query="wayne financial", user=wayne["rep"], limit=None)
    assert results["accounts"] == [wayne["account"]]
    names = [o.name for o in results["opportunities"]]
    # every deal starts with the query; open before closed, the rep's own before a colleague's
    assert names == [
        "Wayne Financial - Renewal",
        "Wayne Financial - Analytics Expansion",
        "Wayne Financial - Analytics Pilot",
    ]
    exact = search_records(query="wayne financial - renewal", user=wayne["rep"])
    assert exact["opportunities"][0] == wayne["renewal"]


def test_the_preview_stops_at_eight_and_offers_all_results(client, wayne):
    client.force_login(wayne["rep"])
    body = search(client, "analytics", HTTP_HX_REQUEST="true")
    assert body.count('role="option"') == 9  # eight results and "See all"
    assert 'href="/accounts/search/?q=analytics"' in body and "See all 14 results" in body
    page = search(client, "analytics")
    assert "14 results for “analytics”" in page
    assert page.count("/opportunities/") == 14
    assert 'Analytics Pilot</a> <span class="muted">Wayne Financial · Closed Lost · closed' in page.replace(
        "<mark>", ""
    ).replace("</mark>", "")
