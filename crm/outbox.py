"""The one writer of the push outbox. Every CRM-bound change is an outbox row written in the same
transaction as the local change, so a crash can never lose one or push one that did not happen.

With `SALESFORCE_MODE = "off"` the local records are the system of record and nothing is queued:
there is no CRM to receive it, and a backlog of rows would be pushed by surprise the day a CRM is
connected (the initial sync sends the current state instead). Every writer here applies that rule,
so no caller has to remember it.

Three ways in, one row shape: `outbox_enqueue` (one change), `outbox_enqueue_many` (an engine
batch: one insert), `outbox_enqueue_deletes` (the daily de-duplication: one INSERT ... SELECT).
"""

from __future__ import annotations

from collections.abc import Sequence

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from .models import OutboxEntry


def crm_enabled() -> bool:
    """False when no CRM is configured: local records are then the system of record."""
    return settings.SALESFORCE_MODE != "off"


def _require_transaction(writer: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{writer} must run inside the transaction that made the change")


def outbox_entry_build(
    *,
    object_name: str,
    operation: str,
    record: Model | None = None,
    record_type: str = "",
    record_id: int | None = None,
    payload: dict | None = None,
    external_id: str = "",
    crm_id: str = "",
) -> OutboxEntry:
    """An unsaved outbox row for `outbox_enqueue_many`: ``operation`` ("upsert", "update" or
    "delete") of ``record`` (or of the row ``record_type``/``record_id``) as Salesforce ``object_name``."""
    if record is not None:
        record_type, record_id = record._meta.label_lower, record.pk
    return OutboxEntry(
        object_name=object_name,
        operation=operation,
        record_type=record_type,
        record_id=record_id,
        external_id=str(external_id or ""),
        crm_id=crm_id or "",
        payload=payload or {},
    )


def outbox_enqueue(
    *,
    object_name: str,
    operation: str,
    record: Model,
    payload: dict | None = None,
    external_id: str = "",
    crm_id: str = "",
) -> OutboxEntry | None:
    """Queue ``operation`` ("upsert", "update" or "delete") of ``record`` as Salesforce ``object_name``.

    Must be called inside the transaction that changed ``record``. The drain task is scheduled
    after commit. Returns None, queuing nothing, when no CRM is connected.
    """
    _require_transaction("outbox_enqueue")
    if not crm_enabled():
        return None
    entry = outbox_entry_build(
        object_name=object_name,
        operation=operation,
        record=record,
        payload=payload,
        external_id=external_id,
        crm_id=crm_id,
    )
    entry.save()
    outbox_drain_after_commit()
    return entry


def outbox_enqueue_many(entries: Sequence[OutboxEntry]) -> int:
    """Queue many rows (from `outbox_entry_build`) with one insert, in the caller's transaction.

    The same rows `outbox_enqueue` writes, in the same order, and the drain scheduled once after
    commit, instead of one insert and one drain per row. Returns how many were queued.
    """
    if not crm_enabled() or not entries:
        return 0
    _require_transaction("outbox_enqueue_many")
    OutboxEntry.objects.bulk_create(entries, batch_size=1_000)
    outbox_drain_after_commit()
    return len(entries)


def _uuid_text(column: str) -> str:
    """SQL for a UUID column as `str(uuid)` text (SQLite stores 32 hex digits, PostgreSQL a uuid)."""
    if connection.vendor == "postgresql":
        return f"CAST({column} AS text)"
    return (
        f"lower(substr({column}, 1, 8) || '-' || substr({column}, 9, 4) || '-' || substr({column}, 13, 4) || '-' "
        f"|| substr({column}, 17, 4) || '-' || substr({column}, 21, 12))"
    )


def outbox_enqueue_deletes(*, object_name: str, records: QuerySet) -> int:
    """Queue the deletion of every record of ``records`` (a model with `crm_id` and `backstory_id`)
    with one INSERT ... SELECT, in the caller's transaction and before the records are deleted.

    Set-based for the daily de-duplication, which can delete thousands of contacts at once. The
    rows are exactly what `outbox_enqueue` writes: every column this statement does not compute
    gets the model field's own default, so a field added to OutboxEntry later is filled as it would
    be anywhere else. The drain is scheduled once, after commit. Returns how many were queued.
    """
    if not crm_enabled():
        return 0
    _require_transaction("outbox_enqueue_deletes")
    quote = connection.ops.quote_name
    selected, selected_params = records.order_by().values("pk").query.sql_with_params()
    meta = records.model._meta
    pk_column, backstory_id, crm_id = (
        meta.pk.column,
        meta.get_field("backstory_id").column,
        meta.get_field("crm_id").column,
    )
    computed = {
        "object_name": "%s",
        "operation": "%s",
        "record_type": "%s",
        "record_id": f"r.{quote(pk_column)}",
        "external_id": _uuid_text(f"r.{quote(backstory_id)}"),
        "crm_id": f"COALESCE(r.{quote(crm_id)}, '')",
        "payload": "CAST('{}' AS jsonb)" if connection.vendor == "postgresql" else "'{}'",
    }
    params: list = [object_name, OutboxEntry.Operation.DELETE, meta.label_lower]
    columns, values = list(computed), list(computed.values())
    for field in OutboxEntry._meta.concrete_fields:
        if field.primary_key or field.column in computed:
            continue
        value = (
            timezone.now()
            if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
            else field.get_default()
        )
        columns.append(field.column)
        values.append("%s")
        params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {quote(OutboxEntry._meta.db_table)} ({", ".join(quote(c) for c in columns)})
            SELECT {", ".join(values)} FROM {quote(meta.db_table)} r
            WHERE r.{quote(pk_column)} IN ({selected}) ORDER BY r.{quote(pk_column)}
            """,
            [*params, *selected_params],
        )
        count = cursor.rowcount
    if count:
        outbox_drain_after_commit()
    return count


def outbox_drain_after_commit() -> None:
    """Drain the outbox once the current transaction commits (at once outside one)."""
    transaction.on_commit(_drain)


def _drain() -> None:
    # By task name (crm/tasks.py): the outbox sits below the push in the house (docs/architecture.md).
    current_app.signature("crm.drain_outbox").apply_async()
