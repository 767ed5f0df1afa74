"""parse_path and parse_bytes: file types, directory walks, uploads, determinism."""

import datetime as dt
import shutil
from pathlib import Path

from activities.parsing import ParsedActivity, ParseError, parse_bytes, parse_path

DATA = Path(__file__).parent / "data"
NOW = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


def test_directory_is_walked_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / ".hidden").mkdir()
    shutil.copy(DATA / "sensitivity_private.eml", tmp_path / "b" / "one.eml")
    shutil.copy(DATA / "private_meeting.ics", tmp_path / "a" / "calendar.ics")
    shutil.copy(DATA / "three_messages.mbox", tmp_path / "z.mbox")
    shutil.copy(DATA / "forward_outlook.eml", tmp_path / ".hidden" / "skipped.eml")
    (tmp_path / "notes.txt").write_text("not an activity")

    origins = [
        r.origin if isinstance(r, ParsedActivity) else f"{r.source} {r.position}"
        for r in parse_path(tmp_path, now=NOW)
    ]

    assert origins == [
        f"{tmp_path}/a/calendar.ics VEVENT 1",
        f"{tmp_path}/a/calendar.ics VEVENT 2",
        f"{tmp_path}/b/one.eml",
        f"{tmp_path}/z.mbox message 1",
        f"{tmp_path}/z.mbox message 2",
        f"{tmp_path}/z.mbox message 3",
    ]


def test_whole_fixture_directory_twice_gives_the_same_results():
    assert list(parse_path(DATA, now=NOW)) == list(parse_path(DATA, now=NOW))


def test_unsupported_single_file_is_an_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")

    (error,) = parse_path(path)
    assert isinstance(error, ParseError)
    assert error.reason.startswith("unsupported file type '.txt'")


def test_missing_path_is_an_error(tmp_path):
    (error,) = parse_path(tmp_path / "nowhere.eml")

    assert error.reason == "no such file or directory"


def test_ndjson_extension_and_upper_case_suffix(tmp_path):
    shutil.copy(DATA / "activities.jsonl", tmp_path / "calls.NDJSON")

    assert len(list(parse_path(tmp_path / "calls.NDJSON"))) == 6


def test_parse_bytes_for_each_kind():
    eml = list(parse_bytes((DATA / "forward_outlook.eml").read_bytes(), "forward.eml"))
    mbox = list(parse_bytes((DATA / "three_messages.mbox").read_bytes(), "inbox.mbox"))
    # the weekly series runs 8 January to 12 February 2024: inside the window around 15 February
    series_end = dt.datetime(2024, 2, 15, tzinfo=dt.UTC)
    ics = list(parse_bytes((DATA / "team_calendar.ics").read_bytes(), "cal.ics", now=series_end))
    jsonl = list(parse_bytes((DATA / "activities.jsonl").read_bytes(), "batch.jsonl"))

    assert eml[0].source_id == "BN7PR11MB2601.namprd11.prod.outlook.com"
    assert eml[0].origin == "forward.eml"
    assert [r.origin if isinstance(r, ParsedActivity) else (r.source, r.position) for r in mbox] == [
        "inbox.mbox message 1",
        ("inbox.mbox", "message 2"),
        "inbox.mbox message 3",
    ]
    assert len(ics) == 6
    assert len(jsonl) == 6
    assert list(parse_path(DATA / "three_messages.mbox"))[0].source_id == mbox[0].source_id


def test_parse_bytes_unsupported():
    (error,) = parse_bytes(b"%PDF-1.4", "deck.pdf")

    assert error == ParseError(
        source="deck.pdf",
        position="",
        reason="unsupported file type; expected one of .eml, .mbox, .ics, .jsonl, .ndjson",
    )
