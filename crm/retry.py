"""The outbox's retry policy: what each Salesforce error means for an entry, and the backoff.

The same table is in docs/salesforce.md; `test_push_retry.py` holds it to this code.
"""

from __future__ import annotations

import datetime as dt
import random
from enum import Enum

from django.conf import settings


class Action(str, Enum):
    """What the drain does with an entry after an error."""

    REFRESH = "refresh"  # log in again once and resend (handled by SalesforceConnection.call)
    PAUSE = "pause"  # stop the whole outbox until the pause ends; the entry is not charged an attempt
    BACKOFF = "backoff"  # try again later: exponential backoff with jitter, failed after the last attempt
    LINK = "link"  # the record exists already: link the local record to it, done
    DONE = "done"  # nothing left to do (a delete of a record that is already gone)
    FAIL = "fail"  # permanent: stays in the outbox as failed with the reason, retried from the admin


# Salesforce errorCode (or statusCode inside a collection result) → action. Anything not
# listed is permanent: a validation rule, a missing required field, a bad value, no access.
POLICY: dict[str, Action] = {
    "INVALID_SESSION_ID": Action.REFRESH,
    "REQUEST_LIMIT_EXCEEDED": Action.PAUSE,
    "UNABLE_TO_LOCK_ROW": Action.BACKOFF,
    "SERVER_UNAVAILABLE": Action.BACKOFF,
    "UNKNOWN_EXCEPTION": Action.BACKOFF,
    "HTTP_500": Action.BACKOFF,
    "HTTP_502": Action.BACKOFF,
    "HTTP_503": Action.BACKOFF,
    "HTTP_504": Action.BACKOFF,
    "NETWORK_ERROR": Action.BACKOFF,
    "QUERY_TIMEOUT": Action.BACKOFF,
    "DUPLICATES_DETECTED": Action.LINK,
    "ENTITY_IS_DELETED": Action.DONE,
}
# Codes that end a delete successfully: the record is not there any more.
GONE_ON_DELETE = {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND"}


def action_for(code: str, *, operation: str = "") -> Action:
    """The action for an error code; a delete of a record that is gone is done."""
    if operation == "delete" and code in GONE_ON_DELETE:
        return Action.DONE
    return POLICY.get(code, Action.FAIL)


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: base · 2^(attempts-1), capped, then
    "equal jitter" (a random point in the upper half), so retries of one bad minute spread out."""
    base = settings.SALESFORCE_OUTBOX_BACKOFF_SECONDS
    cap = settings.SALESFORCE_OUTBOX_BACKOFF_CAP_SECONDS
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    seconds = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
    return dt.timedelta(seconds=seconds)


def out_of_attempts(attempts: int) -> bool:
    """True when an entry that failed `attempts` times is past the retry horizon: it then retries at
    the slow cadence until `slow_retry_until`."""
    return attempts >= settings.SALESFORCE_OUTBOX_MAX_ATTEMPTS


def slow_retry_delay() -> dt.timedelta:
    """The wait between attempts past the retry horizon (an hour by default)."""
    return dt.timedelta(seconds=settings.SALESFORCE_OUTBOX_SLOW_RETRY_SECONDS)


def out_of_slow_retries(attempts: int) -> bool:
    """True when an entry past the retry horizon has also had its slow retries (hourly for a week by
    default): it then waits for an admin. Counted in attempts, not in wall time, so a week in which
    no worker ran still leaves a week of retries once one does."""
    slow = (
        settings.SALESFORCE_OUTBOX_SLOW_RETRY_DAYS
        * 86_400
        // max(settings.SALESFORCE_OUTBOX_SLOW_RETRY_SECONDS, 1)
    )
    return attempts >= settings.SALESFORCE_OUTBOX_MAX_ATTEMPTS + slow
