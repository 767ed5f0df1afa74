"""Writing to the push outbox. Every CRM-bound change is an outbox row written in the same
transaction as the local change, so a crash can never lose one or push one that did not happen."""

from django.db import transaction
from django.db.models import Model

from .models import OutboxEntry


def outbox_enqueue(
    *,
    object_name: str,
    operation: str,
    record: Model,
    payload: dict | None = None,
    external_id: str = "",
    crm_id: str = "",
) -> OutboxEntry:
    """Queue ``operation`` ("upsert", "update" or "delete") of ``record`` as Salesforce ``object_name``.

    Must be called inside the transaction that changed ``record``. The drain task is scheduled
    after commit.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_enqueue must run inside the transaction that made the change")
    entry = OutboxEntry.objects.create(
        object_name=object_name,
        operation=operation,
        record_type=record._meta.label_lower,
        record_id=record.pk,
        external_id=str(external_id or ""),
        crm_id=crm_id or "",
        payload=payload or {},
    )
    transaction.on_commit(_schedule_drain)
    return entry


def _schedule_drain() -> None:
    from .tasks import drain_outbox

    drain_outbox.delay()
