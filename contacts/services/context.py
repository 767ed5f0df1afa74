"""What the contact engine needs to decide, loaded per batch of activities in a fixed number of
queries (never one query per participant), and kept current as the engine writes.

The services take an optional `EngineContext`; called on their own they build one for the single
activity they work on, so a rule behaves the same in the engine and in a one-off call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Prefetch
from django.db.models.functions import Lower

from accounts.domains import normalize_email, registrable_domain
from accounts.models import Account, AccountDomain, AccountTeamMember
from activities.models import Activity, ActivityOpportunity, Participant
from contacts.models import ConfigurationProfile, Contact, Lead, LocalFilter
from contacts.policy import FilterEntry
from crm.models import OutboxEntry
from crm.outbox import outbox_enqueue, outbox_enqueue_many, outbox_entry_build
from opportunities.models import Opportunity, OpportunityContactRole
from users.models import User

from .decisions import DecisionLog

# IN lists are cut so SQLite's variable limit is never reached.
_IN_CHUNK = 900


def _chunks(values: Sequence, size: int = _IN_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(frozen=True)
class ProfileSettings:
    """One configuration profile as the engine reads it (switches, field rules, local filters)."""

    profile_id: int | None
    name: str
    contact_creation_enabled: bool
    ocr_enabled: bool
    first_ocr_enabled: bool
    new_ocr_enabled: bool
    multi_opportunity_matching: bool
    ocr_role: str
    contact_enrichment_enabled: bool
    update_persona: bool
    update_department: bool
    update_seniority: bool
    required_fields: tuple[str, ...]
    rule_policies: dict[str, str]
    filters: tuple[FilterEntry, ...]
    sync_kinds: frozenset[str] = frozenset()  # the activity types synced to the CRM

    @classmethod
    def of(
        cls,
        profile: ConfigurationProfile | None,
        global_filters: Sequence[FilterEntry],
        *,
        force_on: bool = False,
    ):
        """Settings of `profile` (None: no profile applies, everything off). `force_on` previews the
        profile as if contact creation and contact role creation were on."""
        if profile is None:
            return cls(
                None,
                "",
                False,
                False,
                False,
                False,
                False,
                "",
                False,
                False,
                False,
                False,
                (),
                {},
                tuple(global_filters),
            )
        rules = list(profile.field_rules.all())
        own_filters = [FilterEntry(f.kind, f.value, False) for f in profile.local_filters.all()]
        return cls(
            profile_id=profile.pk,
            name=profile.name,
            contact_creation_enabled=profile.contact_creation_enabled or force_on,
            ocr_enabled=profile.ocr_enabled or force_on,
            first_ocr_enabled=profile.first_ocr_enabled,
            new_ocr_enabled=profile.new_ocr_enabled,
            multi_opportunity_matching=profile.multi_opportunity_matching,
            ocr_role=profile.ocr_role,
            contact_enrichment_enabled=profile.contact_enrichment_enabled,
            update_persona=profile.update_persona,
            update_department=profile.update_department,
            update_seniority=profile.update_seniority,
            required_fields=tuple(sorted(r.field for r in rules if r.required_for_creation)),
            rule_policies={r.field: r.enrichment_policy for r in rules},
            filters=tuple(global_filters) + tuple(own_filters),
            sync_kinds=frozenset(
                kind
                for kind, on in (
                    ("email", profile.sync_emails),
                    ("meeting", profile.sync_meetings),
                    ("call", profile.sync_calls),
                )
                if on
            ),
        )

    def separate_setting(self, field_name: str) -> bool:
        return {
            "persona": self.update_persona,
            "department": self.update_department,
            "seniority": self.update_seniority,
        }.get(field_name, False)


@dataclass
class AccountInfo:
    id: int
    name: str
    crm_id: str | None
    owner_id: int | None
    created_at: dt.datetime
    domains: dict[str, bool] = field(default_factory=dict)  # domain -> is_primary
    team_user_ids: set[int] = field(default_factory=set)
    opportunity_owner_ids: set[int] = field(default_factory=set)
    open_opportunity_ids: list[int] = field(default_factory=list)

    def qualifies(self, user_id: int) -> str | None:
        """How a user works this account: owner, opportunity owner or team member (else None)."""
        if user_id == self.owner_id:
            return "account owner"
        if user_id in self.opportunity_owner_ids:
            return "opportunity owner"
        if user_id in self.team_user_ids:
            return "account team member"
        return None


@dataclass
class OpportunityInfo:
    id: int
    account_id: int
    name: str
    crm_id: str | None
    is_closed: bool


class EngineContext:
    """Profiles once; accounts, contacts, leads, opportunities and roles per batch."""

    def __init__(
        self,
        *,
        profile_override: ConfigurationProfile | None = None,
        force_on: bool = False,
        log: DecisionLog | None = None,
    ):
        self.log = log or DecisionLog(buffered=False)
        self.profile_override = profile_override
        self.force_on = force_on
        global_filters = [
            FilterEntry(kind, value, True)
            for kind, value in LocalFilter.objects.filter(profile__isnull=True).values_list("kind", "value")
        ]
        profiles = ConfigurationProfile.objects.prefetch_related("field_rules", "local_filters")
        self.profiles: dict[int, ProfileSettings] = {}
        self.default_profile: ProfileSettings = ProfileSettings.of(None, global_filters)
        for profile in profiles:
            forced = force_on and profile_override is not None and profile.pk == profile_override.pk
            settings_ = ProfileSettings.of(profile, global_filters, force_on=forced)
            self.profiles[profile.pk] = settings_
            if profile.is_default:
                self.default_profile = settings_
        self._integration_user: User | None = None
        self._savepoint: str | None = None
        self._in_activity = False
        self.participant_updates: dict[int, Participant] = {}
        self.activity_updates: dict[int, Activity] = {}
        self.observation_updates: dict[int, Contact] = {}
        self.outbox_rows: list[OutboxEntry] = []
        self.reset()

    # --- per batch ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget what was loaded (not what is waiting to be written)."""
        self.contacts_by_id: dict[int, Contact] = {}
        self.contacts_by_email: dict[str, list[Contact]] = {}
        self.leads_by_email: dict[str, Lead] = {}
        self.domain_holders: dict[str, list[int]] = {}
        self.accounts: dict[int, AccountInfo] = {}
        self.opportunities: dict[int, OpportunityInfo] = {}
        self.roles_by_opportunity: dict[int, set[int]] = {}
        # Opportunities with a contact role someone created by hand (not Backstory).
        self.opportunities_with_manual_roles: set[int] = set()
        self.links_by_activity: dict[int, list[int]] = {}
        # The Salesforce id of each activity's opportunity (the primary one first): its Task's WhatId.
        self.opportunity_crm_id_by_activity: dict[int, str] = {}
        # The last Task or Event payload queued for each activity: the same one is not queued again.
        self.activity_sync_queued: dict[int, dict] = {}
        # Contacts Backstory created, by (account, first name, last name) lower-cased, for the
        # participants' names; and when each of their addresses was last seen on an activity.
        self.created_by_name: dict[tuple[int, str, str], list[Contact]] = {}
        self.address_last_seen: dict[str, dt.datetime] = {}

    def load(self, activities: Sequence[Activity]) -> None:
        """Everything the rules read for these activities (participants must be prefetched)."""
        self.reset()
        self.log.start_batch()
        self.log.load_existing(a.pk for a in activities)
        emails: set[str] = set()
        contact_ids: set[int] = set()
        account_ids: set[int] = set()
        names: set[tuple[str, str]] = set()
        for activity in activities:
            if activity.account_id:
                account_ids.add(activity.account_id)
            for participant in activity.participants.all():
                if participant.user_id is None and participant.email:
                    emails.add(participant.email.strip().lower())
                    if participant.first_name and participant.last_name:
                        names.add((participant.first_name.lower(), participant.last_name.lower()))
                if participant.contact_id:
                    contact_ids.add(participant.contact_id)
        self._load_contacts(sorted(emails), sorted(contact_ids))
        self._load_leads(sorted(emails))
        domains = sorted({d for d in (registrable_domain(e) for e in emails) if d})
        for chunk in _chunks(domains):
            for domain, account_id in AccountDomain.objects.filter(domain__in=chunk).values_list(
                "domain", "account_id"
            ):
                self.domain_holders.setdefault(domain, []).append(account_id)
                account_ids.add(account_id)
        account_ids.update(c.account_id for c in self.contacts_by_id.values() if c.account_id)
        activity_ids = [a.pk for a in activities]
        linked_opportunity_ids: set[int] = set()
        for chunk in _chunks(activity_ids):
            for activity_id, opportunity_id, is_primary, crm_id in (
                ActivityOpportunity.objects.filter(activity_id__in=chunk)
                .values_list("activity_id", "opportunity_id", "is_primary", "opportunity__crm_id")
                .order_by("activity_id", "opportunity_id")
            ):
                self.links_by_activity.setdefault(activity_id, []).append(opportunity_id)
                linked_opportunity_ids.add(opportunity_id)
                if crm_id and (is_primary or activity_id not in self.opportunity_crm_id_by_activity):
                    self.opportunity_crm_id_by_activity[activity_id] = crm_id
        for chunk in _chunks(activity_ids):
            for activity_id, operation, payload in (
                OutboxEntry.objects.filter(
                    record_type=Activity._meta.label_lower,
                    record_id__in=chunk,
                    object_name__in=("Task", "Event"),
                    operation__in=(OutboxEntry.Operation.UPSERT, OutboxEntry.Operation.DELETE),
                )
                .exclude(operation=OutboxEntry.Operation.DELETE, status=OutboxEntry.Status.FAILED)
                .order_by("id")
                .values_list("record_id", "operation", "payload")
            ):
                # The last payload queued, unless a deletion came after it.
                if operation == OutboxEntry.Operation.UPSERT:
                    self.activity_sync_queued[activity_id] = payload
                else:
                    self.activity_sync_queued.pop(activity_id, None)
        for chunk in _chunks(sorted(linked_opportunity_ids)):
            account_ids.update(Opportunity.objects.filter(pk__in=chunk).values_list("account_id", flat=True))
        self._load_accounts(sorted(account_ids))
        self._load_created_by_name(names)

    def activity_crm_links(self, activity: Activity) -> tuple[str | None, str | None]:
        """What an activity's Task or Event hangs on in the CRM: the Salesforce id of its
        opportunity (else its account), and of its lead."""
        what = self.opportunity_crm_id_by_activity.get(activity.pk)
        if not what and activity.account_id in self.accounts:
            what = self.accounts[activity.account_id].crm_id
        lead = (
            next(
                (lead.crm_id for lead in self.leads_by_email.values() if lead.pk == activity.lead_id),
                None,
            )
            if activity.lead_id
            else None
        )
        return what or None, lead or None

    def _load_created_by_name(self, names: set[tuple[str, str]]) -> None:
        """Contacts Backstory created on the loaded accounts whose name a participant carries, and
        the last activity of each of their addresses (two reads per batch)."""
        if not names or not self.accounts:
            return
        lasts = sorted({last for _first, last in names})
        found: list[Contact] = []
        for chunk in _chunks(lasts):
            found.extend(
                Contact.objects.annotate(first_ci=Lower("first_name"), last_ci=Lower("last_name")).filter(
                    created_by_backstory=True, account_id__in=list(self.accounts), last_ci__in=chunk
                )
            )
        for contact in found:
            key = (contact.first_name.lower(), contact.last_name.lower())
            if key in names and contact.email:
                self.created_by_name.setdefault((contact.account_id, *key), []).append(contact)
                self.contacts_by_id.setdefault(contact.pk, contact)
        addresses = sorted({c.email.lower() for bucket in self.created_by_name.values() for c in bucket})
        for chunk in _chunks(addresses):
            for email, last_seen in (
                Participant.objects.filter(email__in=chunk)
                .values_list("email")
                .annotate(last_seen=Max("activity__occurred_at"))
                .values_list("email", "last_seen")
            ):
                self.address_last_seen[email] = last_seen

    def contact_with_new_address(
        self, *, email: str, values: dict[str, str], accounts: Sequence[AccountInfo], occurred_at: dt.datetime
    ) -> tuple[Contact, str] | None:
        """The contact Backstory created whose new address this is, and the evidence: same first
        and last name on the same account, and the old address has gone quiet (no activity for
        BACKSTORY_EMAIL_CHANGE_QUIET_DAYS before this one) or the signature shows the same phone.
        None when no single contact fits."""
        first, last = (values.get("first_name") or "").lower(), (values.get("last_name") or "").lower()
        if not first or not last:
            return None
        quiet_since = occurred_at - dt.timedelta(days=settings.BACKSTORY_EMAIL_CHANGE_QUIET_DAYS)
        phone = _digits(values.get("phone"))
        fits: list[tuple[Contact, str]] = []
        for account in accounts:
            for contact in self.created_by_name.get((account.id, first, last), []):
                if contact.email.lower() == email.lower():
                    continue
                if phone and _digits(contact.phone) == phone:
                    fits.append((contact, f"the signature shows the same phone ({contact.phone})"))
                    continue
                seen = self.address_last_seen.get(contact.email.lower())
                if seen is None or seen < quiet_since:
                    when = f"since {seen:%Y-%m-%d}" if seen else "at all"
                    fits.append((contact, f"{contact.email} has had no activity {when}"))
        return fits[0] if len(fits) == 1 else None

    def _load_contacts(self, emails: list[str], contact_ids: list[int]) -> None:
        found: dict[int, Contact] = {}
        for chunk in _chunks(emails):
            for contact in Contact.objects.annotate(email_ci=Lower("email")).filter(email_ci__in=chunk):
                found[contact.pk] = contact
        missing = [pk for pk in contact_ids if pk not in found]
        for chunk in _chunks(missing):
            for contact in Contact.objects.filter(pk__in=chunk):
                found[contact.pk] = contact
        for contact in sorted(found.values(), key=lambda c: (c.created_at, c.pk)):
            self.remember_contact(contact)

    def _load_leads(self, emails: list[str]) -> None:
        # A converted lead is a contact now: only open leads match.
        for chunk in _chunks(emails):
            for lead in (
                Lead.objects.annotate(email_ci=Lower("email"))
                .filter(email_ci__in=chunk, is_converted=False)
                .order_by("created_at", "id")
            ):
                self.leads_by_email.setdefault(lead.email.lower(), lead)

    def _load_accounts(self, account_ids: list[int]) -> None:
        for chunk in _chunks(account_ids):
            for pk, name, crm_id, owner_id, created_at in Account.objects.filter(pk__in=chunk).values_list(
                "id", "name", "crm_id", "owner_id", "created_at"
            ):
                self.accounts[pk] = AccountInfo(pk, name, crm_id, owner_id, created_at)
            for account_id, domain, is_primary in AccountDomain.objects.filter(
                account_id__in=chunk
            ).values_list("account_id", "domain", "is_primary"):
                self.accounts[account_id].domains[domain] = is_primary
            for account_id, user_id in AccountTeamMember.objects.filter(account_id__in=chunk).values_list(
                "account_id", "user_id"
            ):
                self.accounts[account_id].team_user_ids.add(user_id)
            for pk, account_id, name, crm_id, owner_id, is_closed in (
                Opportunity.objects.filter(account_id__in=chunk)
                .order_by("id")
                .values_list("id", "account_id", "name", "crm_id", "owner_id", "is_closed")
            ):
                account = self.accounts[account_id]
                self.opportunities[pk] = OpportunityInfo(pk, account_id, name, crm_id, is_closed)
                if owner_id:
                    account.opportunity_owner_ids.add(owner_id)
                if not is_closed:
                    account.open_opportunity_ids.append(pk)
        opportunity_ids = sorted(self.opportunities)
        for chunk in _chunks(opportunity_ids):
            for opportunity_id, contact_id, by_backstory in OpportunityContactRole.objects.filter(
                opportunity_id__in=chunk
            ).values_list("opportunity_id", "contact_id", "created_by_backstory"):
                self.roles_by_opportunity.setdefault(opportunity_id, set()).add(contact_id)
                if not by_backstory:
                    self.opportunities_with_manual_roles.add(opportunity_id)

    # --- lookups -----------------------------------------------------------------------------
    def remember_contact(self, contact: Contact) -> None:
        self.contacts_by_id[contact.pk] = contact
        if contact.email:
            bucket = self.contacts_by_email.setdefault(contact.email.lower(), [])
            if contact not in bucket:
                bucket.append(contact)

    def contact_for_email(self, email: str, *, prefer_account_ids: Sequence[int] = ()) -> Contact | None:
        """The contact with this email: one on a preferred account, else one on any account, else
        the oldest (the CRM allows two contacts with one email)."""
        candidates = self.contacts_by_email.get(email.lower(), [])
        if not candidates:
            return None
        for account_id in prefer_account_ids:
            for contact in candidates:
                if contact.account_id == account_id:
                    return contact
        with_account = [c for c in candidates if c.account_id]
        return (with_account or candidates)[0]

    def accounts_for_domain(self, email: str, *, activity: Activity) -> list[AccountInfo]:
        """The accounts holding this address's registrable domain, best first: the activity's own
        account, then the one holding it as primary domain, then one with an open opportunity,
        then the oldest (the order capture's matching uses)."""
        domain = registrable_domain(email)
        if domain is None:
            return []
        holders = [
            self.accounts[pk]
            for pk in dict.fromkeys(self.domain_holders.get(domain, []))
            if pk in self.accounts
        ]
        return sorted(
            holders,
            key=lambda a: (
                a.id != activity.account_id,
                not a.domains.get(domain, False),
                not a.open_opportunity_ids,
                a.created_at,
                a.id,
            ),
        )

    def domain_matches_account(self, email: str, account_id: int | None) -> bool:
        """Seed: "The participants' email domains match the Account's domain" (registrable domain,
        exactly: `eu.acme.com` is `acme.com`, `acmepartners.com` is not)."""
        account = self.accounts.get(account_id) if account_id else None
        domain = registrable_domain(email)
        return bool(account and domain and domain in account.domains)

    def profile_for(self, user: User | None) -> ProfileSettings:
        """The user's configuration profile; the default profile for a user with none."""
        if self.profile_override is not None:
            return self.profiles[self.profile_override.pk]
        if user is not None and user.configuration_profile_id in self.profiles:
            return self.profiles[user.configuration_profile_id]
        return self.default_profile

    def integration_user(self) -> User:
        """The integration user, created on demand (settings.BACKSTORY_INTEGRATION_USERNAME)."""
        if self._integration_user is None:
            user = User.objects.filter(is_integration_user=True).order_by("id").first()
            if user is None:
                user, _ = User.objects.get_or_create(
                    username=settings.BACKSTORY_INTEGRATION_USERNAME,
                    defaults={
                        "first_name": "Backstory",
                        "last_name": "Integration",
                        "title": "Integration User",
                    },
                )
                if not user.is_integration_user:
                    user.is_integration_user = True
                    user.save(update_fields=["is_integration_user"])
            self._integration_user = user
        return self._integration_user

    # --- one activity at a time ---------------------------------------------------------------
    def begin_activity(self) -> tuple[int, int]:
        """Start one activity's work; returns the checkpoint `rollback_activity` goes back to."""
        self._in_activity, self._savepoint = True, None
        return len(self.log.pending), len(self.outbox_rows)

    def before_write(self) -> None:
        """Called before any database write: the first write of an activity opens its savepoint,
        so an activity that only reads (most of them) costs no savepoint round trips."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("the contact engine writes only inside a transaction")
        if self._in_activity and self._savepoint is None:
            self._savepoint = transaction.savepoint()

    def end_activity(self) -> None:
        if self._savepoint is not None:
            transaction.savepoint_commit(self._savepoint)
        self._in_activity, self._savepoint = False, None

    def rollback_activity(self, activity: Activity, checkpoint: tuple[int, int]) -> None:
        """Undo one failed activity: its writes (savepoint), and what it left waiting in the buffers."""
        if self._savepoint is not None:
            transaction.savepoint_rollback(self._savepoint)
        self._in_activity, self._savepoint = False, None
        decisions_at, outbox_at = checkpoint
        del self.log.pending[decisions_at:]
        del self.outbox_rows[outbox_at:]
        self.activity_updates.pop(activity.pk, None)
        for participant in activity.participants.all():
            self.participant_updates.pop(participant.pk, None)
            if participant.contact_id:
                self.observation_updates.pop(participant.contact_id, None)

    # --- buffered writes ---------------------------------------------------------------------
    def enqueue(self, **entry) -> None:
        """Queue one row for the CRM: with the batch (one insert at flush) when the log is
        buffered, else at once through `crm.outbox.outbox_enqueue`."""
        if self.log.buffered:
            self.outbox_rows.append(outbox_entry_build(**entry))
        else:
            outbox_enqueue(**entry)

    def link_participant(
        self, participant: Participant, *, contact: Contact | None = None, lead: Lead | None = None
    ) -> bool:
        """Point a participant at its contact or lead (written at flush); False when it already was."""
        changed = False
        if contact is not None and participant.contact_id != contact.pk:
            participant.contact = contact
            changed = True
        if lead is not None and participant.lead_id is None:
            participant.lead = lead
            changed = True
        if changed:
            self.participant_updates[participant.pk] = participant
        return changed

    def link_activity_lead(self, activity: Activity, lead: Lead) -> None:
        if activity.lead_id is None:
            activity.lead = lead
            self.activity_updates[activity.pk] = activity

    def observed(self, contact: Contact) -> None:
        """The contact's observation times changed (written at flush)."""
        self.observation_updates[contact.pk] = contact

    def discard_buffers(self) -> None:
        """Drop everything waiting to be written (its batch was rolled back)."""
        self.log.pending.clear()
        self.log.written.clear()
        self.outbox_rows.clear()
        self.participant_updates, self.activity_updates, self.observation_updates = {}, {}, {}

    def flush(self) -> int:
        """Write what was buffered: decisions, CRM outbox rows, participant and activity links,
        observation times. Returns how many decisions were written."""
        if self.outbox_rows:
            rows, self.outbox_rows = self.outbox_rows, []
            outbox_enqueue_many(rows)
        if self.participant_updates:
            Participant.objects.bulk_update(
                list(self.participant_updates.values()), ["contact", "lead"], batch_size=500
            )
        if self.activity_updates:
            Activity.objects.bulk_update(list(self.activity_updates.values()), ["lead"], batch_size=500)
        if self.observation_updates:
            Contact.objects.bulk_update(
                list(self.observation_updates.values()), ["field_observed_at"], batch_size=500
            )
        self.participant_updates, self.activity_updates, self.observation_updates = {}, {}, {}
        return self.log.flush()


def activities_for_engine(activity_ids: Iterable[int]) -> list[Activity]:
    """The activities, in the order they happened, with owners and participants (ids in, the
    rest loaded here). Activities an admin removed from sync are left out."""
    ids = sorted(set(activity_ids))
    participants = Prefetch(
        "participants", queryset=Participant.objects.select_related("user").order_by("id")
    )
    found: list[Activity] = []
    for chunk in _chunks(ids):
        found.extend(
            Activity.objects.filter(pk__in=chunk, removed_from_sync_at__isnull=True)
            # The rules never read the text of an email: leave it in the database.
            .defer("body", "quoted_text", "signature", "match_explanation")
            .select_related("owner")
            .prefetch_related(participants)
        )
    return sorted(found, key=lambda a: (a.occurred_at, a.pk))


def activity_ids_in_order(activity_ids: Iterable[int]) -> list[int]:
    """These activity ids in the order the activities happened (an earlier observation is applied
    before a later one), leaving out activities removed from sync."""
    ids = sorted(set(activity_ids))
    rows: list[tuple] = []
    for chunk in _chunks(ids):
        rows.extend(
            Activity.objects.filter(pk__in=chunk, removed_from_sync_at__isnull=True).values_list(
                "occurred_at", "id"
            )
        )
    return [pk for _occurred_at, pk in sorted(rows)]


def users_on_activity(activity: Activity) -> list[User]:
    """Design: "the user on the activity" is any internal participant of the activity, starting with
    the one whose mailbox or calendar captured it (Activity.owner)."""
    users: list[User] = []
    if activity.owner_id and activity.owner is not None:
        users.append(activity.owner)
    for participant in activity.participants.all():
        if participant.user_id and all(u.pk != participant.user_id for u in users):
            users.append(participant.user)
    return users


def _digits(phone: str | None) -> str:
    """A phone number's last ten digits, to compare "+1 (312) 555-0199" with "312.555.0199"."""
    return "".join(ch for ch in phone or "" if ch.isdigit())[-10:]


def participant_email(participant: Participant) -> str | None:
    return normalize_email(participant.email)
