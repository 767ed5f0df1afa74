"""manage.py deduplicate_contacts: run the daily de-duplication now."""

import time

from django.core.management.base import BaseCommand

from contacts.services import contacts_deduplicate


class Command(BaseCommand):
    help = "Merge duplicate contacts Backstory created (same email, same account) into the earliest valid contact now."

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = contacts_deduplicate()
        for label, value in report.as_dict().items():
            self.stdout.write(f"  {label.replace('_', ' '):<22} {value:>10,}")
        for failure in report.failures:
            self.stdout.write(
                self.style.ERROR(
                    f"  not merged: contact {failure['survivor_id']} and its duplicates "
                    f"{', '.join(map(str, failure['duplicate_ids']))}: {failure['error']}"
                )
            )
        self.stdout.write(
            self.style.SUCCESS(f"De-duplication done in {time.perf_counter() - started:.2f} s.")
        )
