"""Each operator on each type, missing values, $and/$or/$not, sort order, in SQL (SQLite and PostgreSQL)."""

import datetime as dt

import pytest

from accounts.tests.factories import AccountFactory
from insights.tests.factories import SummaryFactory
from opportunities.tests.factories import OpportunityFactory
from query_api.services import query_run

pytestmark = pytest.mark.django_db
NAME = {"slug": "ootb_account_name"}


@pytest.fixture
def accounts(frozen_now):
    """Four accounts: strings, numbers, booleans and dates with empty and missing values."""
    made = {
        "Alpha": AccountFactory(name="Alpha", industry="Technology", company_size=100, tier="Enterprise"),
        "Beta": AccountFactory(name="Beta", industry="Healthcare", company_size=0, tier="SMB"),
        "Gamma": AccountFactory(name="Gamma", industry="", company_size=2500, tier="SMB"),
        "Delta": AccountFactory(name="Delta", industry="technology services", company_size=None, tier=""),
    }
    SummaryFactory(account=made["Alpha"], executive_engagement=True, relationship_strength=80)
    SummaryFactory(account=made["Beta"], executive_engagement=False, relationship_strength=35)
    OpportunityFactory(account=made["Alpha"], close_date=dt.date(2026, 12, 31))
    OpportunityFactory(account=made["Beta"], close_date=dt.date(2026, 11, 15))
    return made


def names(attribute, clause, query_object="account"):
    body = {
        "object": query_object,
        "columns": [NAME],
        "filter": {"attribute": attribute, "clause": clause},
        "sort": [{"attribute": NAME}],
    }
    return [row["ootb_account_name"] for row in query_run(body=body).rows]


INDUSTRY = {"slug": "industry"}
SIZE = {"slug": "company_size"}
EXEC = {"slug": "ootb_executive_engagement"}


@pytest.mark.parametrize(
    "clause,expected",
    [
        ({"$eq": "Technology"}, ["Alpha"]),
        ({"$eq": ""}, ["Gamma"]),  # empty strings, as the reference says
        ({"$ne": "Technology"}, ["Beta", "Delta", "Gamma"]),
        ({"$in": ["Technology", "Healthcare"]}, ["Alpha", "Beta"]),
        ({"$in": []}, []),
        ({"$nin": ["Technology", ""]}, ["Beta", "Delta"]),
        ({"$nin": []}, ["Alpha", "Beta", "Delta", "Gamma"]),
        ({"$regex": "^tech"}, ["Delta"]),
        ({"$regex": "^tech", "$options": "i"}, ["Alpha", "Delta"]),
        ({"$regex": "care$"}, ["Beta"]),
        ({"$exists": True}, ["Alpha", "Beta", "Delta", "Gamma"]),
    ],
)
def test_string_operators(accounts, clause, expected):
    assert names(INDUSTRY, clause) == expected


@pytest.mark.parametrize(
    "clause,expected",
    [
        ({"$eq": 0}, ["Beta"]),  # zero values, distinct from missing
        ({"$eq": 100.0}, ["Alpha"]),
        ({"$eq": 100.5}, []),  # never truncated to 100
        ({"$ne": 100}, ["Beta", "Delta", "Gamma"]),  # $ne also matches missing values (MongoDB's meaning)
        ({"$gt": 100}, ["Gamma"]),
        ({"$gt": 99.5}, ["Alpha", "Gamma"]),
        ({"$gte": 100}, ["Alpha", "Gamma"]),
        ({"$lt": 100}, ["Beta"]),
        ({"$lte": 100}, ["Alpha", "Beta"]),
        ({"$gte": 10, "$lte": 200}, ["Alpha"]),
        ({"$in": [0, 2500]}, ["Beta", "Gamma"]),
        ({"$nin": [0, 2500]}, ["Alpha", "Delta"]),
        ({"$exists": False}, ["Delta"]),  # missing values, as the reference says
        ({"$exists": True}, ["Alpha", "Beta", "Gamma"]),
    ],
)
def test_number_operators(accounts, clause, expected):
    assert names(SIZE, clause) == expected


@pytest.mark.parametrize(
    "clause,expected",
    [
        ({"$eq": True}, ["Alpha"]),
        ({"$eq": False}, ["Beta"]),
        ({"$ne": True}, ["Beta", "Delta", "Gamma"]),
        ({"$exists": False}, ["Delta", "Gamma"]),
    ],
)
def test_boolean_operators(accounts, clause, expected):
    assert names(EXEC, clause) == expected


def opportunities(clause):
    body = {
        "object": "opportunity",
        "columns": [{"slug": "crm_account_name"}],
        "filter": {"attribute": {"slug": "expected_close_date"}, "clause": clause},
        "sort": [{"attribute": {"slug": "crm_account_name"}}],
    }
    return [row["crm_account_name"] for row in query_run(body=body).rows]


EPOCH_MS_2026_11_15 = int(dt.datetime(2026, 11, 15, tzinfo=dt.UTC).timestamp() * 1000)


@pytest.mark.parametrize(
    "clause,expected",
    [
        ({"$eq": "2026-11-15"}, ["Beta"]),
        ({"$eq": EPOCH_MS_2026_11_15}, ["Beta"]),
        ({"$ne": "2026-11-15"}, ["Alpha"]),
        ({"$gt": "2026-11-15"}, ["Alpha"]),
        ({"$gte": EPOCH_MS_2026_11_15}, ["Alpha", "Beta"]),
        ({"$lt": "2026-12-31"}, ["Beta"]),
        ({"$lte": "2026-12-31"}, ["Alpha", "Beta"]),
        ({"$in": ["2026-12-31", "2020-01-01"]}, ["Alpha"]),
        ({"$nin": ["2026-12-31"]}, ["Beta"]),
        ({"$exists": True}, ["Alpha", "Beta"]),
    ],
)
def test_date_operators_iso_and_epoch_milliseconds(accounts, clause, expected):
    assert opportunities(clause) == expected


def test_and_or_not_are_exact_complements_even_with_missing_values(accounts):
    big = {"attribute": SIZE, "clause": {"$gte": 100}}
    tech = {"attribute": INDUSTRY, "clause": {"$eq": "Technology"}}

    def run(node):
        return [
            row["ootb_account_name"]
            for row in query_run(
                body={"object": "account", "columns": [NAME], "filter": node, "sort": [{"attribute": NAME}]}
            ).rows
        ]

    assert run({"$and": [big, tech]}) == ["Alpha"]
    assert run({"$or": [big, tech]}) == ["Alpha", "Gamma"]
    assert run({"$not": big}) == ["Beta", "Delta"]  # Delta has no size: "not >= 100" holds
    assert run({"$not": {"$not": big}}) == ["Alpha", "Gamma"]
    assert run({"$or": [{"$not": big}, big]}) == ["Alpha", "Beta", "Delta", "Gamma"]


def test_sort_puts_missing_values_last_both_ways_and_breaks_ties_stably(accounts):
    def order(direction):
        body = {"object": "account", "columns": [NAME], "sort": [{"attribute": SIZE, "direction": direction}]}
        return [row["ootb_account_name"] for row in query_run(body=body).rows]

    assert order("asc") == ["Beta", "Alpha", "Gamma", "Delta"]
    assert order("desc") == ["Gamma", "Alpha", "Beta", "Delta"]


def test_a_filter_on_a_metric_that_is_not_a_column(accounts):
    body = {
        "object": "account",
        "columns": [NAME],
        "filter": {"attribute": {"slug": "ootb_relationship_strength"}, "clause": {"$gt": 50}},
    }
    result = query_run(body=body)
    assert result.rows == [{"ootb_account_name": "Alpha"}] and result.total == 1
