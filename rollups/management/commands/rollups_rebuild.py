"""manage.py rollups_rebuild: recompute every daily rollup from the raw activities.

For an org written without capture (``seed_demo --raw`` and ``benchmark_query_api --prepare``), or
to check and repair: the result is what capture, matching, Edit Match and removal from sync keep.
Activities capture still owes the rollups (their task has not run: no worker, a broker outage) are
added at the end, as the task would.
"""

import time

from django.core.management.base import BaseCommand

from rollups.services import rollups_apply_pending, rollups_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the per-record, per-day rollups (accounts, opportunities, users) and the accounts each "
        "user engaged from the raw activities."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind",
            action="append",
            choices=["account", "opportunity", "user", "user_account"],
            help="Only these rollups (repeatable); default: all.",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()

        def progress(kind: str, done: int, total: int) -> None:
            self.stdout.write(f"  {kind}: {done:,} of {total:,} records")

        kinds = options["kind"] or ["account", "opportunity", "user", "user_account"]
        written = rollups_rebuild(kinds=kinds, progress=progress)
        for kind, rows in written.items():
            self.stdout.write(f"{kind:<12} {rows:>10,} rollup rows")
        applied = rollups_apply_pending()
        if applied:
            self.stdout.write(f"Added {applied:,} captured activities that were still owed to the rollups.")
        self.stdout.write(f"Rebuilt in {time.perf_counter() - started:.1f} s.")
