"""Every Salesforce call has a timeout: an endpoint that accepts the connection and never answers
fails the attempt, which the outbox retries, instead of holding the drain forever (issue 14)."""

import socket
import threading
import time

import pytest

from contacts.models import Contact
from crm.models import OutboxEntry
from crm.push import outbox_drain
from crm.sync import salesforce_pull
from crm.tests.sync_fixtures import org  # noqa: F401
from crm.tests.test_push_drain import new_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_endpoint():
    """A loopback server that accepts every connection and never sends a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_silent_salesforce_fails_the_attempt_which_is_retried_and_then_delivered(
    request, silent_endpoint, settings
):
    stand_in = request.getfixturevalue("org")
    salesforce_pull(objects=["User", "Account"])
    olivia = new_contact("olivia.park@acme.com", org=stand_in)
    healthy = settings.SALESFORCE_INSTANCE_URL
    settings.SALESFORCE_INSTANCE_URL = silent_endpoint
    settings.SALESFORCE_CONNECT_TIMEOUT = settings.SALESFORCE_READ_TIMEOUT = 0.5

    started = time.monotonic()
    report = outbox_drain()

    assert time.monotonic() - started < 10
    assert (report.done, report.retrying) == (0, 1)
    entry = OutboxEntry.objects.get(record_id=olivia.pk, object_name="Contact")
    assert entry.status == OutboxEntry.Status.PENDING and entry.last_error_code == "NETWORK_ERROR"
    assert "Timeout" in entry.last_error

    settings.SALESFORCE_INSTANCE_URL = healthy
    stand_in.advance(hours=1)
    report = outbox_drain()

    assert report.done == 1
    olivia.refresh_from_db()
    assert olivia.crm_id and stand_in.rows("Contact", Email="olivia.park@acme.com")
    assert Contact.objects.filter(email="olivia.park@acme.com").count() == 1
