"""A plain `celery -A backstory worker` consumes every queue Backstory routes tasks to, and every
task runs under a soft and a hard time limit (issue 14)."""

import os

import pytest
from celery.contrib.testing.worker import start_worker

from backstory.celery import app, tasks_through_broker
from backstory.tasks import healthcheck


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("queue", ["capture", "crm"])
def test_a_worker_started_without_queues_consumes_every_task_queue(queue):
    broker = os.environ.get("CELERY_BROKER_URL") or "memory://localhost/"
    with (
        tasks_through_broker(broker),
        start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"),
    ):
        result = healthcheck.apply_async(queue=queue)
        assert result.get(timeout=30) == {"database": True}


def test_every_task_has_a_soft_and_a_hard_time_limit():
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert len(ours) >= 10
    for name, task in ours.items():
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, f"{name}: soft {soft}, hard {hard}"
        assert task.queue in {q.name for q in app.conf.task_queues}, name


def test_celery_beat_started_alone_knows_every_schedule():
    """`celery -A backstory beat` loads Django and nothing else: each app's schedules must be known
    from start-up (registered by the app's ready()), not only after a task module happens to load."""
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from backstory.celery import app; "
        "print('\\n'.join(sorted(app.conf.beat_schedule)))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backstory.settings"}
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    schedules = set(found.stdout.split())
    assert {
        "activities-send-owed-engine-work",
        "connections-sync-due",
        "contacts-daily-deduplication",
        "crm-drain-outbox",
        "crm-pull-salesforce",
        "insights-nightly-summaries",
        "rollups-apply-pending",
        "users-login-failures-prune",
    } <= schedules
