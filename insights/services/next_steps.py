"""Next steps: the open CRM tasks on a record, then the commitments said in its recent activities.

Seed: "Next Steps show upcoming actions or tasks logged in your CRM. Use it as your action list to
keep momentum."
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from opportunities.models import NextStep

from .text import due_date_in, next_step_sentences
from .topics import TextActivity

# Sentences older than this are history, not an action list.
SENTENCE_WINDOW_DAYS = 30
MAX_SENTENCES = 6


def crm_next_steps(tasks: Iterable[NextStep]) -> list[dict]:
    """Open CRM tasks, soonest due first (tasks with no due date last)."""
    items = []
    for task in sorted(tasks, key=lambda t: (t.due_date is None, t.due_date or dt.date.max, t.id)):
        # Seed: "Next Steps show upcoming actions or tasks logged in your CRM."
        if task.status != NextStep.Status.OPEN:
            continue
        owner = task.owner.get_full_name() if task.owner_id and task.owner else None
        items.append(
            {
                "text": task.subject,
                "source": "crm_task",
                "date": task.created_at.isoformat(),
                "due_date": task.due_date.isoformat() if task.due_date else None,
                "owner": owner or None,
                "next_step_id": task.id,
                "activity_ids": [],
                "private_only": False,
            }
        )
    return items


def _sentence_key(text: str) -> str:
    # The same promise repeated with another weekday or amount is the same next step.
    text = re.sub(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", "<day>", text.lower())
    return " ".join(re.sub(r"[$€£]?\d[\d,.]*", "<n>", text).split())


def activity_next_steps(activities: Iterable[TextActivity], *, now: dt.datetime) -> list[dict]:
    """Next-step sentences ("I'll send the revised proposal by Friday", "Next step: ...",
    "Action: ...") from the last 30 days, the most recently said first; one bullet per promise with
    every activity that made it. A sentence said only in private activities is ``private_only``."""
    since = now - dt.timedelta(days=SENTENCE_WINDOW_DAYS)
    found: dict[str, dict] = {}
    for activity in sorted(activities, key=lambda a: (a.occurred_at, a.id), reverse=True):
        if not (since < activity.occurred_at <= now):
            continue
        for sentence in next_step_sentences(activity.body):
            key = _sentence_key(sentence)
            item = found.get(key)
            if item is None:
                due = due_date_in(sentence, said_on=activity.occurred_at.date())
                item = found[key] = {
                    "text": sentence,
                    "source": "activity",
                    "date": activity.occurred_at.isoformat(),
                    "due_date": due.isoformat() if due else None,
                    "owner": activity.author or None,
                    "next_step_id": None,
                    "activity_ids": [],
                    "private_only": True,
                }
            elif item["private_only"] and not activity.is_private:
                # Show the wording of an activity everyone may see.
                due = due_date_in(sentence, said_on=activity.occurred_at.date())
                item.update(
                    text=sentence, due_date=due.isoformat() if due else None, owner=activity.author or None
                )
            item["activity_ids"].append(activity.id)
            item["private_only"] = item["private_only"] and activity.is_private
    return list(found.values())[:MAX_SENTENCES]


def next_steps(
    *, tasks: Iterable[NextStep], activities: Iterable[TextActivity], now: dt.datetime
) -> list[dict]:
    """``Summary.next_steps``: open CRM tasks first, then what was promised in recent activities."""
    return crm_next_steps(tasks) + activity_next_steps(activities, now=now)
