"""iCalendar into meetings: attendees, time zones, privacy, recurrence, broken input."""

import datetime as dt
from pathlib import Path

from activities.parsing import ParsedActivity, ParseError, parse_path
from activities.parsing.ics import parse_calendar_bytes

DATA = Path(__file__).parent / "data"
UTC = dt.UTC
NOW = dt.datetime(2024, 6, 1, tzinfo=UTC)
SERIES = "pipeline-sync-weekly@brightlane.io"
SERIES_END = dt.datetime(2024, 2, 15, tzinfo=UTC)


def meetings(name, **options):
    options.setdefault("now", NOW)
    return list(parse_path(DATA / name, **options))


def by_id(results):
    return {result.source_id: result for result in results if isinstance(result, ParsedActivity)}


def test_meeting_with_attendees_and_responses():
    review = by_id(meetings("team_calendar.ics"))["security-review-7781@brightlane.io"]

    assert review.kind == "meeting"
    assert review.subject == "Northwind security review"
    # 14:00 in Chicago (CST, UTC-6) on 5 March 2024.
    assert review.occurred_at == dt.datetime(2024, 3, 5, 20, 0, tzinfo=UTC)
    assert review.duration_minutes == 60
    assert review.location == "Zoom https://zoom.example/j/555"
    assert review.body == (
        "Agenda:\n- SOC 2 Type II report walkthrough\n- SSO/SCIM questions\n- Pen test summary timeline"
    )
    assert review.thread_id == "security-review-7781@brightlane.io"
    people = [(p.email, p.role, p.name, p.response) for p in review.participants]
    assert people == [
        # The organizer is also an attendee: one entry, organizer role, with the response.
        ("marcus.chen@brightlane.io", "organizer", "Marcus Chen", "accepted"),
        ("dana.whitfield@northwind-logistics.com", "attendee", "Dana Whitfield", "accepted"),
        ("priya.raman@northwind-logistics.com", "attendee", "Priya Raman", "declined"),
        ("jane.vanderberg@northwind-logistics.com", "attendee", "Jane van der Berg", "tentative"),
        ("secops@northwind-logistics.com", "attendee", None, "needs_action"),
    ]  # the meeting room (CUTYPE=ROOM) is not a person
    jane = review.participants[3]
    assert (jane.first_name, jane.last_name) == ("Jane", "van der Berg")


def test_weekly_series_expands_with_moved_cancelled_and_excluded_instances():
    series = [r for r in meetings("team_calendar.ics", now=SERIES_END) if r.source_id.startswith(SERIES)]

    assert [(r.source_id, r.occurred_at, r.is_cancelled) for r in series] == [
        (f"{SERIES}#20240108T160000Z", dt.datetime(2024, 1, 8, 16, 0, tzinfo=UTC), False),
        # Moved from Monday 15 to Tuesday 16 at 15:30 Chicago time; keeps its original id.
        (f"{SERIES}#20240115T160000Z", dt.datetime(2024, 1, 16, 21, 30, tzinfo=UTC), False),
        (f"{SERIES}#20240122T160000Z", dt.datetime(2024, 1, 22, 16, 0, tzinfo=UTC), True),
        (f"{SERIES}#20240129T160000Z", dt.datetime(2024, 1, 29, 16, 0, tzinfo=UTC), False),
        # 5 February is an EXDATE; COUNT=6 ends on 12 February.
        (f"{SERIES}#20240212T160000Z", dt.datetime(2024, 2, 12, 16, 0, tzinfo=UTC), False),
    ]
    moved = series[1]
    assert moved.subject == "Northwind deal sync (moved for MLK Day)"
    assert moved.participants[1].response == "tentative"
    assert all(r.duration_minutes == 30 and r.thread_id == SERIES for r in series)


def test_recurrence_is_expanded_from_90_days_back_to_180_days_ahead_by_default():
    early = dt.datetime(2023, 9, 1, tzinfo=UTC)  # 180 days ahead reaches 28 February
    series = [r.source_id for r in meetings("team_calendar.ics", now=early) if r.source_id.startswith(SERIES)]
    assert len(series) == 5
    later = dt.datetime(2024, 4, 20, tzinfo=UTC)  # 90 days back reaches 21 January
    series = [r.source_id for r in meetings("team_calendar.ics", now=later) if r.source_id.startswith(SERIES)]
    assert series == [
        f"{SERIES}#20240122T160000Z",
        f"{SERIES}#20240129T160000Z",
        f"{SERIES}#20240212T160000Z",
    ]


def test_recurrence_window_can_be_chosen():
    results = meetings(
        "team_calendar.ics",
        expand_from=dt.datetime(2024, 1, 20, tzinfo=UTC),
        expand_until=dt.datetime(2024, 2, 1, tzinfo=UTC),
    )
    series = [r.source_id for r in results if r.source_id.startswith(SERIES)]

    assert series == [f"{SERIES}#20240122T160000Z", f"{SERIES}#20240129T160000Z"]
    # A single meeting is returned whatever the window.
    assert "security-review-7781@brightlane.io" in by_id(results)


def test_window_looks_back_at_most_90_days():
    much_later = dt.datetime(2024, 5, 20, tzinfo=UTC)
    series = [r for r in meetings("team_calendar.ics", now=much_later) if r.source_id.startswith(SERIES)]

    assert series == []


def test_private_and_confidential_meetings_and_all_day_events():
    found = by_id(meetings("private_meeting.ics"))
    one_on_one = found["comp-plan-1on1@brightlane.io"]
    offsite = found["board-offsite@brightlane.io"]

    assert one_on_one.is_private and one_on_one.duration_minutes == 45  # from DURATION
    assert offsite.is_private  # CLASS:CONFIDENTIAL
    assert offsite.is_all_day
    assert offsite.occurred_at == dt.datetime(2024, 4, 1, tzinfo=UTC)
    assert offsite.duration_minutes == 2 * 24 * 60


def test_event_without_start_is_an_error_and_the_others_still_parse():
    results = meetings("partly_broken.ics")

    errors = [r for r in results if isinstance(r, ParseError)]
    assert [(e.position, e.reason) for e in errors] == [
        ("VEVENT 2 (UID no-start-time@brightlane.io)", "missing DTSTART"),
        ("VEVENT 3 (UID bad-start-time@brightlane.io)", "invalid DTSTART"),
    ]
    good = by_id(results)
    assert set(good) == {"legal-redlines-call@brightlane.io", "procurement-checkin@brightlane.io"}
    assert good["legal-redlines-call@brightlane.io"].participants[1].name == "Gwen Halvorsen"
    floating = good["procurement-checkin@brightlane.io"]
    assert floating.occurred_at == dt.datetime(2024, 3, 26, 16, 0, tzinfo=UTC)
    assert floating.warnings == ("floating time read as UTC",)


def test_unparseable_calendar_is_one_error():
    results = meetings("broken.ics")

    assert len(results) == 1
    assert results[0].position == ""
    assert results[0].reason.startswith("unparseable calendar")


CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
{extra}
{events}
END:VCALENDAR
"""


def calendar(events, extra=""):
    return CALENDAR.format(events=events, extra=extra).replace("\n", "\r\n").encode()


def test_floating_times_use_the_calendar_time_zone():
    data = calendar(
        "BEGIN:VEVENT\nUID:a\nDTSTART:20240701T090000\nDTEND:20240701T100000\nSUMMARY:Demo\nEND:VEVENT",
        extra="X-WR-TIMEZONE:Europe/Berlin",
    )
    (meeting,) = parse_calendar_bytes(data, now=NOW)

    assert meeting.occurred_at == dt.datetime(2024, 7, 1, 7, 0, tzinfo=UTC)
    assert meeting.warnings == ()


def test_override_without_its_series_keeps_the_recurrence_id():
    data = calendar(
        "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20240304T150000Z\nDTSTART:20240305T150000Z\n"
        "DTEND:20240305T153000Z\nSUMMARY:Moved QBR\nEND:VEVENT"
    )
    (meeting,) = parse_calendar_bytes(data, now=NOW)

    assert meeting.source_id == "s#20240304T150000Z"


def test_duplicate_uid_is_reported_and_the_first_kept():
    event = "BEGIN:VEVENT\nUID:dup\nDTSTART:20240305T150000Z\nSUMMARY:{}\nEND:VEVENT"
    results = list(
        parse_calendar_bytes(calendar(event.format("First") + "\n" + event.format("Second")), now=NOW)
    )

    assert results[0].subject == "First"
    assert results[1].reason == "duplicate UID: the first one was kept"
    assert results[1].position == "VEVENT 2 (UID dup)"


def test_event_without_uid_gets_a_stable_derived_id():
    data = calendar("BEGIN:VEVENT\nDTSTART:20240305T150000Z\nSUMMARY:Call\nEND:VEVENT")
    first = list(parse_calendar_bytes(data, now=NOW))
    second = list(parse_calendar_bytes(data, now=NOW))

    assert first == second
    assert first[0].source_id.startswith("sha256:")
    assert first[0].duration_minutes == 0  # no DTEND nor DURATION on a date-time


def test_same_calendar_same_output():
    assert meetings("team_calendar.ics") == meetings("team_calendar.ics")


def test_broken_recurrence_rule_is_an_error_for_that_event():
    data = calendar(
        "BEGIN:VEVENT\nUID:r\nDTSTART:20240305T150000Z\nRRULE:FREQ=SOMETIMES\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:ok\nDTSTART:20240306T150000Z\nSUMMARY:Pricing call\nEND:VEVENT"
    )
    results = list(parse_calendar_bytes(data, now=NOW))

    assert isinstance(results[0], ParseError) and results[0].reason == "invalid RRULE"
    assert results[1].source_id == "ok"
