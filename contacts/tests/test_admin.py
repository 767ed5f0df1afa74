"""Admin: the "Created by Backstory" filter, CSV export and removal actions, and one-click "why"."""

import pytest
from django.urls import reverse

from contacts.models import Contact, ContactDecision, LocalFilter
from contacts.tests.factories import ContactDecisionFactory, ContactFactory
from crm.models import OutboxEntry
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", admin=True))
    return client


def test_created_by_backstory_filter(admin_client, account):
    ContactFactory(account=account, last_name="Automatic", by_backstory=True)
    ContactFactory(account=account, last_name="Manual")

    page = admin_client.get(
        reverse("admin:contacts_contact_changelist"), {"created_by_backstory__exact": "1"}
    ).content.decode()

    assert "Automatic" in page and "Manual" not in page


def test_export_action_returns_the_report_for_selected_contacts(admin_client, account):
    automatic = ContactFactory(account=account, last_name="Automatic", by_backstory=True)
    manual = ContactFactory(account=account, last_name="Manual")

    response = admin_client.post(
        reverse("admin:contacts_contact_changelist"),
        {"action": "export_as_csv", "_selected_action": [automatic.pk, manual.pk]},
    )

    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == "Name,Email,Title,Account,Owner,Created Date,Lead Source"
    assert "Automatic" in body and "Manual" not in body


def test_remove_action_deletes_only_contacts_created_by_backstory(admin_client, account):
    automatic = ContactFactory(account=account, email="auto@acme.com", by_backstory=True)
    manual = ContactFactory(account=account, email="manual@acme.com")

    admin_client.post(
        reverse("admin:contacts_contact_changelist"),
        {"action": "remove_created_by_backstory", "_selected_action": [automatic.pk, manual.pk]},
    )

    assert list(Contact.objects.values_list("email", flat=True)) == ["manual@acme.com"]
    assert OutboxEntry.objects.get(object_name="Contact").operation == "delete"
    assert LocalFilter.objects.filter(kind="address", value="auto@acme.com", profile=None).exists()


def test_decision_list_links_each_address_to_why(admin_client):
    ContactDecisionFactory(email="jane@acme.com")

    page = admin_client.get(reverse("admin:contacts_contactdecision_changelist")).content.decode()

    assert reverse("contacts:why") + "?email=jane%40acme.com" in page


def test_explain_action_opens_why_for_the_selected_addresses(admin_client):
    first = ContactDecisionFactory(email="a@acme.com")
    second = ContactDecisionFactory(email="b@acme.com")

    response = admin_client.post(
        reverse("admin:contacts_contactdecision_changelist"),
        {"action": "explain_why", "_selected_action": [first.pk, second.pk]},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:why") + "?email=a%40acme.com&email=b%40acme.com"


def test_contact_page_shows_its_decisions(admin_client, account):
    contact = ContactFactory(account=account, by_backstory=True)
    ContactDecision.objects.create(
        action="contact_created",
        reason="created",
        rule="contact_creation",
        message="Created from the pricing email.",
        contact=contact,
        email=contact.email,
    )

    page = admin_client.get(reverse("admin:contacts_contact_change", args=[contact.pk])).content.decode()

    assert "Created from the pricing email." in page
