"""The pull's time windows.

Each object is pulled over half-open windows [start, end) of SystemModstamp. A window ends two
minutes before now, on a whole minute: Salesforce commits a record's SystemModstamp a little
before the record is visible to queries, and its replication API (getUpdated/getDeleted) works
by the minute, so both halves of a run see exactly the same window.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .values import parse_datetime

LAG = dt.timedelta(minutes=2)
MINIMUM = dt.timedelta(minutes=1)
# getDeleted answers for the last 30 days only.
DELETE_LOG_DAYS = 30


def window_end(now: dt.datetime) -> dt.datetime:
    """Where a window that starts now must end: two minutes ago, on the minute."""
    return (now - LAG).replace(second=0, microsecond=0)


def window_is_open(start: dt.datetime | None, end: dt.datetime) -> bool:
    """True when [start, end) holds at least a minute (a first pull, start None, always does)."""
    return start is None or end - start >= MINIMUM


def delete_log_covers(start: dt.datetime, body: dict[str, Any]) -> bool:
    """Does a getDeleted answer for a window starting at `start` list every delete since then?

    Salesforce's rule: when earliestDateAvailable is later than the start, deletes before it may
    have been purged and a full resync is needed. Two answers are not purges: an
    earliestDateAvailable that is the date of a delete listed in this very answer (the log simply
    starts there, as the stand-in reports it), and one equal to latestDateCovered (no delete at
    all yet).
    """
    earliest = parse_datetime(body.get("earliestDateAvailable"))
    if earliest is None or earliest <= start:
        return True
    latest = parse_datetime(body.get("latestDateCovered"))
    if latest is not None and earliest == latest:
        return True
    listed = {parse_datetime(row.get("deletedDate")) for row in body.get("deletedRecords") or []}
    return earliest in listed
