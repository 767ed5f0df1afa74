"""What each variation period means, on the frozen "today" (Monday 2026-11-23)."""

import datetime as dt

import pytest

from query_api.timeframes import window_for

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    "period,first,last",
    [
        ("last_7_days", dt.date(2026, 11, 17), TODAY),
        ("last_30_days", dt.date(2026, 10, 25), TODAY),
        ("last_90_days", dt.date(2026, 8, 26), TODAY),
        ("current_week", dt.date(2026, 11, 23), dt.date(2026, 11, 29)),
        ("weekly", dt.date(2026, 11, 23), dt.date(2026, 11, 29)),
        ("daily", TODAY, TODAY),
        ("current_month", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        ("monthly", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        ("last_month", dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        ("current_quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("quarterly", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("last_quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("current_year", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("yearly", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("last_year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_periods_with_a_january_fiscal_year(settings, period, first, last):
    settings.BACKSTORY_FISCAL_YEAR_START_MONTH = 1
    window = window_for(period, today=TODAY)
    assert (window.first_day, window.last_day) == (first, last)
    assert window.ends_at - window.starts_at == dt.timedelta(days=(last - first).days + 1)


def test_fiscal_quarters_and_years_follow_the_setting(settings):
    settings.BACKSTORY_FISCAL_YEAR_START_MONTH = 2  # fiscal year from February
    assert (
        window_for("current_quarter", today=TODAY).first_day,
        window_for("current_quarter", today=TODAY).last_day,
    ) == (dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    assert window_for("current_year", today=TODAY).first_day == dt.date(2026, 2, 1)
    assert window_for("last_year", today=dt.date(2027, 1, 15)).first_day == dt.date(2025, 2, 1)


@pytest.mark.parametrize("period", ["current", "total"])
def test_current_and_total_have_no_window(period):
    assert window_for(period, today=TODAY).is_all_time
