"""manage.py seed_help_center: load the shipped help articles (idempotent)."""

from django.core.management.base import BaseCommand

from support.services import help_center_seed


class Command(BaseCommand):
    help = "Load the help center articles shipped with Backstory. Existing articles are kept as edited unless --update."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update", action="store_true", help="Overwrite articles an admin edited with the shipped text."
        )

    def handle(self, *args, **options):
        created, updated = help_center_seed(update=options["update"])
        self.stdout.write(self.style.SUCCESS(f"Help center: {created} articles created, {updated} updated."))
