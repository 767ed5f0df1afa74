"""Fast inserts for capture: PostgreSQL COPY, with ids taken from the table's sequence first.

Rows are plain dicts of field attnames to values. Django's bulk_create builds a model instance per
row and compiles every value through the ORM, which costs more than the database itself at capture
volumes; on PostgreSQL the rows are streamed with COPY instead. Other databases (SQLite on a laptop)
use bulk_create. Either way the ids come back in row order, and a unique violation surfaces as
Django's IntegrityError.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import F, JSONField, Lookup, Model, Q
from django.utils import timezone

_sequences: dict[str, str] = {}


def insert_rows(model: type[Model], rows: Sequence[dict], *, batch_size: int = 2_000) -> list[int]:
    """Insert ``rows`` (attname → value; missing fields take their defaults); return their ids in order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        instances = [model(**row) for row in rows]
        model.objects.bulk_create(instances, batch_size=batch_size)
        return [instance.pk for instance in instances]
    return _copy(model, rows)


def _sequence_of(model: type[Model]) -> str:
    table = model._meta.db_table
    if table not in _sequences:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
            _sequences[table] = cursor.fetchone()[0]
    return _sequences[table]


def _copy(model: type[Model], rows: Sequence[dict]) -> list[int]:
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    constant: dict[str, object] = {}
    per_row: dict[str, object] = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constant[field.attname] = now
        elif field.has_default() and callable(field.default):
            per_row[field.attname] = field.get_default
        else:
            constant[field.attname] = field.get_default()
    attnames = [f.attname for f in fields]
    # COPY reads JSON as text: a list or dict would otherwise go as an array or fail.
    as_json = {f.attname for f in fields if isinstance(f, JSONField)}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in [meta.pk.column, *(f.column for f in fields)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [_sequence_of(model), len(rows)])
        ids = [row[0] for row in cursor.fetchall()]
        with connection.wrap_database_errors:
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for pk, row in zip(ids, rows, strict=True):
                    values = [pk]
                    for name in attnames:
                        if name in row:
                            value = row[name]
                        elif name in per_row:
                            value = per_row[name]()
                        else:
                            value = constant[name]
                        values.append(json.dumps(value) if name in as_json and value is not None else value)
                    copy.write_row(values)
    return ids


def update_rows(
    model: type[Model], rows: Sequence[dict], fields: Sequence[str], *, batch_size: int = 1_000
) -> None:
    """Set ``fields`` (attnames) on the rows identified by ``row["id"]``.

    PostgreSQL: the new values are streamed with COPY into a temporary table, then one UPDATE joins
    it; elsewhere Django's bulk_update.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        instances = [model(pk=row["id"], **{name: row[name] for name in fields}) for row in rows]
        model.objects.bulk_update(instances, list(fields), batch_size=batch_size)
        return
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = [meta.pk, *(by_attname[name] for name in fields)]
    temporary = quote(f"bulk_update_{meta.db_table}_{zlib.crc32(','.join(fields).encode())}")
    definition = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in columns)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns[1:])
    pk = quote(meta.pk.column)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {temporary} ({definition})")
        cursor.execute(f"TRUNCATE {temporary}")
        with cursor.cursor.copy(
            f"COPY {temporary} ({', '.join(quote(f.column) for f in columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row([row["id"], *(row[name] for name in fields)])
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS t SET {assignments} FROM {temporary} AS v WHERE t.{pk} = v.{pk}"
        )


def in_chunk_size() -> int:
    """How many values one ``among`` filter may hold: SQLite binds each as a parameter."""
    return 100_000 if connection.vendor == "postgresql" else 900


class AnyOf(Lookup):
    """``column = ANY(%s)`` with the values as one array parameter (PostgreSQL): a long ``IN (...)``
    list costs more to build and bind than the query costs to run."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


def among(expression, values: Iterable) -> Q | AnyOf:
    """A filter: ``expression`` (a field name or an expression) is one of ``values``."""
    values = list(values)
    if connection.vendor == "postgresql":
        return AnyOf(F(expression) if isinstance(expression, str) else expression, values)
    if not isinstance(expression, str):
        raise TypeError("among() with an expression needs PostgreSQL; annotate and pass the name instead")
    return Q(**{f"{expression}__in": values})
