"""A query by primary key whose SQL is compiled once per process and database: each call binds only
the key.

Django compiles a queryset's SQL again on every evaluation. For the two queries every Backstory page
load makes (the signed-in user, the record's name and summary version) compiling costs more CPU than
the database needs to answer them, and a cached page is otherwise nearly free. ``CompiledGet`` keeps
the SQL, the column converters and how a row becomes a model instance; only the key changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models import Model, QuerySet

# Bound in place of the key while compiling, then looked up in the parameters. Inside the range of a
# 32-bit integer column: Django answers an out-of-range integer lookup with "no rows" and no SQL.
_KEY_PLACEHOLDER = -1_987_654_321


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple
    key_index: int
    converters: dict
    model_fields: slice
    field_names: tuple[str, ...]
    annotations: tuple[tuple[str, int], ...]


class CompiledGet:
    """``CompiledGet(lambda: queryset).get(pk)`` is ``queryset.filter(pk=pk).first()`` without the
    ORM's compile step. For querysets of one model (``only``, ``annotate``, no ``select_related``).
    The queryset is built at first use, when the apps are ready."""

    def __init__(self, queryset: Callable[[], QuerySet]):
        self._build = queryset
        self._queryset: QuerySet | None = None
        self._plans: dict[str, _Plan] = {}

    def get(self, pk) -> Model | None:
        if self._queryset is None:
            self._queryset = self._build()
        queryset = self._queryset
        alias = queryset.db
        plan = self._plans.get(alias) or self._compile(queryset, alias)
        connection = connections[alias]
        params = list(plan.params)
        params[plan.key_index] = queryset.model._meta.pk.get_db_prep_value(pk, connection)
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if plan.converters:  # as the ORM's compiler applies them (SQLite's dates, decimals ...)
            row = list(row)
            for position, (converters, expression) in plan.converters.items():
                for converter in converters:
                    row[position] = converter(row[position], expression, connection)
        obj = queryset.model.from_db(alias, plan.field_names, row[plan.model_fields])
        for name, position in plan.annotations:
            setattr(obj, name, row[position])
        return obj

    def _compile(self, queryset: QuerySet, alias: str) -> _Plan:
        query = queryset.filter(pk=_KEY_PLACEHOLDER).order_by()[:1].query
        if query.select_related:
            raise ValueError("CompiledGet reads one model's columns: drop select_related().")
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        positions = [i for i, value in enumerate(params) if value == _KEY_PLACEHOLDER]
        if len(positions) != 1:
            raise ValueError("CompiledGet could not find where the key is bound in the compiled SQL.")
        columns = compiler.select
        fields = compiler.klass_info["select_fields"]
        plan = _Plan(
            sql=sql,
            params=tuple(params),
            key_index=positions[0],
            converters=compiler.get_converters([column for column, _, _ in columns]),
            model_fields=slice(fields[0], fields[-1] + 1),
            field_names=tuple(columns[i][0].target.attname for i in fields),
            annotations=tuple(compiler.annotation_col_map.items()),
        )
        self._plans[alias] = plan
        return plan
