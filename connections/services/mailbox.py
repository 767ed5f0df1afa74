"""IMAP mailboxes: sign in, find the folders, and capture new messages through the one ingest path.

Per folder the cursor is the folder's UIDVALIDITY and the last UID stored. Messages are read in
ascending UID order, in batches of ``CONNECTIONS_BATCH_SIZE``, and the cursor moves only after a
batch is stored, so a run that fails half-way resumes where it stopped; the ingest service's
Message-ID idempotency makes a re-read store nothing twice (also after a UIDVALIDITY change, which
re-reads the folder from the back-fill window).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import ssl
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted, U
from imap_tools.errors import MailboxFolderSelectError, MailboxFolderStatusError

from activities.models import Activity
from activities.parsing import parse_email_bytes
from activities.services import IngestSession
from backstory import clock

from ..models import MailboxConnection, MailboxFolder
from .errors import ConnectionFailure, describe_error
from .state import access_token_fresh, run_claim, run_failed, run_still_wanted, run_succeeded

logger = logging.getLogger(__name__)

INBOX = "INBOX"
_UID = re.compile(rb"UID (\d+)")
SENT_FLAG = "\\Sent"


@dataclass
class MailboxRunReport:
    """What one run did: new activities, messages already stored, unreadable ones, and whether more is left."""

    captured: int = 0
    duplicates: int = 0
    unreadable: list[str] = field(default_factory=list)
    folder_errors: list[str] = field(default_factory=list)
    more_left: bool = False
    skipped: str = ""


def mailbox_open(*, connection: MailboxConnection):
    """A signed-in imap_tools MailBox; every socket call gives up after CONNECTIONS_TIMEOUT_SECONDS."""
    timeout = settings.CONNECTIONS_TIMEOUT_SECONDS
    Security = MailboxConnection.Security
    if connection.security == Security.TLS:
        box = MailBox(
            connection.host, connection.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    elif connection.security == Security.STARTTLS:
        box = MailBoxStartTls(
            connection.host, connection.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    else:
        box = MailBoxUnencrypted(connection.host, connection.port, timeout=timeout)
    try:
        if connection.auth == MailboxConnection.Auth.OAUTH2:
            # Microsoft 365 and Gmail: SASL XOAUTH2 with the user's address and a bearer token.
            box.xoauth2(connection.username, access_token_fresh(connection=connection), initial_folder=None)
        else:
            box.login(connection.username, connection.password, initial_folder=None)
    except BaseException:
        _close_quietly(box)
        raise
    return box


def _close_quietly(box) -> None:
    try:
        box.logout()
    except Exception:  # already broken: the sign-in or the socket failed
        try:
            box.client.shutdown()
        except Exception:
            logger.debug("IMAP socket already closed")


def mailbox_folders_to_read(*, connection: MailboxConnection, box) -> list[str]:
    """The folders the rep chose, else INBOX and the folder the server flags ``\\Sent`` (RFC 6154)."""
    if connection.folders:
        return list(connection.folders)
    names = [INBOX]
    for info in box.folder.list():
        if SENT_FLAG in info.flags and info.name not in names:
            names.append(info.name)
    return names


def mailbox_test(*, connection: MailboxConnection) -> list[str]:
    """Sign in and list the folders that would be read; raises ConnectionFailure in plain words."""
    try:
        box = mailbox_open(connection=connection)
        try:
            return mailbox_folders_to_read(connection=connection, box=box)
        finally:
            _close_quietly(box)
    except Exception as error:
        raise describe_error(
            error, host=connection.host, timeout=settings.CONNECTIONS_TIMEOUT_SECONDS
        ) from None


def mailbox_sync(*, connection: MailboxConnection, max_messages: int | None = None) -> MailboxRunReport:
    """Capture what is new in a connected mailbox: back-fill first, then new UIDs per folder.

    One run at a time per connection. A failure is recorded on the connection in plain words with
    the time of the next attempt (backoff); the cursors keep every batch already stored.
    """
    report = MailboxRunReport()
    if not run_claim(connection=connection):
        report.skipped = "paused, deleted or already being synced"
        return report
    budget = max_messages or settings.CONNECTIONS_MAX_PER_RUN
    try:
        box = mailbox_open(connection=connection)
        try:
            for name in mailbox_folders_to_read(connection=connection, box=box):
                budget -= _sync_folder(
                    connection=connection, box=box, name=name, budget=budget, report=report
                )
                if budget <= 0:
                    report.more_left = True
                    break
                if not run_still_wanted(connection=connection):
                    break
        finally:
            _close_quietly(box)
    except Exception as error:
        failure = describe_error(error, host=connection.host, timeout=settings.CONNECTIONS_TIMEOUT_SECONDS)
        logger.warning("Mailbox connection %s: %s", connection.pk, failure)
        run_failed(connection=connection, failure=failure)
        _refresh_backfill(connection)
        raise failure from None
    if report.folder_errors:
        run_failed(connection=connection, failure=ConnectionFailure(" ".join(report.folder_errors)))
    else:
        run_succeeded(connection=connection)
    _refresh_backfill(connection)
    return report


def _sync_folder(*, connection, box, name: str, budget: int, report: MailboxRunReport) -> int:
    """Read one folder from its cursor; returns how many messages were read."""
    cursor, _ = MailboxFolder.objects.get_or_create(connection=connection, name=name)
    try:
        status = box.folder.status(name, ["UIDVALIDITY", "UIDNEXT", "MESSAGES"])
        box.folder.set(name, readonly=True)
    except (MailboxFolderSelectError, MailboxFolderStatusError):
        # The cursor stays: if the folder comes back with the same UIDVALIDITY, reading resumes there.
        message = f"The folder {name!r} no longer exists on the server: rename it back, or remove it from the folders to read."
        MailboxFolder.objects.filter(pk=cursor.pk).update(last_error=message)
        report.folder_errors.append(message)
        return 0
    uidvalidity = int(status["UIDVALIDITY"])
    if cursor.uidvalidity != uidvalidity:
        # A new UIDVALIDITY means the old UIDs mean nothing: read the folder again from the window.
        if cursor.uidvalidity is not None:
            logger.info(
                "Folder %r of connection %s: UIDVALIDITY changed, reading it again", name, connection.pk
            )
        cursor.uidvalidity = uidvalidity
        cursor.last_uid = 0
        cursor.backfilled = False
        cursor.backfill_total = 0
        cursor.backfill_done = 0
    cursor.last_error = ""
    cursor.save()

    criteria = {"uid": U(cursor.last_uid + 1, "*")}
    if not cursor.backfilled:
        since = (clock.now() - dt.timedelta(days=settings.CONNECTIONS_BACKFILL_DAYS)).date()
        criteria["date_gte"] = since
    # "n:*" always matches the highest UID, even one already read: keep only the new ones.
    uids = sorted(int(uid) for uid in box.uids(AND(**criteria)) if int(uid) > cursor.last_uid)
    if not cursor.backfilled and not cursor.backfill_total:
        cursor.backfill_total = len(uids)
        cursor.save(update_fields=["backfill_total"])
    todo = uids[:budget]
    source = f"imap://{connection.address}/{name}"
    batch_size = settings.CONNECTIONS_BATCH_SIZE
    # One session for the run (its report is bounded by the run's budget); flushed per batch.
    session = IngestSession(owner=connection.owner, batch_size=len(todo) + 1)
    read = 0
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        before = (session.report.created, session.report.duplicates, len(session.report.errors))
        for uid, raw in _fetch_raw(box, batch):
            session.add(
                parse_email_bytes(raw, source=source, position=f"UID {uid}"),
                source=Activity.Source.MBOX,
                key=uid,
            )
        session.flush()
        created = session.report.created - before[0]
        errors = session.report.errors[before[2] :]
        # Messages deleted between SEARCH and FETCH are simply gone: the cursor still moves past them.
        read += len(batch)
        report.captured += created
        report.duplicates += session.report.duplicates - before[1]
        report.unreadable.extend(str(error) for error in errors)
        MailboxFolder.objects.filter(pk=cursor.pk).update(
            last_uid=max(batch),
            captured=F("captured") + created,
            backfill_done=F("backfill_done") + (0 if cursor.backfilled else len(batch)),
        )
        # Counted per batch, so a run that fails later keeps the count of what it stored.
        counts = {"captured": F("captured") + created}
        if errors:
            counts |= {"unreadable": F("unreadable") + len(errors), "last_unreadable": str(errors[-1])[:2000]}
        type(connection).objects.filter(pk=connection.pk).update(**counts)
        if not run_still_wanted(connection=connection):
            return read
    if len(todo) == len(uids) and not cursor.backfilled:
        MailboxFolder.objects.filter(pk=cursor.pk).update(backfilled=True)
    return read


def _fetch_raw(box, uids: list[int]):
    """(uid, raw bytes) of each message, in one UID FETCH through imaplib; BODY.PEEK leaves mail unread.

    The bytes go to the one mail parser as they are: no second parse, no re-serialisation.
    """
    status, data = box.client.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
    if status != "OK":
        raise ConnectionFailure(f"The server would not send the messages: {data!r}")
    for part in data:
        if isinstance(part, tuple) and len(part) == 2:
            found = _UID.search(part[0])
            if found:
                yield int(found.group(1)), part[1]


def _refresh_backfill(connection: MailboxConnection) -> None:
    """The connection's back-fill progress is the sum of its folders'."""
    folders = list(MailboxFolder.objects.filter(connection=connection))
    model = type(connection)
    values = {
        "backfill_total": sum(f.backfill_total for f in folders),
        "backfill_done": sum(min(f.backfill_done, f.backfill_total) for f in folders),
    }
    if folders and all(f.backfilled for f in folders):
        model.objects.filter(pk=connection.pk, backfill_finished_at__isnull=True).update(
            backfill_finished_at=clock.now()
        )
    model.objects.filter(pk=connection.pk).update(**values)


def mailbox_wait_for_mail(*, connection: MailboxConnection, seconds: float) -> bool:
    """Wait with IMAP IDLE on INBOX until the server announces new mail (True) or ``seconds`` pass.

    Servers also send keep-alives ("OK Still here") during IDLE: those do not end the wait.
    """
    box = mailbox_open(connection=connection)
    deadline = time.monotonic() + seconds
    try:
        box.folder.set(INBOX, readonly=True)
        with box.idle as idle:
            while (left := deadline - time.monotonic()) > 0:
                if any(b"EXISTS" in response for response in idle.poll(timeout=left)):
                    return True
        return False
    finally:
        _close_quietly(box)
