"""Table-driven tests for the small rules of the Backstory pages (no database)."""

import datetime as dt

import pytest

from accounts.page_selectors import (
    RECENCY_7,
    RECENCY_14,
    RECENCY_30,
    RECENCY_NONE,
    RECENCY_OLD,
    PeopleQuery,
    format_minutes,
    parse_moment,
    recency_band,
    sparkline,
    trend_chart,
    wheel,
)
from accounts.pages import PageState
from accounts.selectors import salesforce_id_forms
from accounts.templatetags.backstory_pages import highlight, initials

TODAY = dt.date(2026, 11, 23)
UTC = dt.UTC


@pytest.mark.parametrize(
    "moment, band",
    [
        (dt.date(2026, 11, 23), RECENCY_7),
        (dt.date(2026, 11, 16), RECENCY_7),  # 7 days: still the first band
        (dt.date(2026, 11, 15), RECENCY_14),
        (dt.date(2026, 11, 9), RECENCY_14),
        (dt.date(2026, 11, 8), RECENCY_30),
        (dt.date(2026, 10, 24), RECENCY_30),  # 30 days
        (dt.date(2026, 10, 23), RECENCY_OLD),
        (dt.date(2027, 1, 5), RECENCY_7),  # ahead (a due date, a meeting)
        (dt.datetime(2026, 11, 16, 0, 30, tzinfo=UTC), RECENCY_7),
        (None, RECENCY_NONE),
    ],
)
def test_recency_bands(moment, band):
    assert recency_band(moment, today=TODAY) == band


def test_recency_uses_the_calendar_day_in_the_given_zone():
    moment = dt.datetime(2026, 11, 15, 23, 0, tzinfo=UTC)
    assert recency_band(moment, today=TODAY, zone=UTC) == RECENCY_14
    tokyo = dt.timezone(dt.timedelta(hours=9))
    assert recency_band(moment, today=TODAY, zone=tokyo) == RECENCY_7


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-11-20", dt.date(2026, 11, 20)),
        ("2026-11-20T15:00:00Z", dt.datetime(2026, 11, 20, 15, tzinfo=UTC)),
        ("2026-11-20T15:00:00", dt.datetime(2026, 11, 20, 15, tzinfo=UTC)),
        ("2026-11-20T15:00:00+02:00", dt.datetime(2026, 11, 20, 13, tzinfo=UTC)),
        ("", None),
        ("yesterday", None),
        (None, None),
        (17, None),
    ],
)
def test_parse_moment(value, expected):
    assert parse_moment(value) == expected


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


@pytest.mark.parametrize(
    "value, forms",
    [
        ("001A0000006Vm9r", ["001A0000006Vm9r", "001A0000006Vm9rIAC"]),
        (" 001A0000006Vm9rIAC ", ["001A0000006Vm9rIAC", "001A0000006Vm9r"]),
        ("", []),
        ("001", []),
        ("001Dn000001AbC!", []),
        ("0010000000001AB999", ["0010000000001AB999", "0010000000001AB", "0010000000001ABAAY"]),
    ],
)
def test_salesforce_id_forms(value, forms):
    assert salesforce_id_forms(value) == forms


def test_salesforce_checksum_matches_the_known_example():
    # Salesforce's documented example: 001A0000006Vm9r → 001A0000006Vm9rIAC.
    assert salesforce_id_forms("001A0000006Vm9r")[-1] == "001A0000006Vm9rIAC"
    assert salesforce_id_forms("001A0000006Vm9rIAC") == ["001A0000006Vm9rIAC", "001A0000006Vm9r"]


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


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, PeopleQuery()),
        ({"people": "internal", "sort": "seniority"}, PeopleQuery(audience="internal", sort="seniority")),
        ({"people": "everyone", "sort": "shoe size", "seniority": "emperor"}, PeopleQuery()),
        ({"seniority": "vp", "department": "finance"}, PeopleQuery(seniority="vp", department="finance")),
        ({"show": "9999"}, PeopleQuery(show=500)),
        ({"show": "-3"}, PeopleQuery(show=20)),
        ({"show": "lots"}, PeopleQuery(show=20)),
    ],
)
def test_people_query_from_params(params, expected):
    assert PeopleQuery.from_params(params) == expected


def test_page_state_links_leave_defaults_out():
    state = PageState.from_params({"period": "last_7_days", "people": "external", "sort": "recent"})
    assert state.params() == {"period": "last_7_days", "sort": "recent"}
    assert state.params(period="last_30_days", people="internal") == {"sort": "recent", "people": "internal"}


@pytest.mark.parametrize(
    "text, query, html",
    [
        ("Northwind", "north", "<mark>North</mark>wind"),
        ("a-b a-b", "a-b", "<mark>a-b</mark> <mark>a-b</mark>"),
        ("<b>xy</b>", "xy", "&lt;b&gt;<mark>xy</mark>&lt;/b&gt;"),
        ("Northwind", "n", "Northwind"),
        (None, "ab", ""),
    ],
)
def test_highlight(text, query, html):
    assert str(highlight(text, query)) == html


@pytest.mark.parametrize(
    "name, letters",
    [
        ("Dana Rivera", "DR"),
        ("jordan.lee@acme.com", "JL"),
        ("Cher", "C"),
        ("", "?"),
        ("Mary Ann Smith", "MA"),
    ],
)
def test_initials(name, letters):
    assert initials(name) == letters
