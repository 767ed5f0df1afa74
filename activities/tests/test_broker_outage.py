"""A broker outage delays capture's hand-off to the engines and never loses it: a real Redis,
started on its own port for this test, stopped while 200 activities are captured, then started again."""

import socket
import subprocess
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from activities.models import Activity, EngineWork
from activities.tasks import send_owed_engine_work
from activities.tests.factories import api_item
from backstory.celery import app, tasks_through_broker


class RedisServer:
    """A redis-server of our own on a free loopback port (never the shared one)."""

    def __init__(self, directory):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def wait_until(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_200_activities_captured_while_redis_is_down_are_all_processed_after_it_returns(org, redis_server):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.dana).key}")
    items = [api_item(source_id=f"outage-{n}") for n in range(200)]
    with (
        tasks_through_broker(redis_server.url),
        start_worker(app, pool="solo", perform_ping_check=False, queues=["capture"], loglevel="ERROR"),
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
