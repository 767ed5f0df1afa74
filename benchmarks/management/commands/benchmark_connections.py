"""manage.py benchmark_connections: IMAP back-fill speed and memory, and APPEND → activity delay.

Starts its own Dovecot (connections/tests/servers.py) with a mailbox of N messages made from the
Enron sample (each with a Message-ID of its own), then:

1. floors, in the same run: fetching every message over IMAP and nothing else; parsing and storing
   the same bytes from memory through the ingest service (what ``import_activities`` does);
2. the back-fill through ``mailbox_sync`` in bounded runs, as the Celery task does: messages/s;
3. peak Python memory (tracemalloc) of back-filling N/4 and N messages: bounded means the ratio is
   about 1, not about 4;
4. with ``--latency`` (needs DATABASE_URL on PostgreSQL and CELERY_BROKER_URL on Redis): a Celery
   worker and beat as subprocesses, then the delay from an IMAP APPEND to the stored activity with
   polling (beat every ``--poll-seconds``) and with IMAP IDLE (``manage.py watch_mailboxes``).

What it stores is deleted at the end, with its benchmark user.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from imap_tools import MailBoxUnencrypted

from activities.models import Activity
from activities.parsing import parse_email_bytes
from activities.services import IngestSession
from connections.models import MailboxConnection
from connections.services import mailbox_sync
from connections.tests.servers import SAMPLE_MAIL, dovecot_start, maildir_fill
from users.models import User

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*<", re.IGNORECASE | re.MULTILINE)
ROOT = Path(settings.BASE_DIR)


def make_messages(count: int, prefix: str) -> list[bytes]:
    """``count`` messages from the sample, each with its own Message-ID."""
    sample = [path.read_bytes() for path in sorted(SAMPLE_MAIL.glob("*.eml"))]
    if not sample:
        raise CommandError(f"No sample messages in {SAMPLE_MAIL}.")
    made = []
    for number in range(count):
        raw = sample[number % len(sample)]
        tag = f"{prefix}{number}.".encode()
        if _MESSAGE_ID.search(raw):
            raw = _MESSAGE_ID.sub(rb"\g<0>" + tag, raw, count=1)
        else:
            raw = b"Message-ID: <" + tag + b"bench@backstory.test>\r\n" + raw
        made.append(raw)
    return made


class Command(BaseCommand):
    help = "IMAP back-fill messages/s and peak memory from a local Dovecot; with --latency, APPEND → activity delay."

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=10_000)
        parser.add_argument("--latency", action="store_true", help="also measure APPEND → stored activity")
        parser.add_argument("--samples", type=int, default=5, help="APPENDs per latency mode")
        parser.add_argument("--poll-seconds", type=int, default=settings.CONNECTIONS_SYNC_EVERY_SECONDS)

    def handle(self, *args, **options):
        # As in production: with DEBUG on, Django keeps every query's SQL, which grows with the mailbox.
        settings.DEBUG = False
        count = options["messages"]
        small = max(1, count // 4)
        self.stdout.write(f"Making {count:,} + {small:,} messages and starting Dovecot ...")
        inbox = make_messages(count, "bench-")
        server = dovecot_start(inbox=inbox)
        maildir_fill(
            server.maildir,
            make_messages(small, "small-"),
            folder="Small",
            uid=server.mail_uid,
            gid=server.mail_gid,
        )
        owner, _ = User.objects.get_or_create(
            username="benchmark-connections", defaults={"email": "bench@backstory.test"}
        )
        try:
            self.backfill(server, owner, inbox, count, small)
            if options["latency"]:
                self.latency(server, owner, options["samples"], options["poll_seconds"])
        finally:
            server.stop()
            Activity.objects.filter(owner=owner).delete()
            MailboxConnection.objects.filter(owner=owner).delete()
            owner.delete()

    # --- back-fill --------------------------------------------------------------------------
    def connection(self, server, owner, folders) -> MailboxConnection:
        MailboxConnection.objects.filter(owner=owner).delete()
        return MailboxConnection.objects.create(
            owner=owner,
            host=server.host,
            port=server.port,
            security=MailboxConnection.Security.NONE,
            username=server.username,
            password=server.password,
            folders=folders,
        )

    def run_backfill(self, connection) -> tuple[float, int]:
        started, runs = time.perf_counter(), 0
        while True:
            runs += 1
            report = mailbox_sync(connection=connection)
            if not report.more_left:
                break
        connection.refresh_from_db()
        if connection.last_error:
            raise CommandError(connection.last_error)
        return time.perf_counter() - started, runs

    def backfill(self, server, owner, inbox, count, small):
        # Floor 1: IMAP fetch alone.
        started = time.perf_counter()
        with MailBoxUnencrypted(server.host, server.port, timeout=60).login(
            server.username, server.password
        ) as box:
            fetched = sum(1 for _ in box.fetch(mark_seen=False, bulk=settings.CONNECTIONS_BATCH_SIZE))
        fetch_seconds = time.perf_counter() - started
        # Floor 2: parse + ingest of the same bytes from memory (the file-import path).
        started = time.perf_counter()
        session = IngestSession(owner=owner, hand_off=False)
        for number, raw in enumerate(inbox):
            session.add(parse_email_bytes(raw, source="memory"), source=Activity.Source.MBOX, key=number)
        stored = session.finish().created
        ingest_seconds = time.perf_counter() - started
        Activity.objects.filter(owner=owner).delete()

        # The back-fill itself, timed without tracemalloc.
        connection = self.connection(server, owner, ["INBOX"])
        seconds, runs = self.run_backfill(connection)
        captured = connection.captured
        Activity.objects.filter(owner=owner).delete()

        # Memory: N/4 then N messages, each from a fresh connection and an empty store.
        peaks = {}
        for folder, n in (("Small", small), ("INBOX", count)):
            connection = self.connection(server, owner, [folder])
            tracemalloc.start()
            self.run_backfill(connection)
            peaks[n] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            Activity.objects.filter(owner=owner).delete()

        load = os.getloadavg()
        w = self.stdout.write
        w(
            f"Database: {connection_vendor()}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs"
        )
        w(
            f"Floor, IMAP fetch only:          {fetched:>7,} messages in {fetch_seconds:6.1f} s = {fetched / fetch_seconds:7,.0f}/s"
        )
        w(
            f"Floor, parse + ingest in memory: {stored:>7,} messages in {ingest_seconds:6.1f} s = {stored / ingest_seconds:7,.0f}/s"
        )
        w(
            f"Back-fill over IMAP:             {captured:>7,} messages in {seconds:6.1f} s = {captured / seconds:7,.0f}/s "
            f"({runs} runs of at most {settings.CONNECTIONS_MAX_PER_RUN:,}, batches of {settings.CONNECTIONS_BATCH_SIZE})"
        )
        both = 1 / (1 / (fetched / fetch_seconds) + 1 / (stored / ingest_seconds))
        w(f"  = {captured / seconds / both:.2f} x the two floors in sequence ({both:,.0f}/s)")
        w(
            f"Peak Python memory: {peaks[small] / 2**20:.1f} MiB for {small:,} messages, "
            f"{peaks[count] / 2**20:.1f} MiB for {count:,}: ratio {peaks[count] / peaks[small]:.2f} for 4x the mail"
        )

    # --- latency ----------------------------------------------------------------------------
    def latency(self, server, owner, samples: int, poll_seconds: int):
        broker = os.environ.get("CELERY_BROKER_URL", "")
        if not broker.startswith("redis") or connection_vendor() != "postgresql":
            raise CommandError(
                "--latency needs CELERY_BROKER_URL=redis://... and DATABASE_URL=postgres://..."
            )
        env = {**os.environ, "CONNECTIONS_SYNC_EVERY_SECONDS": str(poll_seconds)}
        manage = [sys.executable, str(ROOT / "manage.py")]
        celery = [sys.executable, "-m", "celery", "-A", "backstory"]
        for mode in ("polling", "idle"):
            connection = self.connection(server, owner, ["INBOX"])
            connection.use_idle = mode == "idle"
            connection.save()
            self.run_backfill(connection)  # the mailbox is caught up before the clock starts
            processes = [
                subprocess.Popen(
                    [
                        *celery,
                        "worker",
                        "-Q",
                        "capture,contacts,insights,default",
                        "--pool",
                        "solo",
                        "-l",
                        "WARNING",
                    ],
                    env=env,
                    cwd=ROOT,
                ),
                subprocess.Popen(
                    [*celery, "beat", "-l", "WARNING", "-s", str(ROOT / "var" / "bench-celerybeat-schedule")],
                    env=env,
                    cwd=ROOT,
                ),
            ]
            if mode == "idle":
                processes.append(
                    subprocess.Popen([*manage, "watch_mailboxes", "--rescan-seconds", "5"], env=env, cwd=ROOT)
                )
            time.sleep(8)  # worker, beat and watcher up
            delays = []
            try:
                for number in range(samples):
                    message_id = f"latency-{mode}-{number}-{time.time_ns()}@backstory.test"
                    raw = (
                        f"Message-ID: <{message_id}>\r\nDate: Thu, 3 Dec 2026 09:00:00 +0000\r\n"
                        "From: Jeff Dasovich <jeff.dasovich@enron.com>\r\nTo: Vince Kaminski <vince@enron.com>\r\n"
                        f"Subject: Latency {number}\r\n\r\nNew mail.\r\n"
                    ).encode()
                    with MailBoxUnencrypted(server.host, server.port).login(
                        server.username, server.password
                    ) as box:
                        appended = time.perf_counter()
                        box.append(raw, "INBOX")
                    while not Activity.objects.filter(source_id=message_id).exists():
                        if time.perf_counter() - appended > 4 * poll_seconds + 60:
                            raise CommandError(
                                f"{mode}: message {number} not captured after {4 * poll_seconds + 60} s"
                            )
                        time.sleep(0.05)
                    delays.append(time.perf_counter() - appended)
                    self.stdout.write(f"  {mode} sample {number + 1}: {delays[-1]:.2f} s")
                    time.sleep(poll_seconds / 3 if mode == "polling" else 1)
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.wait(timeout=30)
            self.stdout.write(
                f"APPEND → activity, {mode}{f' (beat every {poll_seconds} s)' if mode == 'polling' else ''}: "
                f"median {statistics.median(delays):.2f} s, max {max(delays):.2f} s over {len(delays)} messages"
            )


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor
