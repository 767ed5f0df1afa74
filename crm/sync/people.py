"""Users, contacts and leads."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from accounts.models import Account
from contacts.models import DEPARTMENT_CHOICES, PERSONA_CHOICES, SENIORITY_CHOICES, Contact, Lead
from crm.models import OutboxEntry
from users.models import User

from .base import ObjectReport, ObjectSync, PullContext, Record, crm_map
from .values import as_uuid, assign, choice_key, parse_datetime, text


def _email(value: object) -> str:
    return str(value or "").strip().lower()


def pending_outbox_ids(model: type, pks: list[int]) -> set[int]:
    """Local records with changes still waiting in the outbox: their local values are newer than
    Salesforce's, so the pull leaves them until the push is through."""
    if not pks:
        return set()
    return set(
        OutboxEntry.objects.filter(
            status=OutboxEntry.Status.PENDING, record_type=model._meta.label_lower, record_id__in=pks
        ).values_list("record_id", flat=True)
    )


class UserSync(ObjectSync):
    """CRM users by Id; a user without a CRM id is matched by email. A CRM user new to Backstory
    becomes a local user who cannot log in until an admin sets a password. Salesforce never
    deletes users (it deactivates them), and Backstory leaves local logins alone."""

    object_name = "User"
    model = User
    fields = (
        "FirstName",
        "LastName",
        "Email",
        "Username",
        "Title",
        "IsActive",
        "ManagerId",
        "TimeZoneSidKey",
    )
    tracks_deletes = False

    def __init__(self) -> None:
        self.managers: dict[str, str] = {}
        self.created: set[str] = set()
        self.updated: set[str] = set()  # counted once in finish(), managers included

    def apply(self, records: list[Record], ctx: PullContext, report: ObjectReport) -> None:
        by_crm = {u.crm_id: u for u in User.objects.filter(crm_id__in=[r["Id"] for r in records])}
        emails = {_email(r.get("Email")) for r in records if r["Id"] not in by_crm} - {""}
        by_email = {u.email: u for u in User.objects.filter(crm_id__isnull=True, email__in=emails)}
        taken = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        created: list[User] = []
        usernames: set[str] = set()
        for record in records:
            self.managers[record["Id"]] = record.get("ManagerId") or ""
            email = _email(record.get("Email"))
            values = {
                "first_name": text(User, "first_name", record.get("FirstName")),
                "last_name": text(User, "last_name", record.get("LastName")),
                "title": text(User, "title", record.get("Title")),
            }
            if record.get("TimeZoneSidKey"):
                values["time_zone"] = text(User, "time_zone", record["TimeZoneSidKey"])
            user = by_crm.get(record["Id"]) or by_email.pop(email, None)
            if user is not None:
                values["crm_id"] = record["Id"]
                if email and email != user.email and email not in taken:
                    values["email"] = email
                changed = assign(user, values)
                if changed:
                    user.save(update_fields=changed)
                    self.updated.add(record["Id"])
                continue
            if email in taken:
                report.error(
                    f"User {record['Id']}: {email} belongs to a local user with another CRM id; not created."
                )
                continue
            user = User(
                crm_id=record["Id"],
                email=email,
                is_active=bool(record.get("IsActive", True)),
                username=self._username(record, email, usernames),
                **values,
            )
            user.set_unusable_password()
            created.append(user)
            taken.add(email)
        if created:
            User.objects.bulk_create(created)
            report.created += len(created)
            self.created.update(u.crm_id for u in created)

    @staticmethod
    def _username(record: Record, email: str, chosen: set[str]) -> str:
        base = text(User, "username", record.get("Username") or email or record["Id"]).lower()
        candidate = base
        if candidate in chosen or User.objects.filter(username=candidate).exists():
            candidate = f"{base[:130]}-{record['Id'][-6:].lower()}"
        chosen.add(candidate)
        return candidate

    def finish(self, ctx: PullContext, report: ObjectReport) -> None:
        """Managers, once every user of the run exists."""
        users = {u.crm_id: u for u in User.objects.filter(crm_id__in=list(self.managers))}
        manager_pks = crm_map(User, set(self.managers.values()))
        for crm_id, manager_crm_id in self.managers.items():
            user = users.get(crm_id)
            if user is None:
                continue
            changed = assign(user, {"manager_id": manager_pks.get(manager_crm_id)})
            if changed:
                user.save(update_fields=changed)
                if crm_id not in self.created:
                    self.updated.add(crm_id)
        report.updated += len(self.updated)
        self.managers, self.created, self.updated = {}, set(), set()


class ContactSync(ObjectSync):
    """Contacts with the Backstory custom fields. A contact Backstory pushed is recognised by its
    Backstory id even before its Salesforce id was written back."""

    object_name = "Contact"
    model = Contact
    fields = (
        "FirstName",
        "LastName",
        "Email",
        "Title",
        "Phone",
        "Department",
        "MailingCountry",
        "MailingState",
        "AccountId",
        "OwnerId",
        "LeadSource",
        "CreatedDate",
    )

    def select(self, ctx: PullContext) -> list[str]:
        self.custom = {
            "backstory_id": ctx.optional_field(
                "Contact", settings.SALESFORCE_FIELD_BACKSTORY_ID, "SALESFORCE_FIELD_BACKSTORY_ID"
            ),
            "created_by_backstory": ctx.optional_field(
                "Contact",
                settings.SALESFORCE_FIELD_CREATED_BY_BACKSTORY,
                "SALESFORCE_FIELD_CREATED_BY_BACKSTORY",
            ),
            "department": ctx.optional_field(
                "Contact", settings.SALESFORCE_FIELD_DEPARTMENT, "SALESFORCE_FIELD_DEPARTMENT"
            ),
            "seniority": ctx.optional_field(
                "Contact", settings.SALESFORCE_FIELD_SENIORITY, "SALESFORCE_FIELD_SENIORITY"
            ),
            "persona": ctx.optional_field(
                "Contact", settings.SALESFORCE_FIELD_PERSONA, "SALESFORCE_FIELD_PERSONA"
            ),
        }
        extra = [name for name in self.custom.values() if name and name not in self.fields]
        return ["Id", *self.fields, *dict.fromkeys(extra), "SystemModstamp"]

    def values(self, record: Record, accounts: dict, owners: dict) -> dict:
        custom = self.custom
        values = {
            "first_name": text(Contact, "first_name", record.get("FirstName")),
            "last_name": text(Contact, "last_name", record.get("LastName")),
            "email": text(Contact, "email", _email(record.get("Email"))),
            "title": text(Contact, "title", record.get("Title")),
            "phone": text(Contact, "phone", record.get("Phone")),
            "mailing_country": text(Contact, "mailing_country", record.get("MailingCountry")),
            "mailing_state": text(Contact, "mailing_state", record.get("MailingState")),
            "account_id": accounts.get(record.get("AccountId")),
            "owner_id": owners.get(record.get("OwnerId")),
            "lead_source": text(Contact, "lead_source", record.get("LeadSource")),
            "crm_created_at": parse_datetime(record.get("CreatedDate")),
            "crm_last_modified": parse_datetime(record.get("SystemModstamp")),
        }
        # Department: the Backstory picklist, else the standard field when it names one of ours.
        department = record.get(custom["department"]) if custom["department"] else None
        values["department"] = choice_key(DEPARTMENT_CHOICES, department or record.get("Department"))
        for name, choices in (("seniority", SENIORITY_CHOICES), ("persona", PERSONA_CHOICES)):
            if custom[name]:
                values[name] = choice_key(choices, record.get(custom[name]))
        if custom["created_by_backstory"]:
            values["created_by_backstory"] = bool(record.get(custom["created_by_backstory"]))
        return values

    def apply(self, records: list[Record], ctx: PullContext, report: ObjectReport) -> None:
        accounts = crm_map(Account, (r.get("AccountId") for r in records))
        owners = crm_map(User, (r.get("OwnerId") for r in records))
        by_crm = {c.crm_id: c for c in Contact.objects.filter(crm_id__in=[r["Id"] for r in records])}
        backstory_ids = {}
        if self.custom["backstory_id"]:
            backstory_ids = {r["Id"]: as_uuid(r.get(self.custom["backstory_id"])) for r in records}
        wanted = [u for u in backstory_ids.values() if u]
        by_backstory_id = {
            c.backstory_id: c for c in Contact.objects.filter(backstory_id__in=wanted, crm_id__isnull=True)
        }
        used_backstory_ids = set(
            Contact.objects.filter(backstory_id__in=wanted).values_list("backstory_id", flat=True)
        )
        known = [*by_crm.values(), *by_backstory_id.values()]
        deferred = pending_outbox_ids(Contact, [c.pk for c in known])
        created = []
        for record in records:
            values = self.values(record, accounts, owners)
            if record.get("AccountId") and values["account_id"] is None:
                report.error(
                    f"Contact {record['Id']}: account {record['AccountId']} is not in Backstory yet."
                )
            backstory_id = backstory_ids.get(record["Id"])
            contact = by_crm.get(record["Id"]) or (
                by_backstory_id.get(backstory_id) if backstory_id else None
            )
            if contact is None:
                contact = Contact(crm_id=record["Id"], **values)
                if backstory_id and backstory_id not in used_backstory_ids:
                    contact.backstory_id = backstory_id
                    used_backstory_ids.add(backstory_id)
                created.append(contact)
                self._note(ctx, contact.email, contact.account_id)
                continue
            if contact.pk in deferred:
                report.deferred += 1
                continue
            if contact.created_by_backstory and values.get("created_by_backstory") is False:
                values = self._without_blanks(values)
            before = (contact.email, contact.account_id)
            changed = assign(contact, {"crm_id": record["Id"], **values})
            if changed:
                contact.save(update_fields=[*changed, "updated_at"])
                report.updated += 1
                if {"email", "account_id"} & set(changed):
                    self._note(ctx, *before)
                    self._note(ctx, contact.email, contact.account_id)
        if created:
            Contact.objects.bulk_create(created)
            report.created += len(created)

    @staticmethod
    def _without_blanks(values: dict) -> dict:
        """A record that carries the Backstory id of a contact Backstory created, but is not flagged
        as Backstory's, is not that contact's create: it is a partial record (written by an older
        Backstory's enrichment, or by hand). Its blanks never overwrite what Backstory knows, and it
        does not take the "created by Backstory" mark away, which the de-duplication and the
        Engagement Log's removal rely on."""
        kept = {name: value for name, value in values.items() if value not in ("", None)}
        kept.pop("created_by_backstory", None)
        return kept

    @staticmethod
    def _note(ctx: PullContext, email: str, account_id: int | None) -> None:
        if email:
            ctx.rematch_emails.add(email)
        if account_id:
            ctx.rematch_account_ids.add(account_id)

    def before_remove(self, rows, ctx: PullContext) -> None:
        for email, account_id in rows.values_list("email", "account_id"):
            self._note(ctx, email, account_id)


class LeadSync(ObjectSync):
    """Leads; a converted lead points at the contact it became (IsConverted, ConvertedContactId)."""

    object_name = "Lead"
    model = Lead
    fields = (
        "FirstName",
        "LastName",
        "Email",
        "Company",
        "Title",
        "Status",
        "IsConverted",
        "ConvertedContactId",
        "ConvertedAccountId",
        "OwnerId",
    )

    def apply(self, records: list[Record], ctx: PullContext, report: ObjectReport) -> None:
        contacts = crm_map(Contact, (r.get("ConvertedContactId") for r in records))
        accounts = crm_map(Account, (r.get("ConvertedAccountId") for r in records))
        owners = crm_map(User, (r.get("OwnerId") for r in records))
        by_crm = {lead.crm_id: lead for lead in Lead.objects.filter(crm_id__in=[r["Id"] for r in records])}
        created = []
        for record in records:
            converted = bool(record.get("IsConverted"))
            values = {
                "first_name": text(Lead, "first_name", record.get("FirstName")),
                "last_name": text(Lead, "last_name", record.get("LastName")),
                "email": text(Lead, "email", _email(record.get("Email"))),
                "company": text(Lead, "company", record.get("Company")),
                "title": text(Lead, "title", record.get("Title")),
                "status": text(Lead, "status", record.get("Status")),
                "is_converted": converted,
                "converted_contact_id": contacts.get(record.get("ConvertedContactId")) if converted else None,
                "converted_account_id": accounts.get(record.get("ConvertedAccountId")) if converted else None,
                "owner_id": owners.get(record.get("OwnerId")),
                "crm_last_modified": parse_datetime(record.get("SystemModstamp")),
            }
            lead = by_crm.get(record["Id"])
            if lead is None:
                created.append(Lead(crm_id=record["Id"], **values))
                if values["email"]:
                    ctx.rematch_emails.add(values["email"])
                continue
            before = lead.email
            changed = assign(lead, values)
            if changed:
                lead.save(update_fields=changed)
                report.updated += 1
                if {"email", "is_converted", "converted_contact_id"} & set(changed):
                    ctx.rematch_emails.update(e for e in (before, lead.email) if e)
        if created:
            Lead.objects.bulk_create(created)
            report.created += len(created)

    def before_remove(self, rows, ctx: PullContext) -> None:
        ctx.rematch_emails.update(e for e in rows.exclude(Q(email="")).values_list("email", flat=True))
