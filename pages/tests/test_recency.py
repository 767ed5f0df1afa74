"""Recency bands and the dates a page reads from the engine's JSON (no database)."""

import datetime as dt

import pytest

from pages.recency import (
    RECENCY_7,
    RECENCY_14,
    RECENCY_30,
    RECENCY_NONE,
    RECENCY_OLD,
    parse_moment,
    recency_band,
)

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
