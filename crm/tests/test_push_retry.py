"""The retry policy: the code's table, the documented table, and the backoff."""

import random
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from crm.retry import POLICY, Action, action_for, backoff_delay, out_of_attempts

DOC = Path(django_settings.BASE_DIR) / "docs" / "salesforce.md"


def documented_policy(*, examples: bool = False) -> dict[str, str]:
    """Error code → the documented behaviour, from the retry policy table in docs/salesforce.md
    (with `examples`, the codes the "anything else" row names instead)."""
    text = DOC.read_text()
    table = text[text.index("### Retry policy") : text.index("**Backoff**")]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0].startswith(("Salesforce error", "---")):
            continue
        if " on a delete" in cells[0] or cells[0].startswith("anything else") != examples:
            continue  # the delete-only row is checked below
        for code in re.findall(r"`([A-Z_0-9]+)`", cells[0]):
            rows[code] = cells[2]
    return rows


def documented_action(behaviour: str) -> Action:
    """The action a documented behaviour describes (its first words decide, the links excepted)."""
    for words, action in (
        ("log in again", Action.REFRESH),
        ("pause the whole outbox", Action.PAUSE),
        ("link the local record", Action.LINK),
        ("failed for good", Action.FAIL),
    ):
        if words in behaviour:
            return action
    for start, action in (("done", Action.DONE), ("backoff", Action.BACKOFF)):
        if behaviour.startswith(start):
            return action
    raise AssertionError(f"undocumented behaviour: {behaviour}")


def test_the_documented_table_is_the_policy():
    documented = documented_policy()
    assert set(documented) == set(POLICY)
    assert {code: documented_action(text) for code, text in documented.items()} == dict(POLICY)
    for code, text in documented_policy(examples=True).items():
        assert documented_action(text) is Action.FAIL and action_for(code) is Action.FAIL


@pytest.mark.parametrize(
    ("code", "operation", "action"),
    [
        ("UNABLE_TO_LOCK_ROW", "upsert", Action.BACKOFF),
        ("REQUEST_LIMIT_EXCEEDED", "update", Action.PAUSE),
        ("DUPLICATES_DETECTED", "upsert", Action.LINK),
        ("REQUIRED_FIELD_MISSING", "upsert", Action.FAIL),
        ("INVALID_CROSS_REFERENCE_KEY", "update", Action.FAIL),
        ("INVALID_CROSS_REFERENCE_KEY", "delete", Action.DONE),
        ("NOT_FOUND", "delete", Action.DONE),
        ("ENTITY_IS_DELETED", "delete", Action.DONE),
    ],
)
def test_what_each_error_means(code, operation, action):
    assert action_for(code, operation=operation) is action


@pytest.mark.parametrize(
    ("attempts", "low", "high"), [(1, 15, 30), (2, 30, 60), (3, 60, 120), (8, 1800, 3600), (20, 1800, 3600)]
)
def test_backoff_doubles_with_jitter_up_to_the_cap(settings, attempts, low, high):
    settings.SALESFORCE_OUTBOX_BACKOFF_SECONDS = 30
    settings.SALESFORCE_OUTBOX_BACKOFF_CAP_SECONDS = 3600
    delays = {backoff_delay(attempts, rng=random.Random(seed)).total_seconds() for seed in range(50)}
    assert low <= min(delays) and max(delays) <= high
    assert len(delays) > 40  # spread out, not all at the same instant


def test_an_entry_stops_retrying_after_the_last_attempt(settings):
    settings.SALESFORCE_OUTBOX_MAX_ATTEMPTS = 10
    assert not out_of_attempts(9) and out_of_attempts(10)
