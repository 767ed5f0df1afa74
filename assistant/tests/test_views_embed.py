"""The assistant inside Salesforce: the embed token (``X-Backstory-Embed``) opens the panel and asks a
question without our cookies, and opens no other POST."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from assistant.models import Conversation, Message
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from pages import embed
from support.models import SupportRequest
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUESTION = {"question": "Was pricing discussed?"}


@pytest.fixture(autouse=True)
def salesforce_framing(settings):
    settings.BACKSTORY_FRAME_ANCESTORS = ["https://acme.lightning.force.com"]


@pytest.fixture
def token(account):
    return embed.embed_token_for(account.owner)


@pytest.fixture
def iframe():
    """A browser inside a third-party iframe: no session cookie, no CSRF cookie, and CSRF enforced."""
    return Client(enforce_csrf_checks=True)


def urls(account):
    return reverse("assistant:panel", args=["account", account.pk]), reverse(
        "assistant:ask", args=["account", account.pk]
    )


def test_the_embedded_page_sends_its_token_to_the_assistant(account, token):
    body = Client().get(reverse("accounts:detail", args=[account.pk]), {"embed": token}).content.decode()
    panel_url, _ = urls(account)
    # htmx requests (the launcher's and the panel form's, inside <body>) inherit the body's hx-headers.
    assert f'"X-Backstory-Embed": "{token}"' in body.split("<body", 1)[1].split(">", 1)[0]
    assert f'hx-get="{panel_url}"' in body
    assert f'href="{panel_url}?embed=' in body  # the no-JavaScript link keeps the token too


def test_with_a_token_and_no_cookies_the_panel_opens_and_a_question_is_answered(iframe, account, token):
    panel_url, ask_url = urls(account)
    panel = iframe.get(panel_url, HTTP_X_BACKSTORY_EMBED=token, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200
    assert "X-Frame-Options" not in panel and "frame-ancestors" in panel["Content-Security-Policy"]
    html = panel.content.decode()
    assert "Globex Corporation" in html and f'hx-post="{ask_url}"' in html
    # Help and support pages are not opened by the token: inside Salesforce they go to a new tab.
    assert f'href="{reverse("support:request_new")}" target="_blank" rel="noopener"' in html

    answer = iframe.post(ask_url, QUESTION, HTTP_X_BACKSTORY_EMBED=token, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "Was pricing discussed?" in body and "Yes: pricing came up in 1 activity" in body
    assert Conversation.objects.get().user == account.owner
    assert "sessionid" not in answer.cookies
    # The cited activity needs a Backstory login and refuses framing: it opens in a new tab.
    assert re.search(
        r'<a class="assistant-cite" href="/activities/log/\d+/"[^>]* target="_blank" rel="noopener">\[1\]</a>',
        body,
    )
    reopened = iframe.get(panel_url, HTTP_X_BACKSTORY_EMBED=token, HTTP_HX_REQUEST="true").content.decode()
    assert (
        'class="assistant-cite"' in reopened
        and 'target="_blank"' in reopened.split('class="assistant-cite"', 1)[1].split(">", 1)[0]
    )


def test_a_token_opens_the_help_panel_too(iframe, account, token, help_articles):
    body = iframe.post(
        reverse("assistant:help_ask"),
        {"question": "How long does it take for a contact to appear in Salesforce?"},
        HTTP_X_BACKSTORY_EMBED=token,
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "up to 2 hours" in body.lower()


def test_without_a_token_the_assistant_needs_a_login_and_the_csrf_token(iframe, account):
    panel_url, ask_url = urls(account)
    assert iframe.post(ask_url, QUESTION).status_code == 403  # CSRF, as before
    response = Client().get(panel_url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    response = Client().post(ask_url, QUESTION)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Message.objects.exists()


def test_a_signed_in_post_still_needs_the_csrf_token(iframe, account):
    panel_url, ask_url = urls(account)
    iframe.force_login(account.owner)
    assert iframe.post(ask_url, QUESTION, HTTP_HX_REQUEST="true").status_code == 403
    iframe.get(panel_url)  # sets the CSRF cookie
    csrf = iframe.cookies["csrftoken"].value
    response = iframe.post(ask_url, QUESTION, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200 and "Yes: pricing came up" in response.content.decode()


def test_the_embed_parameter_does_not_sign_in_a_post(iframe, account, token):
    # Only the header counts for a POST: a cross-site form can put the parameter in its action URL.
    _, ask_url = urls(account)
    assert iframe.post(f"{ask_url}?embed={token}", QUESTION).status_code == 403
    response = Client().post(f"{ask_url}?embed={token}", {**QUESTION, "embed": token})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Message.objects.exists()


@pytest.mark.parametrize("bad", ["nonsense", "tampered", "expired"])
def test_a_bad_or_expired_token_is_refused(iframe, account, token, monkeypatch, bad):
    panel_url, ask_url = urls(account)
    if bad == "tampered":
        value, _, signature = token.rpartition(":")
        token = f"{value}:{signature[::-1]}"
    elif bad == "nonsense":
        token = "nonsense"
    else:
        monkeypatch.setattr(embed, "EMBED_TOKEN_MAX_AGE", -1)
    for response in (
        iframe.get(panel_url, HTTP_X_BACKSTORY_EMBED=token, HTTP_HX_REQUEST="true"),
        iframe.post(ask_url, QUESTION, HTTP_X_BACKSTORY_EMBED=token, HTTP_HX_REQUEST="true"),
    ):
        assert response.status_code == 401 and b"This view has expired" in response.content
    assert not Message.objects.exists()


def test_a_token_for_another_user_cannot_be_forged_by_editing_it(iframe, account, token):
    other = UserFactory()
    forged = token.replace(
        embed.signing.b64_encode(f'{{"u":{account.owner.pk}}}'.encode()).decode(),
        embed.signing.b64_encode(f'{{"u":{other.pk}}}'.encode()).decode(),
    )
    assert forged != token
    response = iframe.post(urls(account)[1], QUESTION, HTTP_X_BACKSTORY_EMBED=forged, HTTP_HX_REQUEST="true")
    assert response.status_code == 401 and not Message.objects.exists()


def test_the_token_opens_no_other_post(iframe, account):
    staff = UserFactory(admin=True)
    token = embed.embed_token_for(staff)  # even a staff user's token
    contact = ContactFactory(account=account, by_backstory=True)
    support_post = (reverse("support:request_new"), {"description": "Broken", "workspace": "backstory"})
    admin_post = (
        reverse("admin:contacts_contact_changelist"),
        {"action": "remove_created_by_backstory", "_selected_action": [contact.pk]},
    )
    for url, data in [(reverse("logout"), {}), support_post, admin_post]:
        assert iframe.post(url, data, HTTP_X_BACKSTORY_EMBED=token).status_code == 403, url
    for url, data in [support_post, admin_post]:  # without the CSRF check too, the token signs nobody in
        response = Client().post(url, data, HTTP_X_BACKSTORY_EMBED=token)
        assert response.status_code == 302 and "login" in response["Location"], url
    assert not SupportRequest.objects.exists()
    assert Contact.objects.filter(pk=contact.pk, created_by_backstory=True).exists()
