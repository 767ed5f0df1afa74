"""The assistant answers the question asked: no verdict for a question that is not yes/no, every
part of a compound question answered, and a plain "can't tell, look here" when the data has no answer."""

import pytest

from assistant.services import assistant_ask

from .demo_world import SECRET

pytestmark = pytest.mark.django_db


def ask(world, key, question):
    return assistant_ask(user=world.rep, record=world.accounts[key], question=question)[1]


def test_a_budget_question_gets_no_confident_verdict(demo_world):
    answer = ask(demo_world, "northwind", "What budget has the CFO approved for next year?")
    assert not answer.text.startswith(("Yes", "No"))
    assert "can't answer that as a fact" in answer.text
    assert "Where to look" in answer.text
    assert "came up in" not in answer.text


def test_why_some_activities_are_hidden_is_explained_not_answered_no(demo_world):
    answer = ask(demo_world, "northwind", "Why can't I see some activities?")
    assert not answer.text.startswith(("Yes", "No"))
    assert "contact creation" not in answer.text
    assert "2 of the" in answer.text and "private to a colleague" in answer.text
    assert "only by its owner" in answer.text
    assert SECRET not in answer.text


def test_both_parts_of_a_compound_question_are_answered(demo_world):
    answer = ask(demo_world, "northwind", "Which competitors came up, and what are the biggest risks?")
    assert "Gong" in answer.text and "Champion has gone quiet" in answer.text
    assert answer.text.index("Which competitors came up?") < answer.text.index("What are the biggest risks?")
    # one numbering across the parts, each marker with its source
    numbers = [c["n"] for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))


def test_why_engagement_and_what_next_both_answered(demo_world):
    answer = ask(demo_world, "northwind", "Why is engagement only medium and what should I do next?")
    assert "78 out of 100" in answer.text
    assert "It is not medium: the level is high." in answer.text
    assert "Send the sub-processor list to InfoSec" in answer.text


def test_a_yes_no_question_about_a_topic_still_gets_its_verdict(demo_world):
    answer = ask(demo_world, "northwind", "Was pricing discussed?")
    assert answer.text.startswith("Yes: pricing came up")
