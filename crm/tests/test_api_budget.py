"""Salesforce's API budget, through simple-salesforce over HTTPS against the stand-in: Backstory keeps
under the share an admin sets and above the org's floor, holds pulls and pushes (entries stay
pending, pulls keep their checkpoints), resumes by itself, and shows it all on the sync page."""

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import Account
from contacts.models import Contact
from contacts.services import outbox as contact_outbox
from crm.connection import SalesforceConnection
from crm.models import ApiBudget, OutboxEntry, SyncCursor
from crm.push import outbox_drain
from crm.selectors import api_calls_used, outbox_state_get
from crm.sync import salesforce_pull
from crm.tasks import drain_outbox, pull_salesforce
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = OutboxEntry.Status


@pytest.fixture
def pulled(org):
    """The org pulled into Backstory; then another integration uses 700 of the org's 1,000 daily
    calls, and enough time passes for Backstory to read /limits again."""
    assert not salesforce_pull(objects=["User", "Account", "Contact", "Opportunity"]).errors
    org.server.set_api_limits(max=1000, remaining=300)
    org.advance(minutes=6)
    assert not salesforce_pull(objects=["User"]).errors  # reads /limits: Max is 1,000 now
    assert ApiBudget.objects.get().org_max == 1000
    return org


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(admin=True))
    return client


def set_share(admin_client, percent, django_capture_on_commit_callbacks):
    """The admin sets Backstory's share on the sync page (the drain it queues runs, eagerly)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("crm:api_share_update"), {"share_percent": str(percent)})
    assert response.status_code == 302, response.content.decode()[:500]


def backstory_uses(org, calls):
    """Backstory makes `calls` calls through its client (as earlier syncs would have)."""
    connection = SalesforceConnection.open()
    for _ in range(calls):
        connection.call(lambda sf: sf.query("SELECT Id FROM User LIMIT 1"))


def used_up_to(org, calls):
    """Backstory's own calls in the last 24 hours reach `calls`."""
    used = api_calls_used(now=org.clock.now)
    assert used <= calls, f"the setup already used {used} calls"
    backstory_uses(org, calls - used)
    assert api_calls_used(now=org.clock.now) == calls


def new_contact(email, org):
    account = Account.objects.get(crm_id=org.ref("acme"))
    with transaction.atomic():
        contact = Contact.objects.create(
            first_name="Olivia",
            last_name="Park",
            email=email,
            account=account,
            owner=account.owner,
            lead_source="Backstory",
            created_by_backstory=True,
        )
        contact_outbox.enqueue_contact_created(contact)
    return contact


def entry_of(contact):
    return OutboxEntry.objects.filter(record_type="contacts.contact", record_id=contact.pk).latest("id")


def test_the_drain_stops_at_backstorys_share_and_resumes_when_an_admin_raises_it(
    pulled, admin_client, django_capture_on_commit_callbacks
):
    set_share(admin_client, 2, django_capture_on_commit_callbacks)  # 20 of the org's 1,000 calls
    used_up_to(pulled, 20)
    olivia = new_contact("olivia.park@acme.com", pulled)

    result = drain_outbox()
    assert result["summary"].startswith(
        "nothing sent: held for the Salesforce API budget: Backstory used 20 of its 20 API calls"
    )
    entry = entry_of(olivia)
    assert (entry.status, entry.attempts, entry.last_error_code) == (Status.PENDING, 0, "")
    assert pulled.rows("Contact", Email="olivia.park@acme.com") == []
    assert "Backstory used 20 of its 20" in outbox_state_get().last_drain_summary
    assert api_calls_used(now=pulled.clock.now) == 20  # a held drain calls nothing

    set_share(admin_client, 5, django_capture_on_commit_callbacks)  # 50 calls: the queued drain runs
    assert entry_of(olivia).status == Status.DONE
    assert len(pulled.rows("Contact", Email="olivia.park@acme.com")) == 1


def test_a_held_drain_resumes_by_itself_when_the_24_hour_window_frees_calls(
    pulled, admin_client, django_capture_on_commit_callbacks
):
    set_share(admin_client, 2, django_capture_on_commit_callbacks)
    used_up_to(pulled, 20)
    olivia = new_contact("olivia.park@acme.com", pulled)
    assert outbox_drain().skipped.startswith("held for the Salesforce API budget")

    page = admin_client.get(reverse("crm:sync_problems")).content.decode()
    # The pull's calls at 12:00 are the oldest: they leave the window first.
    assert "Resumes by itself at <strong>2026-11-24 12:00 UTC</strong>" in page

    pulled.advance(hours=23, minutes=50)
    assert outbox_drain().skipped.startswith("held for the Salesforce API budget")
    pulled.advance(minutes=5)  # 2026-11-24 12:01
    pulled.server.set_api_limits(remaining=900)  # the org's own day rolled on too
    assert outbox_drain().done == 1
    assert entry_of(olivia).status == Status.DONE


def test_pushes_go_first_pulls_stop_earlier_and_keep_their_checkpoints(
    pulled, admin_client, django_capture_on_commit_callbacks
):
    set_share(admin_client, 2, django_capture_on_commit_callbacks)  # 20 calls; pulls may use 15
    used_up_to(pulled, 16)
    before = dict(SyncCursor.objects.values_list("object_name", "window_end"))

    result = pull_salesforce()
    assert result["skipped"].startswith("held for the Salesforce API budget: Backstory used 16 of its 20")
    assert "the last 5 are kept for pushes" in result["skipped"]
    assert dict(SyncCursor.objects.values_list("object_name", "window_end")) == before

    olivia = new_contact("olivia.park@acme.com", pulled)
    assert outbox_drain().done == 1  # the push still goes
    assert entry_of(olivia).status == Status.DONE
    assert "Pull held" in ApiBudget.objects.get().held_reason


def test_a_pull_stops_part_way_at_the_share_and_continues_when_it_is_raised(
    pulled, admin_client, django_capture_on_commit_callbacks
):
    set_share(admin_client, 2, django_capture_on_commit_callbacks)  # pulls may use 15 calls
    used_up_to(pulled, 11)
    pulled.advance(minutes=6)  # every object has a window to pull

    report = salesforce_pull()
    assert report.held and not report.stopped and not report.errors
    assert api_calls_used(now=pulled.clock.now) == 15  # not one call past the share
    pulled_objects = [o.object_name for o in report.objects]
    assert "Event" not in pulled_objects  # the last objects wait
    waiting = SyncCursor.objects.filter(object_name="Event").values_list("window_end", flat=True).first()

    set_share(admin_client, 10, django_capture_on_commit_callbacks)
    report = salesforce_pull()
    assert not report.held and not report.errors
    assert "Event" in [o.object_name for o in report.objects]
    assert SyncCursor.objects.get(object_name="Event").window_end != waiting


def test_backstory_stops_when_other_integrations_leave_the_org_below_its_floor(pulled):
    # Backstory's share (20 % of 1,000) is far from used, but the org itself runs low.
    pulled.server.set_api_limits(remaining=30)  # under the 5 % floor (50)
    pulled.advance(minutes=6)  # Backstory reads /limits again
    olivia = new_contact("olivia.park@acme.com", pulled)
    report = outbox_drain()
    assert report.skipped.startswith(
        "held for the Salesforce API budget: the org has 29 API calls left of 1,000"
    )
    assert entry_of(olivia).status == Status.PENDING
    assert salesforce_pull().held.startswith("the org has 29 API calls left")

    pulled.server.set_api_limits(remaining=600)  # the org's rolling day freed calls
    assert outbox_drain().skipped.startswith("held")  # Backstory has not looked again yet
    pulled.advance(minutes=6)
    assert outbox_drain().done == 1


def test_limits_that_cannot_be_read_do_not_stop_the_sync(org, admin_client):
    """/limits refused (an org without "View Setup and Configuration", or a server error): the
    pull and the drain go on, the figures come from the responses' Sforce-Limit-Info header."""
    refused = org.faults.at_rate("SERVER_ERROR", 1.0, path="^limits")
    report = salesforce_pull(objects=["User", "Account", "Contact", "Opportunity"])
    assert not report.errors and not report.held and Account.objects.exists()
    olivia = new_contact("olivia.park@acme.com", org)
    assert outbox_drain().done == 1
    assert entry_of(olivia).status == Status.DONE
    assert refused.fired == 1  # not asked again within SALESFORCE_LIMITS_EVERY_SECONDS

    budget = ApiBudget.objects.get()
    assert budget.limits_error.startswith("UNKNOWN_EXCEPTION")
    assert (budget.org_max, budget.org_source) == (15000, "the last response")
    page = admin_client.get(reverse("crm:sync_problems")).content.decode()
    assert "could not read the org's limits" in page and "Syncing" in page


def test_the_sync_page_shows_backstorys_use_its_allowance_and_the_orgs_remaining(
    pulled, admin_client, django_capture_on_commit_callbacks
):
    set_share(admin_client, 2, django_capture_on_commit_callbacks)
    used_up_to(pulled, 20)
    new_contact("olivia.park@acme.com", pulled)
    drain_outbox()  # held; reads /limits on the way
    response = admin_client.get(reverse("crm:sync_problems"))
    assert response.status_code == 200
    page = response.content.decode()
    remaining = ApiBudget.objects.get().org_remaining  # what Backstory read last
    assert remaining < 300  # the other integration's use and Backstory's own
    for text in (
        "Salesforce API budget",
        "Used by Backstory, last 24 hours",
        "<strong>20</strong> calls",
        '<strong>20</strong> calls <span class="muted">2 % of 1,000</span>',
        "Left in the org",
        "Sync paused",
        "Backstory used 20 of its 20 API calls in the last 24 hours (2 % of the org&#x27;s 1,000)",
    ):
        assert text in page, text
    assert f"<strong>{remaining:,}</strong> of 1,000" in page


def test_the_share_must_be_a_whole_percentage(admin_client, settings):
    settings.SALESFORCE_MODE = "off"
    for typed, message in (
        ("abc", "The share must be a whole percentage from 1 to 100, e.g. 20 (you entered &#x27;abc&#x27;)."),
        ("0", "The share must be from 1 to 100 percent of the org&#x27;s daily API requests (not 0)."),
        ("250", "(not 250)"),
    ):
        response = admin_client.post(reverse("crm:api_share_update"), {"share_percent": typed})
        assert response.status_code == 400 and message in response.content.decode()
    assert admin_client.post(reverse("crm:api_share_update"), {"share_percent": "35 %"}).status_code == 302
    assert ApiBudget.objects.get().share_percent == 35


def test_the_share_starts_at_the_setting_and_only_admins_change_it(client, settings):
    settings.SALESFORCE_MODE = "off"
    settings.SALESFORCE_API_SHARE_PERCENT = 30
    client.force_login(UserFactory())
    assert client.post(reverse("crm:api_share_update"), {"share_percent": "90"}).status_code == 302
    assert client.get(reverse("crm:sync_problems")).status_code == 302  # to the admin sign-in
    client.force_login(UserFactory(admin=True))
    assert 'value="30"' in client.get(reverse("crm:sync_problems")).content.decode()
    assert ApiBudget.objects.get().share_percent == 30


def test_each_call_backstory_makes_is_counted_in_its_rolling_day(org):
    backstory_uses(org, 3)
    org.advance(hours=23)
    backstory_uses(org, 2)
    assert api_calls_used(now=org.clock.now) == 5
    org.advance(hours=1, minutes=1)
    assert api_calls_used(now=org.clock.now) == 2
    assert org.server.api_limits() == {"Max": 15000, "Remaining": 15000 - 5}


def test_the_admin_edits_the_share_and_a_raised_share_drains(admin_client, settings):
    settings.SALESFORCE_MODE = "off"
    url = reverse("admin:crm_apibudget_changelist")
    assert admin_client.get(url).status_code == 200
    budget = ApiBudget.objects.get()
    response = admin_client.post(
        reverse("admin:crm_apibudget_change", args=[budget.pk]), {"share_percent": "40"}, follow=True
    )
    assert response.status_code == 200
    assert ApiBudget.objects.get().share_percent == 40
