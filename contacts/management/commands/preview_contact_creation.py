"""manage.py preview_contact_creation --profile NAME [--since DATE]: what the contact engine would
create, enrich and link for a profile's users, changing nothing."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contacts.models import ConfigurationProfile, ContactDecision
from contacts.selectors import activity_ids_for_profile
from contacts.services import contact_engine_process_activities

Action = ContactDecision.Action


def parse_since(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--since must be a date (2026-01-31) or an ISO datetime, not “{value}”."
        ) from error
    return timezone.make_aware(parsed, dt.UTC) if timezone.is_naive(parsed) else parsed


class Command(BaseCommand):
    help = (
        "Preview the contact engine for one configuration profile: contacts it would create, enrich and "
        "link, and contact roles it would add. Runs the engine in a transaction that is rolled back, as "
        "if the profile's contact creation and contact role creation were on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--profile", required=True, help="The configuration profile's name.")
        parser.add_argument(
            "--since", help="Only activities on or after this date (YYYY-MM-DD or ISO datetime)."
        )
        parser.add_argument(
            "--limit", type=int, default=20, help="How many examples to list per section (default 20)."
        )

    def handle(self, *args, **options):
        try:
            profile = ConfigurationProfile.objects.get(name=options["profile"])
        except ConfigurationProfile.DoesNotExist as error:
            names = ", ".join(ConfigurationProfile.objects.values_list("name", flat=True)) or "none"
            raise CommandError(
                f"No configuration profile named “{options['profile']}” (profiles: {names})."
            ) from error
        since = parse_since(options["since"])
        ids = activity_ids_for_profile(profile=profile, since=since)
        report = contact_engine_process_activities(activity_ids=ids, profile=profile, preview=True)

        switched = [] if profile.contact_creation_enabled else ["contact creation"]
        switched += [] if profile.ocr_enabled else ["contact role creation"]
        self.stdout.write(
            f"Preview of profile “{profile.name}” over {report.activities:,} activities"
            + (f" since {since:%Y-%m-%d}" if since else "")
            + (f", as if {' and '.join(switched)} were on" if switched else "")
            + ". Nothing was saved."
        )
        limit = options["limit"]
        self.section(
            "Would create",
            [d for d in report.decisions if d.action == Action.CONTACT_CREATED],
            "contacts",
            limit,
        )
        self.section(
            "Would enrich",
            [d for d in report.decisions if d.action == Action.CONTACT_ENRICHED],
            "contacts",
            limit,
        )
        self.section(
            "Would add",
            [d for d in report.decisions if d.action == Action.OCR_CREATED],
            "contact roles",
            limit,
        )
        self.stdout.write(
            f"Would link {report.participants_linked:,} participants to contacts and match "
            f"{report.leads_matched:,} to leads."
        )
        skipped = sorted(
            (
                (key, n)
                for key, n in report.reasons.items()
                if not key.endswith(":created") and "newer_observation" not in key
            ),
            key=lambda item: (-item[1], item[0]),
        )
        if skipped:
            self.stdout.write("Not done, by reason:")
            for key, count in skipped:
                self.stdout.write(f"  {key:<50} {count:>8,}")
        for error in report.errors:
            self.stderr.write(f"Error: {error}")

    def section(self, verb: str, decisions: list, noun: str, limit: int) -> None:
        self.stdout.write(f"{verb} {len(decisions):,} {noun}:")
        for decision in decisions[:limit]:
            when = (
                decision.activity.occurred_at.date().isoformat()
                if decision.activity_id and decision.activity
                else ""
            )
            self.stdout.write(
                f"  - {decision.message}" + (f" [activity {decision.activity_id}, {when}]" if when else "")
            )
        if len(decisions) > limit:
            self.stdout.write(f"  ... and {len(decisions) - limit:,} more")
