"""A worker killed with SIGKILL mid-task: late acks and a short visibility timeout deliver the task
again to the next worker, in seconds. A real redis-server and real `celery worker` processes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from backstory.celery import app, tasks_through_broker

from .brokers import wait_until

ROOT = Path(__file__).resolve().parents[2]


def start_worker_process(broker_url: str, name: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backstory.settings",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "3",
    }
    environment.pop("DATABASE_URL", None)  # the task touches no database: the workers need none
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backstory",
            "worker",
            "-Q",
            "kill-test",
            "-c",
            "1",
            "--include",
            "activities.tests.worker_kill_tasks",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # SIGKILL the whole worker: main process and pool child
    )


def test_a_task_of_a_worker_killed_mid_task_is_delivered_again_and_finishes(redis_server, tmp_path):
    marker = tmp_path / "runs.txt"
    first = start_worker_process(redis_server.url, "first")
    try:
        # An explicit connection: never a pooled one to the broker the settings name (CI's second run).
        with tasks_through_broker(redis_server.url), app.connection_for_write(redis_server.url) as connection:
            app.send_task("tests.slow_once", args=[str(marker)], queue="kill-test", connection=connection)
        # A worker process starts Django and every app first: allow for a loaded CI machine.
        assert wait_until(lambda: marker.exists() and "started 1" in marker.read_text(), seconds=240)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        second = start_worker_process(redis_server.url, "second")
        try:
            assert wait_until(lambda: "finished" in marker.read_text(), seconds=240)
            redelivered_after = time.monotonic() - killed_at
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert marker.read_text().splitlines() == ["started 1", "started 2", "finished"]
    # Includes starting the second worker; with kombu's default visibility timeout it would be an hour.
    assert redelivered_after < 240
