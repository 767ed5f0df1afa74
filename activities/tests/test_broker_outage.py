"""A broker outage delays capture's hand-offs to the engines and never loses them: a real Redis,
started on its own port for each test, stopped while activities are captured, removed from sync or
matched by hand, or re-matched after a CRM change, then started again."""

import gc
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import AccountDomain
from activities.models import Activity, EngineWork
from activities.services import activities_ingest, activities_rematch_after_crm_change
from activities.services.engagement_log import activity_match_manually, activity_remove_from_sync
from activities.tasks import send_owed_engine_work
from activities.tests.factories import ActivityFactory, ActivityOpportunityFactory, api_item, parsed_item
from backstory.celery import app, tasks_through_broker
from insights.models import Summary
from insights.tests.factories import SummaryFactory
from rollups.services import rollups_apply_pending_send, rollups_pending_count

from .brokers import wait_until


@contextmanager
def worker_on(redis_server, queues=("capture", "contacts", "insights")):
    """Tasks go through this test's own Redis, to a worker in this process consuming ``queues``."""
    with (
        tasks_through_broker(redis_server.url),
        start_worker(app, pool="solo", perform_ping_check=False, queues=list(queues), loglevel="ERROR"),
    ):
        try:
            yield
        finally:
            # Task results subscribed to this test's Redis are let go now, while it runs: let go later
            # by the garbage collector, after the test stopped it, each retried the stopped Redis for
            # 20 s in whatever test was running then (a browser test timed out on it).
            gc.collect()


@pytest.mark.django_db(transaction=True)
def test_200_activities_captured_while_redis_is_down_are_all_processed_after_it_returns(org, redis_server):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.dana).key}")
    items = [api_item(source_id=f"outage-{n}") for n in range(200)]
    with worker_on(redis_server):
        redis_server.stop()
        response = client.post("/api/v1/activities", {"activities": items}, format="json")
        assert response.status_code == 201
        assert response.json()["created"] == 200 and response.json()["processing"] == "deferred"
        owed = EngineWork.objects.get()
        assert owed.sent_at is None and owed.done_at is None and "Error" in owed.last_error
        # The operator sees the outage and the work waiting on it.
        health = client.get("/healthz").json()
        assert health["status"] == "degraded" and health["broker"].startswith("unreachable")
        backlog = client.get("/healthz/backlog").json()
        assert backlog["engine_work"]["waiting"] == 1
        assert backlog["rollups"]["waiting"] == 200 and backlog["rollups"]["oldest_seconds"] >= 0

        redis_server.start()
        # What Celery beat does every minute and every 10 seconds; the worker above reconnected on its own.
        assert send_owed_engine_work() == {"sent": 1, "failed": 0, "open": 1}
        rollups_apply_pending_send()
        assert wait_until(lambda: not EngineWork.objects.filter(done_at__isnull=True).exists())
        assert wait_until(lambda: rollups_pending_count() == 0)
        backlog = client.get("/healthz/backlog").json()
        assert backlog["engine_work"] == backlog["rollups"] == {"waiting": 0, "oldest_seconds": None}
    done = EngineWork.objects.get()
    assert sorted(done.activity_ids) == sorted(Activity.objects.values_list("id", flat=True))
    assert len(done.activity_ids) == 200


def _summaries_of_acme_fresh(org):
    SummaryFactory(account=org.acme, is_stale=False)
    SummaryFactory(account=None, opportunity=org.pilot, is_stale=False)
    activity = ActivityFactory(owner=org.dana, account=org.acme)
    ActivityOpportunityFactory(activity=activity, opportunity=org.pilot)
    return activity


def _stale(*, account=None, opportunity=None) -> bool:
    return Summary.objects.filter(account=account, opportunity=opportunity, is_stale=True).exists()


@pytest.mark.django_db(transaction=True)
def test_an_activity_removed_from_sync_while_redis_is_down_has_its_summaries_marked_stale_after_it_returns(
    org, redis_server
):
    activity = _summaries_of_acme_fresh(org)
    with worker_on(redis_server, queues=["capture", "insights"]):
        redis_server.stop()
        activity_remove_from_sync(activity=activity, user=org.admin)
        owed = EngineWork.objects.get(done_at__isnull=True)
        assert owed.task_name == "after_removal" and owed.sent_at is None

        redis_server.start()
        assert send_owed_engine_work()["sent"] == 1  # what Celery beat does every minute
        assert wait_until(lambda: not EngineWork.objects.filter(done_at__isnull=True).exists())
    # The summaries that counted it are refreshed without it.
    assert _stale(account=org.acme) and _stale(opportunity=org.pilot)


@pytest.mark.django_db(transaction=True)
def test_an_edit_match_while_redis_is_down_marks_the_summaries_it_left_stale_after_it_returns(
    org, redis_server
):
    activity = _summaries_of_acme_fresh(org)
    with worker_on(redis_server):
        redis_server.stop()
        # Dana takes the activity off Acme: Acme's and the Pilot's summaries must not count it any more.
        activity_match_manually(activity=activity, user=org.dana, account=None)
        assert EngineWork.objects.filter(
            task_name="summaries_stale", sent_at__isnull=True
        ).get().account_ids == [org.acme.pk]

        redis_server.start()
        send_owed_engine_work()
        assert wait_until(lambda: not EngineWork.objects.filter(done_at__isnull=True).exists())
    assert _stale(account=org.acme) and _stale(opportunity=org.pilot)


@pytest.mark.django_db(transaction=True)
def test_a_crm_change_while_redis_is_down_matches_the_activities_it_concerns_after_it_returns(
    org, redis_server
):
    # Mail from Acme's European office, which no account knew of: captured on no account.
    parsed = parsed_item(
        source_id="eu-1",
        participants=[
            {"email": "dana.rivera@lumen-analytics.com", "name": "Dana Rivera", "role": "from"},
            {"email": "lars@acme-eu.com", "name": "Lars Berg", "role": "to"},
        ],
    )
    activities_ingest(items=[parsed], source="api", hand_off=False)
    activity = Activity.objects.get(source_id="eu-1")
    assert activity.account_id is None
    with worker_on(redis_server):
        redis_server.stop()
        # The CRM pull learns Acme's second domain and asks for a re-match of what it concerns.
        with transaction.atomic():
            AccountDomain.objects.create(account=org.acme, domain="acme-eu.com")
            activities_rematch_after_crm_change(account_ids=[org.acme.pk], domains=["acme-eu.com"])
        assert EngineWork.objects.get(done_at__isnull=True).task_name == "rematch_after_crm_change"

        redis_server.start()
        send_owed_engine_work()  # what Celery beat does every minute
        assert wait_until(lambda: not EngineWork.objects.filter(done_at__isnull=True).exists())
    activity.refresh_from_db()
    assert activity.account_id == org.acme.pk
