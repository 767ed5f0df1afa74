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


def test_the_broker_block_wins_over_a_broker_in_the_environment(monkeypatch):
    """CI's second run sets CELERY_BROKER_URL, which Celery reads before its own configuration: a
    test's own Redis (the one it stops to make an outage) must still be the broker inside the block."""
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    with tasks_through_broker("redis://127.0.0.1:6555/0"):
        assert ":6555/" in app.connection_for_write().as_uri()
        with app.producer_or_acquire() as producer:
            assert ":6555/" in producer.connection.as_uri()
    assert os.environ["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"
    assert ":6379/" in app.connection_for_write().as_uri()
