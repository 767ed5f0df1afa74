"""The admin pages of the contact engine: "why (not) created?" and the Created-by-Backstory CSV."""

import csv
import io

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactDecisionFactory, ContactFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="ops", is_staff=True))
    return client


def test_why_lists_every_decision_about_an_address_with_rule_and_activity(staff_client, email_with, account):
    from contacts.services import contact_engine_process_activities
    from contacts.tests.conftest import jane

    activity = email_with(jane(last_name=""))
    contact_engine_process_activities(activity_ids=[activity.pk])
    ContactDecisionFactory(email="someone.else@acme.com", reason="lead_exists")

    response = staff_client.get(reverse("contacts:why"), {"email": "Jane.Doe@ACME.com"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "name_missing" in page and "contact_creation" in page
    assert "does not show jane.doe@acme.com&#x27;s last name" in page
    assert reverse("admin:activities_activity_change", args=[activity.pk]) in page
    assert "someone.else@acme.com" not in page


def test_why_takes_several_addresses(staff_client):
    ContactDecisionFactory(email="a@acme.com", message="About A")
    ContactDecisionFactory(email="b@acme.com", message="About B")

    page = staff_client.get(reverse("contacts:why") + "?email=a@acme.com&email=b@acme.com").content.decode()

    assert "About A" in page and "About B" in page


def test_why_says_when_the_engine_never_saw_the_address(staff_client):
    page = staff_client.get(reverse("contacts:why"), {"email": "nobody@acme.com"}).content.decode()

    assert "has not seen this address" in page


def test_why_answers_htmx_with_the_results_only(staff_client):
    ContactDecisionFactory(email="a@acme.com", message="About A")

    response = staff_client.get(reverse("contacts:why"), {"email": "a@acme.com"}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert "About A" in page and "<html" not in page


@pytest.mark.parametrize("url", ["contacts:why", "contacts:created_by_backstory_csv"])
def test_pages_are_for_staff_only(client, url):
    assert client.get(reverse(url)).status_code == 302
    client.force_login(UserFactory(username="rep-not-staff"))
    response = client.get(reverse(url))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_csv_has_the_report_columns_and_only_contacts_created_by_backstory(staff_client, account, frozen_now):
    ContactFactory(
        account=account,
        first_name="Jane",
        last_name="Doe",
        email="jane@acme.com",
        by_backstory=True,
        title="=HYPERLINK(evil)",
        lead_source="Backstory",
    )
    ContactFactory(account=account, first_name="Manual", last_name="Person", email="manual@acme.com")

    response = staff_client.get(reverse("contacts:created_by_backstory_csv"))

    assert response["Content-Type"] == "text/csv"
    assert "contacts-created-by-backstory-2026-11-23.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Name", "Email", "Title", "Account", "Owner", "Created Date", "Lead Source"]
    assert len(rows) == 2
    name, email, title, account_name, owner, created, source = rows[1]
    assert (name, email, account_name, owner, source) == (
        "Jane Doe",
        "jane@acme.com",
        "Acme",
        str(account.owner),
        "Backstory",
    )
    assert title == "'=HYPERLINK(evil)"  # never runs as a spreadsheet formula
    assert len(created) == 10 and created[4] == "-"
