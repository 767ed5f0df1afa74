"""Tasks really travel through the broker to a worker: Redis when CELERY_BROKER_URL is set (CI's
second run), Celery's in-memory transport otherwise."""

import os

import pytest
from celery.contrib.testing.worker import start_worker

from backstory.celery import app, tasks_through_broker
from backstory.tasks import healthcheck


@pytest.mark.django_db(transaction=True)
def test_a_task_goes_through_the_broker_to_a_worker():
    broker = os.environ.get("CELERY_BROKER_URL") or "memory://localhost/"
    with (
        tasks_through_broker(broker),
        start_worker(app, pool="solo", perform_ping_check=False, queues=["default"], loglevel="WARNING"),
    ):
        result = healthcheck.apply_async(queue="default")
        assert result.get(timeout=30) == {"database": True}
    assert result.successful(), f"the task did not complete through {broker}"


def test_after_the_broker_block_celery_follows_the_settings_again(settings):
    with tasks_through_broker("memory://localhost/"):
        assert app.conf.task_always_eager is False
    assert "task_always_eager" not in app.conf.changes and "broker_url" not in app.conf.changes
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert app.conf.task_always_eager is False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert app.conf.task_always_eager is True
