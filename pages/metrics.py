"""The engagement metrics of a record for one period, as tiles, and its weekly activity trend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from backstory import clock
from insights.periods import period_range

from .recency import parse_moment, short_date
from .record import Record

PERIODS = (
    ("last_7_days", "Last 7 days"),
    ("last_30_days", "Last 30 days"),
    ("last_90_days", "Last 90 days"),
    ("current_quarter", "This quarter"),
    ("current_year", "This year"),
)
PERIOD_LABELS = dict(PERIODS)
DEFAULT_PERIOD = "last_30_days"


@dataclass
class Tile:
    key: str
    label: str
    value: str
    hint: str = ""


@dataclass
class Bar:
    """One week's bar; the geometry is text ready for SVG attributes."""

    x: str
    y: str
    width: str
    height: str
    week_start: dt.date | None
    activities: int

    @property
    def title(self) -> str:
        week = f"Week of {self.week_start:%b} {self.week_start.day}" if self.week_start else "A week"
        return f"{week}: {self.activities} activit{'y' if self.activities == 1 else 'ies'}"


@dataclass
class TrendChart:
    bars: list[Bar]
    width: int
    height: int
    max_value: int
    total: int
    first_week: dt.date | None
    last_week: dt.date | None

    @property
    def axis_y(self) -> int:
        return self.height - 13

    @property
    def first_text(self) -> str:
        return short_date(self.first_week, dt.UTC)

    @property
    def last_text(self) -> str:
        return short_date(self.last_week, dt.UTC)


@dataclass
class Metrics:
    period: str
    period_label: str
    tiles: list[Tile]
    trend: TrendChart | None
    has_data: bool


def format_minutes(minutes: Any) -> str:
    """Time spent in words a rep reads at a glance: "45 min", "3 h", "12 h 30 min"."""
    try:
        minutes = int(minutes or 0)
    except (TypeError, ValueError):
        minutes = 0
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


def _count(value: Any) -> str:
    try:
        return f"{int(value or 0):,}"
    except (TypeError, ValueError):
        return "0"


def trend_chart(points: list[dict], *, width: int = 320, height: int = 72) -> TrendChart | None:
    """Weekly activity bars (inline SVG geometry) from the engine's ``metrics.trend``."""
    clean = []
    for point in points or []:
        if not isinstance(point, dict):
            continue
        try:
            count = max(0, int(point.get("activities") or 0))
        except (TypeError, ValueError):
            count = 0
        week = parse_moment(point.get("week_start"))
        clean.append((week.date() if isinstance(week, dt.datetime) else week, count))
    if not clean:
        return None
    top = max(count for _, count in clean) or 1
    slot = width / len(clean)
    gap = min(4.0, slot * 0.25)
    bars = []
    for i, (week, count) in enumerate(clean):
        bar_height = round((height - 14) * count / top, 1) if count else 0
        bars.append(
            Bar(
                x=f"{i * slot + gap / 2:g}",
                y=f"{height - 14 - bar_height:g}",
                width=f"{slot - gap:g}",
                height=f"{max(bar_height, 1 if count else 0):g}",
                week_start=week,
                activities=count,
            )
        )
    return TrendChart(
        bars=bars,
        width=width,
        height=height,
        max_value=top,
        total=sum(c for _, c in clean),
        first_week=clean[0][0],
        last_week=clean[-1][0],
    )


def _weeks_of_period(points: list, period: str) -> list:
    """The weekly points that overlap the chosen period: the chart follows the tiles above it."""
    start, _ = period_range(period, today=clock.today())
    first_week = start.date() - dt.timedelta(days=6)
    kept = []
    for point in points:
        week = parse_moment(point.get("week_start")) if isinstance(point, dict) else None
        week = week.date() if isinstance(week, dt.datetime) else week
        if week is not None and week > first_week:
            kept.append(point)
    return kept


def metrics_for(record: Record, *, period: str) -> Metrics:
    """The engagement metrics of one period, as tiles, and the weekly activity trend."""
    period = period if period in PERIOD_LABELS else DEFAULT_PERIOD
    metrics = (record.summary.metrics if record.summary else None) or {}
    values = metrics.get(period) or {}
    rate = values.get("response_rate")
    tiles = [
        Tile("meetings", "Meetings", _count(values.get("meetings"))),
        Tile(
            "executives_engaged",
            "Executives engaged",
            _count(values.get("executives_engaged")),
            "VP level and above",
        ),
        Tile("emails_sent", "Emails sent", _count(values.get("emails_sent"))),
        Tile("emails_received", "Emails received", _count(values.get("emails_received"))),
        Tile("calls", "Calls", _count(values.get("calls"))),
        Tile(
            "time_spent",
            "Time spent",
            format_minutes(values.get("time_spent_minutes")),
            "in meetings and calls",
        ),
        Tile(
            "response_rate",
            "Response rate",
            "—" if rate is None else f"{round(float(rate))}%",
            "of emails sent got a reply" if rate is not None else "no emails sent",
        ),
        Tile("people_engaged", "People engaged", _count(values.get("people_engaged"))),
    ]
    return Metrics(
        period=period,
        period_label=PERIOD_LABELS[period],
        tiles=tiles,
        trend=trend_chart(_weeks_of_period(metrics.get("trend") or [], period)),
        has_data=bool(values),
    )
