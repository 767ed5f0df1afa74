"""manage.py benchmark_contact_engine: time the contact engine and the daily de-duplication.

Run it on a seeded benchmark database, e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstory_bench_contacts \\
      manage.py seed_demo --reset --accounts 2000 --activities 100000
    DATABASE_URL=... manage.py benchmark_contact_engine --activities 100000 --contacts 50000

1. The engine over the oldest N activities (all their participants, every decision recorded).
2. Duplicates generated until the org holds M contacts (copies created by Backstory of existing
   contacts, some holding activities and contact roles), then one de-duplication run.

Everything happens in one transaction that is rolled back at the end, so the database stays as
seeded and the benchmark can be repeated; `--commit` keeps the changes.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from activities.models import Activity, Participant
from contacts.models import Contact, ContactDecision
from contacts.services import contact_engine_process_activities, contacts_deduplicate
from crm.models import OutboxEntry
from opportunities.models import Opportunity, OpportunityContactRole


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the contact engine over N activities and the de-duplication over M contacts (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--activities", type=int, default=100_000, help="Activities to run the engine over."
        )
        parser.add_argument(
            "--contacts", type=int, default=50_000, help="Contacts in the org for the de-duplication."
        )
        parser.add_argument(
            "--duplicates",
            type=int,
            default=None,
            help="How many of the generated contacts are duplicates (default: all of them, the worst "
            "case); the rest get addresses of their own.",
        )
        parser.add_argument("--skip-engine", action="store_true", help="Time only the de-duplication.")
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="First undo what the engine made when the org was seeded (its contacts, contact roles, "
            "decisions and links), so the figure is a first run rather than a re-run.",
        )
        parser.add_argument("--batch-size", type=int, default=500, help="Engine batch size (default 500).")
        parser.add_argument("--seed", type=int, default=11, help="Random seed for the generated duplicates.")
        parser.add_argument("--commit", action="store_true", help="Keep the changes instead of rolling back.")

    def handle(self, *args, **options):
        self.stdout.write(f"Database: {connection.vendor} ({connection.settings_dict.get('NAME')})")
        try:
            with transaction.atomic():
                if not options["skip_engine"]:
                    if options["fresh"]:
                        self.timed(
                            "  undoing the engine's earlier work (not part of the figure)", self.undo_engine
                        )
                    self.run_engine(options["activities"], options["batch_size"])
                self.run_dedup(options["contacts"], options["duplicates"], random.Random(options["seed"]))
                if not options["commit"]:
                    raise _Rollback
        except _Rollback:
            self.stdout.write("Rolled back: the database is as it was.")

    def timed(self, label: str, function):
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"{label}: {seconds:.2f} s"))
        return result, seconds

    def undo_engine(self) -> None:
        OpportunityContactRole.objects.filter(created_by_backstory=True).delete()
        made = Contact.objects.filter(created_by_backstory=True)
        Participant.objects.filter(contact__in=made).update(contact=None)
        made.delete()
        ContactDecision.objects.all().delete()
        OutboxEntry.objects.all().delete()

    def run_engine(self, count: int, batch_size: int) -> None:
        ids = list(Activity.objects.order_by("occurred_at", "id").values_list("id", flat=True)[:count])
        participants = (
            Participant.objects.filter(activity_id__in=ids).count()
            if len(ids) <= 50_000
            else Participant.objects.count()
        )
        self.stdout.write(
            f"Engine over {len(ids):,} activities (~{participants:,} participants), batches of {batch_size}"
        )
        report, seconds = self.timed(
            "  contact engine",
            lambda: contact_engine_process_activities(activity_ids=ids, batch_size=batch_size),
        )
        for label, value in report.as_dict().items():
            self.stdout.write(f"    {label.replace('_', ' '):<22} {value:>10,}")
        if ids:
            self.stdout.write(f"    {'activities per second':<22} {len(ids) / seconds:>10,.0f}")
        for error in report.errors[:5]:
            self.stderr.write(f"    error: {error}")

    def run_dedup(self, target: int, duplicates: int | None, rng: random.Random) -> None:
        existing = Contact.objects.count()
        originals = list(
            Contact.objects.exclude(email="")
            .filter(account__isnull=False)
            .order_by("id")
            .values_list("id", "account_id", "email", "first_name", "last_name")
        )
        wanted = max(0, target - existing)
        duplicates = wanted if duplicates is None else min(duplicates, wanted)
        self.stdout.write(
            f"De-duplication over {existing + wanted:,} contacts ({wanted:,} generated, {duplicates:,} of them duplicates)"
        )
        if not originals:
            return
        self.timed(
            "  generating contacts (not part of the figure)",
            lambda: self.generate(originals, wanted, rng, duplicates=duplicates),
        )
        report, _seconds = self.timed("  de-duplication", contacts_deduplicate)
        for label, value in report.as_dict().items():
            self.stdout.write(f"    {label.replace('_', ' '):<22} {value:>10,}")

    def generate(self, originals: list[tuple], wanted: int, rng: random.Random, *, duplicates: int) -> None:
        now = dt.datetime.now(dt.UTC)
        copies: list[tuple[int, Contact]] = []
        for n in range(wanted):
            original_id, account_id, email, first, last = originals[n % len(originals)]
            if n >= duplicates:  # a contact of its own on the same account
                email = f"unique.{n}.{email}"
            copies.append(
                (
                    original_id,
                    Contact(
                        first_name=first,
                        last_name=last,
                        email=email.upper() if n % 2 else email,
                        account_id=account_id,
                        created_by_backstory=True,
                        lead_source="Backstory",
                    ),
                )
            )
        created = Contact.objects.bulk_create([c for _o, c in copies], batch_size=2_000)
        # Stagger creation times so survivors are not just the lowest ids.
        for contact in created:
            contact.created_at = now - dt.timedelta(minutes=rng.randint(0, 500_000))
        Contact.objects.bulk_update(created, ["created_at"], batch_size=2_000)

        original_ids = sorted({o for o, _c in copies})
        by_original: dict[int, list[int]] = {}
        for start in range(0, len(original_ids), 900):
            for participant_id, contact_id in Participant.objects.filter(
                contact_id__in=original_ids[start : start + 900]
            ).values_list("id", "contact_id"):
                by_original.setdefault(contact_id, []).append(participant_id)
        moved = []
        for original_id, copy in copies:
            for participant_id in by_original.get(original_id, [])[:2]:
                moved.append(Participant(pk=participant_id, contact_id=copy.pk))
        Participant.objects.bulk_update(moved, ["contact"], batch_size=2_000)

        roles_by_contact: dict[int, list[int]] = {}
        for opportunity_id, contact_id in OpportunityContactRole.objects.values_list(
            "opportunity_id", "contact_id"
        ):
            roles_by_contact.setdefault(contact_id, []).append(opportunity_id)
        open_by_account: dict[int, list[int]] = {}
        for opportunity_id, account_id in Opportunity.objects.filter(is_closed=False).values_list(
            "id", "account_id"
        ):
            open_by_account.setdefault(account_id, []).append(opportunity_id)
        roles = []
        seen: set[tuple[int, int]] = set()
        for n, (original_id, copy) in enumerate(copies):
            if n % 5 == 0:  # the same role as the original: dropped by the de-duplication
                targets = roles_by_contact.get(original_id, [])[:1]
            elif n % 7 == 0:  # a role the original lacks: moved to the survivor
                targets = [
                    o
                    for o in open_by_account.get(copy.account_id, [])
                    if o not in roles_by_contact.get(original_id, [])
                ][:1]
            else:
                targets = []
            for opportunity_id in targets:
                if (opportunity_id, copy.pk) not in seen:
                    seen.add((opportunity_id, copy.pk))
                    roles.append(
                        OpportunityContactRole(
                            opportunity_id=opportunity_id,
                            contact=copy,
                            role="Business User",
                            created_by_backstory=True,
                        )
                    )
        OpportunityContactRole.objects.bulk_create(roles, batch_size=2_000)
        self.stdout.write(
            f"    {len(created):,} contacts, {len(moved):,} participants and {len(roles):,} contact roles on them"
        )
