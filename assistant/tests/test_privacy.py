"""Another rep's private meeting never contributes words or citations to an answer; its owner and
admins get it. Aggregates say when they include private activities, as the pages' metrics do."""

import pytest

from assistant.services import assistant_ask

from .demo_world import SECRET

pytestmark = pytest.mark.django_db

PROBES = [
    f"Tell me about {SECRET}",
    "What was discussed last week?",
    "When is the next meeting?",
    "What are the risks?",
    "What are the key topics?",
    "Were any competitors mentioned?",
    "Was pricing discussed?",
    "What did the CFO say about the budget freeze?",
    "What changed since last week?",
    "Give me a summary for my manager",
    "What did they say about the 40% discount?",
]


def _cited_activities(answer):
    return {c["id"] for c in answer.citations if c["kind"] == "activity"}


@pytest.mark.parametrize("question", PROBES)
def test_another_reps_private_meeting_is_never_in_the_answer(question, demo_world, frozen_now):
    northwind = demo_world.accounts["northwind"]
    _, answer = assistant_ask(user=demo_world.rep, record=northwind, question=question)
    assert SECRET not in answer.text
    assert "40% discount" not in answer.text
    assert not {demo_world.private_meeting.pk, demo_world.private_upcoming.pk} & _cited_activities(answer)


def test_the_owner_of_the_private_meeting_gets_its_content(demo_world, frozen_now):
    northwind = demo_world.accounts["northwind"]
    _, answer = assistant_ask(user=demo_world.colleague, record=northwind, question=f"Tell me about {SECRET}")
    assert SECRET in answer.text
    assert demo_world.private_meeting.pk in _cited_activities(answer)
    _, upcoming = assistant_ask(
        user=demo_world.colleague, record=northwind, question="When is the next meeting?"
    )
    assert f"{SECRET} board prep" in upcoming.text


def test_an_admin_sees_the_risk_raised_only_in_a_private_meeting(demo_world, frozen_now):
    northwind = demo_world.accounts["northwind"]
    _, for_admin = assistant_ask(user=demo_world.admin, record=northwind, question="What are the risks?")
    _, for_rep = assistant_ask(user=demo_world.rep, record=northwind, question="What are the risks?")
    assert "Budget frozen" in for_admin.text
    assert "Budget frozen" not in for_rep.text and "Champion has gone quiet" in for_rep.text


def test_counts_include_private_meetings_only_as_numbers_and_say_so(demo_world, frozen_now):
    opportunity = demo_world.opportunity
    _, answer = assistant_ask(
        user=demo_world.rep, record=opportunity, question="How many meetings this month?"
    )
    assert "private meeting of a colleague" in answer.text
    assert "engagement metrics count private activities too" in answer.text
    assert SECRET not in answer.text
    assert demo_world.extra["private_opp_meeting"].pk not in _cited_activities(answer)


def test_the_private_meeting_is_not_sent_to_the_language_model(
    demo_world, frozen_now, settings, llm_stand_in
):
    settings.ASSISTANT_LLM_BASE_URL = llm_stand_in.url
    _, answer = assistant_ask(
        user=demo_world.rep, record=demo_world.accounts["northwind"], question="What was discussed last week?"
    )
    assert answer.used_llm
    prompt = llm_stand_in.requests[-1]["messages"][-1]["content"]
    assert "Sources:\n[1] activity:" in prompt
    assert SECRET not in prompt


def test_a_decision_maker_known_only_from_a_colleagues_private_meeting_is_not_named(demo_world, frozen_now):
    from activities.tests.factories import ParticipantFactory
    from contacts.tests.factories import ContactFactory
    from opportunities.models import Opportunity
    from opportunities.tests.factories import OpportunityContactRoleFactory

    opportunity = Opportunity.objects.filter(account=demo_world.private_meeting.account).first()
    quiet = ContactFactory(
        account=opportunity.account,
        first_name="Morgan",
        last_name="Quiet",
        email="morgan.quiet@northwind.example",
    )
    OpportunityContactRoleFactory(
        opportunity=opportunity, contact=quiet, role="Economic Buyer", created_by_backstory=True
    )
    ParticipantFactory(activity=demo_world.private_meeting, email=quiet.email, name="Morgan Quiet")
    _, for_rep = assistant_ask(
        user=demo_world.rep, record=opportunity, question="Who are the decision makers?"
    )
    _, for_owner = assistant_ask(
        user=demo_world.colleague, record=opportunity, question="Who are the decision makers?"
    )
    assert "Morgan Quiet" not in for_rep.text
    assert "Morgan Quiet" in for_owner.text
