"""manage.py benchmark_capture --activities N: capture speed of the JSON/bulk path, phase by phase."""

from __future__ import annotations

import datetime as dt
import os
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.domains import registrable_domain
from accounts.models import AccountDomain
from activities.models import Activity
from activities.parsing import InvalidActivity, parse_api_item
from activities.services import IngestSession
from backstory import clock
from contacts.models import Contact, Lead
from rollups.services import rollups_apply_pending, rollups_kept_current, rollups_timed
from users.models import User

SUBJECTS = [
    "Pricing proposal",
    "Security review follow-up",
    "Renewal timeline",
    "Pilot scope",
    "Order form",
    "Intro",
]
BODY = (
    "Hi {first},\n\nThanks for the time today. Attaching the revised proposal and the security answers.\n"
    "Let me know if Thursday works for the follow-up.\n\nBest regards,\n\n{sender}\nAccount Executive\n+1 415 555 0100\n\n"
    "> On Monday, {first} wrote:\n> Could you send the updated numbers?\n"
)


class Command(BaseCommand):
    help = (
        "Capture N generated activities (from the org's accounts, contacts and leads) through the ingest service and "
        "print activities/s for parsing, matching and storing. Needs an org: run seed_demo first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--activities", type=int, default=10_000, help="how many activities to capture")
        parser.add_argument(
            "--batch-size", type=int, default=1_000, help="activities per batch (the API's limit is 1,000)"
        )
        parser.add_argument("--seed", type=int, default=7, help="random seed of the generated activities")
        parser.add_argument(
            "--keep", action="store_true", help="keep the captured activities (default: delete them)"
        )
        parser.add_argument(
            "--without-rollups",
            action="store_true",
            help="then delete them and capture the same items again owing nothing to the rollups "
            "(the floor: capture without rollups, in the same run)",
        )

    def handle(self, *args, **options):
        count = options["activities"]
        if count < 1 or options["batch_size"] < 1:
            raise CommandError("--activities and --batch-size must be at least 1.")
        items = self.generate(count, random.Random(options["seed"]))
        # Load the public-suffix list once, as a long-running worker already has.
        registrable_domain("warm-up.example.com")

        started, cpu_started = time.perf_counter(), time.process_time()
        parsed = []
        for index, item in enumerate(items):
            try:
                parsed.append(parse_api_item(item, index))
            except InvalidActivity as invalid:
                raise CommandError(f"generated an invalid item: {invalid}") from None
        parsing, parsing_cpu = time.perf_counter() - started, time.process_time() - cpu_started

        report, capture, capture_cpu = self.capture(parsed, options["batch_size"], rollups=True)
        matching, storing = report.timings["matching"], report.timings["storing"]
        total = parsing + capture
        vendor = connection.vendor
        self.stdout.write(
            f"Captured {count:,} activities on {vendor} (batches of {options['batch_size']:,}):"
        )
        for label, seconds in (
            ("parsing", parsing),
            ("matching", matching),
            ("storing", storing),
            ("capture", matching + storing),
            ("total", total),
        ):
            self.stdout.write(f"  {label:<9}{count / seconds:>10,.0f} activities/s  ({seconds:.2f} s)")
        with rollups_timed() as clock:
            applied = rollups_apply_pending()
        self.stdout.write(
            f"  then the rollups task (rollups.apply_pending, after capture commits): {applied:,} activities "
            f"added in {clock.seconds:.2f} s ({applied / max(clock.seconds, 1e-9):,.0f} activities/s, "
            f"{clock.calls} transactions)"
        )
        self.stdout.write(
            f"  CPU time of this process: parsing {parsing_cpu:.2f} s, capture {capture_cpu:.2f} s "
            f"(the rest is the database, or other processes on a busy machine; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        matched = report.created - report.account_matches.get(Activity.AccountMatch.NONE, 0)
        self.stdout.write(
            f"  matched to an account or lead: {matched:,}; to opportunities: {report.opportunity_matched:,}"
        )
        if options["without_rollups"]:
            self.delete(report.created_ids)
            floor, _capture, _cpu = self.capture(parsed, options["batch_size"], rollups=False)
            floor_capture = floor.timings["matching"] + floor.timings["storing"]
            self.stdout.write(
                f"Same items again, owing nothing to the rollups: storing "
                f"{count / floor.timings['storing']:,.0f} activities/s, capture {count / floor_capture:,.0f} "
                f"activities/s ({floor_capture:.2f} s); owing them, capture took "
                f"{(matching + storing) / floor_capture:.2f}x as long (load average {os.getloadavg()[0]:.1f})"
            )
            report = floor
        if not options["keep"]:
            self.delete(report.created_ids)
            self.stdout.write("  (benchmark activities deleted; --keep keeps them)")

    def capture(self, parsed, batch_size: int, *, rollups: bool):
        session = IngestSession(batch_size=batch_size, hand_off=False)
        started, cpu_started = time.perf_counter(), time.process_time()
        with rollups_timed(enabled=rollups):
            for index, activity in enumerate(parsed):
                session.add(activity, source=Activity.Source.API, key=index)
            report = session.finish()
        capture, capture_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        if report.created != len(parsed):
            raise CommandError(
                f"expected {len(parsed)} new activities, stored {report.created}: {report.counts}"
            )
        return report, capture, capture_cpu

    def delete(self, ids: list[int]) -> None:
        with transaction.atomic(), rollups_kept_current(activity_ids=ids):
            for start in range(0, len(ids), 5_000):
                Activity.objects.filter(pk__in=ids[start : start + 5_000]).delete()

    def generate(self, count: int, rng: random.Random) -> list[dict]:
        """API items between the org's reps and its accounts' people (contacts, new people, leads, free mail)."""
        reps = list(
            User.objects.filter(is_integration_user=False)
            .exclude(email="")
            .values_list("email", "first_name")
        )
        domains = list(AccountDomain.objects.values_list("account_id", "domain"))
        if not reps or not domains:
            raise CommandError(
                "No org in this database: run `manage.py seed_demo` first (it writes users and accounts)."
            )
        contacts: dict[int, list[tuple[str, str]]] = {}
        for account_id, email, first in Contact.objects.exclude(email="").values_list(
            "account_id", "email", "first_name"
        ):
            contacts.setdefault(account_id, []).append((email, first))
        leads = list(
            Lead.objects.filter(is_converted=False).exclude(email="").values_list("email", "first_name")
        )
        run = f"{clock.now():%Y%m%d%H%M%S}-{rng.randrange(10**6)}"
        start = clock.now() - dt.timedelta(days=365)
        items = []
        for n in range(count):
            rep_email, rep_first = rng.choice(reps)
            account_id, domain = rng.choice(domains)
            people = []
            for _ in range(rng.choice([1, 1, 2, 3])):
                roll = rng.random()
                if roll < 0.6 and contacts.get(account_id):
                    people.append(rng.choice(contacts[account_id]))
                elif roll < 0.85:
                    first = rng.choice(["Ana", "Ben", "Chen", "Dee", "Eli", "Fay"])
                    people.append((f"{first.lower()}.{n % 97}@{domain}", first))
                elif roll < 0.93 and leads:
                    people.append(rng.choice(leads))
                else:
                    people.append((f"someone{n % 89}@gmail.com", "Sam"))
            people = list(dict(people).items())
            kind = rng.choices(["email", "meeting", "call"], weights=[7, 2, 1])[0]
            first = people[0][1] or "there"
            when = start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
            item = {
                "kind": kind,
                "source_id": f"bench-{run}-{n}",
                "occurred_at": when.isoformat(),
                "subject": rng.choice(SUBJECTS),
                "participants": [{"email": rep_email, "role": "from" if kind != "meeting" else "organizer"}]
                + [
                    {
                        "email": email,
                        "name": f"{name} Person",
                        "role": "to" if kind != "meeting" else "attendee",
                    }
                    for email, name in people
                ],
            }
            if kind == "email":
                item["body"] = BODY.format(first=first, sender=rep_first)
            else:
                item["duration_minutes"] = rng.choice([15, 30, 45, 60])
            items.append(item)
        return items
