"""Hostile sizes through import_activities: endless recurrence, huge COUNT, big attachments, big
messages. Each is cut or refused with the limit named, and everything else is stored."""

import base64
import io

from django.core.management import call_command

from activities.models import Activity, ActivityAttachment

CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Backstory tests//EN
BEGIN:VEVENT
UID:{uid}
DTSTART:{start}
DTEND:{end}
SUMMARY:{summary}
RRULE:{rule}
ORGANIZER:mailto:dana.rivera@lumen-analytics.com
ATTENDEE;CN=Jane Doe:mailto:jane.doe@acme.com
END:VEVENT
BEGIN:VEVENT
UID:kickoff@lumen-analytics.com
DTSTART:20261116T150000Z
DTEND:20261116T160000Z
SUMMARY:Kickoff
ORGANIZER:mailto:dana.rivera@lumen-analytics.com
ATTENDEE;CN=Jane Doe:mailto:jane.doe@acme.com
END:VEVENT
END:VCALENDAR
"""


def run(*args):
    out = io.StringIO()
    call_command("import_activities", *map(str, args), "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def calendar(tmp_path, *, rule, start="20250101T090000Z", end="20250101T090001Z"):
    path = tmp_path / "invite.ics"
    path.write_text(
        CALENDAR.format(uid="flood@example.com", start=start, end=end, summary="Flood", rule=rule)
    )
    return path


def test_a_secondly_rule_with_no_end_stores_at_most_the_limit_and_says_so(org, settings, tmp_path):
    settings.BACKSTORY_RECURRENCE_MAX_OCCURRENCES = 40
    # It started almost two years before "now" (2026-11-23): nothing before the window is walked.
    out = run(calendar(tmp_path, rule="FREQ=SECONDLY"))
    flood = Activity.objects.filter(source_id__startswith="flood@example.com#")
    assert flood.count() == 40
    assert min(flood.values_list("occurred_at", flat=True)).date().isoformat() == "2026-08-25"  # 90 days back
    assert Activity.objects.filter(source_id="kickoff@lumen-analytics.com").exists()
    assert "recurring meeting has more than 40 occurrences between 2026-08-25 and 2027-05-22" in out
    assert "(limit: BACKSTORY_RECURRENCE_MAX_OCCURRENCES)" in out


def test_a_minutely_rule_with_count_100000_is_cut_at_the_limit(org, settings, tmp_path):
    settings.BACKSTORY_RECURRENCE_MAX_OCCURRENCES = 60
    out = run(
        calendar(
            tmp_path, rule="FREQ=MINUTELY;COUNT=100000", start="20261120T090000Z", end="20261120T090100Z"
        )
    )
    assert Activity.objects.filter(source_id__startswith="flood@example.com#").count() == 60
    assert "62 new activities stored" not in out and "61 new activities stored" in out
    assert "more than 60 occurrences" in out


def test_a_weekly_series_without_end_is_expanded_only_inside_the_window(org, tmp_path):
    run(calendar(tmp_path, rule="FREQ=WEEKLY", start="20200106T160000Z", end="20200106T163000Z"))
    dates = sorted(
        Activity.objects.filter(source_id__startswith="flood@").values_list("occurred_at", flat=True)
    )
    # 2026-08-25 .. 2027-05-22 (90 days back, 180 ahead of 2026-11-23), Mondays only.
    assert len(dates) == 38
    assert (dates[0].date().isoformat(), dates[-1].date().isoformat()) == ("2026-08-31", "2027-05-17")


def _message(attachment: bytes, *, message_id: str) -> bytes:
    encoded = base64.encodebytes(attachment)
    return (
        (
            f"Message-ID: <{message_id}>\n"
            "Date: Mon, 16 Nov 2026 09:00:00 +0000\n"
            "From: Dana Rivera <dana.rivera@lumen-analytics.com>\n"
            "To: Jane Doe <jane.doe@acme.com>\n"
            "Subject: The signed order form\n"
            "MIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="b1"\n\n'
            "--b1\n"
            "Content-Type: text/plain; charset=utf-8\n\n"
            "Hi Jane,\n\nthe signed order form is attached.\n\nDana\n\n"
            "--b1\n"
            'Content-Type: application/pdf; name="Order form.pdf"\n'
            "Content-Transfer-Encoding: base64\n"
            'Content-Disposition: attachment; filename="Order form.pdf"\n\n'
        ).encode()
        + encoded
        + b"--b1--\n"
    )


def test_an_attachment_is_measured_not_kept_and_the_message_is_stored(org, tmp_path):
    (tmp_path / "order.eml").write_bytes(_message(b"%PDF" + bytes(3 * 2**20), message_id="order@lumen"))
    run(tmp_path / "order.eml")
    activity = Activity.objects.get(source_id="order@lumen")
    assert "the signed order form is attached" in activity.body
    attachment = ActivityAttachment.objects.get(activity=activity)
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "Order form.pdf",
        "application/pdf",
        3 * 2**20 + 4,
    )


def test_a_message_over_the_size_limit_is_refused_by_name_and_the_next_one_is_stored(org, settings, tmp_path):
    settings.BACKSTORY_MAX_MESSAGE_MB = 1
    big = _message(bytes(2 * 2**20), message_id="big@lumen")
    small = _message(b"%PDF small", message_id="small@lumen")
    separator = b"From dana.rivera@lumen-analytics.com Mon Nov 16 09:00:00 2026\n"
    (tmp_path / "box.mbox").write_bytes(separator + big + b"\n" + separator + small + b"\n")
    out = run(tmp_path / "box.mbox")
    assert "box.mbox message 1: message is 2.7 MB, over the 1 MB limit (BACKSTORY_MAX_MESSAGE_MB)" in out
    assert list(Activity.objects.values_list("source_id", flat=True)) == ["small@lumen"]
