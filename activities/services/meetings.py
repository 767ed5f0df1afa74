"""A meeting already captured that its calendar has since changed: moved, re-titled, cancelled, or
taken off the calendar. One home for the rule, whichever way the calendar came in again (an ``.ics``
file imported again, a CalDAV calendar or an ICS feed synced by ``connections``).

Captured meetings are never deleted here: an occurrence the calendar no longer holds is marked
cancelled, so it stops counting as a meeting held and its history stays traceable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction

from rollups.services import rollups_kept_current

from ..handoff import hand_off_after_capture
from ..models import Activity
from ..parsing.results import ParsedActivity

# The fields a calendar may change on a meeting already stored.
MEETING_FIELDS = ("subject", "occurred_at", "duration_minutes", "location", "is_cancelled")


def _calendar_values(item: ParsedActivity) -> dict:
    return {
        "subject": " ".join((item.subject or "").split())[: Activity._meta.get_field("subject").max_length],
        "occurred_at": item.occurred_at,
        "duration_minutes": item.duration_minutes,
        "location": (item.location or "")[: Activity._meta.get_field("location").max_length],
        "is_cancelled": item.is_cancelled,
    }


def meetings_update_from_calendar(
    *, parsed: Mapping[str, ParsedActivity], hand_off: bool = True
) -> dict[str, int]:
    """Meetings already stored (by source id) take the time, title, place and status their calendar
    now gives them. Issue 18: "a CalDAV change (moved meeting, cancelled occurrence) updates the
    stored meeting". The rollups follow in the same transaction and the engines read the changed
    meetings after commit. Returns the changed meetings' ids by source id."""
    if not parsed:
        return {}
    changed: list[Activity] = []
    stored = Activity.objects.filter(source_id__in=list(parsed), kind=Activity.Kind.MEETING)
    for activity in stored.only("pk", "source_id", *MEETING_FIELDS):
        values = _calendar_values(parsed[activity.source_id])
        if any(getattr(activity, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(activity, name, value)
            changed.append(activity)
    if not changed:
        return {}
    ids = [activity.pk for activity in changed]
    with transaction.atomic(), rollups_kept_current(activity_ids=ids):
        Activity.objects.bulk_update(changed, MEETING_FIELDS)
        if hand_off:
            hand_off_after_capture(ids)
    return {activity.source_id: activity.pk for activity in changed}


def meetings_cancel_missing(
    *, series: Iterable[str], kept: Iterable[str], start: dt.datetime, end: dt.datetime
) -> list[int]:
    """Occurrences between ``start`` and ``end`` of these series (iCalendar UIDs) that the calendar
    no longer lists (source ids not in ``kept``) are marked cancelled. Returns their ids."""
    uids = [uid for uid in set(series) if uid]
    if not uids:
        return []
    ids = list(
        Activity.objects.filter(
            kind=Activity.Kind.MEETING,
            thread_id__in=uids,
            occurred_at__gte=start,
            occurred_at__lte=end,
            is_cancelled=False,
        )
        .exclude(source_id__in=list(set(kept)))
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    with transaction.atomic(), rollups_kept_current(activity_ids=ids):
        Activity.objects.filter(pk__in=ids).update(is_cancelled=True)
        hand_off_after_capture(ids)
    return ids
