"""Time phrases in questions: "last week", "since March 3", "this quarter", "in the last 30 days"."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser

from insights.periods import add_months, fiscal_quarter_start

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_SINCE = re.compile(r"\b(?:since|after|from)\s+(.+)$")
_LAST_N = re.compile(r"\b(?:last|past|previous)\s+(\d{1,3}|two|three|four|six)\s+(day|week|month|year)s?\b")
_IN_MONTH = re.compile(r"\b(?:in|during)\s+(" + "|".join(MONTHS) + r")\b")
_WORD_NUMBERS = {"two": 2, "three": 3, "four": 4, "six": 6}


@dataclass(frozen=True)
class Period:
    """A span of time a question asks about, in UTC, with the words to say it back."""

    start: dt.datetime
    end: dt.datetime
    label: str


def _fmt(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _span(start: dt.date, end_exclusive: dt.date, tz: ZoneInfo, label: str) -> Period:
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz).astimezone(dt.UTC)
    end_at = dt.datetime.combine(end_exclusive, dt.time.min, tzinfo=tz).astimezone(dt.UTC)
    return Period(start_at, end_at, label)


def _parse_day(text: str, today: dt.date) -> dt.date | None:
    """A day named loosely ("March 3", "3/3", "2026-03-03", "monday", "last week"), never in the future."""
    text = text.strip().rstrip("?.!").strip()
    if not text:
        return None
    words = text.split()
    if words[0] in ("yesterday",):
        return today - dt.timedelta(days=1)
    if words[0] == "today":
        return today
    if words[0] in ("last", "this") and len(words) > 1 and words[1].startswith(("week", "month", "quarter")):
        return None  # "since last week" is handled as a span by the caller
    weekday = words[1] if words[0] == "last" and len(words) > 1 else words[0]
    if weekday in WEEKDAYS:
        back = (today.weekday() - WEEKDAYS.index(weekday)) % 7 or 7
        return today - dt.timedelta(days=back)
    candidate = " ".join(words[:4])
    while candidate:
        try:
            parsed = date_parser.parse(candidate, default=dt.datetime(today.year, 1, 1), fuzzy=False)
        except (ValueError, OverflowError):
            candidate = " ".join(candidate.split()[:-1])
            continue
        day = parsed.date()
        has_year = bool(re.search(r"\b\d{4}\b", candidate))
        if day > today and not has_year:
            day = day.replace(year=day.year - 1)
        return day if day <= today else None
    return None


def parse_period(*, text: str, now: dt.datetime, tz: ZoneInfo) -> Period | None:
    """The period a question names, or None. Calendar words follow the user's time zone and the
    fiscal year of settings.BACKSTORY_FISCAL_YEAR_START_MONTH; "last week" is the previous Monday-Sunday."""
    text = " ".join(text.lower().split())
    today = now.astimezone(tz).date()
    tomorrow = today + dt.timedelta(days=1)
    week_start = today - dt.timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    quarter_start = fiscal_quarter_start(today)

    since = _SINCE.search(text)
    if since:
        rest = since.group(1)
        if rest.startswith("last week"):
            start = week_start - dt.timedelta(days=7)
            return _span(start, tomorrow, tz, f"since {_fmt(start)}")
        if rest.startswith("last month"):
            start = add_months(month_start, -1)
            return _span(start, tomorrow, tz, f"since {_fmt(start)}")
        if rest.startswith(("last quarter", "the start of the quarter", "the beginning of the quarter")):
            start = quarter_start if "start" in rest or "beginning" in rest else add_months(quarter_start, -3)
            return _span(start, tomorrow, tz, f"since {_fmt(start)}")
        day = _parse_day(rest, today)
        if day:
            return _span(day, tomorrow, tz, f"since {_fmt(day)}")

    last_n = _LAST_N.search(text)
    if last_n:
        count = _WORD_NUMBERS.get(last_n.group(1)) or int(last_n.group(1))
        days = count * _UNIT_DAYS[last_n.group(2)]
        start = today - dt.timedelta(days=days - 1)
        return _span(start, tomorrow, tz, f"in the last {count} {last_n.group(2)}{'s' if count != 1 else ''}")

    if re.search(r"\byesterday\b", text):
        return _span(
            today - dt.timedelta(days=1), today, tz, f"yesterday ({_fmt(today - dt.timedelta(days=1))})"
        )
    if re.search(r"\b(today|this morning|this afternoon)\b", text):
        return _span(today, tomorrow, tz, f"today ({_fmt(today)})")
    if re.search(r"\b(last|previous|past) week\b", text):
        start = week_start - dt.timedelta(days=7)
        return _span(
            start, week_start, tz, f"last week ({_fmt(start)} to {_fmt(week_start - dt.timedelta(days=1))})"
        )
    if re.search(r"\bthis week\b", text):
        return _span(week_start, tomorrow, tz, f"this week (since {_fmt(week_start)})")
    if re.search(r"\b(last|previous|past) month\b", text):
        start = add_months(month_start, -1)
        return _span(start, month_start, tz, f"last month ({start:%B %Y})")
    if re.search(r"\bthis month\b", text):
        return _span(month_start, tomorrow, tz, f"this month (since {_fmt(month_start)})")
    if re.search(r"\b(last|previous|past) (fiscal )?quarter\b", text):
        start = add_months(quarter_start, -3)
        return _span(
            start,
            quarter_start,
            tz,
            f"last quarter ({_fmt(start)} to {_fmt(quarter_start - dt.timedelta(days=1))})",
        )
    if re.search(r"\b(this|current) (fiscal )?quarter\b|\bthis qtr\b|\bqtd\b", text):
        return _span(quarter_start, tomorrow, tz, f"this quarter (since {_fmt(quarter_start)})")
    if re.search(r"\b(last|previous|past) year\b", text):
        start = dt.date(today.year - 1, 1, 1)
        return _span(start, dt.date(today.year, 1, 1), tz, f"last year ({today.year - 1})")
    if re.search(r"\bthis year\b|\bytd\b", text):
        start = dt.date(today.year, 1, 1)
        return _span(start, tomorrow, tz, f"this year (since {_fmt(start)})")
    in_month = _IN_MONTH.search(text)
    if in_month:
        month = MONTHS.index(in_month.group(1)) + 1
        year = today.year if month <= today.month else today.year - 1
        start = dt.date(year, month, 1)
        return _span(start, min(add_months(start, 1), tomorrow), tz, f"in {start:%B %Y}")
    return None


def default_period(*, now: dt.datetime, tz: ZoneInfo, days: int, label: str) -> Period:
    """The last ``days`` days up to today, when a question names no period."""
    today = now.astimezone(tz).date()
    return _span(today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1), tz, label)


def quarter_to_date(*, now: dt.datetime, tz: ZoneInfo) -> Period:
    today = now.astimezone(tz).date()
    start = fiscal_quarter_start(today)
    return _span(start, today + dt.timedelta(days=1), tz, f"this quarter (since {_fmt(start)})")


def format_day(value: dt.datetime | dt.date, tz: ZoneInfo | None = None) -> str:
    """ "Nov 20, 2026" in the user's time zone."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(tz or dt.UTC).date()
    return _fmt(value)
