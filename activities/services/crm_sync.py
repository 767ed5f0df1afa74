"""An activity's Task or Event in the CRM, as capture knows it: its object, its Backstory id, and
its deletion when an admin removes the activity from sync. The contact engine queues the Task or
Event itself (`contacts.services.activity_sync`).
"""

from __future__ import annotations

from crm.models import OutboxEntry
from crm.outbox import outbox_enqueue

from ..models import Activity

TASK, EVENT = "Task", "Event"


def activity_object_name(activity: Activity) -> str:
    """The Salesforce object an activity is synced as: meetings are Events, emails and calls Tasks."""
    return EVENT if activity.kind == Activity.Kind.MEETING else TASK


def activity_external_id(activity: Activity) -> str:
    """The activity's Backstory id in Salesforce (the upsert key): stable for the activity's life."""
    return f"activity-{activity.pk}"


def enqueue_activity_unsynced(activity: Activity) -> bool:
    """Queue the deletion of an activity's Task or Event, when one was created or is on its way.
    Returns whether one was queued."""
    object_name = activity_object_name(activity)
    queued = OutboxEntry.objects.filter(
        object_name=object_name,
        operation=OutboxEntry.Operation.UPSERT,
        record_type=activity._meta.label_lower,
        record_id=activity.pk,
    ).exclude(status=OutboxEntry.Status.FAILED)
    if not activity.crm_id and not queued.exists():
        return False
    return (
        outbox_enqueue(
            object_name=object_name,
            operation=OutboxEntry.Operation.DELETE,
            record=activity,
            crm_id=activity.crm_id or "",
            external_id=activity_external_id(activity),
        )
        is not None
    )
