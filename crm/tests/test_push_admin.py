"""The outbox in the admin: failed entries with their reasons, the retry action, the pause."""

import datetime as dt

import pytest
from django.urls import reverse

from crm.models import OutboxEntry, OutboxState
from crm.services import outbox_pause
from crm.tests.factories import OutboxEntryFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(admin=True))
    return client


def test_failed_entries_show_their_reason_and_can_be_retried(admin_client, settings):
    settings.SALESFORCE_MODE = "off"  # the retry queues a drain; nothing to send it to here
    failed = OutboxEntryFactory(
        status=OutboxEntry.Status.FAILED,
        attempts=10,
        last_error_code="REQUIRED_FIELD_MISSING",
        last_error="Required fields are missing: [LastName]",
    )
    done = OutboxEntryFactory(status=OutboxEntry.Status.DONE)
    url = reverse("admin:crm_outboxentry_changelist")
    page = admin_client.get(url, {"status__exact": "failed"})
    assert (
        b"Required fields are missing: [LastName]" in page.content
        and b"REQUIRED_FIELD_MISSING" in page.content
    )
    response = admin_client.post(
        url, {"action": "retry_entries", "_selected_action": [failed.pk, done.pk]}, follow=True
    )
    assert b"1 entries will be sent at the next drain." in response.content
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboxEntry.Status.PENDING, 0)
    assert done.status == OutboxEntry.Status.DONE


def test_a_pause_is_visible_and_can_be_ended(admin_client, frozen_now, settings):
    settings.SALESFORCE_MODE = "off"
    outbox_pause(
        until=frozen_now + dt.timedelta(minutes=15),
        reason="REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.",
    )
    page = admin_client.get(reverse("admin:crm_outboxentry_changelist"))
    assert b"The outbox is paused until 2026-11-23 12:15" in page.content
    states = admin_client.get(reverse("admin:crm_outboxstate_changelist"))
    assert b"Outbox paused until 2026-11-23 12:15 UTC" in states.content
    state = OutboxState.objects.get()
    admin_client.post(
        reverse("admin:crm_outboxstate_changelist"), {"action": "resume", "_selected_action": [state.pk]}
    )
    state.refresh_from_db()
    assert state.paused_until is None
    assert b"paused" not in admin_client.get(reverse("admin:crm_outboxentry_changelist")).content
