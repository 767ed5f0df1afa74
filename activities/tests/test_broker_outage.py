"""A broker outage delays capture's hand-off to the engines and never loses it: a real Redis,
started on its own port for this test, stopped while 200 activities are captured, then started again."""

import pytest
from celery.contrib.testing.worker import start_worker
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from activities.models import Activity, EngineWork
from activities.tasks import send_owed_engine_work
from activities.tests.factories import api_item
from backstory.celery import app, tasks_through_broker

from .brokers import wait_until


@pytest.mark.django_db(transaction=True)
def test_200_activities_captured_while_redis_is_down_are_all_processed_after_it_returns(org, redis_server):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.dana).key}")
    items = [api_item(source_id=f"outage-{n}") for n in range(200)]
    with (
        tasks_through_broker(redis_server.url),
        start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            queues=["capture", "contacts", "insights"],
            loglevel="ERROR",
        ),
    ):
        redis_server.stop()
        response = client.post("/api/v1/activities", {"activities": items}, format="json")
        assert response.status_code == 201
        assert response.json()["created"] == 200 and response.json()["processing"] == "deferred"
        owed = EngineWork.objects.get()
        assert owed.sent_at is None and owed.done_at is None and "Error" in owed.last_error

        redis_server.start()
        # What Celery beat does every minute; the worker above reconnected on its own.
        assert send_owed_engine_work() == {"sent": 1, "failed": 0, "open": 1}
        assert wait_until(lambda: not EngineWork.objects.filter(done_at__isnull=True).exists())
    done = EngineWork.objects.get()
    assert sorted(done.activity_ids) == sorted(Activity.objects.values_list("id", flat=True))
    assert len(done.activity_ids) == 200
