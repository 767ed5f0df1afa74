"""Fast inserts and updates (COPY on PostgreSQL, the ORM elsewhere) behave like the ORM."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from activities.models import Activity, Participant
from activities.services.bulk import among, insert_rows, update_rows

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


def activity_row(source_id, **extra):
    return {"kind": "email", "source_id": source_id, "occurred_at": WHEN, **extra}


def test_insert_rows_returns_ids_in_order_and_applies_defaults():
    ids = insert_rows(Activity, [activity_row("a"), activity_row("b", subject="Hello")])
    a, b = (Activity.objects.get(pk=pk) for pk in ids)
    assert (a.source_id, b.source_id, b.subject) == ("a", "b", "Hello")
    assert a.source == Activity.Source.API and a.account_match == "none" and a.is_private is False
    assert a.captured_at is not None
    participant_ids = insert_rows(Participant, [{"activity_id": a.pk, "email": "x@acme.com", "role": "to"}])
    assert Participant.objects.get(pk=participant_ids[0]).activity == a


def test_a_duplicate_source_id_is_an_integrity_error():
    insert_rows(Activity, [activity_row("a")])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Activity, [activity_row("a")])
    assert Activity.objects.count() == 1


def test_update_rows_sets_only_the_named_fields():
    ids = insert_rows(Activity, [activity_row("a", subject="keep"), activity_row("b", subject="keep")])
    with transaction.atomic():
        update_rows(
            Activity,
            [{"id": ids[0], "match_explanation": "one", "lead_id": None}],
            ["match_explanation", "lead_id"],
        )
    first, second = Activity.objects.get(pk=ids[0]), Activity.objects.get(pk=ids[1])
    assert (first.match_explanation, first.subject) == ("one", "keep")
    assert second.match_explanation == ""


def test_among_filters_like_in():
    ids = insert_rows(Activity, [activity_row(s) for s in "abc"])
    assert sorted(Activity.objects.filter(among("id", ids[:2])).values_list("source_id", flat=True)) == [
        "a",
        "b",
    ]
    assert list(Activity.objects.filter(among("source_id", []))) == []
