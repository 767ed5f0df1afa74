"""Period names to date ranges, with fiscal quarters and years."""

import datetime as dt

import pytest

from insights.periods import (
    PERIODS,
    UnknownPeriod,
    fiscal_quarter_start,
    fiscal_year_start,
    period_dates,
    period_range,
)

TODAY = dt.date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    "name, first, after_last",
    [
        ("last_7_days", dt.date(2026, 11, 17), dt.date(2026, 11, 24)),
        ("last_30_days", dt.date(2026, 10, 25), dt.date(2026, 11, 24)),
        ("last_90_days", dt.date(2026, 8, 26), dt.date(2026, 11, 24)),
        ("current_week", dt.date(2026, 11, 23), dt.date(2026, 11, 30)),
        ("last_week", dt.date(2026, 11, 16), dt.date(2026, 11, 23)),
        ("current_month", dt.date(2026, 11, 1), dt.date(2026, 12, 1)),
        ("last_month", dt.date(2026, 10, 1), dt.date(2026, 11, 1)),
        ("current_quarter", dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
        ("last_quarter", dt.date(2026, 7, 1), dt.date(2026, 10, 1)),
        ("current_year", dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
        ("last_year", dt.date(2025, 1, 1), dt.date(2026, 1, 1)),
    ],
)
def test_calendar_fiscal_year(settings, name, first, after_last):
    settings.BACKSTORY_FISCAL_YEAR_START_MONTH = 1
    assert period_dates(name, today=TODAY) == (first, after_last)


@pytest.mark.parametrize(
    "start_month, name, first, after_last",
    [
        (2, "current_quarter", dt.date(2026, 11, 1), dt.date(2027, 2, 1)),
        (2, "last_quarter", dt.date(2026, 8, 1), dt.date(2026, 11, 1)),
        (2, "current_year", dt.date(2026, 2, 1), dt.date(2027, 2, 1)),
        (2, "last_year", dt.date(2025, 2, 1), dt.date(2026, 2, 1)),
        (12, "current_quarter", dt.date(2026, 9, 1), dt.date(2026, 12, 1)),
        (12, "current_year", dt.date(2025, 12, 1), dt.date(2026, 12, 1)),
        (7, "current_year", dt.date(2026, 7, 1), dt.date(2027, 7, 1)),
        (7, "last_quarter", dt.date(2026, 7, 1), dt.date(2026, 10, 1)),
    ],
)
def test_fiscal_year_starting_in_another_month(settings, start_month, name, first, after_last):
    settings.BACKSTORY_FISCAL_YEAR_START_MONTH = start_month
    assert period_dates(name, today=TODAY) == (first, after_last)


def test_fiscal_helpers_on_the_first_day_of_a_quarter():
    assert fiscal_year_start(dt.date(2026, 1, 31), start_month=2) == dt.date(2025, 2, 1)
    assert fiscal_quarter_start(dt.date(2026, 2, 1), start_month=2) == dt.date(2026, 2, 1)
    assert fiscal_quarter_start(dt.date(2026, 4, 30), start_month=2) == dt.date(2026, 2, 1)
    assert fiscal_quarter_start(dt.date(2026, 5, 1), start_month=2) == dt.date(2026, 5, 1)


def test_ranges_are_aware_midnights_and_default_to_the_frozen_today(frozen_now):
    start, end = period_range("last_7_days")
    assert start == dt.datetime(2026, 11, 17, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    assert start.tzinfo is not None and start <= frozen_now < end


def test_every_period_has_a_label_and_a_rule():
    assert list(PERIODS)[:3] == ["last_7_days", "last_30_days", "last_90_days"]
    for name in PERIODS:
        first, after_last = period_dates(name, today=TODAY)
        assert first < after_last


def test_unknown_period_is_an_error():
    with pytest.raises(UnknownPeriod):
        period_range("last_fortnight", today=TODAY)
