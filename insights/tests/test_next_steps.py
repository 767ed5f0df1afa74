"""Next steps: open CRM tasks, then the commitments said in recent activities."""

import datetime as dt

import pytest

from insights.services.next_steps import activity_next_steps, crm_next_steps
from insights.services.text import due_date_in, next_step_sentences
from insights.services.topics import TextActivity
from opportunities.tests.factories import NextStepFactory

from .factories import NOW


def said(n, days, body, *, private=False, author="Dana Rivera"):
    return TextActivity(
        id=n,
        occurred_at=NOW - dt.timedelta(days=days),
        is_private=private,
        kind="email",
        direction="outbound",
        subject="",
        body=body,
        author=author,
    )


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            "Hi Olivia,\n\nThanks for the call. I'll send the revised proposal by Friday.\n\nBest,\nDana",
            ["I'll send the revised proposal by Friday."],
        ),
        (
            "Great meeting today.\nNext step: security review with your InfoSec team",
            ["Security review with your InfoSec team."],
        ),
        (
            "Walked through the SOC 2 report. Action: send the sub-processor list.",
            ["Send the sub-processor list."],
        ),
        (
            "We will confirm the executive sponsor by Friday.",
            ["We will confirm the executive sponsor by Friday."],
        ),
        ("Legal will return comments next week.", ["Legal will return comments next week."]),
        (
            "Let's schedule the security review with your InfoSec team next week.",
            ["Let's schedule the security review with your InfoSec team next week."],
        ),
        ("Could we set up a call with your security engineer?", []),
        ("We can hold this pricing until the end of the quarter.", []),
        ("I will be out of office on Friday.", []),
    ],
)
def test_next_step_sentences(body, expected):
    assert list(next_step_sentences(body)) == expected


@pytest.mark.parametrize(
    "sentence, said_on, due",
    [
        ("I'll send it by Friday.", dt.date(2026, 11, 23), dt.date(2026, 11, 27)),
        (
            "I'll send it by Monday.",
            dt.date(2026, 11, 23),
            dt.date(2026, 11, 30),
        ),  # said on a Monday: next week's
        ("I'll call you tomorrow.", dt.date(2026, 11, 23), dt.date(2026, 11, 24)),
        ("Legal will return comments next week.", dt.date(2026, 11, 25), dt.date(2026, 11, 30)),
        ("I'll share it by the end of the month.", dt.date(2026, 11, 5), dt.date(2026, 11, 30)),
        ("I'll share the deck.", dt.date(2026, 11, 5), None),
    ],
)
def test_due_date_is_read_relative_to_when_it_was_said(sentence, said_on, due):
    assert due_date_in(sentence, said_on=said_on) == due


def test_the_same_promise_in_several_activities_is_one_bullet_with_the_latest_date():
    steps = activity_next_steps(
        [
            said(1, 3, "I'll send the revised order form by Friday."),
            said(2, 10, "I'll send the revised order form by Monday."),
            said(3, 40, "I'll send the security questionnaire by Friday."),  # older than 30 days
        ],
        now=NOW,
    )
    assert len(steps) == 1
    step = steps[0]
    assert step == {
        "text": "I'll send the revised order form by Friday.",
        "source": "activity",
        "date": (NOW - dt.timedelta(days=3)).isoformat(),
        "due_date": "2026-11-27",
        "owner": "Dana Rivera",
        "next_step_id": None,
        "activity_ids": [1, 2],
        "private_only": False,
    }


def test_a_promise_made_only_in_private_is_flagged_and_one_also_made_in_public_is_not():
    steps = activity_next_steps(
        [
            said(1, 2, "I'll send the merger memo by Friday.", private=True),
            said(2, 2, "I'll send the order form by Friday.", private=True),
            said(3, 4, "I'll send the order form by Monday."),
        ],
        now=NOW,
    )
    by_text = {s["text"]: s for s in steps}
    assert by_text["I'll send the merger memo by Friday."]["private_only"] is True
    shared = by_text["I'll send the order form by Monday."]
    assert shared["private_only"] is False and shared["activity_ids"] == [2, 3]


@pytest.mark.django_db
def test_open_crm_tasks_soonest_first_and_completed_ones_left_out():
    later = NextStepFactory(subject="Send order form", due_date=dt.date(2026, 12, 10))
    sooner = NextStepFactory(
        subject="Book QBR", due_date=dt.date(2026, 11, 25), opportunity=later.opportunity
    )
    undated = NextStepFactory(subject="Confirm go-live", due_date=None, opportunity=later.opportunity)
    done = NextStepFactory(subject="Sent NDA", status="completed", opportunity=later.opportunity)
    steps = crm_next_steps([later, sooner, undated, done])
    assert [s["text"] for s in steps] == ["Book QBR", "Send order form", "Confirm go-live"]
    assert steps[0] == {
        "text": "Book QBR",
        "source": "crm_task",
        "date": sooner.created_at.isoformat(),
        "due_date": "2026-11-25",
        "owner": sooner.owner.get_full_name(),
        "next_step_id": sooner.id,
        "activity_ids": [],
        "private_only": False,
    }
