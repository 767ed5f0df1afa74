"""Captured activities reach the daily rollups (what the Query API sums) through a task sent after
capture commits, not inside capture's transaction: within seconds with a real worker, and after a
broker outage once the task is sent again (Celery beat sends it every 10 seconds)."""

import pytest
from django.db import connection
from django.db.models import Sum
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from activities.models import Activity
from activities.tests.factories import api_item
from query_api.services import query_run
from rollups.models import AccountDay, UserDay
from rollups.services import rollups_apply_pending_send, rollups_pending_count, rollups_rebuild

from .brokers import wait_until
from .test_broker_outage import worker_on

CALLS = 40
# The worker runs in this process beside the test; SQLite's shared in-memory test database locks
# whole tables between them ("database table is locked"). Production's database is PostgreSQL.
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a worker beside the test needs PostgreSQL"
)


def capture_calls(org, prefix: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.dana).key}")
    items = [
        api_item(source_id=f"{prefix}-{n}", occurred_at=f"2026-11-{10 + n % 10:02d}T15:00:00Z")
        for n in range(CALLS)
    ]
    response = client.post("/api/v1/activities", {"activities": items}, format="json")
    assert response.status_code == 201 and response.json()["created"] == CALLS
    return response


def calls_in_the_rollups(org) -> int:
    days = AccountDay.objects.filter(account=org.acme, is_month=False)
    return days.aggregate(n=Sum("calls"))["n"] or 0


def calls_in_the_query_api() -> int:
    body = {
        "object": "account",
        "columns": [
            {"slug": "ootb_account_name"},
            {"slug": "ootb_calls_made", "variation_id": "ootb_calls_made_current_month"},
        ],
    }
    [row] = [row for row in query_run(body=body).rows if row["ootb_account_name"] == "Acme"]
    return row["ootb_calls_made_current_month"]


def rollup_rows():
    return {
        model.__name__: sorted(
            tuple(v for k, v in row.items() if k != "id") for row in model.objects.values()
        )
        for model in (AccountDay, UserDay)
    }


@pytest.mark.django_db(transaction=True)
def test_calls_captured_through_the_api_are_counted_by_the_query_api_seconds_later(org, redis_server):
    with worker_on(redis_server, queues=["capture"]):
        capture_calls(org, "live")
        assert wait_until(lambda: rollups_pending_count() == 0)
    assert calls_in_the_rollups(org) == CALLS
    assert calls_in_the_query_api() == CALLS
    kept = rollup_rows()
    rollups_rebuild()
    assert rollup_rows() == kept  # counted once each


@pytest.mark.django_db(transaction=True)
def test_calls_captured_while_redis_is_down_are_counted_once_the_task_is_sent_again(org, redis_server):
    with worker_on(redis_server, queues=["capture"]):
        redis_server.stop()
        response = capture_calls(org, "outage")
        assert response.json()["processing"] == "deferred"
        # Stored and owed to the rollups; the Query API does not count them yet.
        assert Activity.objects.count() == CALLS and rollups_pending_count() == CALLS
        assert calls_in_the_rollups(org) == 0 and calls_in_the_query_api() == 0

        redis_server.start()
        assert rollups_apply_pending_send()  # what Celery beat does every 10 seconds
        assert wait_until(lambda: rollups_pending_count() == 0)
    assert calls_in_the_rollups(org) == CALLS and calls_in_the_query_api() == CALLS
    kept = rollup_rows()
    rollups_rebuild()
    assert rollup_rows() == kept
