"""Capture's hand-off to the contact engine and the insights engine, by task name
(activities/handoff.py): eagerly without a broker, through the broker to a worker with one."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError

from activities import handoff, tasks
from activities.models import EngineWork
from activities.services import activities_ingest
from activities.tests.factories import parsed_item
from backstory.celery import app, tasks_through_broker
from contacts.models import Contact
from contacts.tests.factories import ConfigurationProfileFactory
from insights.models import Summary

NEW_PERSON = [
    {"email": "dana.rivera@lumen-analytics.com", "role": "from"},
    {"email": "new.person@acme.com", "name": "New Person"},
]


def test_the_engines_tasks_are_named_on_their_own_queues():
    contact_engine = app.tasks[handoff.CONTACT_ENGINE]
    summaries = app.tasks[handoff.SUMMARIES_MARK_STALE]
    assert (contact_engine.name, contact_engine.queue) == ("contacts.process_activities", "contacts")
    assert (summaries.name, summaries.queue) == ("insights.summaries_mark_stale", "insights")
    assert tasks.rematch_after_crm_change.name == "activities.rematch_after_crm_change"
    assert tasks.match_activities_task.name == "activities.match_activities"


def test_without_a_broker_a_capture_runs_the_contact_engine_and_marks_the_summary(
    org, django_capture_on_commit_callbacks
):
    ConfigurationProfileFactory(name="Sales", is_default=True, everything=True)
    with django_capture_on_commit_callbacks(execute=True):
        activities_ingest(items=[parsed_item(source_id="email-1", participants=NEW_PERSON)], source="api")
    assert Contact.objects.get(email="new.person@acme.com").created_by_backstory
    assert Summary.objects.filter(account=org.acme).exists()


@pytest.mark.django_db
def test_a_big_capture_is_handed_off_in_bounded_batches():
    # What is owed is recorded per batch, in the capture's transaction (sent after commit).
    handoff.hand_off_after_capture(range(handoff.BATCH_SIZE * 2 + 1))
    batches = sorted((len(work.activity_ids) for work in EngineWork.objects.all()), reverse=True)
    assert batches == [handoff.BATCH_SIZE] * 2 + [1]


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_a_worker_on_the_contacts_queue_runs_the_contact_engine(org):
    ConfigurationProfileFactory(name="Sales", is_default=True, everything=True)
    broker = os.environ.get("CELERY_BROKER_URL") or "memory://localhost/"
    with (
        tasks_through_broker(broker),
        # Only the engines' queues: the hand-off must not need a worker on capture's queue.
        start_worker(
            app, pool="solo", perform_ping_check=False, queues=["contacts", "insights"], loglevel="WARNING"
        ),
    ):
        activities_ingest(items=[parsed_item(source_id="email-1", participants=NEW_PERSON)], source="api")
        deadline = time.monotonic() + 60
        for done in (
            lambda: Contact.objects.filter(email="new.person@acme.com").exists(),
            lambda: Summary.objects.filter(account=org.acme, is_stale=True).exists(),
        ):
            while not _read(done):
                assert time.monotonic() < deadline, f"the hand-off did not reach the worker through {broker}"
                time.sleep(0.1)


def _read(query) -> bool:
    # SQLite's shared in-memory test database locks a table while the worker thread writes it.
    try:
        return query()
    except OperationalError:
        return False
