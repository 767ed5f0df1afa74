"""The panel and asking: htmx partials, the no-JavaScript fallbacks, and the admin review."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from assistant.models import Conversation, Message
from opportunities.tests.factories import OpportunityFactory
from users.tests.factories import UserFactory

from .factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, account):
    client.force_login(account.owner)
    return client


def test_the_panel_needs_a_login(client, account):
    response = client.get(reverse("assistant:panel", args=["account", account.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_htmx_gets_the_panel_partial_and_a_plain_request_the_full_page(rep_client, account):
    url = reverse("assistant:panel", args=["account", account.pk])
    partial = rep_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="assistant-messages"' in partial and "Globex Corporation" in partial
    assert f'hx-post="{reverse("assistant:ask", args=["account", account.pk])}"' in partial
    page = rep_client.get(url).content.decode()
    assert "<html" in page and 'id="assistant-question"' in page and 'href="/accounts/' in page


def test_asking_with_htmx_returns_the_question_and_the_cited_answer(rep_client, account):
    url = reverse("assistant:ask", args=["account", account.pk])
    body = rep_client.post(
        url, {"question": "Was pricing discussed?"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    activity = account.activities.get()
    assert "<html" not in body
    assert "Was pricing discussed?" in body
    assert "Yes: pricing came up in 1 activity" in body
    assert f'<a class="assistant-cite" href="/activities/log/{activity.pk}/"' in body
    assert "Pricing proposal for Globex &lt;b&gt;now&lt;/b&gt;" in body  # activity text is escaped
    conversation = Conversation.objects.get(user=account.owner, account=account)
    assert [m.role for m in conversation.messages.all()] == ["user", "assistant"]
    assert conversation.messages.last().intent == "topic_discussed"


def test_a_suggested_question_is_asked_as_is(rep_client, account):
    url = reverse("assistant:ask", args=["account", account.pk])
    rep_client.post(url, {"suggested": "What are the risks?", "question": ""}, HTTP_HX_REQUEST="true")
    assert Message.objects.filter(role="user").get().text == "What are the risks?"


def test_without_javascript_asking_redirects_back_to_the_conversation(rep_client, account):
    response = rep_client.post(
        reverse("assistant:ask", args=["account", account.pk]), {"question": "Was pricing discussed?"}
    )
    answer = Message.objects.get(role="assistant")
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("assistant:panel", args=["account", account.pk]) + f"#message-{answer.pk}"
    )
    page = rep_client.get(response["Location"]).content.decode()
    assert "Yes: pricing came up" in page and 'class="assistant-sources"' in page


def test_an_empty_question_is_refused(rep_client, account):
    response = rep_client.post(
        reverse("assistant:ask", args=["account", account.pk]), {"question": "  "}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and "Type a question first." in response.content.decode()
    assert not Message.objects.exists()


def test_conversations_are_kept_per_user_and_record(client, account, frozen_now):
    opportunity = OpportunityFactory(account=account)
    other = UserFactory()
    for user in (account.owner, other):
        client.force_login(user)
        client.post(
            reverse("assistant:ask", args=["account", account.pk]),
            {"question": "What are the risks?"},
            HTTP_HX_REQUEST="true",
        )
    client.post(
        reverse("assistant:ask", args=["opportunity", opportunity.pk]),
        {"question": "What stage is it in?"},
        HTTP_HX_REQUEST="true",
    )
    assert Conversation.objects.count() == 3
    client.force_login(account.owner)
    panel = client.get(
        reverse("assistant:panel", args=["opportunity", opportunity.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "What stage is it in?" not in panel  # the owner never asked that on the opportunity


def test_the_help_panel_works_without_a_record(rep_client, frozen_now):
    from support.services import help_center_seed

    help_center_seed()
    body = rep_client.post(
        reverse("assistant:help_ask"),
        {"question": "How long does it take for a contact to appear in Salesforce?"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "up to 2 hours" in body.lower()
    assert 'href="/help/faq-how-long-for-a-new-contact/"' in body


@pytest.mark.parametrize("path", ["/assistant/contact/1/", "/assistant/account/999999/"])
def test_an_unknown_record_is_not_found(rep_client, path):
    assert rep_client.get(path).status_code == 404


def test_the_launcher_opens_the_panel_with_htmx_and_links_without_it(account):
    html = Template('{% include "assistant/partials/chat_launcher.html" %}').render(
        Context({"record_type": "account", "record_id": account.pk})
    )
    url = reverse("assistant:panel", args=["account", account.pk])
    assert f'href="{url}"' in html and f'hx-get="{url}"' in html and 'hx-target="#assistant-panel"' in html
    assert 'id="assistant-panel"' in html and "css/assistant.css" in html
    help_html = Template('{% include "assistant/partials/chat_launcher.html" %}').render(Context({}))
    assert f'href="{reverse("assistant:help_panel")}"' in help_html


def test_answers_are_escaped_and_unknown_markers_dropped():
    from assistant.templatetags.assistant_tags import assistant_answer

    message = Message(
        text="<script>alert(1)</script> fact [1] and [4]\n- a bullet [1]",
        citations=[
            {
                "n": 1,
                "kind": "activity",
                "id": 5,
                "label": 'Email: "hi"',
                "url": "/activities/log/?activity=5",
                "detail": "",
            }
        ],
    )
    html = assistant_answer(message)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count('href="/activities/log/?activity=5"') == 2
    assert "[4]" not in html and "<ul><li>a bullet" in html


def test_admins_review_conversations_read_only(client):
    admin = UserFactory(admin=True)
    answer = MessageFactory(answer=True)
    MessageFactory(conversation=answer.conversation)
    client.force_login(admin)
    page = client.get(
        reverse("admin:assistant_conversation_change", args=[answer.conversation.pk])
    ).content.decode()
    assert "Chloe Rossi is the decision maker [1]." in page
    assert 'name="_save"' not in page  # read-only
    assert client.get(reverse("admin:assistant_conversation_changelist")).status_code == 200
    assert client.get(reverse("admin:assistant_message_changelist")).status_code == 200
    assert client.get(reverse("admin:assistant_conversation_add")).status_code == 403
