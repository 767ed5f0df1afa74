"""Contact creation: a participant of an activity becomes a contact when every rule of the seed holds.

Seed (Contact Creation): "Using your activity data, Backstory automatically creates new Salesforce
contact records when: the contact or a matching lead record does not already exist in Salesforce;
the activity includes the contact's first name, last name, and email address; the contact's email
domain matches an existing account's primary or secondary domain; the user on the activity is the
account owner, opportunity owner, or an account team member in Salesforce."

`creation_decide` reads only the context (no writes, no queries) and says what to do with one
participant; `contact_create_from_participant` is the use case that does it for one participant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from accounts.domains import is_free_mail_domain, is_internal_domain
from accounts.models import Account
from activities.models import Activity, Participant
from activities.parsing.signature import country_name
from contacts.models import ConfigurationProfile, Contact, ContactDecision, Lead
from contacts.policy import local_filter_hit, missing_for_creation
from contacts.rules import UNKNOWN, infer_title_profile, is_role_address
from users.models import User

from . import outbox
from .context import (
    AccountInfo,
    EngineContext,
    ProfileSettings,
    activities_for_engine,
    participant_email,
    users_on_activity,
)
from .decisions import Action, Reason, Rule

# What a participant can tell us, by Contact field, and how long each field is locally.
CAPTURED_FIELDS = ("first_name", "last_name", "email", "title", "phone", "mailing_country", "mailing_state")


@dataclass
class CreationVerdict:
    """What to do with one participant: create a contact, or skip it (and why)."""

    reason: str
    message: str
    action: str = Action.CONTACT_SKIPPED
    rule: str = Rule.CONTACT_CREATION
    # Passed the screening (a person at a company, not filtered): may be enriched and get roles.
    eligible: bool = False
    contact: Contact | None = None
    lead: Lead | None = None
    account: AccountInfo | None = None
    owner: User | None = None
    qualification: str = ""
    values: dict[str, str] = field(default_factory=dict)
    details: dict = field(default_factory=dict)

    @property
    def create(self) -> bool:
        return self.reason == Reason.CREATED


def observed_values(participant: Participant) -> dict[str, str]:
    """What the activity showed about this person, by Contact field (blank when not shown).

    Title, phone and location come from what was captured (a signature, meeting data); seniority,
    department and persona are inferred from the title with `contacts.rules.infer_title_profile`.
    """
    values = {
        "first_name": (participant.first_name or "").strip()[:80],
        "last_name": (participant.last_name or "").strip()[:80],
        "email": (participant_email(participant) or ""),
        "title": (participant.title or "").strip()[:128],
        "phone": (participant.phone or "").strip()[:40],
        # As hand-made contacts hold it ("United States", not "US"), which State/Country picklists need.
        "mailing_country": country_name(participant.mailing_country)[:80],
        "mailing_state": (participant.mailing_state or "").strip()[:80],
    }
    inferred = infer_title_profile(values["title"])
    has_title = inferred.seniority != UNKNOWN
    values["seniority"] = inferred.seniority if has_title else ""
    values["department"] = inferred.department if has_title else ""
    values["persona"] = inferred.persona if has_title and inferred.persona != UNKNOWN else ""
    return values


def participant_screen(
    *, participant: Participant, activity: Activity, profile: ProfileSettings
) -> CreationVerdict | None:
    """Who is never a contact: internal people, no address, role addresses, free mail, and what the
    local filters exclude. None when the participant passes."""
    email = participant_email(participant)
    # Never a contact from an internal person.
    if participant.is_internal:
        return CreationVerdict(Reason.INTERNAL, f"Not created: {participant.email} is an internal person.")
    # Seed: "These three fields are the minimum required to create a record." (no address, no record)
    if email is None:
        return CreationVerdict(
            Reason.EMAIL_MISSING, f"Not created: “{participant.email}” is not a valid email address."
        )
    if is_internal_domain(email):
        return CreationVerdict(
            Reason.INTERNAL, f"Not created: {email} is on one of our own domains (an internal person)."
        )
    # Never a contact from an automated or role address (noreply@, info@, support@, ...).
    if is_role_address(email):
        return CreationVerdict(
            Reason.ROLE_ADDRESS,
            f"Not created: {email} is an automated or shared (role) address, not a person.",
        )
    # Design: "free-mail domains match no account."
    if is_free_mail_domain(email):
        return CreationVerdict(
            Reason.FREE_MAIL, f"Not created: {email} is a free-mail address, which belongs to no account."
        )
    # FAQ: "Keeping your Local Filters up-to-date can also help prevent unwanted contacts from syncing."
    hit = local_filter_hit(email=email, subject=activity.subject, filters=profile.filters)
    if hit is not None:
        scope = "a global local filter" if hit.is_global else f"a local filter of profile {profile.name}"
        return CreationVerdict(
            Reason.FILTERED,
            f"Not created: excluded by {scope} ({hit.kind.replace('_', ' ')} “{hit.value}”).",
            rule=Rule.LOCAL_FILTER,
            details={"filter_kind": hit.kind, "filter_value": hit.value},
        )
    return None


def creation_decide(
    *,
    participant: Participant,
    activity: Activity,
    profile: ProfileSettings,
    users: list[User],
    ctx: EngineContext,
) -> CreationVerdict:
    """The contact-creation verdict for one external participant (reads the context only)."""
    screened = participant_screen(participant=participant, activity=activity, profile=profile)
    if screened is not None:
        return screened
    email = participant_email(participant)
    values = observed_values(participant)
    domain_accounts = ctx.accounts_for_domain(email, activity=activity)

    # Seed: "The contact or a matching lead record does not already exist in Salesforce."
    existing = ctx.contacts_by_id.get(participant.contact_id) if participant.contact_id else None
    existing = existing or ctx.contact_for_email(email, prefer_account_ids=[a.id for a in domain_accounts])
    if existing is not None:
        return CreationVerdict(
            Reason.CONTACT_EXISTS,
            f"Not created: {email} is already a contact ({existing.name or existing.email}).",
            eligible=True,
            contact=existing,
            values=values,
        )
    # Seed: "If a lead with a matching email address is found, the activity is matched to the lead
    # and no contact is created."
    lead = ctx.leads_by_email.get(email)
    if lead is not None:
        company = f", {lead.company}" if lead.company else ""
        return CreationVerdict(
            Reason.LEAD_EXISTS,
            f"Not created: a lead with this exact email exists ({lead}{company}); the activity was matched to the lead.",
            action=Action.LEAD_MATCHED,
            rule=Rule.LEAD_MATCH,
            lead=lead,
            values=values,
        )
    # FAQ: Backstory "continues to enrich contacts it has created over time as details like title,
    # phone number, email address, or last name change": a new address is not a new person.
    moved = ctx.contact_with_new_address(
        email=email, values=values, accounts=domain_accounts, occurred_at=activity.occurred_at
    )
    if moved is not None:
        contact, evidence = moved
        return CreationVerdict(
            Reason.EMAIL_CHANGED,
            f"Not created: {email} is the new address of {contact.name} ({contact.email}), a contact "
            f"Backstory created on this account: same name, and {evidence}. Their email follows the "
            "enrichment rules.",
            rule=Rule.BACKSTORY_ENRICHMENT,
            eligible=True,
            contact=contact,
            values=values,
            details={"previous_email": contact.email, "evidence": evidence},
        )
    # Seed: "Your administrator must enable Contact Creation for the relevant Configuration Profile."
    if not profile.contact_creation_enabled:
        which = (
            f"profile {profile.name}" if profile.profile_id else "any configuration profile (none applies)"
        )
        return CreationVerdict(
            Reason.PROFILE_OFF,
            f"Not created: contact creation is off in {which}.",
            eligible=True,
            values=values,
        )
    # Seed: "The activity includes the contact's first name, last name, and email address."
    missing = missing_for_creation(values=values, required=profile.required_fields)
    names_missing = [f for f in missing if f in ("first_name", "last_name")]
    if names_missing:
        labels = " and ".join(f.replace("_", " ") for f in names_missing)
        return CreationVerdict(
            Reason.NAME_MISSING,
            f"Not created: the activity does not show {email}'s {labels}.",
            eligible=True,
            values=values,
            details={"missing": names_missing},
        )
    # FAQ: "Your administrator can configure additional required fields."
    if missing:
        labels = ", ".join(f.replace("_", " ") for f in missing)
        return CreationVerdict(
            Reason.REQUIRED_FIELD_MISSING,
            f"Not created: profile {profile.name} requires {labels}, which the activity does not show for {email}.",
            eligible=True,
            values=values,
            details={"missing": missing},
        )
    # Seed: "The contact's email domain matches an existing account's primary or secondary domain."
    if not domain_accounts:
        return CreationVerdict(
            Reason.DOMAIN_NOT_ON_ACCOUNT,
            f"Not created: {email.rsplit('@', 1)[1]} is not the primary or secondary domain of any account.",
            eligible=True,
            values=values,
        )
    # Seed: "The user on the activity is the account owner, opportunity owner, or an account team member."
    for account in domain_accounts:
        for user in users:
            qualification = account.qualifies(user.pk)
            if qualification:
                return CreationVerdict(
                    Reason.CREATED,
                    "",
                    action=Action.CONTACT_CREATED,
                    eligible=True,
                    account=account,
                    owner=user,
                    qualification=qualification,
                    values=values,
                )
    account = domain_accounts[0]
    who = ", ".join(str(u) for u in users) or "no user"
    return CreationVerdict(
        Reason.USER_NOT_ON_ACCOUNT_TEAM,
        f"Not created: {who} on the activity is not the owner, an opportunity owner or a team member of {account.name}.",
        eligible=True,
        account=account,
        values=values,
    )


def record_verdict(
    *,
    verdict: CreationVerdict,
    participant: Participant,
    activity: Activity,
    profile: ProfileSettings,
    ctx: EngineContext,
) -> ContactDecision | None:
    """Record a skip verdict and make its links: a participant to its existing contact, or the
    participant and the activity to the lead that matched."""
    if verdict.contact is not None:
        ctx.link_participant(participant, contact=verdict.contact)
    if verdict.lead is not None:
        ctx.link_participant(participant, lead=verdict.lead)
        ctx.link_activity_lead(activity, verdict.lead)
    return ctx.log.record(
        action=verdict.action,
        reason=verdict.reason,
        rule=verdict.rule,
        message=verdict.message,
        email=participant.email,
        activity=activity,
        participant=participant,
        profile=profile.profile_id,
        contact=verdict.contact,
        lead=verdict.lead,
        account_id=verdict.account.id if verdict.account else None,
        details=verdict.details,
    )


def contact_create(
    *,
    verdict: CreationVerdict,
    participant: Participant,
    activity: Activity,
    profile: ProfileSettings,
    ctx: EngineContext,
) -> ContactDecision:
    """Create the contact a CREATED verdict describes, queue it for the CRM, link the participant.
    Runs inside the caller's transaction (the engine's batch, or `contact_create_from_participant`)."""
    ctx.before_write()
    values = verdict.values
    # Seed: "New contacts are owned by the user whose activity triggered the creation. If that person
    # isn't a Salesforce user, ownership defaults to the integration user."
    owner = verdict.owner if verdict.owner.is_crm_user else ctx.integration_user()
    observed_at = activity.occurred_at.isoformat()
    contact = Contact(
        # Seed: "First Name, Last Name, Email / Title, Phone / Department, Seniority, Persona /
        # Mailing Address (Country, State) / Owner, Lead Source"
        **{name: values[name] for name in (*CAPTURED_FIELDS, "department", "seniority", "persona")},
        account_id=verdict.account.id,
        owner=owner,
        lead_source=outbox.LEAD_SOURCE,
        created_by_backstory=True,
        field_observed_at={name: observed_at for name, value in values.items() if value},
    )
    contact.save()
    # The payload needs the account's CRM id, which the context already holds: no query.
    contact.account = Account(pk=verdict.account.id, name=verdict.account.name, crm_id=verdict.account.crm_id)
    ctx.remember_contact(contact)
    outbox.enqueue_contact_created(contact, sink=ctx.enqueue)
    if owner.pk == verdict.owner.pk:
        owned = f"owned by {owner} ({verdict.qualification})"
    else:
        owned = f"owned by the integration user because {verdict.owner} ({verdict.qualification}) is not a CRM user"
    decision = ctx.log.record(
        action=Action.CONTACT_CREATED,
        reason=Reason.CREATED,
        rule=Rule.CONTACT_CREATION,
        message=f"Created {contact.name} ({contact.email}) on {verdict.account.name}, {owned}.",
        email=contact.email,
        activity=activity,
        participant=participant,
        profile=profile.profile_id,
        user=verdict.owner,
        contact=contact,
        account_id=verdict.account.id,
        details={"owner_id": owner.pk, "qualification": verdict.qualification, "observed_at": observed_at},
    )
    ctx.link_participant(participant, contact=contact)
    return decision


def contact_engine_context_for(participant: Participant, profile: ConfigurationProfile | None):
    """The context, activity and participant (as loaded) for one participant's one-off use case."""
    ctx = EngineContext(profile_override=profile)
    found = activities_for_engine([participant.activity_id])
    if not found:
        return ctx, None, None
    activity = found[0]
    ctx.load([activity])
    loaded = next(p for p in activity.participants.all() if p.pk == participant.pk)
    return ctx, activity, loaded


@transaction.atomic
def contact_create_from_participant(
    *, participant: Participant, profile: ConfigurationProfile | None = None
) -> ContactDecision | None:
    """Create a contact from one participant of an activity when every creation rule holds, and
    record the decision either way (None when that decision was already recorded).

    `profile` defaults to the profile of the user on the activity (the default profile when that
    user has none). Does not add contact roles: see `contact_roles_create_for_activity`.
    """
    ctx, activity, loaded = contact_engine_context_for(participant, profile)
    if activity is None or loaded is None or loaded.user_id:
        return None
    users = users_on_activity(activity)
    settings_ = ctx.profile_for(users[0] if users else None)
    verdict = creation_decide(participant=loaded, activity=activity, profile=settings_, users=users, ctx=ctx)
    if verdict.create:
        decision = contact_create(
            verdict=verdict, participant=loaded, activity=activity, profile=settings_, ctx=ctx
        )
    else:
        decision = record_verdict(
            verdict=verdict, participant=loaded, activity=activity, profile=settings_, ctx=ctx
        )
    ctx.flush()
    participant.contact_id, participant.lead_id = loaded.contact_id, loaded.lead_id
    return decision
