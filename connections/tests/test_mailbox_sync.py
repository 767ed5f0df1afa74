"""IMAP capture against a real Dovecot: back-fill, new mail, no duplicates, faults and recovery."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
import urllib.parse

import pytest
from imap_tools import MailBoxUnencrypted

from activities.models import Activity
from activities.parsing import ParsedActivity, parse_email_bytes
from activities.services.ingest import fit_source_id
from connections.models import MailboxConnection, MailboxFolder
from connections.tasks import sync_due, sync_mailbox

from .factories import MailboxConnectionFactory

pytestmark = pytest.mark.django_db


def source_ids(messages: list[bytes]) -> set[str]:
    parsed = (parse_email_bytes(raw) for raw in messages)
    return {fit_source_id(item.source_id) for item in parsed if isinstance(item, ParsedActivity)}


def imap(dovecot) -> MailBoxUnencrypted:
    return MailBoxUnencrypted(dovecot.host, dovecot.port, timeout=10).login(
        dovecot.username, dovecot.password, initial_folder=None
    )


def new_message(subject: str, message_id: str) -> bytes:
    return (
        f"Message-ID: <{message_id}>\r\nDate: Thu, 3 Dec 2026 09:00:00 +0000\r\n"
        f"From: Jeff Dasovich <jeff.dasovich@enron.com>\r\nTo: Vince Kaminski <vince.kaminski@enron.com>\r\n"
        f"Subject: {subject}\r\n\r\nVince, the numbers for Thursday are attached.\r\n"
    ).encode()


@pytest.fixture
def folder(dovecot, request):
    """A folder of this test's own on the server, removed afterwards."""
    name = f"Test-{request.node.name[:40]}"
    with imap(dovecot) as box:
        if box.folder.exists(name):
            box.folder.delete(name)
        box.folder.create(name)
    yield name
    with imap(dovecot) as box:
        if box.folder.exists(name):
            box.folder.delete(name)


def connect(dovecot, **fields) -> MailboxConnection:
    fields = {"username": dovecot.username, "password": dovecot.password, **fields}
    return MailboxConnectionFactory(port=dovecot.port, **fields)


def test_first_sync_backfills_inbox_and_the_sent_folder_within_the_window(dovecot, sample_mail):
    connection = connect(dovecot)

    result = sync_mailbox.delay(connection.pk).get()

    expected = source_ids(sample_mail["inbox"] + sample_mail["sent"])
    stored = set(Activity.objects.values_list("source_id", flat=True))
    # Mail received 200 days ago is outside the 90-day back-fill window, unless it is also recent.
    assert stored == expected
    assert not (source_ids(sample_mail["old"]) - expected) & stored
    connection.refresh_from_db()
    assert result["captured"] == connection.captured == len(expected)
    assert Activity.objects.filter(owner=connection.owner).count() == len(expected)
    assert sorted(MailboxFolder.objects.filter(connection=connection).values_list("name", flat=True)) == [
        "INBOX",
        "Sent",
    ]
    assert connection.status == "ok" and connection.backfill_percent == 100
    assert (
        connection.backfill_done
        == connection.backfill_total
        == len(sample_mail["inbox"]) + len(sample_mail["sent"])
    )
    assert connection.last_error == ""


def test_backfill_runs_in_bounded_batches_and_shows_progress(dovecot, sample_mail, settings):
    settings.CONNECTIONS_BATCH_SIZE = 50
    connection = connect(dovecot, folders=["INBOX"])

    from connections.services import mailbox_sync

    first = mailbox_sync(connection=connection, max_messages=100)

    connection.refresh_from_db()
    assert first.more_left
    assert connection.backfill_done == 100
    assert connection.backfill_total == len(sample_mail["inbox"])
    assert 0 < connection.backfill_percent < 100
    assert connection.status == "backfilling"
    # The task continues the back-fill by itself until the folder is read.
    sync_mailbox.delay(connection.pk)
    connection.refresh_from_db()
    assert connection.backfill_percent == 100
    assert connection.captured == len(source_ids(sample_mail["inbox"]))


def test_message_appended_after_first_sync_is_captured_on_the_next_run_and_nothing_twice(dovecot, folder):
    connection = connect(dovecot, folders=[folder])
    with imap(dovecot) as box:
        box.append(new_message("Q3 forward curve", "curve-1@enron.com"), folder)
    sync_mailbox.delay(connection.pk)
    assert Activity.objects.filter(source_id="curve-1@enron.com").exists()

    with imap(dovecot) as box:
        box.append(new_message("Re: Q3 forward curve", "curve-2@enron.com"), folder)
    sync_mailbox.delay(connection.pk)
    sync_mailbox.delay(connection.pk)

    assert Activity.objects.filter(source_id="curve-2@enron.com").count() == 1
    assert Activity.objects.filter(source_id__startswith="curve-").count() == 2
    connection.refresh_from_db()
    assert connection.captured == 2
    cursor = MailboxFolder.objects.get(connection=connection, name=folder)
    assert cursor.last_uid == 2


def test_uidvalidity_reset_rereads_the_folder_and_stores_nothing_twice(dovecot, folder):
    connection = connect(dovecot, folders=[folder])
    messages = [new_message(f"Gas position {n}", f"position-{n}@enron.com") for n in range(5)]
    with imap(dovecot) as box:
        for raw in messages:
            box.append(raw, folder)
    sync_mailbox.delay(connection.pk)
    old_validity = MailboxFolder.objects.get(connection=connection).uidvalidity

    # The folder is re-created on the server (as a migration or restore does): new UIDVALIDITY,
    # the same messages under new UIDs, plus one new message.
    with imap(dovecot) as box:
        box.folder.delete(folder)
        box.folder.create(folder)
        for raw in [*messages, new_message("Gas position 5", "position-5@enron.com")]:
            box.append(raw, folder)
    sync_mailbox.delay(connection.pk)

    cursor = MailboxFolder.objects.get(connection=connection)
    assert cursor.uidvalidity != old_validity
    assert cursor.last_uid == 6
    assert Activity.objects.filter(source_id__startswith="position-").count() == 6
    connection.refresh_from_db()
    assert connection.captured == 6


def test_wrong_password_is_reported_in_plain_words_then_recovers_after_the_fix(
    dovecot, sample_mail, settings
):
    from connections.forms import MailboxConnectionForm
    from connections.services.manage import connection_save

    connection = connect(dovecot, folders=["Sent"])
    connection.password = "not-the-password"
    connection.save()

    result = sync_mailbox.delay(connection.pk).get()

    connection.refresh_from_db()
    assert "refused the sign-in" in connection.last_error
    assert "not-the-password" not in connection.last_error
    assert result["error"] == connection.last_error
    assert connection.status == "error"
    assert connection.failures == 1
    assert connection.next_attempt_at is not None
    assert Activity.objects.count() == 0
    # Still failing: the wait before the next attempt doubles.
    first_wait = connection.next_attempt_at - connection.last_error_at
    connection.next_attempt_at = None
    connection.save()
    sync_due.delay()
    connection.refresh_from_db()
    assert connection.failures == 2
    assert connection.next_attempt_at - connection.last_error_at == 2 * first_wait

    # The rep types the right password on the Connections page form: the backoff is cleared.
    form = MailboxConnectionForm(
        data={
            "name": connection.name,
            "host": connection.host,
            "port": connection.port,
            "security": connection.security,
            "username": connection.username,
            "auth": "password",
            "password": dovecot.password,
            "folders": "Sent",
        },
        instance=connection,
    )
    assert form.is_valid(), form.errors
    connection_save(connection=form.save(commit=False), secrets_changed=form.secrets_changed)
    sync_due.delay()

    connection.refresh_from_db()
    assert connection.last_error == ""
    assert connection.failures == 0
    assert connection.status == "ok"
    assert Activity.objects.count() == len(source_ids(sample_mail["sent"]))


def test_server_that_never_answers_times_out_with_a_plain_error_and_keeps_the_cursor(
    dovecot, folder, settings
):
    settings.CONNECTIONS_TIMEOUT_SECONDS = 0.5
    connection = connect(dovecot, folders=[folder])
    with imap(dovecot) as box:
        box.append(new_message("Storage deal", "storage-1@enron.com"), folder)
    sync_mailbox.delay(connection.pk)
    cursor = MailboxFolder.objects.get(connection=connection)

    # A server that accepts the connection and then says nothing, ever.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    MailboxConnection.objects.filter(pk=connection.pk).update(port=silent.getsockname()[1])
    started = time.monotonic()
    result = sync_mailbox.delay(connection.pk).get()
    silent.close()

    assert time.monotonic() - started < 5
    assert "did not answer within 0.5 seconds" in result["error"]
    assert MailboxFolder.objects.get(pk=cursor.pk).last_uid == cursor.last_uid == 1

    # Back up: the cursor is where it was and the next message is read once.
    MailboxConnection.objects.filter(pk=connection.pk).update(port=dovecot.port, next_attempt_at=None)
    with imap(dovecot) as box:
        box.append(new_message("Storage deal, signed", "storage-2@enron.com"), folder)
    sync_mailbox.delay(connection.pk)
    assert Activity.objects.filter(source_id__startswith="storage-").count() == 2
    connection.refresh_from_db()
    assert connection.last_error == ""


def test_server_down_is_reported_and_retried(dovecot):
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    closed_port = port.getsockname()[1]
    port.close()
    connection = connect(dovecot)
    MailboxConnection.objects.filter(pk=connection.pk).update(port=closed_port)

    result = sync_mailbox.delay(connection.pk).get()

    assert "refused the connection" in result["error"]
    connection.refresh_from_db()
    assert connection.next_attempt_at is not None and connection.failures == 1


def test_a_folder_that_disappears_is_named_and_the_other_folders_still_sync(dovecot, folder):
    connection = connect(dovecot, folders=[folder, "Sent"])
    with imap(dovecot) as box:
        box.folder.delete(folder)

    sync_mailbox.delay(connection.pk)

    connection.refresh_from_db()
    assert f"The folder '{folder}' no longer exists" in connection.last_error
    assert MailboxFolder.objects.get(connection=connection, name="Sent").captured > 0
    assert Activity.objects.exists()


def test_a_malformed_message_is_reported_and_does_not_block_the_rest(dovecot, folder):
    connection = connect(dovecot, folders=[folder])
    with imap(dovecot) as box:
        box.append(new_message("Before", "before@enron.com"), folder)
        box.append(b"this is not an email message at all, no headers\r\n", folder)
        box.append(new_message("After", "after@enron.com"), folder)

    sync_mailbox.delay(connection.pk)

    assert set(Activity.objects.values_list("source_id", flat=True)) == {
        "before@enron.com",
        "after@enron.com",
    }
    connection.refresh_from_db()
    assert connection.unreadable == 1
    assert "UID 2" in connection.last_unreadable and "no mail headers" in connection.last_unreadable
    assert MailboxFolder.objects.get(connection=connection).last_uid == 3
    assert connection.last_error == ""


def test_deleting_a_connection_stops_its_sync_and_keeps_what_it_captured(dovecot, folder):
    connection = connect(dovecot, folders=[folder])
    with imap(dovecot) as box:
        box.append(new_message("Kept", "kept@enron.com"), folder)
    sync_mailbox.delay(connection.pk)
    pk = connection.pk

    from connections.services.manage import connection_delete

    connection_delete(connection=connection)
    with imap(dovecot) as box:
        box.append(new_message("Never read", "never@enron.com"), folder)

    assert sync_mailbox.delay(pk).get() == {"skipped": "deleted"}
    assert sync_due.delay().get() == 0
    assert Activity.objects.filter(source_id="kept@enron.com").exists()
    assert not Activity.objects.filter(source_id="never@enron.com").exists()


def test_idle_wakes_up_when_new_mail_arrives(dovecot, folder):
    from connections.services import mailbox_wait_for_mail

    connection = connect(dovecot)

    def deliver():
        time.sleep(1)
        with imap(dovecot) as box:
            box.append(new_message("Idle ping", "idle-1@enron.com"), "INBOX")

    threading.Thread(target=deliver, daemon=True).start()
    started = time.monotonic()

    assert mailbox_wait_for_mail(connection=connection, seconds=20)
    assert time.monotonic() - started < 10


class _TokenEndpoint(http.server.BaseHTTPRequestHandler):
    """An OAuth 2.0 token endpoint (Microsoft's or Google's part): renews or refuses a refresh token."""

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        if form.get("refresh_token") == ["refresh-good"]:
            body, status = json.dumps({"access_token": "access-renewed", "expires_in": 3600}).encode(), 200
        else:
            body, status = b'{"error": "invalid_grant"}', 400
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def token_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/oauth2/v2.0/token"
    server.shutdown()
    server.server_close()


def test_an_expired_token_is_renewed_and_a_refused_renewal_is_reported(dovecot, token_url):
    import datetime as dt

    from backstory import clock

    connection = connect(
        dovecot,
        auth=MailboxConnection.Auth.OAUTH2,
        password="",
        access_token="access-expired",
        refresh_token="refresh-revoked",
        token_url=token_url,
        client_id="backstory",
        token_expires_at=clock.now() - dt.timedelta(minutes=5),
    )

    result = sync_mailbox.delay(connection.pk).get()

    assert "refused to renew the access token" in result["error"]
    assert "refresh-revoked" not in result["error"]

    # A good refresh token: the access token is renewed and stored (encrypted) before signing in.
    # This Dovecot does not offer XOAUTH2, and the error passes on what it said.
    MailboxConnection.objects.filter(pk=connection.pk).update(next_attempt_at=None)
    connection = MailboxConnection.objects.get(pk=connection.pk)
    connection.refresh_token = "refresh-good"
    connection.save()
    result = sync_mailbox.delay(connection.pk).get()

    connection.refresh_from_db()
    assert connection.access_token == "access-renewed"
    assert connection.token_expires_at > clock.now() + dt.timedelta(minutes=50)
    assert "Unsupported authentication mechanism" in result["error"]
