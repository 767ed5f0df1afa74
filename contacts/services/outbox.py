"""What the contact engine queues for Salesforce, in Salesforce's field names.

Every change is written locally first and queued through `crm.outbox`, the outbox's one writer,
in the same transaction. With `SALESFORCE_MODE = "off"` that writer queues nothing (see there).

Payloads are documented in docs/contact-engine.md.
"""

from __future__ import annotations

from django.conf import settings

from contacts.models import DEPARTMENT_CHOICES, PERSONA_CHOICES, SENIORITY_CHOICES, Contact
from crm.models import OutboxEntry
from crm.outbox import outbox_enqueue

LEAD_SOURCE = "Backstory"

_LABELS = {
    "department": dict(DEPARTMENT_CHOICES),
    "seniority": dict(SENIORITY_CHOICES),
    "persona": dict(PERSONA_CHOICES),
}


def salesforce_field(field: str) -> str:
    """The Salesforce Contact field a local Contact field is pushed to."""
    return {
        "first_name": "FirstName",
        "last_name": "LastName",
        "email": "Email",
        "title": "Title",
        "phone": "Phone",
        "mailing_country": "MailingCountry",
        "mailing_state": "MailingState",
        "department": settings.SALESFORCE_FIELD_DEPARTMENT,
        "seniority": settings.SALESFORCE_FIELD_SENIORITY,
        "persona": settings.SALESFORCE_FIELD_PERSONA,
        "lead_source": "LeadSource",
    }[field]


def salesforce_value(field: str, value: str) -> str | None:
    """A local value as Salesforce holds it: picklists by their label, blanks as null."""
    if not value:
        return None
    labels = _LABELS.get(field)
    return labels.get(value, value) if labels else value


def contact_payload(contact: Contact) -> dict:
    """The upsert payload of a contact Backstory created."""
    payload = {
        salesforce_field(name): salesforce_value(name, getattr(contact, name))
        for name in (
            "first_name",
            "last_name",
            "email",
            "title",
            "phone",
            "mailing_country",
            "mailing_state",
            "department",
            "seniority",
            "persona",
            "lead_source",
        )
    }
    payload["AccountId"] = contact.account.crm_id if contact.account_id and contact.account else None
    # An owner who is not a CRM user has no id to send: Salesforce then gives the record to the
    # API user, which is the integration user.
    payload["OwnerId"] = contact.owner.crm_id if contact.owner_id and contact.owner else None
    payload[settings.SALESFORCE_FIELD_CREATED_BY_BACKSTORY] = contact.created_by_backstory
    payload[settings.SALESFORCE_FIELD_BACKSTORY_ID] = str(contact.backstory_id)
    return payload


def enqueue_contact_created(contact: Contact, *, sink=outbox_enqueue) -> None:
    """Queue the upsert of a new contact (idempotent on its Backstory id)."""
    sink(
        object_name="Contact",
        operation=OutboxEntry.Operation.UPSERT,
        record=contact,
        payload=contact_payload(contact),
        external_id=str(contact.backstory_id),
    )


def enqueue_contact_updated(contact: Contact, fields: list[str], *, sink=outbox_enqueue) -> None:
    """Queue the changed fields of a contact in the CRM. A contact not in the CRM yet (its create
    is still on its way, or was refused) gets its whole create again, folded with the change: an
    upsert of the changed fields alone would create a partial record (no email, no account, not
    flagged as Backstory's) whenever the create itself has not gone through."""
    if not fields:
        return
    if not contact.crm_id:
        enqueue_contact_created(contact, sink=sink)
        return
    payload = {salesforce_field(name): salesforce_value(name, getattr(contact, name)) for name in fields}
    sink(
        object_name="Contact",
        operation=OutboxEntry.Operation.UPDATE,
        record=contact,
        payload=payload,
        crm_id=contact.crm_id,
    )


def contact_reference(contact: Contact) -> dict:
    """How a contact role points at its contact: the CRM id, or the Backstory id to resolve after
    the contact itself is pushed."""
    if contact.crm_id:
        return {"ContactId": contact.crm_id}
    return {"ContactBackstoryId": str(contact.backstory_id)}


def enqueue_role_created(
    role, *, opportunity_crm_id: str | None, contact: Contact, sink=outbox_enqueue
) -> None:
    """Queue the upsert of a contact role Backstory created."""
    sink(
        object_name="OpportunityContactRole",
        operation=OutboxEntry.Operation.UPSERT,
        record=role,
        payload={
            "OpportunityId": opportunity_crm_id,
            **contact_reference(contact),
            "Role": role.role or None,
            "IsPrimary": role.is_primary,
        },
        external_id=str(role.backstory_id),
    )


def enqueue_deleted(
    *, object_name: str, record, crm_id: str | None, backstory_id, sink=outbox_enqueue
) -> None:
    """Queue the deletion of a record Backstory created (by CRM id, else by Backstory id)."""
    sink(
        object_name=object_name,
        operation=OutboxEntry.Operation.DELETE,
        record=record,
        crm_id=crm_id or "",
        external_id=str(backstory_id),
    )
