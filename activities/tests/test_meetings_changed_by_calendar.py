"""A calendar imported again after its meetings changed: the stored meetings follow it (moved,
renamed, cancelled), the report says so, and the daily rollups the Query API reads follow too.
The same rule serves connected calendars (``connections``)."""

import io

from django.core.management import call_command
from django.test import TestCase

from activities.models import Activity
from rollups.models import AccountDay
from rollups.services import rollups_rebuild

CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Backstory tests//EN
BEGIN:VEVENT
UID:review@lumen-analytics.com
DTSTART:{review_start}
DTEND:{review_end}
SUMMARY:{review_summary}
ORGANIZER:mailto:dana.rivera@lumen-analytics.com
ATTENDEE;CN=Jane Doe;PARTSTAT=ACCEPTED:mailto:jane.doe@acme.com
END:VEVENT
BEGIN:VEVENT
UID:demo@lumen-analytics.com
DTSTART:20261118T150000Z
DTEND:20261118T160000Z
SUMMARY:Product demo
STATUS:{demo_status}
ORGANIZER:mailto:dana.rivera@lumen-analytics.com
ATTENDEE;CN=Jane Doe;PARTSTAT=ACCEPTED:mailto:jane.doe@acme.com
END:VEVENT
END:VCALENDAR
"""


def write(tmp_path, **changes):
    values = {
        "review_start": "20261116T150000Z",
        "review_end": "20261116T160000Z",
        "review_summary": "Security review",
        "demo_status": "CONFIRMED",
        **changes,
    }
    path = tmp_path / "dana.ics"
    path.write_text(CALENDAR.format(**values))
    return path


def run(path) -> str:
    out = io.StringIO()
    # As after a real commit: the task that adds the new meetings to the rollups runs (eagerly here).
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("import_activities", str(path), "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def rollup_rows():
    return sorted(tuple(v for k, v in row.items() if k != "id") for row in AccountDay.objects.values())


def test_a_calendar_imported_again_moves_renames_and_cancels_the_meetings_it_changed(org, tmp_path):
    first = run(write(tmp_path))
    assert "2 new activities stored" in first
    assert AccountDay.objects.filter(account=org.acme).exists()

    again = run(
        write(
            tmp_path,
            review_start="20261119T170000Z",
            review_end="20261119T174500Z",
            review_summary="Security review (moved)",
            demo_status="CANCELLED",
        )
    )

    review = Activity.objects.get(source_id="review@lumen-analytics.com")
    assert review.occurred_at.isoformat() == "2026-11-19T17:00:00+00:00"
    assert (review.subject, review.duration_minutes) == ("Security review (moved)", 45)
    assert Activity.objects.get(source_id="demo@lumen-analytics.com").is_cancelled
    assert Activity.objects.count() == 2  # updated, never stored twice
    assert "2 meetings already captured were updated from their calendar" in again
    # The Query API's daily counters moved with them: equal to a rebuild from the raw rows.
    kept = rollup_rows()
    rollups_rebuild()
    assert kept == rollup_rows()


def test_the_same_calendar_imported_again_changes_nothing(org, tmp_path):
    run(write(tmp_path))
    before = list(Activity.objects.order_by("pk").values())
    again = run(write(tmp_path))
    assert list(Activity.objects.order_by("pk").values()) == before
    assert "Nothing new: all 2 were already captured." in again
    assert "updated from" not in again
