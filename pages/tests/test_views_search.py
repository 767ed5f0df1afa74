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
