"""No partial or junk Salesforce records (issue 14): a contact whose create Salesforce refused is
never created later by a partial enrichment; a pull never copies a junk record's blanks onto the
local contact; a create that keeps failing past the retry horizon goes on retrying hourly for a
week, then waits on the admin's Sync problems page with the Salesforce error and a Retry button.

Every Salesforce call goes through simple-salesforce over HTTPS to the stand-in.
"""

import datetime as dt

import pytest
from django.urls import reverse

from activities.parsing.results import ParsedActivity, ParsedParticipant, SignatureDetails
from activities.services import activities_ingest
from contacts.models import Contact
from crm.models import OutboxEntry
from crm.push import outbox_drain
from crm.sync import salesforce_pull
from crm.tests.test_end_to_end_sync import pull_until_clean
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = OutboxEntry.Status
VERA = "vera.valid@acme.com"
REFUSAL = "Contacts at Acme need a mailing city (validation rule Acme_Mailing_City)."


def person(email, role, first, last):
    return ParsedParticipant(email, role, f"{first} {last}", first, last)


PRIYA = person("priya.raman@lumen-analytics.com", "from", "Priya", "Raman")


def capture(django_capture_on_commit_callbacks, *activities):
    with django_capture_on_commit_callbacks(execute=True):
        report = activities_ingest(items=list(activities), source="api")
    assert report.created == len(activities)


def intro(stand_in):
    return ParsedActivity(
        kind="email",
        source_id="intro-vera@lumen-analytics.com",
        subject="Renewal: introductions",
        body="Adding Vera.",
        occurred_at=stand_in.clock.now - dt.timedelta(hours=2),
        participants=(
            PRIYA,
            person("rita.moreno@acme.com", "to", "Rita", "Moreno"),
            person(VERA, "cc", "Vera", "Valid"),
        ),
    )


def vera_replies(stand_in):
    return ParsedActivity(
        kind="email",
        source_id="reply-vera@acme.com",
        subject="RE: Renewal: introductions",
        body="Happy to help.",
        occurred_at=stand_in.clock.now - dt.timedelta(hours=1),
        in_reply_to="intro-vera@lumen-analytics.com",
        participants=(person(VERA, "from", "Vera", "Valid"), person(PRIYA.email, "to", "Priya", "Raman")),
        signature_details=SignatureDetails(title="Head of Procurement", phone="+1 312 555 0199"),
    )


def vera_entries():
    vera = Contact.objects.get(email=VERA)
    return OutboxEntry.objects.filter(record_type="contacts.contact", record_id=vera.pk).order_by("id")


def test_a_refused_create_is_never_followed_by_a_junk_record(
    org, backstory, django_capture_on_commit_callbacks
):
    org.faults.add("VALIDATION_RULE", path="Contact", when={"Email": VERA}, message=REFUSAL)
    pull_until_clean(org)
    pull_until_clean(org)
    capture(django_capture_on_commit_callbacks, intro(org))
    outbox_drain()
    assert [e.status for e in vera_entries()] == [Status.FAILED]

    capture(django_capture_on_commit_callbacks, vera_replies(org))  # enrichment: title and phone
    org.advance(hours=1)
    outbox_drain()
    org.advance(minutes=10)
    salesforce_pull()

    vera = Contact.objects.get(email=VERA)
    junk = [row for row in org.store.rows("Contact") if row.get("Backstory_Id__c") == str(vera.backstory_id)]
    assert junk == [] and not org.rows("Contact", LastName="Valid")
    assert (vera.first_name, vera.last_name, vera.account.name) == ("Vera", "Valid", "Acme Corporation")
    assert vera.created_by_backstory and vera.crm_id is None
    assert {e.last_error_code for e in vera_entries()} == {"FIELD_CUSTOM_VALIDATION_EXCEPTION"}
    assert Contact.objects.filter(email=VERA).count() == 1


def test_a_pull_never_copies_blanks_from_a_record_backstory_did_not_create(
    org, backstory, django_capture_on_commit_callbacks
):
    pull_until_clean(org)
    pull_until_clean(org)
    org.faults.add("VALIDATION_RULE", path="Contact", when={"Email": VERA}, message=REFUSAL)
    capture(django_capture_on_commit_callbacks, intro(org))
    outbox_drain()
    vera = Contact.objects.get(email=VERA)
    # Someone (another integration, an old Backstory) left a partial record carrying Vera's Backstory id.
    org.sf.Contact.create(
        {"LastName": "Valid", "Phone": "+1 312 555 0199", "Backstory_Id__c": str(vera.backstory_id)}
    )
    org.advance(minutes=10)
    salesforce_pull()

    vera.refresh_from_db()
    assert (vera.first_name, vera.last_name, vera.email) == ("Vera", "Valid", VERA)
    assert vera.account.name == "Acme Corporation" and vera.created_by_backstory


def test_a_create_past_the_retry_horizon_retries_hourly_then_shows_on_the_sync_problems_page(
    org, backstory, django_capture_on_commit_callbacks, client, settings
):
    pull_until_clean(org)
    pull_until_clean(org)
    outage = org.faults.add("SERVER_ERROR", path="composite/sobjects/Contact", status=503)
    capture(django_capture_on_commit_callbacks, intro(org))
    for _ in range(12):  # well past the 10 attempts of the retry horizon
        outbox_drain()
        org.advance(hours=4)
    (entry,) = vera_entries()
    assert entry.status == Status.PENDING and entry.attempts >= 10
    # Retried hourly (not given up): due again within the hour.
    assert entry.next_attempt_at - org.clock.now <= dt.timedelta(hours=1)

    # The outage outlasts the slow retries (a day of them here, a week by default): the entry stops,
    # and an admin sees it with Salesforce's error.
    settings.SALESFORCE_OUTBOX_SLOW_RETRY_DAYS = 1
    for _ in range(26):
        org.advance(hours=1, minutes=1)
        outbox_drain()
    entry.refresh_from_db()
    assert entry.status == Status.FAILED and entry.last_error_code == "SERVER_UNAVAILABLE"
    admin = UserFactory(username="ops", is_staff=True, is_superuser=True)
    client.force_login(admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("crm:sync_problems") in index
    page = client.get(reverse("crm:sync_problems")).content.decode()
    assert "Sync problems" in page and VERA in page and entry.last_error[:40] in page
    assert f'name="entry" value="{entry.pk}"' in page and "Retry" in page

    org.faults.remove(outage)
    response = client.post(reverse("crm:sync_problems_retry"), {"entry": entry.pk}, follow=True)
    assert response.status_code == 200 and "will be sent again" in response.content.decode()
    outbox_drain()
    vera = Contact.objects.get(email=VERA)
    assert vera.crm_id and len(org.rows("Contact", Email=VERA)) == 1


def test_salesforce_back_within_the_week_delivers_without_an_admin(
    org, backstory, django_capture_on_commit_callbacks
):
    pull_until_clean(org)
    pull_until_clean(org)
    outage = org.faults.add("SERVER_ERROR", path="composite/sobjects/Contact", status=503)
    capture(django_capture_on_commit_callbacks, intro(org))
    for _ in range(14):
        outbox_drain()
        org.advance(hours=4)
    org.faults.remove(outage)
    org.advance(hours=1)
    outbox_drain()

    assert [e.status for e in vera_entries()] == [Status.DONE]
    assert len(org.rows("Contact", Email=VERA)) == 1
