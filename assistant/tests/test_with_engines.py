"""The assistant over what the real engines produce: the demo org matched by capture and summarized
by the insights engine. The facts move as those engines are tuned, so this checks what must always
hold: answers are grounded in the record, every marker resolves, cited activities are ones the rep
may open on that record, and another rep's private activity never lends its words."""

import io
import re

import pytest
from django.core.management import call_command

from accounts.models import Account
from activities.models import Activity
from activities.services import match_activities
from assistant.services import assistant_ask
from insights.models import Summary
from insights.services import summaries_refresh_all
from opportunities.models import Opportunity
from users.models import User

pytestmark = pytest.mark.django_db

QUESTIONS = [
    ("What are the risks?", "risks"),
    ("What are the key topics?", "key_topics"),
    ("What's the engagement level and why?", "engagement"),
    ("What was discussed last week?", "recent_discussion"),
    ("Give me a summary for my manager", "manager_summary"),
    ("What are the next steps?", "next_steps"),
    ("Who are the decision makers?", "decision_makers"),
    ("When is the next meeting?", "next_meeting"),
    ("Were any competitors mentioned?", "competitors"),
    ("What did they say about the security review?", "search"),
]


@pytest.fixture
def engine_org(frozen_now):
    call_command("seed_demo", "--accounts", "4", "--activities", "400", "--no-progress", stdout=io.StringIO())
    # Idempotent: whether or not seed_demo already ran the engines, run capture's matching and the summaries.
    match_activities(activity_ids=None)
    summaries_refresh_all()
    return User.objects.get(username="rep")


def _record_activity_ids(record) -> set[int]:
    if isinstance(record, Opportunity):
        return set(
            Activity.objects.filter(opportunity_links__opportunity=record).values_list("pk", flat=True)
        )
    return set(Activity.objects.filter(account=record).values_list("pk", flat=True))


def test_answers_over_the_engines_output_are_grounded_cited_and_private_safe(engine_org):
    rep = engine_org
    records = list(Account.objects.filter(activities__isnull=False).distinct()[:3])
    records += list(Opportunity.objects.filter(activity_links__isnull=False, is_closed=False).distinct()[:2])
    assert records and Summary.objects.exists()
    answered_from_summary = 0
    for record in records:
        others_private = list(
            Activity.objects.filter(pk__in=_record_activity_ids(record), is_private=True)
            .exclude(owner=rep)
            .values_list("pk", "body")
        )
        for question, intent in QUESTIONS:
            _, answer = assistant_ask(user=rep, record=record, question=question)
            assert answer.intent == intent, (question, answer.text)
            numbers = {c["n"] for c in answer.citations}
            assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)} <= numbers, answer.text
            cited = {c["id"] for c in answer.citations if c["kind"] == "activity"}
            assert cited <= _record_activity_ids(record), (question, record)
            assert not cited & {pk for pk, _ in others_private}, (question, record)
            for _, body in others_private:
                first_sentence = body.split(".")[0].strip()
                if (
                    len(first_sentence) > 40
                    and not Activity.objects.filter(
                        body__startswith=first_sentence, is_private=False
                    ).exists()
                ):
                    assert first_sentence not in answer.text
            if intent in ("risks", "key_topics", "engagement") and "hasn't generated" not in answer.text:
                answered_from_summary += 1
    assert answered_from_summary > 0
