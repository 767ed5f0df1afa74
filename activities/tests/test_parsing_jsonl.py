"""API items and JSON Lines: the schema, and errors that name the line and the field."""

import datetime as dt
from pathlib import Path

import pytest

from activities.parsing import InvalidActivity, ParsedActivity, ParseError, parse_api_item, parse_path
from activities.parsing.jsonl import parse_jsonl_bytes

DATA = Path(__file__).parent / "data"
UTC = dt.UTC


def call(**changes):
    item = {
        "kind": "call",
        "source_id": "dialer-1",
        "occurred_at": "2024-03-22T15:00:00+01:00",
        "participants": [{"email": "dana.whitfield@northwind-logistics.com"}],
    }
    item.update(changes)
    return item


def test_jsonl_file_good_and_bad_lines():
    results = list(parse_path(DATA / "activities.jsonl"))

    summary = [(r.source_id if isinstance(r, ParsedActivity) else (r.position, r.reason)) for r in results]
    assert summary == [
        "dialer-88121",
        "crm-email-5521",
        ("line 4", "invalid JSON: Expecting property name enclosed in double quotes"),
        ("line 5", "source_id: missing"),
        ("line 6", "participants[0].email: not a valid email address: 'not-an-address'"),
        "cal-api-77",
    ]
    assert results[2].source == str(DATA / "activities.jsonl")
    assert results[0].origin == f"{DATA / 'activities.jsonl'} line 1"


def test_jsonl_call_and_meeting_items():
    found = {r.source_id: r for r in parse_path(DATA / "activities.jsonl") if isinstance(r, ParsedActivity)}
    dialed = found["dialer-88121"]
    meeting = found["cal-api-77"]

    assert dialed.kind == "call"
    assert dialed.occurred_at == dt.datetime(2024, 3, 22, 14, 0, tzinfo=UTC)
    assert dialed.duration_minutes == 25
    assert [(p.email, p.role, p.name, p.response) for p in dialed.participants] == [
        ("marcus.chen@brightlane.io", "organizer", "Marcus Chen", None),
        ("dana.whitfield@northwind-logistics.com", "attendee", "Dana Whitfield", "accepted"),
    ]
    assert meeting.is_cancelled and meeting.location == "Northwind HQ"
    assert meeting.participants[1].role == "attendee"  # the default outside email


def test_jsonl_email_item_is_split_like_mail():
    email = next(
        r
        for r in parse_path(DATA / "activities.jsonl")
        if isinstance(r, ParsedActivity) and r.kind == "email"
    )

    assert email.body == "Legal accepts the 12-month liability cap.\n\nThanks,"
    assert email.quoted_text == "> Can legal accept the cap?"
    assert email.signature_details.title == "Vice President, Energy Trading"
    assert email.is_private is True
    assert email.thread_id == "crm-thread-90"
    assert email.participants[1].role == "to"


def test_parse_api_item_valid():
    activity = parse_api_item(call(private=False, subject="  Discovery   call "), 0)

    assert activity.source_id == "dialer-1"
    assert activity.subject == "Discovery call"
    assert activity.participants[0].role == "attendee"
    assert activity.origin == "api item 0"


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ([], "expected a JSON object, got list"),
        (call(kind=None), "kind: missing"),
        (call(kind="sms"), "kind: expected one of email, meeting, call, got 'sms'"),
        (call(source_id=" "), "source_id: empty"),
        (call(source_id=7), "source_id: expected a string, got int"),
        (call(occurred_at="yesterday"), "occurred_at: not an ISO 8601 date-time: 'yesterday'"),
        (
            call(occurred_at="2024-03-22T15:00:00"),
            "occurred_at: needs a time zone offset or Z: '2024-03-22T15:00:00'",
        ),
        (call(duration_minutes=-5), "duration_minutes: expected a whole number >= 0, got -5"),
        (call(duration_minutes=True), "duration_minutes: expected a whole number >= 0, got True"),
        (call(private="yes"), "private: expected true or false, got 'yes'"),
        (call(privat=True), "unknown field 'privat'"),
        (call(participants=[]), "participants: expected a non-empty list"),
        (call(participants=None), "participants: missing"),
        (call(participants=[{"name": "Dana"}]), "participants[0].email: missing"),
        (
            call(participants=[{"email": "dana@northwind-logistics.com", "role": "boss"}]),
            "participants[0].role: expected one of from, organizer, to, cc, bcc, attendee, got 'boss'",
        ),
        (
            call(participants=[{"email": "d@northwind-logistics.com", "response": "maybe"}]),
            "participants[0].response: expected one of accepted, declined, tentative, needs_action, "
            "got 'maybe'",
        ),
        (
            call(participants=[{"email": "d@northwind-logistics.com", "phone": "1"}]),
            "participants[0]: unknown field 'phone'",
        ),
        (call(kind="email"), "participants: an email needs a participant with role 'from'"),
        (
            call(
                kind="email",
                duration_minutes=5,
                participants=[{"email": "d@northwind-logistics.com", "role": "from"}],
            ),
            "duration_minutes: an email has no duration",
        ),
    ],
)
def test_parse_api_item_errors_name_the_field(item, reason):
    with pytest.raises(InvalidActivity) as raised:
        parse_api_item(item, 3)

    assert raised.value.error == ParseError(source="api", position="item 3", reason=reason)


def test_jsonl_bytes_edge_cases():
    data = b'\xef\xbb\xbf{"kind": "call"}\n\n"just a string"\n\xff\xfe\n'
    results = list(parse_jsonl_bytes(data, source="upload.jsonl"))

    assert [(r.position, r.reason) for r in results] == [
        ("line 1", "source_id: missing"),
        ("line 3", "expected a JSON object, got str"),
        ("line 4", "line is not UTF-8"),
    ]
