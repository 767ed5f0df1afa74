"""Opportunity contact roles (OCR) created from emails and meetings.

Seed: "Backstory creates an OCR when all of the following are true: At least one participant
exists as a contact on an account and also exists as a Contact Role on an open Opportunity
associated with that Account. The other participants do not already exist as Contact Roles on
that Opportunity. The participants' email domains match the Account's domain."

Which opportunities: the activity's matched opportunities (capture's ActivityOpportunity rows)
when it has any; otherwise the open opportunities of the accounts its people belong to (the
activity's account when capture matched one). The per-participant rule is
`contacts.policy.ocr_verdict`; the choice among several opportunities is
`contacts.policy.opportunities_to_act_on`.
"""

from __future__ import annotations

from django.db import transaction

from activities.models import Activity, Participant
from contacts.models import ConfigurationProfile, Contact, ContactDecision
from contacts.policy import ocr_verdict, opportunities_to_act_on
from opportunities.models import OpportunityContactRole

from . import outbox
from .context import EngineContext, OpportunityInfo, ProfileSettings, activities_for_engine, users_on_activity
from .creation import participant_screen
from .decisions import Action, Reason, Rule

_RULE_NAMES = {
    Rule.STANDARD_OCR: "standard OCR: a participant already holds a contact role there",
    Rule.NEW_OCR: "New OCR: no participant held a role, New OCR adds one anyway",
    Rule.FIRST_OCR: "First OCR: the opportunity had no contact role and is the only possible match",
}

Person = tuple[Participant, Contact]


def _candidate_opportunities(
    *, activity: Activity, people: list[Person], ctx: EngineContext
) -> list[OpportunityInfo]:
    """The opportunities the activity could add roles to: capture's match, else the accounts' open ones."""
    linked = [
        ctx.opportunities[pk] for pk in ctx.links_by_activity.get(activity.pk, []) if pk in ctx.opportunities
    ]
    if linked:
        return linked
    if activity.account_id:
        account_ids = [activity.account_id]
    else:
        # Not matched by capture (yet): the accounts the people are contacts of, when their domain fits.
        account_ids = list(
            dict.fromkeys(
                contact.account_id
                for participant, contact in people
                if contact.account_id and ctx.domain_matches_account(participant.email, contact.account_id)
            )
        )
    found = []
    for account_id in account_ids:
        account = ctx.accounts.get(account_id)
        if account:
            found.extend(ctx.opportunities[pk] for pk in account.open_opportunity_ids)
    return found


def roles_for_activity(
    *, activity: Activity, people: list[Person], profile: ProfileSettings, ctx: EngineContext
) -> list[ContactDecision]:
    """Add the contact roles one activity calls for and record every decision (see module docs).

    `people` are the activity's external participants that passed the screening and are contacts
    (found or just created), in participant order.
    """
    if not people:
        return []
    decisions: list[ContactDecision] = []

    def skip(participant, contact, reason, rule, message, opportunity=None):
        decision = ctx.log.record(
            action=Action.OCR_SKIPPED,
            reason=reason,
            rule=rule,
            message=message,
            email=participant.email,
            activity=activity,
            participant=participant,
            profile=profile.profile_id,
            contact=contact,
            account_id=opportunity.account_id if opportunity else contact.account_id,
            opportunity_id=opportunity.id if opportunity else None,
        )
        if decision:
            decisions.append(decision)

    candidates = _candidate_opportunities(activity=activity, people=people, ctx=ctx)
    open_candidates = [o for o in candidates if not o.is_closed]
    if not candidates:
        for participant, contact in people:
            if contact.account_id in ctx.accounts:
                skip(
                    participant,
                    contact,
                    Reason.NO_OPEN_OPPORTUNITY,
                    Rule.STANDARD_OCR,
                    f"No contact role: {ctx.accounts[contact.account_id].name} has no open opportunity.",
                )
        return decisions
    # Seed: "Backstory will not add participants as Contact Roles on a closed Opportunity."
    for opportunity in (o for o in candidates if o.is_closed):
        for participant, contact in people:
            skip(
                participant,
                contact,
                Reason.CLOSED_OPPORTUNITY,
                Rule.STANDARD_OCR,
                f"No contact role on {opportunity.name}: the opportunity is closed.",
                opportunity,
            )
    if not open_candidates:
        return decisions
    # Seed: "Backstory administrators can enable Contact Role Creation (OCR) in Configuration Profiles."
    if not profile.ocr_enabled:
        for participant, contact in people:
            skip(
                participant,
                contact,
                Reason.OCR_OFF,
                Rule.STANDARD_OCR,
                f"No contact role: contact role creation (OCR) is off in {profile.name or 'the configuration profile'}.",
            )
        return decisions

    activity_contact_ids = {contact.pk for _p, contact in people}
    activity_contact_ids.update(p.contact_id for p in activity.participants.all() if p.contact_id)
    anchored = {
        o.id for o in open_candidates if ctx.roles_by_opportunity.get(o.id, set()) & activity_contact_ids
    }
    targets = opportunities_to_act_on(
        open_ids=[o.id for o in open_candidates],
        anchored_ids=anchored,
        multi_opportunity_matching=profile.multi_opportunity_matching,
    )
    if targets is None:
        # Seed: "When Multi-Opportunity Matching is enabled ..., Backstory will create OCRs across all
        # matched Opportunities" (and without it, never on a guess).
        names = ", ".join(o.name for o in open_candidates)
        for participant, contact in people:
            skip(
                participant,
                contact,
                Reason.AMBIGUOUS_OPPORTUNITY,
                Rule.MULTI_OPPORTUNITY,
                f"No contact role: the activity matches {len(open_candidates)} open opportunities ({names}) and "
                f"Multi-Opportunity Matching is off.",
            )
        return decisions

    for opportunity in (ctx.opportunities[pk] for pk in targets):
        for participant, contact in people:
            holders = ctx.roles_by_opportunity.setdefault(opportunity.id, set())
            verdict = ocr_verdict(
                is_closed=opportunity.is_closed,
                already_a_role=contact.pk in holders,
                domain_matches=ctx.domain_matches_account(participant.email, opportunity.account_id),
                contact_on_account=contact.account_id == opportunity.account_id,
                opportunity_has_roles=bool(holders),
                role_holder_on_activity=bool((holders - {contact.pk}) & activity_contact_ids),
                new_ocr_enabled=profile.new_ocr_enabled,
                first_ocr_enabled=profile.first_ocr_enabled,
                possible_opportunities=len(open_candidates),
                opportunity_has_manual_role=opportunity.id in ctx.opportunities_with_manual_roles,
            )
            if verdict.create:
                decisions.append(
                    role_create(
                        opportunity=opportunity,
                        contact=contact,
                        participant=participant,
                        activity=activity,
                        rule=verdict.rule,
                        profile=profile,
                        ctx=ctx,
                    )
                )
            else:
                skip(
                    participant,
                    contact,
                    verdict.reason,
                    verdict.rule,
                    _skip_message(verdict.reason, contact, opportunity, len(open_candidates)),
                    opportunity,
                )
    return [d for d in decisions if d is not None]


def _skip_message(reason: str, contact: Contact, opportunity: OpportunityInfo, possible: int) -> str:
    who = contact.name or contact.email
    return {
        Reason.ALREADY_A_ROLE: f"No new contact role: {who} is already a contact role on {opportunity.name}.",
        Reason.DOMAIN_MISMATCH: f"No contact role on {opportunity.name}: {contact.email}'s domain does not match the "
        f"opportunity's account.",
        Reason.CONTACT_NOT_ON_ACCOUNT: f"No contact role on {opportunity.name}: {who} is a contact of another account.",
        Reason.NO_ROLE_IN_ACTIVITY: f"No contact role on {opportunity.name}: no one on the activity holds a contact "
        f"role there, and New OCR is off.",
        Reason.FIRST_OCR_OFF: f"No contact role on {opportunity.name}: it has no contact role yet, and First OCR is off.",
        Reason.NO_MANUAL_ROLE: f"No contact role on {opportunity.name}: none of its contact roles was manually "
        "created (Backstory created them all), and First OCR is off.",
        Reason.SEVERAL_OPPORTUNITIES: f"No First OCR on {opportunity.name}: the activity could match {possible} "
        f"opportunities; First OCR needs exactly one.",
        Reason.CLOSED_OPPORTUNITY: f"No contact role on {opportunity.name}: the opportunity is closed.",
    }.get(reason, f"No contact role on {opportunity.name}: {Reason.LABELS.get(reason, reason)}.")


def role_create(
    *,
    opportunity: OpportunityInfo,
    contact: Contact,
    participant: Participant,
    activity: Activity,
    rule: str,
    profile: ProfileSettings,
    ctx: EngineContext,
) -> ContactDecision | None:
    """Add `contact` as a contact role (profile.ocr_role) on the opportunity, queue it, record it.
    Runs inside the caller's transaction; a role someone added meanwhile fails the unique
    constraint, and the engine reports the activity and leaves it for the next run."""
    ctx.before_write()
    role = OpportunityContactRole(
        opportunity_id=opportunity.id,
        contact=contact,
        role=profile.ocr_role,
        is_primary=False,
        created_by_backstory=True,
    )
    role.save()
    ctx.roles_by_opportunity.setdefault(opportunity.id, set()).add(contact.pk)
    outbox.enqueue_role_created(
        role, opportunity_crm_id=opportunity.crm_id, contact=contact, sink=ctx.enqueue
    )
    role_label = profile.ocr_role or "a contact role"
    return ctx.log.record(
        action=Action.OCR_CREATED,
        reason=Reason.CREATED,
        rule=rule,
        message=f"Added {contact.name or contact.email} as {role_label} on {opportunity.name} ({_RULE_NAMES[rule]}).",
        email=participant.email,
        activity=activity,
        participant=participant,
        profile=profile.profile_id,
        contact=contact,
        account_id=opportunity.account_id,
        opportunity_id=opportunity.id,
        details={"role_id": role.pk, "role": role.role},
    )


@transaction.atomic
def contact_roles_create_for_activity(
    *, activity: Activity, profile: ConfigurationProfile | None = None
) -> list[ContactDecision]:
    """Add the contact roles one activity calls for, for the participants who are contacts already,
    and record every decision. Contacts are not created here: the engine creates them first
    (`contact_engine_process_activities`).

    `profile` defaults to the profile of the user on the activity (the default profile when that
    user has none).
    """
    ctx = EngineContext(profile_override=profile)
    found = activities_for_engine([activity.pk])
    if not found:
        return []
    loaded = found[0]
    ctx.load([loaded])
    users = users_on_activity(loaded)
    settings_ = ctx.profile_for(users[0] if users else None)
    people: list[Person] = []
    for participant in loaded.participants.all():
        if participant.user_id or participant_screen(
            participant=participant, activity=loaded, profile=settings_
        ):
            continue
        contact = ctx.contacts_by_id.get(participant.contact_id) if participant.contact_id else None
        contact = contact or ctx.contact_for_email(participant.email)
        if contact is not None:
            people.append((participant, contact))
    decisions = roles_for_activity(activity=loaded, people=people, profile=settings_, ctx=ctx)
    ctx.flush()
    return decisions
