"""The language model path against a local stand-in: the model gets the cited context, its markers
are kept when they map to a source and dropped otherwise; any failure falls back to the offline
answer with a notice."""

import datetime as dt

import pytest

from accounts.tests.factories import AccountFactory
from activities.tests.factories import ActivityFactory, ParticipantFactory
from assistant.models import Message
from assistant.services import assistant_ask
from assistant.services.llm import keep_known_markers
from contacts.tests.factories import ContactFactory
from opportunities.tests.factories import OpportunityContactRoleFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(frozen_now):
    account = AccountFactory(name="Northwind Logistics")
    opportunity = OpportunityFactory(account=account, stage="Closed Won")
    chloe = ContactFactory(account=account, first_name="Chloe", last_name="Rossi", title="VP of Engineering")
    OpportunityContactRoleFactory(opportunity=opportunity, contact=chloe, role="Decision Maker")
    call = ActivityFactory(
        call=True,
        account=account,
        owner=account.owner,
        subject="Call with Chloe about pricing",
        body="Discussed the volume discount.",
        occurred_at=frozen_now - dt.timedelta(days=2),
    )
    ParticipantFactory(activity=call, email=chloe.email, name="Chloe Rossi", contact=chloe)
    return account


def test_the_model_answers_with_the_cited_context_and_unknown_markers_are_dropped(
    account, settings, llm_stand_in
):
    settings.ASSISTANT_LLM_BASE_URL = llm_stand_in.url
    _, answer = assistant_ask(user=account.owner, record=account, question="Who are the decision makers?")

    assert answer.used_llm and not answer.fell_back and answer.notice == ""
    assert (
        answer.text == "The decision maker is Chloe Rossi [1], last seen on the pricing call [2]. See also."
    )
    assert [c["kind"] for c in answer.citations] == ["contact", "activity"]
    sent = llm_stand_in.requests[-1]
    assert sent["model"] == "stand-in-model"
    assert llm_stand_in.headers[-1]["Authorization"] == "Bearer test-key"
    prompt = sent["messages"][-1]["content"]
    assert (
        "[1] contact: Chloe Rossi" in prompt and "[2] activity: Call: Call with Chloe about pricing" in prompt
    )
    assert "Question: Who are the decision makers?" in prompt
    assert "cite" in sent["messages"][0]["content"].lower()


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("error", "answered with HTTP 503"),
        ("bad_json", "sent a reply that is not a chat completion"),
        ("slow", "timed out"),
        ("no_citations", "answered without citing any source"),
    ],
)
def test_a_failing_model_falls_back_to_the_offline_answer_with_a_notice(
    mode, reason, account, settings, llm_stand_in
):
    settings.ASSISTANT_LLM_BASE_URL = llm_stand_in.url
    llm_stand_in.mode = mode
    _, answer = assistant_ask(user=account.owner, record=account, question="Who are the decision makers?")

    assert not answer.used_llm and answer.fell_back
    assert (
        answer.notice
        == f"The language model {reason}, so this answer was composed offline from the same data."
    )
    assert "Chloe Rossi, VP of Engineering (Decision Maker on" in answer.text
    assert ("contact", answer.citations[0]["id"]) == ("contact", account.contacts.get().pk)


def test_an_unreachable_endpoint_falls_back(account, settings):
    settings.ASSISTANT_LLM_BASE_URL = "http://127.0.0.1:9/v1"  # the discard port: nothing listens
    settings.ASSISTANT_LLM_TIMEOUT = 0.5
    _, answer = assistant_ask(user=account.owner, record=account, question="Who are the decision makers?")
    assert answer.fell_back and "could not be reached" in answer.notice


def test_without_an_endpoint_the_answer_is_offline_and_no_request_is_made(account, settings, llm_stand_in):
    settings.ASSISTANT_LLM_BASE_URL = ""
    _, answer = assistant_ask(user=account.owner, record=account, question="Who are the decision makers?")
    assert not answer.used_llm and not answer.fell_back and llm_stand_in.requests == []


def test_the_fallback_shows_its_notice_in_the_panel(account, settings, llm_stand_in, client):
    settings.ASSISTANT_LLM_BASE_URL = llm_stand_in.url
    llm_stand_in.mode = "error"
    client.force_login(account.owner)
    response = client.post(
        f"/assistant/account/{account.pk}/ask/",
        {"question": "Who are the decision makers?"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'class="assistant-notice"' in body and "answered with HTTP 503" in body
    assert Message.objects.filter(role="assistant", fell_back=True).count() == 1


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [
        ("A [1] and B [2].", {1, 2}, ("A [1] and B [2].", {1, 2})),
        ("A [1] and B [7].", {1}, ("A [1] and B.", {1})),
        ("Nothing cited.", {1}, ("Nothing cited.", set())),
        ("[3][1] both", {1, 3}, ("[3][1] both", {1, 3})),
    ],
)
def test_only_markers_that_map_to_a_source_are_kept(text, known, expected):
    assert keep_known_markers(text=text, known=known) == expected
