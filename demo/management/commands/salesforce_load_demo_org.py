"""Write the local demo org into the Salesforce stand-in's state file, once.

    manage.py salesforce_load_demo_org [--state-file var/salesforce-standin/state.json] [--force]

Then `manage.py run_salesforce_standin --state-file <the same file>` serves that org, and a
`sync_salesforce` run against it changes nothing. Skipped when the file already holds this
database's org (a re-seeded database is written again). Run it while the stand-in is stopped:
the stand-in writes its own changes back to the same file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.salesforce_org import DemoOrgMissing, demo_org_write_standin_state


class Command(BaseCommand):
    help = "Write the local demo org into the Salesforce stand-in's state file (once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--state-file", default=str(Path(settings.BASE_DIR) / "var" / "salesforce-standin" / "state.json")
        )
        parser.add_argument(
            "--force", action="store_true", help="write it even when the file holds this org already"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        state_file = Path(options["state_file"])
        try:
            export = demo_org_write_standin_state(state_file=state_file, force=options["force"])
        except DemoOrgMissing as error:
            raise CommandError(str(error)) from error
        if not export.written:
            self.stdout.write(f"{state_file} already holds this database's org; nothing to do.")
            return
        counts = ", ".join(f"{n} {name}" for name, n in export.counts.items() if n)
        self.stdout.write(self.style.SUCCESS(f"Wrote the demo org to {state_file}: {counts}."))
        if export.owners_moved:
            self.stdout.write(
                f"{export.owners_moved} records owned by people who are not Salesforce users now belong "
                "to the integration user, as in Salesforce."
            )
        if export.team_ids_given:
            self.stdout.write(f"{export.team_ids_given} account team members got Salesforce ids.")
