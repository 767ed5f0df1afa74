"""manage.py watch_mailboxes: IMAP IDLE on every mailbox that asked for it; new mail is synced at once."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from connections.models import MailboxConnection
from connections.services import ConnectionFailure, mailbox_wait_for_mail
from connections.services.errors import describe_error
from connections.tasks import sync_mailbox

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Keep an IMAP IDLE connection open to each active mailbox with 'Capture new mail within seconds' on, "
        "and queue its sync the moment the server announces new mail. Run it beside the Celery worker; "
        "the beat's polling still covers every mailbox if this process stops."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rescan-seconds", type=float, default=60, help="how often to look for mailboxes added or paused"
        )

    def handle(self, *args, **options):
        watchers: dict[int, threading.Thread] = {}
        stop = threading.Event()
        self.stdout.write("Watching mailboxes with IMAP IDLE (Ctrl-C to stop)")
        try:
            while True:
                close_old_connections()
                wanted = set(
                    MailboxConnection.objects.filter(use_idle=True, is_paused=False).values_list(
                        "pk", flat=True
                    )
                )
                for pk in wanted - {pk for pk, thread in watchers.items() if thread.is_alive()}:
                    watchers[pk] = threading.Thread(target=self.watch, args=(pk, stop), daemon=True)
                    watchers[pk].start()
                time.sleep(options["rescan_seconds"])
        except KeyboardInterrupt:
            stop.set()

    def watch(self, pk: int, stop: threading.Event) -> None:
        """IDLE on one mailbox until it is paused or removed; back off after failures."""
        failures = 0
        while not stop.is_set():
            close_old_connections()
            connection = MailboxConnection.objects.filter(pk=pk, use_idle=True, is_paused=False).first()
            if connection is None:
                return
            try:
                if mailbox_wait_for_mail(connection=connection, seconds=settings.CONNECTIONS_IDLE_SECONDS):
                    sync_mailbox.delay(pk)
                failures = 0
            except Exception as error:
                # The beat's sync records the error on the connection; here we only wait and retry.
                failure = (
                    error
                    if isinstance(error, ConnectionFailure)
                    else describe_error(
                        error, host=connection.host, timeout=settings.CONNECTIONS_TIMEOUT_SECONDS
                    )
                )
                failures += 1
                logger.warning("IDLE on mailbox connection %s: %s", pk, failure)
                stop.wait(min(settings.CONNECTIONS_RETRY_MAX_SECONDS, 5 * 2**failures))
