"""CalDAV capture against a real Radicale, and ICS feeds over HTTP with ETags."""

from __future__ import annotations

import datetime as dt
import http.server
import threading

import caldav
import pytest

from activities.models import Activity
from connections.models import CalendarConnection, CalendarCursor
from connections.tasks import sync_calendar

from .factories import CalendarConnectionFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def weeks_ago(n: int, hour: int = 16) -> dt.datetime:
    today = dt.datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return today - dt.timedelta(weeks=n)


def series(
    uid: str, *, first: dt.datetime, count: int, overrides: str = "", exdate: dt.datetime | None = None
) -> str:
    """A weekly pipeline review with an organizer and an external attendee."""
    ex = f"EXDATE:{_stamp(exdate)}\r\n" if exdate else ""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Backstory tests//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{_stamp(first)}\r\nDTSTART:{_stamp(first)}\r\n"
        f"DTEND:{_stamp(first + dt.timedelta(minutes=30))}\r\nRRULE:FREQ=WEEKLY;COUNT={count}\r\n{ex}"
        "SUMMARY:Weekly gas desk review\r\nORGANIZER;CN=Vince Kaminski:mailto:vince.kaminski@enron.com\r\n"
        "ATTENDEE;CN=Howard Kunreuther;PARTSTAT=ACCEPTED:mailto:kunreuth@wharton.upenn.edu\r\n"
        f"END:VEVENT\r\n{overrides}END:VCALENDAR\r\n"
    )


def override(
    uid: str,
    *,
    original: dt.datetime,
    start: dt.datetime,
    status: str = "CONFIRMED",
    summary: str = "Weekly gas desk review",
) -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{_stamp(original)}\r\nRECURRENCE-ID:{_stamp(original)}\r\n"
        f"DTSTART:{_stamp(start)}\r\nDTEND:{_stamp(start + dt.timedelta(minutes=30))}\r\nSTATUS:{status}\r\n"
        f"SUMMARY:{summary}\r\nORGANIZER;CN=Vince Kaminski:mailto:vince.kaminski@enron.com\r\n"
        "ATTENDEE;CN=Howard Kunreuther;PARTSTAT=ACCEPTED:mailto:kunreuth@wharton.upenn.edu\r\nEND:VEVENT\r\n"
    )


def single(uid: str, *, start: dt.datetime, summary: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Backstory tests//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{_stamp(start)}\r\nDTSTART:{_stamp(start)}\r\n"
        f"DTEND:{_stamp(start + dt.timedelta(hours=1))}\r\nSUMMARY:{summary}\r\n"
        "ORGANIZER;CN=Vince Kaminski:mailto:vince.kaminski@enron.com\r\n"
        "ATTENDEE;CN=Paul Kleindorfer:mailto:kleindorfer@wharton.upenn.edu\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture
def calendar(radicale, request):
    """A calendar of this test's own on Radicale, holding a weekly series with a moved occurrence,
    a cancelled occurrence and one single meeting."""
    client = caldav.DAVClient(
        url=radicale.url, username=radicale.username, password=radicale.password, timeout=10
    )
    name = f"Desk {request.node.name[:40]}"
    cal = client.principal().make_calendar(name=name)
    first = weeks_ago(6)
    cal.save_event(
        series(
            "review-1@enron.com",
            first=first,
            count=6,
            overrides=override(
                "review-1@enron.com",
                original=first + dt.timedelta(weeks=2),
                start=first + dt.timedelta(weeks=2, hours=2),
            )
            + override(
                "review-1@enron.com",
                original=first + dt.timedelta(weeks=3),
                start=first + dt.timedelta(weeks=3),
                status="CANCELLED",
            ),
        )
    )
    cal.save_event(single("wharton-1@enron.com", start=weeks_ago(2, hour=14), summary="Wharton risk seminar"))
    yield cal
    cal.delete()


def connect(radicale, calendar) -> CalendarConnection:
    return CalendarConnectionFactory(
        url=radicale.url,
        username=radicale.username,
        password=radicale.password,
        calendars=[calendar.get_display_name()],
    )


def meetings() -> dict[str, Activity]:
    return {a.source_id: a for a in Activity.objects.filter(kind=Activity.Kind.MEETING)}


def test_first_sync_stores_each_occurrence_with_the_exception_and_the_cancelled_one(radicale, calendar):
    connection = connect(radicale, calendar)

    result = sync_calendar.delay(connection.pk).get()

    stored = meetings()
    first = weeks_ago(6)
    occurrences = [k for k in stored if k.startswith("review-1@enron.com#")]
    assert len(occurrences) == 6
    moved = stored[f"review-1@enron.com#{_stamp(first + dt.timedelta(weeks=2))}"]
    assert moved.occurred_at == first + dt.timedelta(weeks=2, hours=2)
    assert stored[f"review-1@enron.com#{_stamp(first + dt.timedelta(weeks=3))}"].is_cancelled
    assert stored["wharton-1@enron.com"].subject == "Wharton risk seminar"
    assert result["captured"] == 7
    connection.refresh_from_db()
    assert connection.captured == 7 and connection.status == "ok"
    cursor = CalendarCursor.objects.get(connection=connection)
    assert cursor.sync_token  # RFC 6578: the next run asks only for what changed


def test_a_moved_meeting_and_a_cancelled_occurrence_update_the_stored_meetings(radicale, calendar):
    connection = connect(radicale, calendar)
    sync_calendar.delay(connection.pk)
    first = weeks_ago(6)

    # On the server: the single meeting moves a day later, the series' 5th occurrence is cancelled
    # and the 6th is taken off the calendar (EXDATE).
    seminar = calendar.event_by_uid("wharton-1@enron.com")
    seminar.data = single(
        "wharton-1@enron.com",
        start=weeks_ago(2, hour=14) + dt.timedelta(days=1),
        summary="Wharton risk seminar (moved)",
    )
    seminar.save()
    review = calendar.event_by_uid("review-1@enron.com")
    review.data = series(
        "review-1@enron.com",
        first=first,
        count=6,
        exdate=first + dt.timedelta(weeks=5),
        overrides=override(
            "review-1@enron.com",
            original=first + dt.timedelta(weeks=2),
            start=first + dt.timedelta(weeks=2, hours=2),
        )
        + override(
            "review-1@enron.com",
            original=first + dt.timedelta(weeks=3),
            start=first + dt.timedelta(weeks=3),
            status="CANCELLED",
        )
        + override(
            "review-1@enron.com",
            original=first + dt.timedelta(weeks=4),
            start=first + dt.timedelta(weeks=4),
            status="CANCELLED",
        ),
    )
    review.save()

    result = sync_calendar.delay(connection.pk).get()

    stored = meetings()
    assert len(stored) == 7  # updated in place, nothing stored twice
    assert stored["wharton-1@enron.com"].occurred_at == weeks_ago(2, hour=14) + dt.timedelta(days=1)
    assert stored["wharton-1@enron.com"].subject == "Wharton risk seminar (moved)"
    assert stored[f"review-1@enron.com#{_stamp(first + dt.timedelta(weeks=4))}"].is_cancelled
    assert stored[f"review-1@enron.com#{_stamp(first + dt.timedelta(weeks=5))}"].is_cancelled
    assert not stored[f"review-1@enron.com#{_stamp(first)}"].is_cancelled
    assert result["updated"] == 2 and result["cancelled"] == 1


def test_an_unchanged_calendar_downloads_no_event_again(radicale, calendar):
    connection = connect(radicale, calendar)
    sync_calendar.delay(connection.pk)
    from connections.services import calendar_sync

    connection.refresh_from_db()
    report = calendar_sync(connection=connection)

    assert report.downloaded == 0
    assert report.captured == 0
    assert len(meetings()) == 7


def test_a_deleted_event_cancels_its_meeting_and_keeps_it(radicale, calendar):
    connection = connect(radicale, calendar)
    sync_calendar.delay(connection.pk)

    calendar.event_by_uid("wharton-1@enron.com").delete()
    sync_calendar.delay(connection.pk)

    assert meetings()["wharton-1@enron.com"].is_cancelled


def test_a_wrong_calendar_password_is_reported_then_recovers(radicale, calendar):
    connection = connect(radicale, calendar)
    CalendarConnection.objects.filter(pk=connection.pk).update(password="")
    connection.password = "wrong"
    connection.save()

    result = sync_calendar.delay(connection.pk).get()

    assert "refused the sign-in" in result["error"]
    connection.refresh_from_db()
    assert connection.status == "error"
    connection.password = radicale.password
    connection.save()
    sync_calendar.delay(connection.pk)
    connection.refresh_from_db()
    assert connection.status == "ok" and connection.captured == 7


class _FeedHandler(http.server.BaseHTTPRequestHandler):
    """An Outlook-style published calendar: answers 304 when the ETag matches."""

    def do_GET(self):
        server = self.server
        etag = f'"v{server.version}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        server.downloads += 1
        body = server.body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    server.version, server.downloads = 1, 0
    server.body = series("feed-1@enron.com", first=weeks_ago(3), count=3)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_ics_feed_with_an_unchanged_etag_is_not_downloaded_again(feed):
    url = f"http://127.0.0.1:{feed.server_address[1]}/calendar.ics"
    connection = CalendarConnectionFactory(
        kind=CalendarConnection.Kind.ICS, url=url, username="", password=""
    )

    sync_calendar.delay(connection.pk)
    sync_calendar.delay(connection.pk)

    assert feed.downloads == 1
    assert len([k for k in meetings() if k.startswith("feed-1@enron.com#")]) == 3
    # The feed changes: one occurrence moves an hour later, so the next run downloads it again.
    first = weeks_ago(3)
    feed.body = series(
        "feed-1@enron.com",
        first=first,
        count=3,
        overrides=override(
            "feed-1@enron.com",
            original=first + dt.timedelta(weeks=1),
            start=first + dt.timedelta(weeks=1, hours=1),
        ),
    )
    feed.version = 2
    sync_calendar.delay(connection.pk)

    assert feed.downloads == 2
    assert meetings()[
        f"feed-1@enron.com#{_stamp(first + dt.timedelta(weeks=1))}"
    ].occurred_at == first + dt.timedelta(weeks=1, hours=1)
    connection.refresh_from_db()
    assert connection.captured == 3 and connection.status == "ok"
