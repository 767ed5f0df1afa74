"""manage.py salesforce_fault_run: capture to Salesforce through a failing org, and check the end state.

A stand-in org (the small demo org, on its own clock) fails a fifth of all calls (server errors,
locked rows, the API limit, expired sessions, duplicate rules), goes silent for a while (accepts
every call and answers nothing within the read timeout), and refuses one new contact with a
validation rule. Mail from the account owner introduces new people at Acme and Globex, and a call
and a meeting with each account follow; the contact engine creates the people and their contact
roles and queues each activity's Task (emails, calls) or Event (meetings); one more email is
matched by hand to no account while the outbox drains, so its Task must go again; the outbox
drains until nothing is due.

The run then checks what an admin would: every other contact, contact role, Task and Event is in
Salesforce exactly once (Tasks and Events counted by their Backstory id), nothing is a duplicate or
a junk record (a contact with Backstory's id but no email, no account or not flagged as
Backstory's; a Task or Event hanging on nothing, not flagged, or missing its times or call
length), the unmatched email has no Task, and the refused one is on the Sync problems page with
Salesforce's error. Everything it wrote locally is rolled back at the end. RELIABILITY.md has a run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from activities.models import Activity
from activities.parsing.results import ParsedActivity, ParsedParticipant
from activities.services import activities_ingest
from activities.services.crm_sync import activity_external_id
from activities.services.engagement_log import activity_match_manually
from contacts.models import ConfigurationProfile, Contact
from contacts.services import contact_engine_process_activities
from crm.models import OutboxEntry
from crm.push import outbox_drain
from crm.selectors import outbox_problems
from crm.sync import salesforce_pull
from opportunities.models import OpportunityContactRole
from salesforce_standin import ManualClock, StandinServer
from salesforce_standin.store import SMALL_ORG
from users.models import User

START = "2026-11-23T12:00:00+00:00"
FAULT_KINDS = (
    "SERVER_ERROR",
    "UNABLE_TO_LOCK_ROW",
    "REQUEST_LIMIT_EXCEEDED",
    "INVALID_SESSION_ID",
    "DUPLICATES_DETECTED",
)
# Five independent kinds at this rate fail 1 - (1 - 0.044)^5 ≈ 20% of calls.
FAULT_RATE = 0.044
REFUSED = "vera.valid@acme.com"
REFUSAL = "Contacts at Acme need a mailing city (validation rule Acme_Mailing_City)."
UNMATCHED = "fault-run-unmatched@lumen-analytics.com"
# (account key in the stand-in, its owner's address, the contact role holder on the mail, domain)
ACCOUNTS = (
    ("acme", "priya.raman@lumen-analytics.com", ("rita.moreno@acme.com", "Rita", "Moreno"), "acme.com"),
    ("globex", "priya.raman@lumen-analytics.com", ("hank@globex.com", "Hank", "Scorpio"), "globex.com"),
)
FIRST = ("Olivia", "Omar", "Li", "Sara", "Nina", "Raj", "Ava", "Ben", "Cleo", "Dev", "Eli", "Fay")
LAST = ("Park", "Haddad", "Wei", "Kim", "Patel", "Mehta", "Stone", "Lowe", "Reyes", "Nair", "Ortiz", "Quinn")


class Command(BaseCommand):
    help = "Push new contacts and roles through a stand-in org that fails, goes silent and refuses one; check the end state."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=20, help="new people to introduce (default 20)")
        parser.add_argument(
            "--silent-seconds", type=float, default=30.0, help="length of the silent period (wall time)"
        )
        parser.add_argument(
            "--read-timeout", type=float, default=2.0, help="SALESFORCE_READ_TIMEOUT for the run"
        )
        parser.add_argument("--seed", type=int, default=41, help="seed of the random faults")

    def handle(self, *args, **options):
        people = max(2, options["people"])
        clock = ManualClock(START)
        server = StandinServer(fixtures=SMALL_ORG, clock=clock).start()
        try:
            with (
                override_settings(
                    SALESFORCE_MODE="standin",
                    SALESFORCE_INSTANCE_URL=server.url,
                    SALESFORCE_SESSION_ID=server.session_id,
                    SALESFORCE_CA_BUNDLE=server.ca_path,
                    SALESFORCE_READ_TIMEOUT=options["read_timeout"],
                    SALESFORCE_CONNECT_TIMEOUT=options["read_timeout"],
                    BACKSTORY_NOW=START,
                    CELERY_TASK_ALWAYS_EAGER=True,
                ),
                transaction.atomic(),
            ):
                ok = self.run(server, clock, people, options)
                transaction.set_rollback(True)
        finally:
            server.stop()
        if not ok:
            raise CommandError("the fault run did not end in the expected state (see above)")

    # -- the run -------------------------------------------------------------------------------
    def advance(self, clock: ManualClock, **delta: float) -> None:
        from django.conf import settings

        settings.BACKSTORY_NOW = clock.advance(**delta).isoformat()

    def run(self, server: StandinServer, clock: ManualClock, people: int, options: dict) -> bool:
        User.objects.get_or_create(
            username="integration",
            defaults={"email": "integration@lumen-analytics.com", "is_integration_user": True},
        )
        ConfigurationProfile.objects.update_or_create(
            name="Fault run",
            defaults={"is_default": True, "contact_creation_enabled": True, "ocr_enabled": True},
        )
        for _ in range(2):  # the fixture's records stamped at load time arrive in the second window
            salesforce_pull()
            self.advance(clock, minutes=3)
        contacts_before = server.store.count("Contact")
        seen: set[str] = set()
        duplicates_before = set()
        for row in server.store.rows("Contact"):
            email = (row.get("Email") or "").lower()
            if email in seen:
                duplicates_before.add(email)
            seen.add(email)

        rules = [
            server.faults.at_rate(kind, FAULT_RATE, seed=seed)
            for seed, kind in enumerate(FAULT_KINDS, start=options["seed"])
        ]
        server.faults.add("VALIDATION_RULE", path="Contact", when={"Email": REFUSED}, message=REFUSAL)
        mail, expected = self.mail(clock, people)
        started = time.perf_counter()
        # The run is one transaction (rolled back at the end): hand the mail to the contact engine
        # here, as capture's after-commit hand-off would.
        report = activities_ingest(items=mail, source="api", hand_off=False)
        contact_engine_process_activities(
            activity_ids=list(
                Activity.objects.filter(source_id__startswith="fault-run-").values_list("pk", flat=True)
            )
        )
        kinds = Counter(
            Activity.objects.filter(source_id__startswith="fault-run-").values_list("kind", flat=True)
        )
        self.stdout.write(
            f"captured {report.created} activities ({kinds['email']} emails, {kinds['call']} calls, "
            f"{kinds['meeting']} meetings) introducing {len(expected) + 1} new people"
        )

        silent = None
        silent_over_at = None
        drains = 0
        unmatched = Activity.objects.get(source_id=UNMATCHED)
        while OutboxEntry.objects.filter(status=OutboxEntry.Status.PENDING).exists() and drains < 400:
            if drains == 4:
                # Someone matches one email by hand to no account while the outbox drains.
                self.match_to_nothing(unmatched)
            if drains == 2 and silent is None:
                # Salesforce goes silent: it takes every call and answers none in time.
                silent = server.faults.add("SLOW", delay=options["read_timeout"] + 1.0)
                silent_over_at = time.perf_counter() + options["silent_seconds"]
                self.stdout.write(f"Salesforce silent for {options['silent_seconds']:.0f} s (wall time)")
            if silent is not None and silent_over_at and time.perf_counter() >= silent_over_at:
                server.faults.remove(silent)
                silent_over_at = None
                self.stdout.write(f"Salesforce answering again after {silent.fired} silent calls")
            outbox_drain()
            drains += 1
            self.advance(clock, minutes=20)
        seconds = time.perf_counter() - started
        for rule in rules:
            server.faults.remove(rule)
        self.stdout.write(
            f"{drains} drains in {seconds:.1f} s; faults fired: "
            + ", ".join(f"{r.kind} {r.fired}" for r in rules)
        )
        return self.verify(server, expected, contacts_before, duplicates_before, unmatched)

    def match_to_nothing(self, activity: Activity) -> None:
        admin, _ = User.objects.get_or_create(
            username="fault-run-admin",
            defaults={"email": "fault-run-admin@lumen-analytics.com", "is_staff": True},
        )
        activity_match_manually(activity=activity, user=admin, account=None)
        # The run is one transaction: run the contact engine as the after-commit hand-off would.
        contact_engine_process_activities(activity_ids=[activity.pk])
        self.stdout.write("one email matched by hand to no account: its Task must leave Salesforce")

    def mail(
        self, clock: ManualClock, people: int
    ) -> tuple[list[ParsedActivity], list[tuple[str, str, str, str]]]:
        def person(email, role, first, last):
            return ParsedParticipant(email, role, f"{first} {last}", first, last)

        activities, expected = [], []
        now = clock.now
        for index, (account, owner, holder, domain) in enumerate(ACCOUNTS):
            share = people // len(ACCOUNTS) + (index < people % len(ACCOUNTS))
            new = []
            for n in range(share):
                first, last = FIRST[(n + index * 5) % len(FIRST)], LAST[(n * 7 + index) % len(LAST)]
                email = f"{first}.{last}{n}@{domain}".lower()
                new.append(person(email, "cc", first, f"{last}{n}" if n >= len(LAST) else last))
                expected.append((email, account, first, new[-1].last_name))
            if account == "acme":
                new.append(person(REFUSED, "cc", "Vera", "Valid"))
            activities.append(
                ParsedActivity(
                    kind="email",
                    source_id=f"fault-run-{account}@lumen-analytics.com",
                    subject=f"{account.title()}: introductions",
                    body="Adding everyone who should see the proposal.",
                    occurred_at=now - dt.timedelta(hours=1 + index),
                    participants=(
                        person(owner, "from", "Priya", "Raman"),
                        person(*holder[:1], "to", *holder[1:]),
                        *new,
                    ),
                )
            )
            # A call and a meeting with the account: a Task with its length, an Event with its times.
            for kind, minutes in (("call", 12 + index), ("meeting", 45 + 15 * index)):
                activities.append(
                    ParsedActivity(
                        kind=kind,
                        source_id=f"fault-run-{account}-{kind}",
                        subject=f"{account.title()}: {kind} about the proposal",
                        body="",
                        occurred_at=now - dt.timedelta(minutes=30 + 10 * index),
                        duration_minutes=minutes,
                        participants=(
                            person(owner, "organizer" if kind == "meeting" else "from", "Priya", "Raman"),
                            person(*holder[:1], "to", *holder[1:]),
                        ),
                    )
                )
        activities.append(
            ParsedActivity(
                kind="email",
                source_id=UNMATCHED,
                subject="Acme: lunch?",
                body="Are you free on Friday?",
                occurred_at=now - dt.timedelta(hours=3),
                participants=(
                    person(ACCOUNTS[0][1], "from", "Priya", "Raman"),
                    person(*ACCOUNTS[0][2][:1], "to", *ACCOUNTS[0][2][1:]),
                ),
            )
        )
        return activities, expected

    # -- the checks ----------------------------------------------------------------------------
    def verify(
        self,
        server: StandinServer,
        expected: list,
        contacts_before: int,
        duplicates_before: set[str],
        unmatched: Activity,
    ) -> bool:
        created_flag, id_field = "Created_By_Backstory__c", "Backstory_Id__c"
        rows = server.store.rows("Contact")
        by_email: dict[str, list[dict]] = {}
        for row in rows:
            by_email.setdefault((row.get("Email") or "").lower(), []).append(row)
        delivered = [email for email, *_ in expected if len(by_email.get(email, [])) == 1]
        missing = [email for email, *_ in expected if not by_email.get(email)]
        # The demo org holds a pair of duplicates of its own (for the de-duplication demo).
        duplicates = [
            email
            for email, found in by_email.items()
            if email and len(found) > 1 and email not in duplicates_before
        ]
        junk = [
            row["Id"]
            for row in rows
            if row.get(id_field)
            and (not row.get("Email") or not row.get("AccountId") or not row.get(created_flag))
        ]
        roles_expected = OpportunityContactRole.objects.filter(created_by_backstory=True).exclude(
            contact__email=REFUSED
        )
        role_ids = {row["Id"] for row in server.store.rows("OpportunityContactRole") if row.get(id_field)}
        roles_delivered = [r for r in roles_expected if r.crm_id and r.crm_id in role_ids]
        refused = Contact.objects.get(email=REFUSED)
        problem = outbox_problems().filter(record_type="contacts.contact", record_id=refused.pk).first()
        stuck = OutboxEntry.objects.exclude(status=OutboxEntry.Status.DONE).exclude(
            record_id=refused.pk, record_type="contacts.contact"
        )
        stuck = stuck.exclude(payload__ContactBackstoryId=str(refused.backstory_id))
        lines = [
            ("contacts delivered", f"{len(delivered)} of {len(expected)}", len(delivered) == len(expected)),
            ("contacts missing", len(missing), not missing),
            ("duplicate contacts", len(duplicates), not duplicates),
            ("junk contacts", len(junk), not junk),
            (
                "contact roles delivered",
                f"{len(roles_delivered)} of {roles_expected.count()}",
                len(roles_delivered) == roles_expected.count() > 0,
            ),
            ("refused contact in Salesforce", len(by_email.get(REFUSED, [])), not by_email.get(REFUSED)),
            (
                "refused contact on Sync problems",
                f"{problem.last_error_code}: {problem.last_error}" if problem else "no",
                bool(problem and problem.last_error_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"),
            ),
            *self.verify_activities(server, unmatched),
            ("other entries not done", stuck.count(), not stuck.exists()),
            ("new contacts in Salesforce", server.store.count("Contact") - contacts_before, True),
        ]
        for label, value, good in lines:
            style = self.style.SUCCESS if good else self.style.ERROR
            self.stdout.write(style(f"  {label:<34} {value}"))
        return all(good for _label, _value, good in lines)

    def verify_activities(self, server: StandinServer, unmatched: Activity) -> list[tuple[str, object, bool]]:
        """Tasks and Events counted by their Backstory id: delivered once, missing, duplicated, junk."""
        id_field, created_flag = "Backstory_Id__c", "Created_By_Backstory__c"
        activities = Activity.objects.filter(source_id__startswith="fault-run-").exclude(pk=unmatched.pk)
        lines = []
        for object_name, kinds in (("Task", ("email", "call")), ("Event", ("meeting",))):
            wanted = {activity_external_id(a): a for a in activities if a.kind in kinds}
            by_id: dict[str, list[dict]] = {}
            for row in server.store.rows(object_name):
                if row.get(id_field):
                    by_id.setdefault(row[id_field], []).append(row)
            delivered = [key for key in wanted if len(by_id.get(key, [])) == 1]
            missing = [key for key in wanted if key not in by_id]
            duplicated = [key for key, found in by_id.items() if len(found) > 1]
            junk = [
                row["Id"]
                for key, found in by_id.items()
                for row in found
                if key not in wanted
                or not row.get(created_flag)
                or not (row.get("WhatId") or row.get("WhoId"))
                or (object_name == "Event" and row.get("DurationInMinutes") != wanted[key].duration_minutes)
                or (
                    object_name == "Task"
                    and wanted[key].kind == "call"
                    and row.get("CallDurationInSeconds") != wanted[key].duration_minutes * 60
                )
            ]
            plural = object_name.lower() + "s"
            lines += [
                (
                    f"{plural} delivered",
                    f"{len(delivered)} of {len(wanted)}",
                    len(delivered) == len(wanted) > 0,
                ),
                (f"{plural} missing", len(missing), not missing),
                (f"duplicate {plural} (by Backstory id)", len(duplicated), not duplicated),
                (f"junk {plural}", len(junk), not junk),
            ]
        left = server.store.find_by_field("Task", id_field, activity_external_id(unmatched))
        deleted = (
            OutboxEntry.objects.filter(
                record_type="activities.activity",
                record_id=unmatched.pk,
                operation=OutboxEntry.Operation.DELETE,
                status=OutboxEntry.Status.DONE,
            )
            .exclude(last_error_code="NOT_IN_SALESFORCE")
            .exists()
        )
        how = "created, then deleted" if deleted else "never created"
        lines.append(("task of the unmatched email", f"{len(left)} ({how})", not left))
        return lines
