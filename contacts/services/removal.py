"""Removing what Backstory created that should not have been created (the Engagement Log).

FAQ: "What if a contact was synced to Salesforce that shouldn't have been? You can use the
Engagement Log to remove it. Keeping your Local Filters up-to-date can also help prevent unwanted
contacts from syncing in the future."

The one path for deleting a contact or contact role Backstory created: here, through the outbox
in the CRM (only when a CRM is connected), and recorded as a ContactDecision. The contact admin
removes one contact (`contact_remove`); the Engagement Log removes what came from one activity
(`contacts_remove_created_from_activity`). This module reads activities only through the
decisions and the participants' reverse relation, so capture may call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from contacts.models import Contact, ContactDecision, LocalFilter
from opportunities.models import OpportunityContactRole
from users.models import User

from . import outbox
from .decisions import Action, Reason, Rule, decision_record


class ContactNotRemovable(Exception):
    """Only contacts Backstory created can be removed: nothing that came from the CRM is deleted."""


def _who(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _contact_delete(contact: Contact, **decision) -> ContactDecision:
    """Delete a contact Backstory created, queue its deletion for the CRM, and record why."""
    if not contact.created_by_backstory:
        # Design: "Nothing that came from the CRM is deleted by this project, except contacts and
        # contact roles that it created itself."
        raise ContactNotRemovable(f"{contact} was not created by Backstory and cannot be removed here.")
    outbox.enqueue_deleted(
        object_name="Contact", record=contact, crm_id=contact.crm_id, backstory_id=contact.backstory_id
    )
    recorded = decision_record(
        action=Action.CONTACT_REMOVED,
        email=contact.email,
        account_id=contact.account_id,
        **decision,
    )
    contact.delete()
    return recorded


@transaction.atomic
def contact_remove(*, contact: Contact, removed_by: User, add_local_filter: bool = True) -> ContactDecision:
    """Delete a contact Backstory created, here and (through the outbox) in the CRM, and record it.

    With `add_local_filter`, the address becomes a global local filter so the contact engine does
    not create it again from the next email. Its contact roles go with it; its activities stay,
    no longer linked to a contact. A contact created by hand raises ContactNotRemovable.
    """
    if not contact.created_by_backstory:
        raise ContactNotRemovable(f"{contact} was not created by Backstory and cannot be removed here.")
    filter_added = False
    if add_local_filter and contact.email:
        _entry, filter_added = LocalFilter.objects.get_or_create(
            profile=None,
            kind=LocalFilter.Kind.ADDRESS,
            value=contact.email.lower(),
            defaults={"note": f"Contact removed through the Engagement Log by {removed_by}"[:255]},
        )
    return _contact_delete(
        contact,
        reason=Reason.REMOVED_BY_ADMIN,
        rule=Rule.REMOVAL,
        message=f"{removed_by} removed {contact.name or contact.email}, a contact Backstory created"
        + (f"; {contact.email} is now a local filter." if filter_added else "."),
        user=removed_by,
        details={
            "removed_contact_id": contact.pk,
            "backstory_id": str(contact.backstory_id),
            "crm_id": contact.crm_id or "",
            "local_filter_added": filter_added,
        },
    )


@dataclass
class CreatedFromActivityRemoved:
    """What `contacts_remove_created_from_activity` deleted, in words for the person who asked."""

    contacts: list[str] = field(default_factory=list)
    contact_roles: list[str] = field(default_factory=list)


@transaction.atomic
def contacts_remove_created_from_activity(*, activity, removed_by: User) -> CreatedFromActivityRemoved:
    """Delete the contacts and contact roles Backstory created from `activity`, which `removed_by`
    removed from sync: here, in the CRM (outbox), each recorded as a ContactDecision.

    A contact created from this activity that is on another activity too is kept; so is everything
    that came from the CRM. The contact roles of a deleted contact go with it (Salesforce deletes
    them with the contact); the other roles created from this activity are deleted one by one.
    """
    # Seed FAQ: "What if a contact was synced to Salesforce that shouldn't have been? You can use
    # the Engagement Log to remove it."
    decisions = ContactDecision.objects.filter(activity=activity)
    created_ids = decisions.filter(
        action=ContactDecision.Action.CONTACT_CREATED, contact__isnull=False
    ).values("contact_id")
    # Design: "Nothing that came from the CRM is deleted by this project, except contacts and contact
    # roles that it created itself." A contact on another activity too is still wanted.
    contacts = [
        contact
        for contact in Contact.objects.filter(pk__in=created_ids, created_by_backstory=True).order_by("pk")
        if not contact.participations.exclude(activity=activity).exists()
    ]
    deleted_ids = [contact.pk for contact in contacts]
    removed = CreatedFromActivityRemoved()
    for contact in contacts:
        _contact_delete(
            contact,
            rule=Rule.REMOVAL_FROM_SYNC,
            reason=Reason.ACTIVITY_REMOVED_FROM_SYNC,
            message=f"Contact {contact.name or contact.email} was deleted: Backstory created it from this activity, "
            f"which {_who(removed_by)} removed from sync, and it is on no other activity.",
            activity=activity,
            user=removed_by,
            details={
                "contact_id": contact.pk,
                "backstory_id": str(contact.backstory_id),
                "crm_id": contact.crm_id or "",
            },
        )
        removed.contacts.append(contact.name or contact.email)
    role_pairs = set(
        decisions.filter(
            action=ContactDecision.Action.OCR_CREATED, contact__isnull=False, opportunity__isnull=False
        ).values_list("contact_id", "opportunity_id")
    )
    roles = (
        OpportunityContactRole.objects.filter(
            created_by_backstory=True, contact_id__in={c for c, _ in role_pairs}
        )
        .exclude(contact_id__in=deleted_ids)
        .select_related("contact", "opportunity")
        .order_by("pk")
    )
    for role in roles:
        if (role.contact_id, role.opportunity_id) not in role_pairs:
            continue
        outbox.enqueue_deleted(
            object_name="OpportunityContactRole",
            record=role,
            crm_id=role.crm_id,
            backstory_id=role.backstory_id,
        )
        decision_record(
            action=Action.CONTACT_REMOVED,
            rule=Rule.REMOVAL_FROM_SYNC,
            reason=Reason.CONTACT_ROLE_REMOVED,
            message=f"The contact role of {role.contact} on “{role.opportunity}” was deleted: Backstory created it "
            f"from this activity, which {_who(removed_by)} removed from sync.",
            email=role.contact.email,
            activity=activity,
            user=removed_by,
            contact=role.contact,
            opportunity_id=role.opportunity_id,
            account_id=role.opportunity.account_id,
            details={
                "contact_role_id": role.pk,
                "backstory_id": str(role.backstory_id),
                "crm_id": role.crm_id or "",
            },
        )
        removed.contact_roles.append(f"{role.contact} on {role.opportunity}")
        role.delete()
    return removed
