"""A real Celery worker takes a captured activity to Salesforce: capture queues the contact engine,
the engine's outbox rows queue the drain, the worker pushes (Redis when CELERY_BROKER_URL is set,
Celery's in-memory transport otherwise). The benchmark command runs exactly this path."""

import io

import pytest
from django.core.management import call_command

from contacts.models import Contact
from crm.models import OutboxEntry


@pytest.mark.django_db(transaction=True)
def test_a_captured_contact_reaches_salesforce_through_a_worker():
    out = io.StringIO()
    call_command(
        "benchmark_salesforce_latency", "--runs", "2", "--target", "60", "--timeout", "60", stdout=out
    )
    text = out.getvalue()
    assert "run 2: captured in" in text and "contact in Salesforce after" in text, text
    assert "within" in text, text
    # Each run's contact was pushed, then cleaned up locally (the benchmark keeps no trace).
    assert not Contact.objects.filter(email__startswith="bench.").exists()
    assert set(OutboxEntry.objects.values_list("status", flat=True)) <= {OutboxEntry.Status.DONE}


def test_the_benchmark_leaves_celery_following_the_settings(settings):
    from backstory.celery import app

    assert "task_always_eager" not in app.conf.changes and "broker_url" not in app.conf.changes
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert app.conf.task_always_eager is False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert app.conf.task_always_eager is True
