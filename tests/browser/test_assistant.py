"""In a real browser: open the assistant from the chat icon on a page, ask, and see a cited answer."""

import datetime as dt

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from accounts.tests.factories import AccountFactory
from activities.tests.factories import ActivityFactory, ParticipantFactory
from users.tests.factories import UserFactory

# A test-only page: base.html with the launcher in the top bar, as the account page will have it.
PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block topbar_tools %}{% include "assistant/partials/chat_launcher.html" %}{% endblock %}'
    "{% block content %}<h1>{{ account.name }}</h1>{% endblock %}"
)


def account_page(request, pk):
    from accounts.models import Account

    account = Account.objects.get(pk=pk)
    return HttpResponse(
        PAGE.render({"account": account, "record_type": "account", "record_id": account.pk}, request)
    )


urlpatterns = [
    path("test-account-page/<int:pk>/", account_page),
    path("", include("backstory.urls")),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_rep_asks_the_assistant_on_a_page_and_sees_a_cited_answer(
    live_server, settings, frozen_now, new_page, screenshot
):
    from playwright.sync_api import expect

    settings.ROOT_URLCONF = __name__
    rep = UserFactory(username="dana.rivera", first_name="Dana", last_name="Rivera")
    account = AccountFactory(name="Globex Corporation", owner=rep)
    email = ActivityFactory(
        account=account,
        owner=rep,
        subject="Pricing proposal for Globex",
        body="Hi Ana,\n\nAttached is the pricing proposal: $40,000 per year for the Enterprise tier.",
        occurred_at=frozen_now - dt.timedelta(days=2),
    )
    ParticipantFactory(activity=email, email="ana.buyer@globex.com", name="Ana Buyer")

    # The session's one browser (conftest): a second Playwright inside it would not start.
    page = new_page(1280, 860)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "dana.rivera")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/test-account-page/{account.pk}/")

    page.click(".assistant-launcher")
    question = page.locator("#assistant-question")
    expect(question).to_be_visible()
    question.fill("Was pricing discussed?")
    question.press("Enter")

    answer = page.locator(".assistant-message-answer").last
    expect(answer).to_contain_text("Yes: pricing came up in 1 activity")
    expect(answer).to_contain_text("$40,000 per year")
    citation = answer.locator("a.assistant-cite").first
    expect(citation).to_have_attribute("href", f"/activities/log/{email.pk}/")
    expect(answer.locator(".assistant-sources")).to_contain_text("Email: Pricing proposal for Globex")
    screenshot(page, "assistant-cited-answer", full_page=True)
