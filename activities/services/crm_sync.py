"""An activity's Task or Event in the CRM, as capture knows it: its object, its Backstory id, and
its deletion (removed from sync in the Engagement Log, unmatched by Edit Match or re-matching, made
private, cancelled, deleted). The contact engine queues the Task or Event itself
(`contacts.services.activity_sync`) and calls the deletion here when the activity no longer has one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

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


def activity_upsert_is_last(activity: Activity) -> bool:
    """Whether the last Task/Event entry queued for this activity is an upsert (one is in Salesforce
    or on its way), not a deletion."""
    last = (
        OutboxEntry.objects.filter(
            object_name=activity_object_name(activity),
            record_type=activity._meta.label_lower,
            record_id=activity.pk,
        )
        .exclude(status=OutboxEntry.Status.FAILED)
        .order_by("-id")
        .values_list("operation", flat=True)
        .first()
    )
    return last == OutboxEntry.Operation.UPSERT


def enqueue_activity_unsynced(
    activity: Activity, *, upsert_queued: bool | None = None, sink=outbox_enqueue
) -> bool:
    """Queue the deletion of an activity's Task or Event, when one was created or is on its way.

    ``upsert_queued`` says whether the last entry queued for it is an upsert (the contact engine
    knows it for a whole batch; else it is read). The deletion finds the record by its Backstory id
    when the drain sends it, so an upsert still in the outbox is deleted too. The activity's
    ``crm_id`` is cleared: nothing of it is in Salesforce any more, and a later match makes a new one.
    Returns whether one was queued.
    """
    if activity.source == Activity.Source.CRM:
        return False  # Salesforce's own record: Backstory never deletes it
    if upsert_queued is None:
        upsert_queued = activity_upsert_is_last(activity)
    if not activity.crm_id and not upsert_queued:
        return False
    sink(
        object_name=activity_object_name(activity),
        operation=OutboxEntry.Operation.DELETE,
        record=activity,
        external_id=activity_external_id(activity),
    )
    if activity.crm_id:
        Activity.objects.filter(pk=activity.pk).update(crm_id=None)
        activity.crm_id = None
    return True


@transaction.atomic
def activities_delete(activities: Iterable[Activity]) -> int:
    """Delete activities for good (the admin's delete), their Tasks and Events in Salesforce with
    them. Returns how many were deleted."""
    chosen = list(activities)
    for activity in chosen:
        enqueue_activity_unsynced(activity)
    _, by_model = Activity.objects.filter(pk__in=[a.pk for a in chosen]).delete()
    return by_model.get(Activity._meta.label, 0)
