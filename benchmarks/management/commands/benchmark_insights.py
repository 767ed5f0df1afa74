"""manage.py benchmark_insights: time the engagement levels and summaries of a (large) org.

Build the org first, in a database of its own, e.g.:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstory_bench \\
        manage.py seed_demo --reset --accounts 2000 --activities 1000000
    DATABASE_URL=... manage.py benchmark_insights --match

``--match`` first matches the seeded (unmatched) activities with the stand-in in
``benchmarks.insights_world`` (capture's own matching can be run instead, before this command). The figures
are printed; copy them to BENCHMARKS.md.
"""

import time

from django.core.management.base import BaseCommand
from django.db import connection
from tqdm import tqdm

from activities.models import Activity
from benchmarks.insights_world import match_activities_by_contacts, run_benchmark

ENGAGEMENT_TARGET_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Time the insights engine: every engagement level (target < 60 s on PostgreSQL), then every summary."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--match",
            action="store_true",
            help="Match unmatched activities to accounts and opportunities first.",
        )
        parser.add_argument(
            "--engagement-only",
            action="store_true",
            help="Time the engagement levels only, not the summaries.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, **options):
        if options["match"]:
            self._match()
        elif not Activity.objects.filter(account__isnull=False).exists():
            self.stdout.write(
                self.style.WARNING(
                    "No activity is matched to an account: run with --match for meaningful figures."
                )
            )
        bar = tqdm(disable=options["no_progress"], desc="Summaries", unit=" records", file=self.stderr._out)
        figures = run_benchmark(
            summaries=not options["engagement_only"], progress=lambda label, n: bar.update(n)
        )
        bar.close()
        self.stdout.write(f"Database: {figures.database}")
        for name, count in figures.counts.items():
            self.stdout.write(f"  {name:<48} {count:>12,}")
        for name, seconds in figures.seconds.items():
            self.stdout.write(f"  {name:<48} {seconds:>10.2f} s")
        if figures.details:
            self.stdout.write("  summaries, by part:")
            for name, seconds in figures.details.items():
                self.stdout.write(f"    {name:<46} {seconds:>10.2f} s")
        total = figures.seconds["engagement: all levels"]
        verdict = self.style.SUCCESS if total < ENGAGEMENT_TARGET_SECONDS else self.style.ERROR
        self.stdout.write(
            verdict(f"All engagement levels in {total:.1f} s (target < {ENGAGEMENT_TARGET_SECONDS} s).")
        )

    def _match(self):
        started = time.perf_counter()
        self.stdout.write(
            "Matching unmatched activities (benchmarks.insights_world.match_activities_by_contacts) ..."
        )
        result = match_activities_by_contacts()
        self.stdout.write(f"  matched in {time.perf_counter() - started:.1f} s: {result}")
        if connection.vendor == "postgresql":
            # The tables were just rewritten: fresh planner statistics, as autovacuum would give.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
