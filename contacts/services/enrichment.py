"""Contact enrichment: keeping contacts current from what activities show about them.

Seed: "By default, Backstory does not update the standard fields of contact records that were
created manually in your CRM. With Contact Enrichment enabled, Backstory can keep those existing
contact records evergreen by automatically refreshing field values as new information is observed
in your team's activity data." FAQ: "Backstory continues to enrich contacts it has created over
time as details like title, phone number, email address, or last name change."

Only newer observations count: each field remembers when its current value was last seen
(`Contact.field_observed_at`; for a field Backstory never observed on a contact made by hand, the
contact's last modification in the CRM), and an activity that happened before that never writes.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.domains import is_free_mail_domain, normalize_email
from activities.models import Activity, Participant
from activities.parsing.names import is_initial
from contacts.models import ConfigurationProfile, Contact, ContactDecision, ContactFieldRule
from contacts.policy import (
    TITLE_DERIVED_FIELDS,
    EnrichmentVerdict,
    enrichment_policy,
    enrichment_verdict,
    same_value,
)
from contacts.rules import is_role_address

from . import outbox
from .context import EngineContext, ProfileSettings, users_on_activity
from .creation import contact_engine_context_for, observed_values, participant_screen
from .decisions import Action, Reason, Rule

# Seed FAQ: "title, phone number, email address, or last name", plus the fields inferred from the title.
BACKSTORY_ENRICHED_FIELDS = ("title", "phone", "email", "last_name", *TITLE_DERIVED_FIELDS)
# Every field a rule can name; the owner is not one: "Contact Owner is not updated by Contact Enrichment."
MANUAL_ENRICHED_FIELDS = tuple(value for value, _label in ContactFieldRule.Field.choices)

_SKIP_REASONS = {
    "older_observation": Reason.OLDER_OBSERVATION,
    "policy_never": Reason.POLICY_NEVER,
    "policy_only_if_empty": Reason.POLICY_ONLY_IF_EMPTY,
}


def _parse(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _last_observed(contact: Contact, field: str) -> dt.datetime | None:
    recorded = _parse((contact.field_observed_at or {}).get(field))
    if recorded is not None or contact.created_by_backstory:
        return recorded
    # A value someone typed in the CRM is as new as the record's last modification there.
    return contact.crm_last_modified


def _email_acceptable(email: str, contact: Contact, ctx: EngineContext) -> bool:
    # A new address must still be a person at the contact's account.
    address = normalize_email(email)
    return bool(
        address
        and not is_role_address(address)
        and not is_free_mail_domain(address)
        and ctx.domain_matches_account(address, contact.account_id)
    )


def enrichment_enabled_for(contact: Contact, profile: ProfileSettings) -> bool:
    """Whether anything may change on this contact at all."""
    if contact.created_by_backstory:
        return True
    return (
        profile.contact_enrichment_enabled
        or profile.update_persona
        or profile.update_department
        or profile.update_seniority
    )


def enrichment_plan(
    *,
    contact: Contact,
    values: dict[str, str],
    observed_at: dt.datetime,
    profile: ProfileSettings,
    ctx: EngineContext,
) -> tuple[dict[str, str], dict[str, list[str]], list[str]]:
    """What one observation does to one contact: (changes, skipped fields by reason, fields whose
    current value it confirms)."""
    fields = BACKSTORY_ENRICHED_FIELDS if contact.created_by_backstory else MANUAL_ENRICHED_FIELDS
    changes: dict[str, str] = {}
    skipped: dict[str, list[str]] = {}
    confirmed: list[str] = []
    for name in fields:
        policy = enrichment_policy(
            name,
            created_by_backstory=contact.created_by_backstory,
            enrichment_enabled=profile.contact_enrichment_enabled,
            rule_policy=profile.rule_policies.get(name),
            separate_setting=profile.separate_setting(name),
        )
        last = _last_observed(contact, name)
        verdict: EnrichmentVerdict = enrichment_verdict(
            field=name,
            policy=policy,
            current=getattr(contact, name),
            observed=values.get(name),
            observed_at=observed_at,
            last_observed_at=last,
        )
        if verdict.write:
            if name == "email" and not _email_acceptable(values[name], contact, ctx):
                continue
            if name == "last_name" and is_initial(values[name]):
                continue  # "Sue S." never turns Sue Secondary into Sue S.
            changes[name] = values[name]
        elif verdict.reason == "same_value":
            recorded = _parse((contact.field_observed_at or {}).get(name))
            if recorded is None or observed_at > recorded:
                confirmed.append(name)
        elif verdict.reason in _SKIP_REASONS:
            skipped.setdefault(_SKIP_REASONS[verdict.reason], []).append(name)
    return changes, skipped, confirmed


def enrich_from_participant(
    *,
    contact: Contact,
    participant: Participant,
    activity: Activity,
    profile: ProfileSettings,
    ctx: EngineContext,
) -> list[ContactDecision]:
    """Apply one participant's observation to its contact; record what changed and what did not."""
    values = observed_values(participant)
    observed_at = activity.occurred_at
    base = {
        "email": participant.email,
        "activity": activity,
        "participant": participant,
        "profile": profile.profile_id,
        "contact": contact,
        "account_id": contact.account_id,
    }
    if not enrichment_enabled_for(contact, profile):
        # Seed: "By default, Backstory does not update the standard fields of contact records that
        # were created manually in your CRM."
        differing = [
            name
            for name in MANUAL_ENRICHED_FIELDS
            if (values.get(name) or "").strip() and not same_value(name, getattr(contact, name), values[name])
        ]
        if not differing:
            return []
        decision = ctx.log.record(
            action=Action.ENRICHMENT_SKIPPED,
            reason=Reason.ENRICHMENT_OFF,
            rule=Rule.CONTACT_ENRICHMENT,
            message=f"Not updated ({', '.join(differing)}): {contact.name or contact.email} was created by hand in the "
            f"CRM and Contact Enrichment is off in {_profile_name(profile)}.",
            details={"fields": differing},
            **base,
        )
        return [decision] if decision else []

    changes, skipped, confirmed = enrichment_plan(
        contact=contact, values=values, observed_at=observed_at, profile=profile, ctx=ctx
    )
    decisions: list[ContactDecision] = []
    if confirmed:
        stamp = observed_at.isoformat()
        contact.field_observed_at = {
            **(contact.field_observed_at or {}),
            **dict.fromkeys(confirmed, stamp),
        }
        ctx.observed(contact)
    if changes:
        decisions.append(
            contact_apply_enrichment(
                contact=contact,
                changes=changes,
                observed_at=observed_at,
                rule=_rule(contact),
                ctx=ctx,
                base=base,
            )
        )
    for reason, names in skipped.items():
        decision = ctx.log.record(
            action=Action.ENRICHMENT_SKIPPED,
            reason=reason,
            rule=_rule(contact),
            message=f"Not updated ({', '.join(names)}): {Reason.LABELS[reason]}.",
            details={"fields": names, "observed": {n: values.get(n, "") for n in names}},
            **base,
        )
        if decision:
            decisions.append(decision)
    return decisions


def _rule(contact: Contact) -> str:
    return Rule.BACKSTORY_ENRICHMENT if contact.created_by_backstory else Rule.CONTACT_ENRICHMENT


def _profile_name(profile: ProfileSettings) -> str:
    return f"profile {profile.name}" if profile.profile_id else "the configuration profile"


def contact_apply_enrichment(
    *,
    contact: Contact,
    changes: dict[str, str],
    observed_at: dt.datetime,
    rule: str,
    ctx: EngineContext,
    base: dict,
) -> ContactDecision:
    """Write the changed fields (never the owner), remember when they were observed, queue only the
    changed fields for the CRM, and record the decision. Runs inside the caller's transaction."""
    ctx.before_write()
    before = {name: getattr(contact, name) for name in changes}
    stamp = observed_at.isoformat()
    for name, value in changes.items():
        setattr(contact, name, value)
    contact.field_observed_at = {**(contact.field_observed_at or {}), **dict.fromkeys(changes, stamp)}
    contact.save(update_fields=[*changes, "field_observed_at", "updated_at"])
    ctx.remember_contact(contact)
    outbox.enqueue_contact_updated(contact, list(changes), sink=ctx.enqueue)
    described = "; ".join(
        f"{name.replace('_', ' ')}: “{before[name]}” → “{value}”" for name, value in changes.items()
    )
    return ctx.log.record(
        action=Action.CONTACT_ENRICHED,
        reason=Reason.NEWER_OBSERVATION,
        rule=rule,
        message=f"Updated {contact.name or contact.email} from an activity of {observed_at:%Y-%m-%d}: {described}.",
        details={
            "changes": {name: [before[name], value] for name, value in changes.items()},
            "observed_at": stamp,
        },
        **base,
    )


@transaction.atomic
def contact_enrich_from_participant(
    *, participant: Participant, profile: ConfigurationProfile | None = None
) -> list[ContactDecision]:
    """Enrich the contact a participant is (or whose email it has) from what this activity showed,
    field by field per the profile's enrichment policy; record each change and each skip.

    `profile` defaults to the profile of the user on the activity (the default profile when that
    user has none). The owner is never changed.
    """
    ctx, activity, loaded = contact_engine_context_for(participant, profile)
    if activity is None or loaded is None or loaded.user_id:
        return []
    users = users_on_activity(activity)
    settings_ = ctx.profile_for(users[0] if users else None)
    if participant_screen(participant=loaded, activity=activity, profile=settings_) is not None:
        return []
    contact = ctx.contacts_by_id.get(loaded.contact_id) if loaded.contact_id else None
    contact = contact or ctx.contact_for_email(loaded.email)
    if contact is None:
        return []
    decisions = enrich_from_participant(
        contact=contact, participant=loaded, activity=activity, profile=settings_, ctx=ctx
    )
    ctx.flush()
    return decisions
