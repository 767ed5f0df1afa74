"""Metrics tiles' words and the weekly trend chart (no database)."""

import datetime as dt

import pytest

from pages.metrics import format_minutes, trend_chart


@pytest.mark.parametrize(
    "minutes, text",
    [
        (0, "0 min"),
        (45, "45 min"),
        (60, "1 h"),
        (95, "1 h 35 min"),
        (None, "0 min"),
        ("x", "0 min"),
        (750, "12 h 30 min"),
    ],
)
def test_format_minutes(minutes, text):
    assert format_minutes(minutes) == text


def test_trend_chart_bars():
    chart = trend_chart(
        [
            {"week_start": "2026-11-02", "activities": 4},
            {"week_start": "2026-11-09", "activities": 0},
            {"week_start": "2026-11-16", "activities": 8},
            "junk",
        ],
        width=300,
        height=74,
    )
    assert [bar.activities for bar in chart.bars] == [4, 0, 8]
    assert (chart.bars[2].height, chart.bars[0].height, chart.bars[1].height) == ("60", "30", "0")
    assert chart.total == 12 and chart.first_week == dt.date(2026, 11, 2)
    assert trend_chart([]) is None
