"""Removing a contact Backstory created that should not have been created (the Engagement Log).

FAQ: "What if a contact was synced to Salesforce that shouldn't have been? You can use the
Engagement Log to remove it. Keeping your Local Filters up-to-date can also help prevent unwanted
contacts from syncing in the future."
"""

from __future__ import annotations

from django.db import transaction

from contacts.models import Contact, ContactDecision, LocalFilter
from users.models import User

from . import outbox
from .decisions import Action, Reason, Rule, decision_record


class ContactNotRemovable(Exception):
    """Only contacts Backstory created can be removed: nothing that came from the CRM is deleted."""


@transaction.atomic
def contact_remove(*, contact: Contact, removed_by: User, add_local_filter: bool = True) -> ContactDecision:
    """Delete a contact Backstory created, here and (through the outbox) in the CRM, and record it.

    With `add_local_filter`, the address becomes a global local filter so the contact engine does
    not create it again from the next email. Its contact roles go with it; its activities stay,
    no longer linked to a contact. A contact created by hand raises ContactNotRemovable.
    """
    if not contact.created_by_backstory:
        # Design: "Nothing that came from the CRM is deleted by this project, except contacts and
        # contact roles that it created itself."
        raise ContactNotRemovable(f"{contact} was not created by Backstory and cannot be removed here.")
    filter_added = False
    if add_local_filter and contact.email:
        _entry, filter_added = LocalFilter.objects.get_or_create(
            profile=None,
            kind=LocalFilter.Kind.ADDRESS,
            value=contact.email.lower(),
            defaults={"note": f"Contact removed through the Engagement Log by {removed_by}"[:255]},
        )
    outbox.enqueue_deleted(
        object_name="Contact", record=contact, crm_id=contact.crm_id, backstory_id=contact.backstory_id
    )
    decision = decision_record(
        action=Action.CONTACT_REMOVED,
        reason=Reason.REMOVED_BY_ADMIN,
        rule=Rule.REMOVAL,
        message=f"{removed_by} removed {contact.name or contact.email}, a contact Backstory created"
        + (f"; {contact.email} is now a local filter." if filter_added else "."),
        email=contact.email,
        user=removed_by,
        account_id=contact.account_id,
        details={
            "removed_contact_id": contact.pk,
            "backstory_id": str(contact.backstory_id),
            "crm_id": contact.crm_id or "",
            "local_filter_added": filter_added,
        },
    )
    contact.delete()
    return decision
