"""One bad item never costs the good ones: raw bytes in a name, lone surrogates, a row the database
refuses. Driven through import_activities, POST /api/v1/activities and the ingest service."""

import dataclasses
import io
import json

from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from activities.models import Activity, Participant
from activities.services import Status, activities_ingest
from activities.tests.factories import api_item, parsed_item

from .conftest import DATA

HOSTILE = DATA / "hostile"


def run(*args):
    out = io.StringIO()
    call_command("import_activities", *map(str, args), "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_sender_name_in_raw_latin1_bytes_is_decoded_and_all_six_messages_are_stored(org):
    out = run(HOSTILE / "latin1_display_name.mbox")
    assert "6 new activities stored" in out and "0 could not be read" in out
    assert Activity.objects.count() == 6
    sender = Participant.objects.get(activity__source_id="latin1-batch-4@lumen-analytics.com", role="from")
    assert (sender.name, sender.first_name, sender.last_name) == ("Jérôme Dupont", "Jérôme", "Dupont")
    assert "repair" in out  # the guess is reported, not silent


def test_a_lone_surrogate_in_one_api_item_is_refused_by_index_and_the_other_four_are_stored(org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.dana).key}")
    items = [api_item(source_id=f"call-{n}") for n in range(5)]
    items[2]["participants"][1]["name"] = "J\udce9r"
    # json.dumps escapes the surrogate as \udce9, exactly what a broken client sends.
    response = client.generic(
        "POST", "/api/v1/activities", json.dumps({"activities": items}), content_type="application/json"
    )
    assert response.status_code == 207
    body = response.json()
    assert body["created"] == 4
    assert body["errors"] == [
        {
            "index": 2,
            "field": "participants[1].name",
            "reason": "holds U+DCE9 (a lone surrogate, not text); send the text as valid UTF-8 "
            "(an escape like \\udce9 is half of a character, not a letter)",
        }
    ]
    assert sorted(Activity.objects.values_list("source_id", flat=True)) == [
        "call-0",
        "call-1",
        "call-3",
        "call-4",
    ]


def test_a_json_lines_file_reports_the_line_with_a_lone_surrogate_and_stores_the_rest(org, tmp_path):
    lines = [api_item(source_id=f"call-{n}") for n in range(3)]
    lines[1]["subject"] = "Renewal \ud800 call"
    (tmp_path / "calls.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    out = run(tmp_path / "calls.jsonl")
    assert "2 new activities stored" in out and "1 could not be read" in out
    assert "calls.jsonl line 2: subject: holds U+D800 (a lone surrogate, not text)" in out


def test_the_ingest_service_refuses_a_surrogate_before_the_insert_and_keeps_the_batch(org):
    good = [parsed_item(source_id=f"call-{n}") for n in range(3)]
    bad = dataclasses.replace(parsed_item(source_id="call-bad"), subject="Pricing \udce9")
    report = activities_ingest(items=[good[0], bad, good[1], good[2]], source=Activity.Source.API)
    assert report.created == 3
    assert [o.status for o in report.outcomes] == [
        Status.CREATED,
        Status.ERROR,
        Status.CREATED,
        Status.CREATED,
    ]
    assert (
        report.outcomes[1].reason == "subject: holds U+DCE9 (a lone surrogate, not text); it cannot be stored"
    )
    assert Activity.objects.count() == 3


def test_a_row_the_database_refuses_is_reported_and_the_rest_of_its_batch_is_stored(org):
    items = [parsed_item(source_id=f"call-{n}") for n in range(5)]
    # A NOT NULL constraint: the database, not our checks, refuses this one.
    items[3] = dataclasses.replace(items[3], occurred_at=None)
    report = activities_ingest(items=items, source=Activity.Source.API)
    assert report.created == 4
    assert report.outcomes[3].status == Status.ERROR
    assert report.outcomes[3].reason.startswith("could not be stored: IntegrityError")
    assert sorted(Activity.objects.values_list("source_id", flat=True)) == [
        "call-0",
        "call-1",
        "call-2",
        "call-4",
    ]
    assert Participant.objects.count() == 8
