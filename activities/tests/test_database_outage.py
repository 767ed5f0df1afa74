"""The database lost in the middle of a capture: a 503 the client retries, never items reported as
refused (a client drops those) and never an HTML 500; lost while the contact engine runs: the
hand-off stays owed and the sweeper runs it again, never a person skipped for good. The connection is dropped with Django's
query hook on any database; ``test_database_restart.py`` restarts a real PostgreSQL."""

import pytest
from django.db import OperationalError, connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from activities.models import Activity, EngineWork
from activities.services import activities_ingest
from activities.tasks import send_owed_engine_work
from activities.tests.factories import api_item, parsed_item
from contacts.models import Contact
from contacts.tests.factories import ConfigurationProfileFactory

NEW_PERSON = [
    {"email": "dana.rivera@lumen-analytics.com", "role": "from"},
    {"email": "new.person@acme.com", "name": "New Person"},
]


def _connection_lost_on_insert(execute, sql, params, many, context):
    # SQLite inserts; PostgreSQL takes the ids from the sequence first, then COPYs.
    inserting = sql.lstrip().upper().startswith("INSERT INTO") and "activities_activity" in sql
    if inserting or ("nextval" in sql and "activities_activity" in str(params)):
        raise OperationalError("server closed the connection unexpectedly")
    return execute(sql, params, many, context)


@pytest.fixture
def client(org, settings):
    settings.DEBUG = False  # the handler500 of production, not the debug page
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.dana).key}")
    return client


def test_a_capture_that_loses_the_database_answers_503_to_retry_and_the_retry_stores_each_once(client):
    items = [api_item(source_id=f"call-{n}") for n in range(5)]
    with connection.execute_wrapper(_connection_lost_on_insert):
        refused = client.post("/api/v1/activities", {"activities": items}, format="json")
    assert refused.status_code == 503
    assert refused["Content-Type"] == "application/json" and refused["Retry-After"] == "5"
    assert refused.json()["retry"] is True
    assert "Send the same request again in a few seconds" in refused.json()["detail"]
    assert not Activity.objects.exists()

    stored = client.post("/api/v1/activities", {"activities": items}, format="json")
    assert stored.status_code == 201 and stored.json()["created"] == 5
    again = client.post("/api/v1/activities", {"activities": items}, format="json")
    assert again.status_code == 200 and again.json()["duplicates"] == 5
    assert Activity.objects.count() == 5


def _connection_lost_on_contact_insert(execute, sql, params, many, context):
    if sql.lstrip().upper().startswith("INSERT INTO") and "contacts_contact" in sql:
        raise OperationalError("terminating connection due to administrator command")
    return execute(sql, params, many, context)


def test_the_contact_engine_losing_the_database_leaves_the_hand_off_open_and_the_sweeper_creates_the_contacts(
    org, django_capture_on_commit_callbacks
):
    ConfigurationProfileFactory(name="Sales", is_default=True, everything=True)
    item = parsed_item(source_id="call-1", participants=NEW_PERSON)
    # The database restarts while the contact engine writes (eager Celery runs it after commit).
    with (
        connection.execute_wrapper(_connection_lost_on_contact_insert),
        django_capture_on_commit_callbacks(execute=True),
    ):
        activities_ingest(items=[item], source=Activity.Source.API)
    assert not Contact.objects.filter(email="new.person@acme.com").exists()
    # Not done: the hand-off is still owed, never recorded as processed with the person skipped.
    assert EngineWork.objects.get().done_at is None

    with django_capture_on_commit_callbacks(execute=True):
        send_owed_engine_work()  # what Celery beat does every minute, the database back
    assert Contact.objects.get(email="new.person@acme.com").created_by_backstory
    assert EngineWork.objects.get().done_at is not None
