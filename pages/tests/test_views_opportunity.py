"""The opportunity Backstory page: the deal, its contact roles and warnings, and its partials."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from contacts.tests.factories import ContactFactory
from insights.tests.factories import SummaryFactory
from opportunities.tests.factories import OpportunityContactRoleFactory, OpportunityFactory
from pages.tests.factories import (
    activity_on,
    breakdown,
    days_ago,
    metrics,
    person_on,
    risk,
    topic,
    with_participant,
)
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def rep(db):
    return UserFactory(username="dana", first_name="Dana", last_name="Rivera")


@pytest.fixture
def other_rep(db):
    return UserFactory(username="sam")


@pytest.fixture
def deal(frozen_now, rep, other_rep):
    account = AccountFactory(name="Northwind Logistics", owner=rep)
    opportunity = OpportunityFactory(
        name="Northwind - Platform expansion", account=account, owner=rep, amount=180_000, stage="Proposal"
    )
    buyer = ContactFactory(
        account=account,
        first_name="Jordan",
        last_name="Lee",
        title="CFO",
        seniority="c_level",
        department="finance",
    )
    champion = ContactFactory(account=account, first_name="Riley", last_name="Chen", title="IT Director")
    OpportunityContactRoleFactory(
        opportunity=opportunity, contact=buyer, role="Economic Buyer", is_primary=True
    )
    OpportunityContactRoleFactory(opportunity=opportunity, contact=champion, role="Champion")
    meeting = activity_on(
        opportunity, owner=rep, days=4, subject="Proposal walkthrough", kind="meeting", duration_minutes=45
    )
    private = activity_on(
        opportunity, owner=other_rep, days=2, private=True, subject="Side deal with procurement"
    )
    elsewhere = activity_on(
        account, owner=rep, days=1, subject="Account-only note"
    )  # on the account, not the deal
    for contact in (buyer, champion):
        with_participant(meeting, email=contact.email, name=contact.name, contact=contact)
        person_on(
            opportunity, contact=contact, score=62 if contact is buyer else 48, last_activity_at=days_ago(4)
        )
    SummaryFactory(
        account=None,
        opportunity=opportunity,
        engagement_level=48,
        engagement_breakdown=breakdown(48, color="red", band="medium"),
        metrics=metrics(),
        key_topics=[
            topic("Proposal scope", [meeting, elsewhere], latest=days_ago(4)),
            topic("Procurement side deal", [private], latest=days_ago(2), private_only=True),
        ],
        warnings=[
            risk(
                "Past the close date with no executive engaged",
                severity="high",
                date=days_ago(1),
                activities=[meeting],
            ),
            risk(
                "Private warning", severity="low", date=days_ago(2), activities=[private], private_only=True
            ),
        ],
    )
    return {
        "opportunity": opportunity,
        "buyer": buyer,
        "champion": champion,
        "meeting": meeting,
        "private": private,
    }


def url(name, *args, **query):
    from urllib.parse import urlencode

    base = reverse(f"opportunities:{name}", args=args)
    return f"{base}?{urlencode(query)}" if query else base


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def test_page_shows_stage_amount_close_date_owner_and_contact_roles(rep_client, deal):
    opportunity = deal["opportunity"]
    body = text_of(rep_client.get(url("detail", opportunity.pk)))
    assert "<h1>Northwind - Platform expansion</h1>" in body
    assert re.search(
        r"<dt>Stage</dt><dd><span class=\"stage\">Proposal</span> <span class=\"muted\">60%</span>", body
    )
    assert "<dt>Amount</dt><dd>$180,000</dd>" in body
    assert "Dec 31, 2026" in body and "<dt>Owner</dt><dd>Dana Rivera</dd>" in body
    assert 'Jordan Lee <span class="badge">Primary</span>' in body and "Economic Buyer · CFO" in body
    assert "Riley Chen" in body and "Champion" in body
    assert f'href="/accounts/{opportunity.account_id}/"' in body
    assert "Deal summary" in body and 'class="wheel wheel-red"' in body


def test_a_past_close_date_on_an_open_deal_is_flagged(rep_client, deal, settings):
    settings.BACKSTORY_NOW = "2027-01-15T12:00:00+00:00"
    assert "Past due" in text_of(rep_client.get(url("detail", deal["opportunity"].pk)))


def test_warnings_show_and_open_their_sidebar(rep_client, deal):
    opportunity = deal["opportunity"]
    body = text_of(rep_client.get(url("detail", opportunity.pk)))
    assert "Past the close date with no executive engaged" in body
    assert "Private warning" not in body
    sidebar = text_of(rep_client.get(url("bullet", opportunity.pk, "warnings", 0), **HTMX))
    assert "<html" not in sidebar and "Proposal walkthrough" in sidebar
    assert rep_client.get(url("bullet", opportunity.pk, "warnings", 1), **HTMX).status_code == 404


def test_the_deal_sidebar_lists_only_the_deals_activities(rep_client, deal):
    sidebar = text_of(rep_client.get(url("bullet", deal["opportunity"].pk, "key_topics", 0), **HTMX))
    assert "Proposal walkthrough" in sidebar and "Account-only note" not in sidebar


def test_private_topic_is_hidden_from_other_reps_and_shown_to_its_owner(rep_client, deal, other_rep, client):
    opportunity = deal["opportunity"]
    assert "Procurement side deal" not in text_of(rep_client.get(url("detail", opportunity.pk)))
    assert "including private ones you can't see" in text_of(rep_client.get(url("detail", opportunity.pk)))
    client.force_login(other_rep)
    body = text_of(client.get(url("detail", opportunity.pk)))
    assert "Procurement side deal" in body
    assert "Side deal with procurement" in text_of(
        client.get(url("bullet", opportunity.pk, "key_topics", 1), **HTMX)
    )


def test_people_partial_and_person_sidebar_on_the_deal(rep_client, deal):
    opportunity = deal["opportunity"]
    people = text_of(rep_client.get(url("people", opportunity.pk), **HTMX))
    assert "<html" not in people and people.index("Jordan Lee") < people.index("Riley Chen")
    person = opportunity.people.get(email=deal["buyer"].email)
    sidebar = text_of(rep_client.get(url("person", opportunity.pk, person.pk), **HTMX))
    assert "Jordan Lee" in sidebar and "<dt>Seniority</dt><dd>C-Level</dd>" in sidebar
    assert "Proposal walkthrough" in sidebar


def test_metrics_partial_on_the_deal(rep_client, deal):
    partial = text_of(rep_client.get(url("metrics", deal["opportunity"].pk, period="last_90_days"), **HTMX))
    assert "<html" not in partial and re.search(r"<dt>Meetings</dt><dd>14</dd>", partial)


def test_a_deal_without_a_summary_explains_the_empty_state(rep_client, frozen_now, rep):
    opportunity = OpportunityFactory(owner=rep)
    body = text_of(rep_client.get(url("detail", opportunity.pk)))
    assert "No summary yet." in body and "no matched activities for this opportunity yet" in body
    assert "Allow 24 to 48 hours" in body and "No contact roles on this opportunity yet." in body


def test_unknown_opportunity_is_a_404(rep_client):
    assert rep_client.get(url("detail", 424242)).status_code == 404


def test_query_count_does_not_grow_with_people_and_roles(rep_client, frozen_now, rep):
    counts = []
    for n in (5, 50):
        opportunity = OpportunityFactory(owner=rep)
        meeting = activity_on(opportunity, owner=rep, days=3, kind="meeting")
        activities = [activity_on(opportunity, owner=rep, days=i % 30) for i in range(n)]
        for i in range(n):
            contact = ContactFactory(account=opportunity.account)
            with_participant(meeting, email=contact.email, contact=contact)
            person_on(opportunity, contact=contact, score=i)
            if i < n // 2:
                OpportunityContactRoleFactory(opportunity=opportunity, contact=contact, role="Influencer")
        SummaryFactory(
            account=None,
            opportunity=opportunity,
            warnings=[risk("W", activities=activities)],
            key_topics=[topic("T", activities, latest=days_ago(1))],
        )
        with CaptureQueriesContext(connection) as queries:
            assert rep_client.get(url("detail", opportunity.pk)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_deal_with_nothing_matched_offers_the_accounts_activities_from_its_lifetime(
    rep_client, frozen_now, rep, other_rep
):
    opportunity = OpportunityFactory(owner=rep, name="Wayne - Analytics Expansion", created_date=days_ago(60))
    account = opportunity.account
    in_lifetime = [activity_on(account, owner=rep, days=d, subject=f"Mail {d}") for d in (3, 10)]
    activity_on(account, owner=rep, days=200, subject="Before the deal")  # long before it was opened
    activity_on(account, owner=other_rep, days=5, private=True, subject="Sam's private call")
    body = text_of(rep_client.get(url("detail", opportunity.pk)))
    assert "No activity is matched to this opportunity yet" in body
    assert "2 activities on this account may belong here — review" in body
    link = re.search(r'href="([^"]*review_for=\d+)"', body).group(1).replace("&amp;", "&")
    log = text_of(rep_client.get(link))
    for activity in in_lifetime:
        assert activity.subject in log
    assert "Before the deal" not in log and "Sam's private call" not in log

    # Once an activity is matched to it, the prompt goes.
    activity_on(opportunity, owner=rep, days=1, subject="Pricing")
    from django.core.cache import cache

    cache.clear()
    assert "may belong here" not in text_of(rep_client.get(url("detail", opportunity.pk)))


def test_a_contact_role_known_only_from_a_colleagues_private_mail_is_not_shown_to_another_rep(
    client, deal, rep, other_rep
):
    opportunity = deal["opportunity"]
    # Backstory created this role from Sam's private email with Morgan; Dana cannot see that email.
    morgan = ContactFactory(
        account=opportunity.account, first_name="Morgan", last_name="Quiet", email="morgan@northwind.com"
    )
    OpportunityContactRoleFactory(
        opportunity=opportunity, contact=morgan, role="Evaluator", created_by_backstory=True
    )
    secret = activity_on(opportunity, owner=other_rep, days=1, private=True, subject="Confidential terms")
    with_participant(secret, email="Morgan@northwind.com", name="Morgan Quiet")

    client.force_login(rep)
    seen_by_dana = text_of(client.get(url("detail", opportunity.pk)))
    assert "Morgan Quiet" not in seen_by_dana and "Evaluator" not in seen_by_dana
    assert "Jordan Lee" in seen_by_dana and "Riley Chen" in seen_by_dana  # roles from the CRM stay

    client.force_login(other_rep)
    assert "Morgan Quiet" in text_of(client.get(url("detail", opportunity.pk)))  # the email is Sam's own
