"""manage.py reassociate_activities: match every stored activity again, to its account and deals.

Issue 16: "The re-association runs over existing activities (a command and after CRM changes),
idempotent". Edit Match always wins: manually matched activities are never touched.
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from activities.services.rematching import DEFAULT_MATCH_BATCH, activities_to_match_count, match_activities


class Command(BaseCommand):
    help = (
        "Match every automatically matched activity again (account and deals, with confidence and "
        "reasons). Manual matches (Edit Match) are left as they are; running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_MATCH_BATCH, help="activities per batch"
        )
        parser.add_argument(
            "--hand-off",
            action="store_true",
            help="send the activities whose match changed to the contact and insights engines",
        )

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            options["batch_size"] = DEFAULT_MATCH_BATCH
        total = activities_to_match_count()
        started = time.perf_counter()
        with tqdm(total=total, unit="activity", file=sys.stderr, dynamic_ncols=True) as bar:
            report = match_activities(
                batch_size=options["batch_size"], hand_off=options["hand_off"], progress=bar.update
            )
        seconds = time.perf_counter() - started
        rate = report.examined / seconds if seconds else 0.0
        self.stdout.write(
            f"Re-associated {report.examined} activities in {seconds:.1f} s ({rate:,.0f} a second): "
            f"{report.changed} changed, manual matches untouched."
        )
