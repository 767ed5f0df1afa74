"""manage.py seed_demo: write the deterministic demo org, optionally scaled for benchmarks."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from demo.seed import (
    DEMO_PASSWORD,
    DemoOptions,
    DemoOrgExists,
    demo_org_exists,
    run_demo_pipeline,
    seed_demo_org,
)


class Command(BaseCommand):
    help = "Seed a believable demo org (reps, accounts, opportunities, contacts, leads, activities)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=50, help="How many accounts (default 50).")
        parser.add_argument(
            "--activities",
            type=int,
            default=5_000,
            help="How many emails, meetings and calls (default 5,000).",
        )
        parser.add_argument(
            "--seed", type=int, default=7, help="Random seed: the same seed gives the same org."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Wipe the database first (flush), then seed."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when an org is already there."
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")
        parser.add_argument(
            "--raw",
            action="store_true",
            help="Write captured data only: skip matching, the contact engine and summaries (for benchmarks that time them).",
        )

    def handle(self, *args, **options):
        if options["accounts"] < 1 or options["activities"] < 0:
            raise CommandError("--accounts must be at least 1 and --activities at least 0.")
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
        elif options["if_empty"] and demo_org_exists():
            self.stdout.write("The demo org is already seeded; nothing to do.")
            return
        bar = tqdm(
            total=options["activities"],
            unit=" activities",
            disable=options["no_progress"],
            desc="Seeding demo org",
            file=self.stderr._out,
        )

        def progress(label: str, n: int) -> None:
            if label == "activities":
                bar.update(n)
            else:
                bar.set_postfix_str(f"{label}: {n:,}")

        try:
            summary = seed_demo_org(
                DemoOptions(
                    accounts=options["accounts"], activities=options["activities"], seed=options["seed"]
                ),
                progress,
            )
        except DemoOrgExists as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        for label, count in summary.counts.items():
            self.stdout.write(f"  {label:<22} {count:>10,}")
        if not options["raw"]:
            self.stdout.write("Matching activities, running the contact engine and building summaries...")
            for label, count in run_demo_pipeline().items():
                self.stdout.write(f"  {label:<22} {count:>10,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo org ready. Logins: rep / {DEMO_PASSWORD} (sales rep), admin / {DEMO_PASSWORD} (admin)."
            )
        )
