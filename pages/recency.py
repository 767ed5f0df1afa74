"""Recency: DESIGN.md's four bands, the same everywhere on a page, and the dates a page shows,
each in the reader's time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Band:
    css: str
    label: str


RECENCY_7 = Band("recency-7", "Last 7 days")
RECENCY_14 = Band("recency-14", "Last 14 days")
RECENCY_30 = Band("recency-30", "Last 30 days")
RECENCY_OLD = Band("recency-old", "Older than 30 days")
RECENCY_NONE = Band("recency-none", "No date")
RECENCY_LEGEND = (RECENCY_7, RECENCY_14, RECENCY_30, RECENCY_OLD)


def parse_moment(value: Any) -> dt.datetime | dt.date | None:
    """A date or an aware datetime from what the engine stored in JSON (ISO text), else None.
    A datetime without an offset is UTC, as everything in the database is."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def local_date(moment: dt.datetime | dt.date | None, zone: dt.tzinfo) -> dt.date | None:
    """The calendar day of ``moment`` in ``zone`` (a date stays as it is)."""
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        return moment.astimezone(zone).date()
    return moment


def recency_band(moment: dt.datetime | dt.date | None, *, today: dt.date, zone: dt.tzinfo = dt.UTC) -> Band:
    """Design: "≤ 7 days, ≤ 14 days, ≤ 30 days, older, measured from today in the user's time zone".
    A moment in the future (a meeting ahead, a due date) is as recent as it gets."""
    day = local_date(moment, zone)
    if day is None:
        return RECENCY_NONE
    age = (today - day).days
    if age <= 7:
        return RECENCY_7
    if age <= 14:
        return RECENCY_14
    if age <= 30:
        return RECENCY_30
    return RECENCY_OLD


def short_date(moment: dt.datetime | dt.date | None, zone: dt.tzinfo) -> str:
    """ "Nov 21": the day of ``moment`` in the reader's time zone (text made here, not by template
    filters: pages render many of them)."""
    day = local_date(moment, zone)
    return f"{day:%b} {day.day}" if day else ""


def long_date(moment: dt.datetime | dt.date | None, zone: dt.tzinfo) -> str:
    """ "Nov 21, 2026"."""
    day = local_date(moment, zone)
    return f"{day:%b} {day.day}, {day.year}" if day else ""


def iso(moment: dt.datetime | dt.date | None) -> str:
    return moment.isoformat() if moment else ""
