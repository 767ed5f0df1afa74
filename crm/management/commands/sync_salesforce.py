"""Pull Salesforce into Backstory now (the beat schedule does it every few minutes).

    manage.py sync_salesforce [--full] [--objects Account,Contact] [--push] [--no-progress]

Prints a progress bar per object and a report: per object, records fetched, created, updated,
deleted, and errors. `--full` reads every record again instead of the changes since the last
run (and removes local rows whose CRM record is gone); `--push` drains the outbox afterwards.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from crm.client import SalesforceNotConfigured
from crm.connection import SalesforceSessionRefused, SalesforceUnreachable
from crm.push import outbox_drain
from crm.sync import PULL_ORDER, PullReport, UnknownObject, salesforce_pull

MAX_ERRORS_SHOWN = 5


class Command(BaseCommand):
    help = "Pull Salesforce changes into Backstory, object by object, and print what changed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--full", action="store_true", help="read every record, not just the changes")
        parser.add_argument(
            "--objects",
            default="",
            help=f"comma-separated objects to pull (default: all, in order: {','.join(PULL_ORDER)})",
        )
        parser.add_argument("--push", action="store_true", help="drain the outbox to Salesforce afterwards")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        objects = [name.strip() for name in options["objects"].split(",") if name.strip()]
        bars: dict[str, tqdm] = {}

        def progress(name: str, fetched: int, total: int) -> None:
            if options["no_progress"]:
                return
            bar = bars.get(name)
            if bar is None:
                bar = bars[name] = tqdm(
                    total=total, desc=f"{name:<24}", unit="rec", file=self.stderr._out, leave=True
                )
            bar.update(fetched)

        try:
            report = salesforce_pull(objects=objects or None, full=options["full"], progress=progress)
        except UnknownObject as error:
            raise CommandError(str(error)) from error
        except SalesforceNotConfigured as error:
            raise CommandError(f"Salesforce is not configured: {error}") from error
        except (SalesforceUnreachable, SalesforceSessionRefused) as error:
            raise CommandError(str(error)) from error
        finally:
            for bar in bars.values():
                bar.close()
        self._print(report)
        if options["push"]:
            drained = outbox_drain()
            self.stdout.write(f"Outbox: {drained.summary()}")
            for line in drained.errors[:MAX_ERRORS_SHOWN]:
                self.stdout.write(f"  {line}")
        if report.held:
            # Not an error: the beat's pulls go on by themselves once the budget allows.
            self.stdout.write(self.style.WARNING(f"Held for the Salesforce API budget: {report.held}"))
        if report.stopped:
            raise CommandError(report.stopped)

    def _print(self, report: PullReport) -> None:
        header = (
            f"{'object':<24} {'fetched':>8} {'created':>8} {'updated':>8} {'deleted':>8} {'errors':>7}  note"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for item in report.objects:
            note = item.skipped or (f"full: {item.full_reason}" if item.full_reason else "")
            if item.deferred:
                note = f"{note}; {item.deferred} waiting for the outbox".lstrip("; ")
            if item.excluded:
                note = f"{note}; {item.excluded} excluded by local filters".lstrip("; ")
            self.stdout.write(
                f"{item.object_name:<24} {item.fetched:>8} {item.created:>8} {item.updated:>8} "
                f"{item.deleted:>8} {len(item.errors):>7}  {note}"
            )
        for item in report.objects:
            for line in item.errors[:MAX_ERRORS_SHOWN]:
                self.stdout.write(self.style.WARNING(f"{item.object_name}: {line}"))
            if len(item.errors) > MAX_ERRORS_SHOWN:
                self.stdout.write(
                    self.style.WARNING(
                        f"{item.object_name}: {len(item.errors) - MAX_ERRORS_SHOWN} more errors (Sync cursors in the admin)"
                    )
                )
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
        total = report.written
        self.stdout.write(
            self.style.SUCCESS(f"{total} local rows written.")
            if not report.stopped
            else self.style.ERROR(report.stopped)
        )
