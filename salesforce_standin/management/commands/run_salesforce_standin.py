"""Run the local Salesforce REST stand-in for a demo or manual testing.

    manage.py run_salesforce_standin [--port 8443] [--fixtures PATH | --empty]
                                     [--state-file PATH] [--session-id ID] [--tls-dir DIR]
                                     [--api-limit N]

It prints the instance URL, session id and CA path to put in SALESFORCE_INSTANCE_URL,
SALESFORCE_SESSION_ID and SALESFORCE_CA_BUNDLE, then serves until Ctrl-C. With
--state-file the org is reloaded from that file when it exists and written back after
every change, so a later run picks up where this one stopped. The CA and session id are
kept in --tls-dir, so the printed values stay valid across restarts.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from salesforce_standin import SMALL_ORG, StandinServer, Store
from salesforce_standin.rest import DEFAULT_API_LIMIT, MAX_PAGE_SIZE
from salesforce_standin.tls import make_tls

SESSION_FILE = "session-id"


class Command(BaseCommand):
    help = "Serve a local stand-in of the Salesforce REST API over HTTPS (Ctrl-C stops it)."
    # The stand-in reads settings only; it must start even while a project check fails.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port",
            type=int,
            default=getattr(settings, "SALESFORCE_STANDIN_PORT", 8443),
            help="0 picks a free port",
        )
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--fixtures", default=str(SMALL_ORG), help="JSON fixture to seed the org from")
        source.add_argument("--empty", action="store_true", help="start with an empty org")
        parser.add_argument("--state-file", help="reload from and persist to this JSON file")
        parser.add_argument(
            "--session-id", default="", help="session id to accept (default: kept in --tls-dir)"
        )
        parser.add_argument(
            "--tls-dir",
            default=str(Path(settings.BASE_DIR) / "var" / "salesforce-standin"),
            help="where the CA certificate, its key and the session id are kept",
        )
        parser.add_argument("--page-size", type=int, default=MAX_PAGE_SIZE, help="records per query page")
        parser.add_argument(
            "--api-limit",
            type=int,
            default=DEFAULT_API_LIMIT,
            help="DailyApiRequests Max that /limits reports",
        )
        parser.add_argument("--log-requests", action="store_true", help="print one line per request")

    def handle(self, *args: Any, **options: Any) -> None:
        store = self._store(options)
        tls_dir = Path(options["tls_dir"])
        tls = make_tls(tls_dir)
        session_id = options["session_id"] or settings.SALESFORCE_SESSION_ID or self._saved_session(tls_dir)
        log = (lambda line: self.stdout.write(line)) if options["log_requests"] else None
        server = StandinServer(
            store=store,
            host=options["host"],
            port=options["port"],
            session_id=session_id,
            tls=tls,
            page_size=options["page_size"],
            api_limit=options["api_limit"],
            log=log,
        )
        if not session_id:
            (tls_dir / SESSION_FILE).write_text(server.session_id, encoding="utf-8")
        try:
            server.start()
        except OSError as error:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {error}") from error
        # Both, explicitly: a shell that starts us in the background hands us SIGINT ignored.
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
        signal.signal(signal.SIGINT, _stop_on_sigterm)
        self._announce(server, options)
        state_file = Path(options["state_file"]) if options["state_file"] else None
        saved = store.revision
        try:
            while True:
                time.sleep(0.5)
                if state_file and store.revision != saved:
                    saved = store.revision
                    store.dump_file(state_file)
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
            if state_file:
                store.dump_file(state_file)
            self.stdout.write("Salesforce stand-in stopped.")
            self.stdout.flush()

    def _store(self, options: dict[str, Any]) -> Store:
        store = Store()
        state_file = Path(options["state_file"]) if options["state_file"] else None
        try:
            if state_file and state_file.exists():
                store.load_file(state_file)
            elif not options["empty"]:
                store.load_file(options["fixtures"])
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot load the org: {error}") from error
        return store

    @staticmethod
    def _saved_session(tls_dir: Path) -> str:
        path = tls_dir / SESSION_FILE
        return path.read_text(encoding="utf-8").strip() if path.exists() else ""

    def _announce(self, server: StandinServer, options: dict[str, Any]) -> None:
        counts = ", ".join(
            f"{server.store.count(name)} {name}" for name in ("Account", "Contact", "Opportunity")
        )
        self.stdout.write(self.style.SUCCESS(f"Salesforce stand-in listening on {server.url} ({counts})"))
        self.stdout.write(f"SALESFORCE_INSTANCE_URL={server.url}")
        self.stdout.write(f"SALESFORCE_SESSION_ID={server.session_id}")
        self.stdout.write(f"SALESFORCE_CA_BUNDLE={server.ca_path}")
        self.stdout.write(
            f'Faults: POST {server.url}/_standin/faults  (e.g. {{"kind": "UNABLE_TO_LOCK_ROW", "times": 2}})'
        )
        if options["state_file"]:
            self.stdout.write(f"State is saved to {options['state_file']}")
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.flush()


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
