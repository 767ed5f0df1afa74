"""The engagement level of a record: the wheel, its breakdown and its weekly trend, read from
what the insights engine cached."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from activities.selectors import activities_in_sync
from backstory import clock
from insights.models import EngagementSnapshot

from .recency import parse_moment
from .record import Record

COMPONENT_LABELS = {
    "meeting": "Meetings",
    "call": "Calls",
    "email_received": "Emails received",
    "email_sent": "Emails sent",
}
BAND_LABELS = {"low": "Low", "medium": "Medium", "high": "High"}
WHEEL_RADIUS = 52


@dataclass
class Wheel:
    """An engagement wheel: a 0-100 score drawn as an arc, green or red."""

    score: int
    color: str
    band: str
    radius: int = WHEEL_RADIUS

    @property
    def circumference(self) -> float:
        return round(2 * math.pi * self.radius, 2)

    @property
    def dash(self) -> float:
        return round(self.circumference * max(0, min(self.score, 100)) / 100, 2)

    @property
    def dasharray(self) -> str:
        return f"{self.dash} {self.circumference}"

    @property
    def label(self) -> str:
        return f"{self.score} out of 100" + (f", {self.band}" if self.band else "")


def wheel(score: int | None, breakdown: dict | None) -> Wheel:
    """The wheel of a score and its engine breakdown (which says green or red, and the band)."""
    breakdown = breakdown or {}
    score = int(score or 0)
    color = (
        breakdown.get("color")
        if breakdown.get("color") in ("green", "red")
        else ("green" if score >= 50 else "red")
    )
    return Wheel(score=score, color=color, band=BAND_LABELS.get(str(breakdown.get("band", "")).lower(), ""))


@dataclass
class Component:
    label: str
    count: int
    weight: float
    points: float


@dataclass
class Sparkline:
    """A small trend line (inline SVG) of weekly scores, oldest first."""

    points: str
    first: int
    last: int
    weeks: int
    width: int = 120
    height: int = 32

    @property
    def direction(self) -> str:
        if self.last > self.first:
            return "up"
        return "down" if self.last < self.first else "flat"

    @property
    def caption(self) -> str:
        return f"{self.first} → {self.last} over {self.weeks} weeks"


@dataclass
class Engagement:
    wheel: Wheel
    components: list[Component]
    window_weeks: int
    explanation: str
    normalisation: str
    last_activity_at: dt.datetime | dt.date | None
    decayed_points: float | None
    undecayed_points: float | None
    trend: Sparkline | None
    some_activities_hidden: bool
    is_stale: bool


def components(breakdown: dict) -> list[Component]:
    rows = []
    for item in breakdown.get("components") or []:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("kind", ""))
        rows.append(
            Component(
                label=COMPONENT_LABELS.get(kind, kind.replace("_", " ").capitalize()),
                count=int(item.get("count") or 0),
                weight=item.get("weight") or 0,
                points=round(float(item.get("points") or 0), 1),
            )
        )
    return rows


def sparkline(scores: list[int], *, width: int = 120, height: int = 32) -> Sparkline | None:
    """A polyline through weekly scores (0-100), or None with fewer than two weeks."""
    if len(scores) < 2:
        return None
    step = width / (len(scores) - 1)
    pad = 3
    points = " ".join(
        f"{round(i * step, 1)},{round(pad + (height - 2 * pad) * (1 - max(0, min(s, 100)) / 100), 1)}"
        for i, s in enumerate(scores)
    )
    return Sparkline(
        points=points, first=scores[0], last=scores[-1], weeks=len(scores), width=width, height=height
    )


def engagement_trend(record: Record, *, today: dt.date, weeks: int = 12) -> Sparkline | None:
    """The record's weekly engagement snapshots over the last ``weeks`` weeks, as a sparkline."""
    since = today - dt.timedelta(weeks=weeks)
    scores = list(
        EngagementSnapshot.objects.filter(
            subject_type=record.snapshot_subject, subject_id=record.pk, week_start__gt=since
        )
        .order_by("week_start")
        .values_list("score", flat=True)
    )
    return sparkline(scores)


def some_activities_hidden(record: Record, *, user, window_weeks: int) -> bool:
    """FAQ: "The score is calculated using all matched activities, so it may reflect activity that
    is not visible to every user." True when the score's window counts an activity this user may not
    see: a private one of someone else (``activities_visible_to`` shows private activities only to
    their owner and admins)."""
    if user.is_admin:
        return False
    since = clock.now() - dt.timedelta(weeks=window_weeks)
    counted = activities_in_sync(record.activities()).filter(occurred_at__gte=since)
    return counted.filter(is_private=True).exclude(owner_id=user.pk).exists()


def summary_has_data(summary) -> bool:
    """A summary built from at least one matched activity. One built for a record with none yet (a
    new account, a sync still catching up) is no data: the page shows the FAQ's guidance instead of
    a red 0 and an empty summary."""
    return summary is not None and (summary.latest_activity_at is not None or bool(summary.engagement_level))


def engagement_for(record: Record, *, user, today: dt.date) -> Engagement | None:
    """The engagement level of a record for its wheel and its explanation, or None before the engine ran."""
    summary = record.summary
    if not summary_has_data(summary):
        return None
    breakdown = summary.engagement_breakdown or {}
    recency = breakdown.get("recency") or {}
    window = int(breakdown.get("window_weeks") or 12)
    return Engagement(
        wheel=wheel(summary.engagement_level, breakdown),
        components=components(breakdown),
        window_weeks=window,
        explanation=str(breakdown.get("explanation") or ""),
        normalisation=str(breakdown.get("normalisation") or ""),
        last_activity_at=parse_moment(recency.get("last_activity_at")) or summary.latest_activity_at,
        decayed_points=recency.get("decayed_points"),
        undecayed_points=recency.get("undecayed_points"),
        trend=engagement_trend(record, today=today, weeks=window),
        some_activities_hidden=some_activities_hidden(record, user=user, window_weeks=window),
        is_stale=summary.is_stale,
    )
