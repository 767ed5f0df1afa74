"""iCalendar (.ics) files into meeting activities, with icalendar and recurring-ical-events.

- Each VEVENT is a meeting. Its source id is the UID; an occurrence of a recurring meeting is
  ``UID#<recurrence id>`` with the recurrence id in UTC basic format (``20240115T160000Z``, or
  ``20240115`` for an all-day series), so re-importing a calendar stores each occurrence once.
- A master with RRULE is expanded between ``expand_from`` and ``expand_until`` only (default: 90
  days back to 180 days ahead of now), and to at most ``max_occurrences`` per series (default
  500): a series with more is cut there and a ParseError says so. The window is walked in growing
  slices, and a rule that repeats more often than daily starts at the window, not at its DTSTART,
  so ``FREQ=SECONDLY`` with no end costs what its first few hundred occurrences cost.
  Overridden instances (RECURRENCE-ID) replace their occurrence, EXDATE removes one, and a
  cancelled instance comes out with ``is_cancelled``.
- Times with a TZID or in UTC are converted to UTC; floating times use the calendar's
  X-WR-TIMEZONE, else UTC (with a warning). All-day events start at midnight UTC, last whole
  days and are flagged ``is_all_day``.
- A file icalendar cannot read is one ParseError; a VEVENT without a usable DTSTART (or with
  a broken DTEND, DURATION or RRULE) is a ParseError for that event, the others still parse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events

from .addresses import normalize_email
from .names import parse_person_name
from .participants import collapse_participants
from .results import ParsedActivity, ParsedParticipant, ParseError, ParseResult

_PARTSTAT = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "tentative",
    "NEEDS-ACTION": "needs_action",
}
_PRIVATE_CLASSES = {"PRIVATE", "CONFIDENTIAL"}
_NOT_PEOPLE = {"ROOM", "RESOURCE"}  # meeting rooms and projectors are not participants
_TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RRULE", "EXDATE", "RDATE")
DEFAULT_DAYS_BACK = 90
DEFAULT_DAYS_AHEAD = 180
DEFAULT_MAX_OCCURRENCES = 500
# Seconds per FREQ unit of the rules that repeat within a day.
_SUB_DAILY = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600}
_FIRST_SLICE = dt.timedelta(hours=1)


class _EventError(Exception):
    """One VEVENT cannot become a meeting; the text is the reason."""


def parse_ics_path(path: Path, **options) -> Iterator[ParseResult]:
    """Meetings (and errors) from an .ics file; see ``parse_calendar_bytes`` for options."""
    yield from parse_calendar_bytes(Path(path).read_bytes(), source=str(path), **options)


def parse_calendar_bytes(
    data: bytes,
    *,
    source: str = "<bytes>",
    now: dt.datetime | None = None,
    expand_from: dt.datetime | None = None,
    expand_until: dt.datetime | None = None,
    max_occurrences: int | None = None,
) -> Iterator[ParseResult]:
    """Yield one ParsedActivity per meeting occurrence, or ParseErrors, in file order.

    ``now`` (default: the current time) sets the default window for expanding recurring
    meetings: from 90 days before ``now`` to 180 days after. Pass ``expand_from``/``expand_until``
    to choose another window and ``max_occurrences`` to cap each series (default 500); single
    meetings are always returned, whatever their date.
    """
    now = now or dt.datetime.now(dt.UTC)
    expand_until = expand_until or (now + dt.timedelta(days=DEFAULT_DAYS_AHEAD))
    expand_from = expand_from or (now - dt.timedelta(days=DEFAULT_DAYS_BACK))
    limit = max_occurrences or DEFAULT_MAX_OCCURRENCES
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as error:
        yield ParseError(source=source, position="", reason=f"unparseable calendar: {error}")
        return
    if calendar.name != "VCALENDAR":
        yield ParseError(source=source, position="", reason=f"not a calendar: {calendar.name}")
        return

    floating_zone = _calendar_zone(calendar)
    events = [component for component in calendar.subcomponents if component.name == "VEVENT"]
    by_uid: dict[str, list[tuple[int, icalendar.Event]]] = defaultdict(list)
    order: list[str] = []
    for number, event in enumerate(events, start=1):
        uid = str(event.get("UID", "")).strip()
        if not uid:
            uid = "sha256:" + hashlib.sha256(event.to_ical()).hexdigest()
        if uid not in by_uid:
            order.append(uid)
        by_uid[uid].append((number, event))

    for uid in order:
        yield from _parse_series(
            calendar, uid, by_uid[uid], source, floating_zone, (expand_from, expand_until, limit)
        )


def _calendar_zone(calendar: icalendar.Calendar) -> dt.tzinfo | None:
    name = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _position(number: int, uid: str) -> str:
    return f"VEVENT {number} (UID {uid})"


def _check_event(event: icalendar.Event) -> None:
    broken = [name for name, _ in getattr(event, "errors", []) if name in _TIME_PROPERTIES]
    if broken:
        raise _EventError(f"invalid {', '.join(sorted(set(broken)))}")
    start = event.get("DTSTART")
    if start is None:
        raise _EventError("missing DTSTART")
    if not isinstance(getattr(start, "dt", None), (dt.date, dt.datetime)):
        raise _EventError("invalid DTSTART")


def _parse_series(calendar, uid, numbered_events, source, floating_zone, bounds):
    """Results for the VEVENTs sharing one UID, in file order (a series at its master)."""
    results: list[tuple[int, ParseResult]] = []
    valid: list[tuple[int, icalendar.Event]] = []
    seen: set[str] = set()
    for number, event in numbered_events:
        try:
            _check_event(event)
        except _EventError as error:
            results.append(
                (number, ParseError(source=source, position=_position(number, uid), reason=str(error)))
            )
            continue
        recurrence = event.get("RECURRENCE-ID")
        key = _recurrence_key(recurrence.dt) if recurrence is not None else ""
        if key in seen:
            reason = "duplicate UID" + (f" and RECURRENCE-ID {key}" if key else "")
            results.append(
                (
                    number,
                    ParseError(
                        source=source,
                        position=_position(number, uid),
                        reason=f"{reason}: the first one was kept",
                    ),
                )
            )
            continue
        seen.add(key)
        valid.append((number, event))
    master = next(
        (
            (number, event)
            for number, event in valid
            if event.get("RECURRENCE-ID") is None and event.get("RRULE") is not None
        ),
        None,
    )
    if master is None:
        for number, event in valid:
            recurrence = event.get("RECURRENCE-ID")
            source_id = uid if recurrence is None else f"{uid}#{_recurrence_key(recurrence.dt)}"
            results.append(
                (number, _meeting(event, source_id, uid, f"{source} VEVENT {number}", floating_zone))
            )
    else:
        results.extend(
            (master[0], result)
            for result in _expand(calendar, uid, master, valid, source, floating_zone, bounds)
        )
    # Stable sort: errors and meetings in file order, a series' occurrences in time order.
    yield from (result for _, result in sorted(results, key=lambda item: item[0]))


def _expand(calendar, uid, master, valid, source, floating_zone, bounds):
    expand_from, expand_until, limit = bounds
    number, master_event = master
    series = icalendar.Calendar()
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE":
            series.add_component(component)
    for _, event in valid:
        series.add_component(_from_window(event, expand_from) if event is master_event else event)
    try:
        occurrences, more = _occurrences(series, expand_from, expand_until, limit)
    except Exception as error:
        return [
            ParseError(
                source=source, position=_position(number, uid), reason=f"cannot expand recurrence: {error}"
            )
        ]
    results = []
    for occurrence in occurrences:
        recurrence = occurrence.get("RECURRENCE-ID") or occurrence.get("DTSTART")
        key = _recurrence_key(recurrence.dt, floating_zone)
        results.append(
            _meeting(
                occurrence, f"{uid}#{key}", uid, f"{source} VEVENT {number} occurrence {key}", floating_zone
            )
        )
    # recurring-ical-events yields in its own order; sort so output is deterministic.
    results = sorted(results, key=lambda activity: (activity.occurred_at, activity.source_id))
    if more or len(results) > limit:
        kept = results[:limit]
        last = kept[-1].occurred_at if kept else expand_from
        kept.append(
            ParseError(
                source=source,
                position=_position(number, uid),
                reason=f"recurring meeting has more than {limit:,} occurrences between "
                f"{expand_from:%Y-%m-%d} and {expand_until:%Y-%m-%d}: the first {limit:,} (to "
                f"{last:%Y-%m-%d %H:%M}) were kept, the rest were not captured "
                "(limit: BACKSTORY_RECURRENCE_MAX_OCCURRENCES)",
            )
        )
        return kept
    return results


def _occurrences(series, expand_from, expand_until, limit):
    """Occurrences in the window, walked in slices from the series' start, stopping once more than
    ``limit`` are found (so a dense rule never builds millions); returns them and whether it stopped early.

    An empty slice doubles the next one; a slice with occurrences sizes the next one to about what is
    still wanted, so a rule that repeats every second is read a few hundred at a time.
    """
    query = recurring_ical_events.of(series)
    found: dict = {}
    start, length = max(expand_from, _first_start(series, expand_from)), _FIRST_SLICE
    while start < expand_until:
        end = min(start + length, expand_until)
        before = len(found)
        for occurrence in query.between(start, end):
            found.setdefault((str(occurrence.get("UID")), _start_key(occurrence)), occurrence)
        if len(found) > limit:
            return list(found.values()), True
        seen = len(found) - before
        wanted = limit + 1 - len(found)
        length = (
            length * 2 if seen == 0 else max(dt.timedelta(seconds=1), min(length * 2, length * wanted / seen))
        )
        start = end
    return list(found.values()), False


def _first_start(series, expand_from: dt.datetime) -> dt.datetime:
    """The earliest DTSTART in the series (in UTC), or ``expand_from`` when none can be read."""
    starts = []
    for event in series.walk("VEVENT"):
        value = event.get("DTSTART").dt
        if isinstance(value, dt.datetime):
            starts.append(value if value.tzinfo else value.replace(tzinfo=dt.UTC))
        else:
            starts.append(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC))
    return min(starts, default=expand_from) - dt.timedelta(days=1)  # a day of slack for floating times


def _start_key(occurrence) -> str:
    recurrence = occurrence.get("RECURRENCE-ID") or occurrence.get("DTSTART")
    return str(recurrence.dt)


def _from_window(event: icalendar.Event, expand_from: dt.datetime) -> icalendar.Event:
    """A rule repeating within a day, with no COUNT, restarted at its last step before the window.

    Its occurrences in the window stay the same (every step of the rule is a whole number of
    intervals from DTSTART), but nothing before the window is computed: FREQ=SECONDLY from years
    ago would otherwise walk every second since.
    """
    rule = event.get("RRULE")
    if rule is None or isinstance(rule, list) or rule.get("COUNT"):
        return event
    frequency = (rule.get("FREQ") or [""])[0]
    if frequency not in _SUB_DAILY:
        return event
    start = event.get("DTSTART").dt
    if not isinstance(start, dt.datetime):
        return event
    step = dt.timedelta(seconds=_SUB_DAILY[frequency] * int((rule.get("INTERVAL") or [1])[0]))
    window_start = expand_from if start.tzinfo else expand_from.replace(tzinfo=None)
    if start.tzinfo and window_start.tzinfo:
        window_start = window_start.astimezone(start.tzinfo)
    if start >= window_start:
        return event
    shift = step * ((window_start - start) // step)
    moved = event.copy()
    for name in ("DTSTART", "DTEND"):
        value = event.get(name)
        if value is not None:
            params = value.params
            moved.pop(name)
            moved.add(name, value.dt + shift, parameters=dict(params))
    return moved


# --- times ------------------------------------------------------------------------------------


def _to_utc(
    value: dt.datetime | dt.date, floating_zone: dt.tzinfo | None, warnings: list[str] | None = None
) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if value.tzinfo is None:
        if floating_zone is not None:
            value = value.replace(tzinfo=floating_zone)
        else:
            if warnings is not None and "floating time read as UTC" not in warnings:
                warnings.append("floating time read as UTC")
            value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _recurrence_key(value: dt.datetime | dt.date, floating_zone: dt.tzinfo | None = None) -> str:
    """A recurrence id in UTC basic format: ``20240115T160000Z``, or ``20240115`` for a date."""
    if not isinstance(value, dt.datetime):
        return value.strftime("%Y%m%d")
    return _to_utc(value, floating_zone).strftime("%Y%m%dT%H%M%SZ")


def _duration_minutes(event: icalendar.Event, start: dt.datetime | dt.date) -> int:
    end = event.get("DTEND")
    if end is not None:
        delta = end.dt - start if type(end.dt) is type(start) else None
    elif event.get("DURATION") is not None:
        delta = event.get("DURATION").dt
    else:
        delta = None
    if delta is None:
        # RFC 5545: no end means one day for a date, zero length for a date-time.
        delta = dt.timedelta(days=1) if not isinstance(start, dt.datetime) else dt.timedelta(0)
    return max(0, round(delta.total_seconds() / 60))


# --- one meeting ------------------------------------------------------------------------------


def _text(event: icalendar.Event, name: str) -> str:
    value = event.get(name)
    return str(value).strip() if value is not None else ""


def _address_list(event: icalendar.Event, name: str) -> list:
    value = event.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _participants(event: icalendar.Event) -> tuple[ParsedParticipant, ...]:
    entries = [(value, "organizer") for value in _address_list(event, "ORGANIZER")]
    entries += [(value, "attendee") for value in _address_list(event, "ATTENDEE")]
    found = []
    for value, role in entries:
        params = getattr(value, "params", {})
        if str(params.get("CUTYPE", "")).upper() in _NOT_PEOPLE:
            continue
        email = normalize_email(str(value))
        if not email:
            continue
        name = parse_person_name(params.get("CN"))
        partstat = str(params.get("PARTSTAT", "")).upper()
        response = _PARTSTAT.get(partstat) if role == "attendee" else None
        found.append(
            ParsedParticipant(
                email=email,
                role=role,
                name=name.full,
                first_name=name.first,
                last_name=name.last,
                response=response,
            )
        )
    # The organizer is usually listed again as an attendee, with their response.
    return collapse_participants(found)


def _meeting(
    event: icalendar.Event, source_id: str, uid: str, origin: str, floating_zone: dt.tzinfo | None
) -> ParsedActivity:
    warnings: list[str] = []
    start = event.get("DTSTART").dt
    is_all_day = not isinstance(start, dt.datetime)
    raw_headers = {"UID": uid}
    for name in ("SEQUENCE", "STATUS", "RECURRENCE-ID"):
        if event.get(name) is not None:
            value = event.get(name)
            text = value.to_ical() if hasattr(value, "to_ical") else str(value)
            raw_headers[name] = text.decode() if isinstance(text, bytes) else text
    if uid.startswith("sha256:"):
        warnings.append("no UID: source id derived from the event's content")
    return ParsedActivity(
        kind="meeting",
        source_id=source_id,
        occurred_at=_to_utc(start, floating_zone, warnings),
        subject=" ".join(_text(event, "SUMMARY").split()),
        body=_text(event, "DESCRIPTION").replace("\r\n", "\n"),
        duration_minutes=_duration_minutes(event, start),
        thread_id=uid,
        is_private=_text(event, "CLASS").upper() in _PRIVATE_CLASSES,
        is_cancelled=_text(event, "STATUS").upper() == "CANCELLED",
        is_all_day=is_all_day,
        location=_text(event, "LOCATION") or None,
        participants=_participants(event),
        raw_headers=raw_headers,
        warnings=tuple(warnings),
        origin=origin,
    )
