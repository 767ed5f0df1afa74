"""manage.py import_activities PATH... : .eml files, .mbox mailboxes, .ics calendars and JSON Lines."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from activities.models import Activity
from activities.parsing import SUPPORTED_SUFFIXES, MailLimits, ParseError, parse_path
from activities.services import IngestReport, IngestSession
from backstory import clock
from backstory.database import DATABASE_UNAVAILABLE
from users.models import User

SOURCE_BY_SUFFIX = {
    ".eml": Activity.Source.EML,
    ".mbox": Activity.Source.MBOX,
    ".ics": Activity.Source.ICS,
    ".jsonl": Activity.Source.JSONL,
    ".ndjson": Activity.Source.JSONL,
}


def files_under(path: Path) -> list[Path]:
    """The files to read: the path itself, or a directory's supported files in sorted order."""
    if not path.is_dir():
        return [path]
    found = []
    for root, directories, files in os.walk(path):
        directories[:] = sorted(d for d in directories if not d.startswith("."))
        found.extend(
            Path(root) / name
            for name in sorted(files)
            if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_SUFFIXES
        )
    return found


class Command(BaseCommand):
    help = (
        "Capture emails, meetings and calls from .eml files, .mbox mailboxes, .ics calendars and JSON Lines "
        "(files or directories). Re-importing the same files adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files or directories to import")
        parser.add_argument(
            "--owner",
            metavar="USERNAME_OR_EMAIL",
            help="whose mailbox or calendar this is (default: the colleague who sent or organised each item)",
        )
        parser.add_argument("--batch-size", type=int, default=1_000, help="activities stored per transaction")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        owner = self.find_owner(options["owner"]) if options["owner"] else None
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        files = []
        for raw in options["paths"]:
            path = Path(raw)
            if not path.exists():
                self.stderr.write(f"{path}: no such file or directory")
                continue
            under = files_under(path)
            if not under:
                self.stderr.write(f"{path}: no {', '.join(SUPPORTED_SUFFIXES)} files in this directory")
            files.extend(under)

        session = IngestSession(owner=owner, batch_size=options["batch_size"])
        mail_limits = MailLimits(
            max_message_bytes=settings.BACKSTORY_MAX_MESSAGE_MB * 2**20,
            max_text_bytes=settings.BACKSTORY_MAX_TEXT_KB * 2**10,
        )
        now = clock.now()
        progress = tqdm(
            total=None,
            unit=" items",
            desc="Importing",
            disable=options["no_progress"],
            file=sys.stderr,
            dynamic_ncols=True,
        )
        try:
            for path in files:
                source = SOURCE_BY_SUFFIX.get(path.suffix.lower(), Activity.Source.EML)
                progress.set_postfix_str(path.name, refresh=False)
                for item in parse_path(
                    path,
                    now=now,
                    expand_from=now - dt.timedelta(days=settings.BACKSTORY_RECURRENCE_DAYS_BACK),
                    expand_until=now + dt.timedelta(days=settings.BACKSTORY_RECURRENCE_DAYS_AHEAD),
                    max_occurrences=settings.BACKSTORY_RECURRENCE_MAX_OCCURRENCES,
                    mail_limits=mail_limits,
                ):
                    position = (
                        item.position
                        if isinstance(item, ParseError)
                        else item.origin.removeprefix(str(path)).strip()
                    )
                    session.add(item, source=source, key=f"{path} {position}".strip())
                    progress.update(1)
            report = session.finish()
        except DATABASE_UNAVAILABLE as error:
            progress.close()
            stored = session.report.created
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise CommandError(
                f"The database became unavailable ({reason}): "
                f"{stored} new activit{'ies were' if stored != 1 else 'y was'} stored before it. "
                "Run the same command again once the database is back: what is already stored is skipped."
            ) from None
        progress.close()
        self.write_report(report, len(files))
        if report.read == 0:
            raise CommandError(
                "Nothing could be read. Check the paths and the errors above: supported files are "
                + ", ".join(SUPPORTED_SUFFIXES)
                + "."
            )

    def find_owner(self, value: str) -> User:
        owner = User.objects.filter(Q(username__iexact=value) | Q(email__iexact=value.strip())).first()
        if owner is None:
            raise CommandError(
                f"No user has the username or email {value!r}. Pass --owner with an existing user's username or email, "
                "or leave it out to give each activity to the colleague who sent or organised it."
            )
        return owner

    def write_report(self, report: IngestReport, file_count: int) -> None:
        total = report.read + len(report.errors)
        out = self.stdout
        out.write(
            f"Read {total} item{'s' if total != 1 else ''} from {file_count} file{'s' if file_count != 1 else ''}: "
            f"{report.created} new activit{'ies' if report.created != 1 else 'y'} stored, "
            f"{report.duplicates} already captured, {report.excluded} excluded by local filters, "
            f"{len(report.errors)} could not be read."
        )
        if report.updated:
            out.write(
                f"{report.updated} meeting{'s' if report.updated != 1 else ''} already captured "
                f"{'were' if report.updated != 1 else 'was'} updated from {'their' if report.updated != 1 else 'its'} "
                "calendar (moved, renamed or cancelled)."
            )
        if report.created == 0 and report.duplicates and not report.excluded and not report.updated:
            out.write(f"Nothing new: all {report.duplicates} were already captured.")
        if report.created:
            m = report.account_matches
            A = Activity.AccountMatch
            out.write(
                f"Matched: {m[A.CONTACT]} to an account through a contact, {m[A.DOMAIN]} by domain, "
                f"{m[A.LEAD]} to a lead, {m[A.NONE]} not matched; {report.opportunity_matched} to opportunities. "
                f"{report.private} private."
            )
        if report.warnings:
            out.write(
                f"{report.warnings} repair{'s' if report.warnings != 1 else ''} made while reading (charsets, missing ids, time zones)."
            )
        if report.excluded_by:
            out.write("Excluded by local filters:")
            for rule, count in report.excluded_by.most_common():
                out.write(f"  {count:>6}  {rule}")
        if report.errors:
            out.write("Could not be read:")
            for error in report.errors:
                out.write(f"  {error}")
