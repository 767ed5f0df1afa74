"""manage.py load_custom_metric SLUG FILE.csv: store a custom metric's values from a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from query_api.models import CustomMetric
from query_api.services import CustomMetricLoadError, custom_metric_load_values


class Command(BaseCommand):
    help = "Load a custom metric's values: a CSV with a header row naming value and crm_id (or id; email/username for users)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The custom metric, e.g. custom_account_nps_score.")
        parser.add_argument("file", help="The CSV file.")

    def handle(self, *args, slug, file, **options):
        metric = CustomMetric.objects.filter(slug=slug).first()
        if metric is None:
            raise CommandError(
                f"No custom metric {slug!r}; create it in the admin (Query API → Custom metrics) first."
            )
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            stored = custom_metric_load_values(metric=metric, csv_text=text)
        except CustomMetricLoadError as error:
            raise CommandError(f"Nothing loaded; fix these lines and run again:\n{error}") from None
        self.stdout.write(self.style.SUCCESS(f"Stored {stored:,} values of {slug}."))
