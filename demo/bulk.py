"""Fast inserts for the demo org's big tables: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create spends most of its time building model instances and compiling SQL per
field; a million activities need rows, not objects. Ids are assigned here so participants can
point at their activity without reading ids back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model


class RowWriter:
    """Writes plain dict rows into ``model``'s table, filling every other column with its default."""

    def __init__(self, model: type[Model]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields if f.attname != "id"}
        self.datetime_columns = {
            i for i, f in enumerate(self.fields) if f.get_internal_type() in ("DateTimeField", "DateField")
        }
        self.next_id = (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1
        self.table = connection.ops.quote_name(model._meta.db_table)

    def allocate_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def _tuple(self, row: dict) -> tuple:
        values = [row[name] if name in row else self.defaults[name] for name in self.attnames]
        if connection.vendor == "sqlite":
            for i in self.datetime_columns:
                value = values[i]
                if isinstance(value, dt.datetime):
                    values[i] = connection.ops.adapt_datetimefield_value(value)
                elif isinstance(value, dt.date):
                    values[i] = connection.ops.adapt_datefield_value(value)
        return tuple(values)

    def write(self, rows: Iterable[dict]) -> int:
        """Insert ``rows`` (each must carry its ``id`` from ``allocate_id``); returns how many."""
        tuples = [self._tuple(row) for row in rows]
        if not tuples:
            return 0
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    for values in tuples:
                        copy.write_row(values)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.table} ({columns}) VALUES ({marks})", tuples)
        return len(tuples)

    def finish(self) -> None:
        """Move the table's id sequence past the ids written here (PostgreSQL needs it)."""
        statements = connection.ops.sequence_reset_sql(no_style(), [self.model])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
