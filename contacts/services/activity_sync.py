"""Activity sync: captured emails and calls go to Salesforce as Tasks, meetings as Events.

Seed: "New contacts sync to Salesforce at the same time as activities", and "contact creation is
independent of activity sync ... even if your organization does not sync all activity types".

The contact engine queues an activity's Task or Event in the same batch as the contacts it created
from it, through `crm.outbox` (the one writer), after them: the push sends contacts first, and an
activity whose contact has no Salesforce id yet carries the contact's Backstory id
(`WhoBackstoryId`) and waits for that contact's create. The record is upserted on the activity's
Backstory id, so pushing it twice (or re-matching it) never makes a second Task.

Private activities are never synced: their subject, people and time stay in Backstory. The
Description carries only a link back to the activity, never the email's text.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse

from activities.models import Activity
from activities.services.crm_sync import (
    activity_external_id,
    activity_object_name,
    enqueue_activity_unsynced,
)
from contacts.models import Contact
from crm.models import OutboxEntry
from crm.outbox import outbox_enqueue

TASK_TYPE = {Activity.Kind.EMAIL: "Email", Activity.Kind.CALL: "Call"}
CALL_TYPE = {
    Activity.Direction.OUTBOUND: "Outbound",
    Activity.Direction.INBOUND: "Inbound",
    Activity.Direction.INTERNAL: "Internal",
}
DEFAULT_MEETING_MINUTES = 30


def activity_link(activity: Activity) -> str:
    """The address of the activity in Backstory's Engagement Log."""
    return settings.BACKSTORY_BASE_URL.rstrip("/") + reverse("activities:detail", args=[activity.pk])


def _who(contacts: list[Contact], lead_crm_id: str | None) -> dict:
    for contact in contacts:
        if contact.crm_id:
            return {"WhoId": contact.crm_id}
    for contact in contacts:
        # Not in Salesforce yet: the push waits for the contact's create, then points at it.
        return {"WhoBackstoryId": str(contact.backstory_id)}
    return {"WhoId": lead_crm_id} if lead_crm_id else {}


def activity_payload(
    activity: Activity, *, contacts: list[Contact], what_id: str | None, lead_crm_id: str | None
) -> dict | None:
    """The Task or Event of an activity, or None when it has nothing in Salesforce to hang on
    (no account or opportunity with a Salesforce id, and no contact or lead)."""
    who, what = _who(contacts, lead_crm_id), what_id
    if not who and not what:
        return None
    payload = {
        "Subject": (activity.subject or activity.get_kind_display())[:255],
        "Description": f"Captured by Backstory: {activity_link(activity)}",
        "WhatId": what,
        "OwnerId": activity.owner.crm_id if activity.owner_id and activity.owner else None,
        settings.SALESFORCE_FIELD_CREATED_BY_BACKSTORY: True,
        **who,
    }
    if activity.kind == Activity.Kind.MEETING:
        end = activity.occurred_at + dt.timedelta(
            minutes=activity.duration_minutes or DEFAULT_MEETING_MINUTES
        )
        payload |= {
            "StartDateTime": activity.occurred_at.isoformat(),
            "EndDateTime": end.isoformat(),
            "Location": activity.location[:255] or None,
        }
    else:
        # Completed: a logged email or call is done, and an open Task would be pulled as a next step.
        payload |= {
            "ActivityDate": activity.occurred_at.date().isoformat(),
            "Status": "Completed",
            "Type": TASK_TYPE[activity.kind],
            # Set on create only (Salesforce refuses it on update; the push sends it again without).
            "TaskSubtype": TASK_TYPE[activity.kind],
        }
        if activity.kind == Activity.Kind.CALL:
            # A logged call's length and direction, as Salesforce's call fields hold them.
            payload |= {
                "CallDurationInSeconds": (
                    activity.duration_minutes * 60 if activity.duration_minutes is not None else None
                ),
                "CallType": CALL_TYPE.get(activity.direction),
            }
    return payload


def activity_type_synced(activity: Activity, *, sync_kinds: frozenset[str]) -> bool:
    """Whether Backstory writes this activity's Task or Event at all: its type is synced by the
    profile, and it did not come from the CRM (it is there already)."""
    return activity.kind in sync_kinds and activity.source != Activity.Source.CRM


def activity_may_be_in_crm(activity: Activity) -> bool:
    """Whether the activity may have a Task or Event: not private (its subject, people and time
    stay in Backstory), not removed from sync, not a cancelled meeting, and matched to an account
    or a lead (an activity matched to nothing, by Edit Match or re-matching, hangs on nothing)."""
    return (
        not activity.is_private
        and activity.removed_from_sync_at is None
        and not activity.is_cancelled
        and (activity.account_id is not None or activity.lead_id is not None)
    )


def enqueue_activity_synced(
    activity: Activity,
    *,
    contacts: list[Contact],
    sync_kinds: frozenset[str],
    what_id: str | None,
    lead_crm_id: str | None = None,
    queued: dict | None = None,
    sink=outbox_enqueue,
) -> bool:
    """Queue the upsert of an activity's Task or Event when its profile syncs its type: on the
    first of ``contacts`` (else the lead ``lead_crm_id``) and ``what_id`` (the opportunity's or
    account's Salesforce id). ``queued`` is the last payload queued for it (None when its last entry
    is a deletion, or there is none): the same one is not queued again (the contact engine runs
    again over the same activities), a changed one (re-matched to another account or opportunity)
    updates the same Task.

    An activity that no longer may have one (matched to nothing, made private, cancelled) has its
    Task or Event deleted through capture's one deletion path. A profile that stops syncing a type
    leaves alone what is there: no new pushes, no updates, no deletions. Returns whether an upsert
    was queued."""
    # Seed: "New contacts sync to Salesforce at the same time as activities."
    if not activity_type_synced(activity, sync_kinds=sync_kinds):
        return False
    payload = (
        activity_payload(activity, contacts=contacts, what_id=what_id, lead_crm_id=lead_crm_id)
        if activity_may_be_in_crm(activity)
        else None
    )
    if payload is None:
        enqueue_activity_unsynced(activity, upsert_queued=queued is not None, sink=sink)
        return False
    if payload == queued:
        return False
    sink(
        object_name=activity_object_name(activity),
        operation=OutboxEntry.Operation.UPSERT,
        record=activity,
        payload=payload,
        external_id=activity_external_id(activity),
    )
    return True
