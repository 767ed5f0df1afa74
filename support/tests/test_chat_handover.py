"""In-app chat hands over to a person during support hours (Mon-Fri 9-5 Pacific): the chat becomes
a request in the admin's Support inbox, the reply shows in the chat panel and arrives by email;
outside hours the assistant says when a person will answer."""

import pytest
from django.core import mail
from django.urls import reverse

from assistant.models import Message
from support.models import SupportReply, SupportRequest
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TUESDAY_10_AM_PACIFIC = "2026-11-24T18:00:00+00:00"
SATURDAY_NOON_PACIFIC = "2026-11-28T20:00:00+00:00"
HELP_ASK = reverse("assistant:help_ask")
HELP_PANEL = reverse("assistant:help_panel")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def dana(client):
    user = UserFactory(
        username="dana", email="dana@lumen-analytics.com", first_name="Dana", last_name="Rivera"
    )
    client.force_login(user)
    return user


@pytest.fixture
def staff_client():
    from django.test import Client

    staff = UserFactory(
        username="sam", first_name="Sam", last_name="Support", is_staff=True, is_superuser=True
    )
    c = Client()
    c.force_login(staff)
    return c


def test_during_support_hours_the_chat_goes_to_a_person_who_answers_in_the_panel_and_by_email(
    client, dana, staff_client, settings, django_capture_on_commit_callbacks
):
    settings.BACKSTORY_NOW = TUESDAY_10_AM_PACIFIC
    client.post(HELP_ASK, {"question": "The Engagement Log shows no activities since Monday"}, **HTMX)
    with django_capture_on_commit_callbacks(execute=True):
        body = client.post(HELP_ASK, {"suggested": "Talk to a person"}, **HTMX).content.decode()

    request = SupportRequest.objects.get()
    assert "handed this conversation to the support team as " + request.reference in body
    assert "A person will answer here in this chat and by email to dana@lumen-analytics.com" in body
    assert request.conversation.user == dana and request.sent_during_support_hours
    assert "The Engagement Log shows no activities since Monday" in request.description
    assert [m.to for m in mail.outbox] == [["support@backstory.ai"], ["dana@lumen-analytics.com"]]

    inbox = staff_client.get(reverse("admin:support_supportrequest_changelist")).content.decode()
    assert "Support inbox" in inbox and request.reference in inbox and "In-app chat" in inbox
    change = reverse("admin:support_supportrequest_change", args=[request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            change,
            {
                "status": "in_progress",
                "replies-TOTAL_FORMS": "1",
                "replies-INITIAL_FORMS": "0",
                "replies-MIN_NUM_FORMS": "0",
                "replies-MAX_NUM_FORMS": "1000",
                "replies-0-text": "We re-ran the sync for your mailbox; activities are back.",
                "attachments-TOTAL_FORMS": "0",
                "attachments-INITIAL_FORMS": "0",
                "attachments-MIN_NUM_FORMS": "0",
                "attachments-MAX_NUM_FORMS": "1000",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SupportReply.objects.get().author.username == "sam"

    panel = client.get(HELP_PANEL, **HTMX).content.decode()
    assert "assistant-message-support" in panel
    assert "We re-ran the sync for your mailbox; activities are back." in panel
    assert "Sam Support, Backstory Support" in panel
    reply_mail = mail.outbox[-1]
    assert reply_mail.to == ["dana@lumen-analytics.com"] and "activities are back" in reply_mail.body
    assert Message.objects.filter(role="support").count() == 1


def test_outside_support_hours_it_says_when_a_person_will_answer(client, dana, settings):
    settings.BACKSTORY_NOW = SATURDAY_NOON_PACIFIC
    body = client.post(HELP_ASK, {"question": "Can I talk to a human?"}, **HTMX).content.decode()
    assert "No one from support can answer right now" in body
    assert "Support opens Monday at 9:00 AM PT." in body
    assert "a person will answer here and by email to dana@lumen-analytics.com after support opens" in body
    assert not SupportRequest.objects.get().sent_during_support_hours


def test_the_panel_offers_a_person(client, dana, settings):
    settings.BACKSTORY_NOW = SATURDAY_NOON_PACIFIC
    panel = client.get(HELP_PANEL, **HTMX).content.decode()
    assert 'value="Talk to a person" title="Support opens Monday at 9:00 AM PT."' in panel
