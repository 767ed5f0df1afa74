"""The pull's small rules, table by table: domains from CRM fields, windows, the delete log,
picklists, stage changes."""

import datetime as dt

import pytest

from contacts.models import DEPARTMENT_CHOICES, SENIORITY_CHOICES
from crm.sync.accounts import account_domains
from crm.sync.deals import stage_changes
from crm.sync.engine import UnknownObject, pull_objects
from crm.sync.values import choice_key, parse_datetime, soql_quote, to_decimal
from crm.sync.windows import delete_log_covers, window_end, window_is_open

UTC = dt.UTC


@pytest.mark.parametrize(
    ("website", "secondary", "expected"),
    [
        ("https://www.acme.com/", None, [("acme.com", True)]),
        (
            "https://www.acme.com/",
            "acme.co.uk;acme-labs.io",
            [("acme.com", True), ("acme.co.uk", False), ("acme-labs.io", False)],
        ),
        (
            "www.initech.io",
            "initech.com, https://eu.initech.io/ initech.de",
            [("initech.io", True), ("initech.com", False), ("initech.de", False)],
        ),
        (None, "umbrella-health.com", [("umbrella-health.com", False)]),
        ("https://shop.acme.co.uk", "ACME.CO.UK;;acme.com", [("acme.co.uk", True), ("acme.com", False)]),
        ("https://gmail.com", "yahoo.com;acme.com", [("acme.com", False)]),
        ("n/a", "", []),
        ("", None, []),
    ],
)
def test_account_domains_from_website_and_the_secondary_field(website, secondary, expected):
    assert account_domains(website, secondary) == expected


@pytest.mark.parametrize(
    ("now", "end"),
    [
        (dt.datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC), dt.datetime(2026, 11, 23, 11, 58, tzinfo=UTC)),
        (
            dt.datetime(2026, 11, 23, 12, 0, 59, 999, tzinfo=UTC),
            dt.datetime(2026, 11, 23, 11, 58, tzinfo=UTC),
        ),
        (dt.datetime(2026, 11, 23, 0, 1, 30, tzinfo=UTC), dt.datetime(2026, 11, 22, 23, 59, tzinfo=UTC)),
    ],
)
def test_a_window_ends_two_minutes_ago_on_the_minute(now, end):
    assert window_end(now) == end


def test_a_window_needs_a_whole_minute():
    end = dt.datetime(2026, 11, 23, 11, 58, tzinfo=UTC)
    assert window_is_open(None, end)
    assert window_is_open(end - dt.timedelta(minutes=1), end)
    assert not window_is_open(end, end)


START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "covers"),
    [
        # The log reaches back before the checkpoint.
        (
            {
                "earliestDateAvailable": "2026-11-01T00:00:00.000+0000",
                "latestDateCovered": "2026-11-23T11:58:00.000+0000",
                "deletedRecords": [],
            },
            True,
        ),
        # Nothing was ever deleted: the stand-in reports the window's end.
        (
            {
                "earliestDateAvailable": "2026-11-23T11:58:00.000+0000",
                "latestDateCovered": "2026-11-23T11:58:00.000+0000",
                "deletedRecords": [],
            },
            True,
        ),
        # The log starts with a delete listed in this answer: not a purge.
        (
            {
                "earliestDateAvailable": "2026-11-23T10:30:00.000+0000",
                "latestDateCovered": "2026-11-23T11:58:00.000+0000",
                "deletedRecords": [{"id": "003x", "deletedDate": "2026-11-23T10:30:00.000+0000"}],
            },
            True,
        ),
        # Deletes after the checkpoint were purged: the log starts later than the checkpoint.
        (
            {
                "earliestDateAvailable": "2026-11-23T10:30:00.000+0000",
                "latestDateCovered": "2026-11-23T11:58:00.000+0000",
                "deletedRecords": [{"id": "003y", "deletedDate": "2026-11-23T11:00:00.000+0000"}],
            },
            False,
        ),
        (
            {
                "earliestDateAvailable": "2026-11-23T10:30:00.000+0000",
                "latestDateCovered": "2026-11-23T11:58:00.000+0000",
                "deletedRecords": [],
            },
            False,
        ),
    ],
)
def test_the_delete_log_covers_the_checkpoint(body, covers):
    assert delete_log_covers(START, body) is covers


@pytest.mark.parametrize(
    ("choices", "value", "key"),
    [
        (DEPARTMENT_CHOICES, "Engineering", "engineering"),
        (DEPARTMENT_CHOICES, "customer success", "customer_success"),
        (DEPARTMENT_CHOICES, "IT", "it"),
        (DEPARTMENT_CHOICES, "Clinical", ""),
        (SENIORITY_CHOICES, "C-Level", "c_level"),
        (SENIORITY_CHOICES, "vp", "vp"),
        (SENIORITY_CHOICES, None, ""),
    ],
)
def test_a_picklist_value_is_a_local_choice_by_label_or_key(choices, value, key):
    assert choice_key(choices, value) == key


def test_salesforce_datetimes_and_literals():
    assert parse_datetime("2024-07-01T12:00:00.000+0000") == dt.datetime(2024, 7, 1, 12, tzinfo=UTC)
    assert parse_datetime("2024-07-01T14:00:00.000+0200") == dt.datetime(2024, 7, 1, 12, tzinfo=UTC)
    assert parse_datetime("2024-07-01T12:00:00Z") == dt.datetime(2024, 7, 1, 12, tzinfo=UTC)
    assert parse_datetime(None) is None
    assert soql_quote("O'Connor") == "'O\\'Connor'"
    assert str(to_decimal(1250000000)) == "1250000000.00"
    assert to_decimal("") is None


def _row(record_id, stage, when):
    return {"Id": record_id, "StageName": stage, "CreatedDate": f"2026-11-{when}T10:00:00.000+0000"}


def test_stage_changes_are_rows_whose_stage_differs_from_the_one_before():
    rows = [
        _row("008a", "Prospecting", "01"),
        _row("008c", "Qualification", "05"),
        _row("008b", "Prospecting", "03"),  # the amount changed, not the stage
        _row("008d", "Qualification", "07"),  # the close date changed
        _row("008e", "Closed Won", "09"),
    ]
    assert [r["Id"] for r in stage_changes(rows)] == ["008a", "008c", "008e"]


def test_objects_are_pulled_in_dependency_order_whatever_the_order_asked():
    assert pull_objects(["contact", "Account", "OpportunityContactRole"]) == [
        "Account",
        "Contact",
        "OpportunityContactRole",
    ]
    assert pull_objects(None)[0] == "User"
    with pytest.raises(UnknownObject, match="Wombat"):
        pull_objects(["Wombat"])
