"""What a person does from the Engagement Log: Edit Match, and (admins) remove an activity from sync."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import Account
from backstory import clock
from contacts.models import Contact, ContactDecision
from crm.outbox import outbox_enqueue
from opportunities.models import Opportunity, OpportunityContactRole

from ..models import Activity, ActivityOpportunity, Participant
from ..selectors import activity_is_visible_to


def _who(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def activity_match_manually(
    *, activity: Activity, user, account: Account | None, opportunities: Sequence[Opportunity] = ()
) -> Activity:
    """Match an activity by hand to ``account`` (or to nothing) and some of its opportunities.

    The manual match sticks: re-matching after CRM changes never touches it (``is_manually_matched``).
    Raises ValidationError when an opportunity is not on the chosen account.
    """
    if not activity_is_visible_to(user=user, activity=activity):
        raise PermissionDenied("You cannot see this activity, so you cannot change its match.")
    opportunities = list(dict.fromkeys(opportunities))
    if account is None and opportunities:
        raise ValidationError("Choose the account of the opportunities too, or clear the opportunities.")
    wrong = [o.name for o in opportunities if o.account_id != account.pk] if account else []
    if wrong:
        raise ValidationError(
            f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not on {account.name}: "
            "choose opportunities of the chosen account."
        )
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    from ..tasks import enqueue_after_capture, summaries_stale_where_matched

    summaries_stale_where_matched([activity.pk])
    now = clock.now()
    target = account.name if account else "no account"
    if opportunities:
        target += " and " + ", ".join(f"“{o.name}”" for o in opportunities)
    activity.account = account
    activity.lead = None
    activity.account_match = Activity.AccountMatch.MANUAL
    activity.opportunity_match = (
        Activity.OpportunityMatch.MANUAL if opportunities else Activity.OpportunityMatch.NONE
    )
    activity.is_manually_matched = True
    activity.matched_at = now
    activity.match_explanation = f"Matched by hand to {target} by {_who(user)} on {now:%d %b %Y}. Automatic re-matching leaves it as it is."
    activity.save(
        update_fields=[
            "account",
            "lead",
            "account_match",
            "opportunity_match",
            "is_manually_matched",
            "matched_at",
            "match_explanation",
        ]
    )
    ActivityOpportunity.objects.filter(activity=activity).delete()
    ActivityOpportunity.objects.bulk_create(
        ActivityOpportunity(activity=activity, opportunity=o, match=Activity.OpportunityMatch.MANUAL)
        for o in opportunities
    )
    enqueue_after_capture([activity.pk])
    return activity


def activity_match_automatically(*, activity: Activity, user) -> Activity:
    """Undo a manual match: the activity is matched by the rules again, and follows later re-matching."""
    from .rematching import match_activities

    if not activity_is_visible_to(user=user, activity=activity):
        raise PermissionDenied("You cannot see this activity, so you cannot change its match.")
    with transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(is_manually_matched=False, match_explanation="")
        match_activities(activity_ids=[activity.pk], hand_off=True)
    activity.refresh_from_db()
    return activity


@dataclass
class Removal:
    activity: Activity
    contacts_removed: list[str]
    contact_roles_removed: list[str]


@transaction.atomic
def activity_remove_from_sync(*, activity: Activity, user) -> Removal:
    """An admin removes an activity from sync, and what Backstory created from it.

    Seed: "What if a contact was synced to Salesforce that shouldn't have been? You can use the
    Engagement Log to remove it." The activity is kept (for the audit) but counts nowhere; contacts
    Backstory created from it and no other activity is deleted here and in the CRM (outbox), and so
    are the contact roles created from it. Each removal is recorded as a ContactDecision.
    """
    if not user.is_admin:
        raise PermissionDenied("Only an admin can remove an activity from sync.")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.removed_from_sync_at is not None:
        return Removal(activity, [], [])
    activity.removed_from_sync_at = clock.now()
    activity.removed_by = user
    activity.save(update_fields=["removed_from_sync_at", "removed_by"])

    decisions = ContactDecision.objects.filter(activity=activity)
    created_ids = decisions.filter(
        action=ContactDecision.Action.CONTACT_CREATED, contact__isnull=False
    ).values("contact_id")
    elsewhere = Participant.objects.filter(contact=OuterRef("pk")).exclude(activity=activity)
    # Design: "Nothing that came from the CRM is deleted by this project, except contacts and contact
    # roles that it created itself."
    contacts = list(
        Contact.objects.filter(pk__in=created_ids, created_by_backstory=True)
        .filter(~Exists(elsewhere))
        .order_by("pk")
    )
    removed_contacts = []
    for contact in contacts:
        outbox_enqueue(
            object_name="Contact",
            operation="delete",
            record=contact,
            external_id=str(contact.backstory_id),
            crm_id=contact.crm_id or "",
        )
        ContactDecision.objects.create(
            action=ContactDecision.Action.CONTACT_REMOVED,
            rule="remove_from_sync",
            reason="activity_removed_from_sync",
            message=f"Contact {contact.name or contact.email} was deleted: Backstory created it from this activity, "
            f"which {_who(user)} removed from sync, and it is on no other activity.",
            email=contact.email,
            activity=activity,
            user=user,
            account_id=contact.account_id,
            details={
                "contact_id": contact.pk,
                "backstory_id": str(contact.backstory_id),
                "crm_id": contact.crm_id or "",
            },
        )
        removed_contacts.append(contact.name or contact.email)
    deleted_contact_ids = [c.pk for c in contacts]

    role_pairs = set(
        decisions.filter(
            action=ContactDecision.Action.OCR_CREATED, contact__isnull=False, opportunity__isnull=False
        ).values_list("contact_id", "opportunity_id")
    )
    removed_roles = []
    roles = (
        OpportunityContactRole.objects.filter(
            created_by_backstory=True, contact_id__in={c for c, _ in role_pairs}
        )
        .exclude(contact_id__in=deleted_contact_ids)
        .select_related("contact", "opportunity")
        .order_by("pk")
    )
    for role in roles:
        if (role.contact_id, role.opportunity_id) not in role_pairs:
            continue
        outbox_enqueue(
            object_name="OpportunityContactRole",
            operation="delete",
            record=role,
            external_id=str(role.backstory_id),
            crm_id=role.crm_id or "",
        )
        ContactDecision.objects.create(
            action=ContactDecision.Action.CONTACT_REMOVED,
            rule="remove_from_sync",
            reason="contact_role_removed",
            message=f"The contact role of {role.contact} on “{role.opportunity}” was deleted: Backstory created it "
            f"from this activity, which {_who(user)} removed from sync.",
            email=role.contact.email,
            activity=activity,
            user=user,
            contact=role.contact,
            opportunity=role.opportunity,
            account_id=role.opportunity.account_id,
            details={
                "contact_role_id": role.pk,
                "backstory_id": str(role.backstory_id),
                "crm_id": role.crm_id or "",
            },
        )
        removed_roles.append(f"{role.contact} on {role.opportunity}")
        role.delete()
    # Contact roles of the deleted contacts go with them (Salesforce deletes them with the contact).
    Contact.objects.filter(pk__in=deleted_contact_ids).delete()

    from ..tasks import enqueue_after_removal

    enqueue_after_removal([activity.pk])
    return Removal(activity, removed_contacts, removed_roles)
