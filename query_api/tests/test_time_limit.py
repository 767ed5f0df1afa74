"""Issue 19: every Query API query runs under a statement time limit; past it the answer is the
API's JSON 504 ``query_timeout`` naming the slowest column, never an HTML error page."""

import contextlib
import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import AccountFactory
from activities.models import Activity
from activities.tests.factories import ActivityFactory
from query_api.registry import DataType, QueryObject, load_catalog
from query_api.services import query_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_accounts():
    for n in range(20):
        account = AccountFactory()
        for day in range(3):
            ActivityFactory(
                account=account,
                occurred_at=dt.datetime(2026, 11, 2 + day, 10, tzinfo=dt.UTC),
                direction=Activity.Direction.OUTBOUND if n % 2 else Activity.Direction.INBOUND,
                thread_id=f"thread-{n}",
            )


def every_number_column():
    return [
        {"slug": metric.slug}
        for metric in load_catalog().metrics(QueryObject.ACCOUNT)
        if metric.data_type is DataType.NUMBER
    ]


def test_a_query_over_the_time_limit_is_a_json_504_naming_the_slowest_column(api, settings, busy_accounts):
    settings.QUERY_API_STATEMENT_TIMEOUT = 0.0001
    rate = {"slug": "ootb_response_rate", "variation_id": "ootb_response_rate_current_quarter"}
    body = {
        "object": "account",
        "columns": [{"slug": "ootb_account_name"}, *every_number_column()],
        "sort": [{"attribute": rate, "direction": "desc"}],
    }
    response = api.query(body)
    assert response.status_code == 504
    assert response["Content-Type"].startswith("application/json")
    [problem] = response.json()["errors"]
    assert problem["code"] == "query_timeout" and "limit" in problem["message"]
    assert problem["path"] == "sort[0].attribute"
    assert "ootb_response_rate_current_quarter" in problem["message"]


def test_the_same_query_within_the_limit_answers(api, settings, busy_accounts):
    settings.QUERY_API_STATEMENT_TIMEOUT = 30
    rate = {"slug": "ootb_response_rate", "variation_id": "ootb_response_rate_current_quarter"}
    body = {
        "object": "account",
        "columns": [{"slug": "ootb_account_name"}, rate],
        "sort": [{"attribute": rate}],
    }
    response = api.query(body)
    assert response.status_code == 200 and response.json()["total"] == 20


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement_timeout")
@pytest.mark.parametrize("inside_a_transaction", [False, True])
@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_for_the_query_only_and_the_connection_keeps_its_settings(
    settings, busy_accounts, inside_a_transaction
):
    settings.QUERY_API_STATEMENT_TIMEOUT = 7
    body = {"object": "account", "columns": [{"slug": "ootb_account_name"}]}
    before = (_setting("statement_timeout"), _setting("jit"))
    with transaction.atomic() if inside_a_transaction else contextlib.nullcontext():
        with CaptureQueriesContext(connection) as queries:
            assert query_run(body=body).total == 20
        # The same connection, afterwards: as it was.
        assert (_setting("statement_timeout"), _setting("jit")) == before
    assert any("'7000ms'" in query["sql"] for query in queries.captured_queries)
