"""The engagement wheel and its sparkline (no database)."""

import pytest

from pages.engagement import sparkline, wheel


@pytest.mark.parametrize(
    "score, breakdown, color, band",
    [
        (72, {"color": "green", "band": "high"}, "green", "High"),
        (30, {"color": "red", "band": "low"}, "red", "Low"),
        (61, {}, "green", ""),
        (12, {"color": "purple"}, "red", ""),
        (None, None, "red", ""),
    ],
)
def test_wheel(score, breakdown, color, band):
    w = wheel(score, breakdown)
    assert (w.color, w.band) == (color, band)
    assert 0 <= w.dash <= w.circumference


def test_wheel_arc_is_proportional_to_the_score():
    assert wheel(50, {}).dash == pytest.approx(wheel(100, {}).circumference / 2, abs=0.01)
    assert wheel(150, {}).dash == wheel(100, {}).dash


def test_sparkline_needs_two_weeks_and_scales_to_the_box():
    assert sparkline([40]) is None
    line = sparkline([0, 100], width=100, height=30)
    assert line.points == "0.0,27.0 100.0,3.0" and line.direction == "up"
