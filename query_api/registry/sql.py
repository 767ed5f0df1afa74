"""Small SQL building blocks shared by the metric definitions; each works on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    Avg,
    CharField,
    Count,
    DateField,
    Expression,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields import Field
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim

from .types import Variation


def aggregate(
    queryset: QuerySet, function: str, expression="pk", *, output_field, distinct: bool = False
) -> Subquery:
    """One aggregate over a queryset correlated to the outer row, as a scalar subquery.

    ``SELECT COUNT(...) FROM ... WHERE <correlated filter>`` without a GROUP BY: exactly one row,
    so the outer query gets a number per record and never multiplies rows.
    """
    expression = F(expression) if isinstance(expression, str) else expression
    template = "%(function)s(DISTINCT %(expressions)s)" if distinct else "%(function)s(%(expressions)s)"
    value = Func(expression, function=function, template=template, output_field=output_field)
    return Subquery(
        queryset.order_by().annotate(_value=value).values("_value")[:1], output_field=output_field
    )


def count(queryset: QuerySet, expression="pk", *, distinct: bool = False) -> Expression:
    """How many rows of ``queryset`` (0, never null)."""
    return Coalesce(
        aggregate(queryset, "COUNT", expression, output_field=IntegerField(), distinct=distinct), 0
    )


def latest(queryset: QuerySet, expression: str, *, output_field) -> Expression:
    """The greatest value of ``expression`` (null when there are no rows)."""
    return aggregate(queryset, "MAX", expression, output_field=output_field)


def earliest(queryset: QuerySet, expression: str, *, output_field) -> Expression:
    return aggregate(queryset, "MIN", expression, output_field=output_field)


def average(queryset: QuerySet, expression: str) -> Expression:
    return aggregate(queryset, "AVG", Cast(expression, FloatField()), output_field=FloatField())


def percent(numerator: Expression, denominator: Expression) -> Expression:
    """``numerator / denominator * 100`` as a float; null when the denominator is 0 or null."""
    return ratio(numerator, denominator, scale=100.0)


def ratio(numerator: Expression, denominator: Expression, *, scale: float = 1.0) -> Expression:
    """A division that answers null, not an error, when the denominator is 0."""
    top = Cast(numerator, FloatField())
    if scale != 1.0:
        top = top * Value(scale, output_field=FloatField())
    return Func(
        top,
        NullIf(Cast(denominator, FloatField()), Value(0.0, output_field=FloatField())),
        template="(%(expressions)s)",
        arg_joiner=" / ",
        output_field=FloatField(),
    )


def in_window(variation: Variation, field: str) -> Q:
    """``field`` (a datetime) falls in the variation's window ``[starts_at, ends_at)``."""
    condition = Q()
    if variation.window.starts_at is not None:
        condition &= Q(**{f"{field}__gte": variation.window.starts_at})
    if variation.window.ends_at is not None:
        condition &= Q(**{f"{field}__lt": variation.window.ends_at})
    return condition


def in_date_window(variation: Variation, field: str) -> Q:
    """``field`` (a date) falls between the variation's first and last day, both included."""
    condition = Q()
    if variation.window.first_day is not None:
        condition &= Q(**{f"{field}__gte": variation.window.first_day})
    if variation.window.last_day is not None:
        condition &= Q(**{f"{field}__lte": variation.window.last_day})
    return condition


class DaysBetween(Func):
    """Whole days from the date ``earlier`` to the date ``later`` (both date expressions)."""

    output_field = IntegerField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="((%(expressions)s)::date)",
            arg_joiner=")::date - (",
            **extra_context,
        )


def date_value(day: dt.date) -> Value:
    return Value(day, output_field=DateField())


def person_name(prefix: str) -> Expression:
    """A related user's full name (first and last), else their username; null when there is none."""
    full = Trim(
        Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name"), output_field=CharField())
    )
    return Coalesce(NullIf(full, Value("")), F(f"{prefix}username"), output_field=CharField())


def blank_as_null(field: str) -> Expression:
    """A choice stored as "" when unknown, served as null so ``$exists: false`` finds it."""
    return NullIf(F(field), Value(""), output_field=CharField())


AGGREGATES = {"COUNT": Count, "SUM": Sum, "MAX": Max, "MIN": Min, "AVG": Avg}


@dataclass(frozen=True, eq=False)
class Tally:
    """An aggregate over the rows of one to-many relation of the object, e.g. its activities.

    The runner computes it either as a correlated subquery (cheap when only a page of rows needs it)
    or, when the filter or the sort needs it on every row, in one grouped pass over the related
    table shared by every tally of that relation (a CTE left-joined to the records), the way one
    would write it by hand. ``condition`` is on the related rows.
    """

    relation: str
    function: str
    field: str = "pk"
    condition: Q = Q()
    distinct: bool = False
    output_field: Field = IntegerField()
    # Read by one index probe per record even when the filter or sort needs every record (a latest
    # value on an index ending in the time column): cheaper than a grouped pass over the whole table.
    probe: bool = False

    def correlated(self, model: type[Model]) -> Expression:
        """``(SELECT COUNT(...) FROM related WHERE fk = outer.pk AND condition)``."""
        relation = model._meta.get_field(self.relation)
        rows = relation.related_model._base_manager.filter(**{relation.field.name: OuterRef("pk")}).filter(
            self.condition
        )
        value = Cast(self.field, FloatField()) if self.function == "AVG" else self.field
        output_field = FloatField() if self.function == "AVG" else self.output_field
        return aggregate(rows, self.function, value, output_field=output_field, distinct=self.distinct)

    def grouped(self) -> Expression:
        """``COUNT(x) FILTER (WHERE condition)``, for a query over the related rows grouped by record."""
        extra = {"distinct": True} if self.distinct else {}
        output_field = FloatField() if self.function == "AVG" else self.output_field
        return AGGREGATES[self.function](
            self.field, filter=self.condition or None, output_field=output_field, **extra
        )


@dataclass(frozen=True, eq=False)
class Computed:
    """A metric's SQL made of tallies: ``combine`` gets one expression per tally, in order."""

    tallies: tuple[Tally, ...]
    combine: Callable[..., Expression]

    def expression(self, model: type[Model], *, grouped: dict[Tally, Expression] | None = None) -> Expression:
        """One expression per record: each tally from ``grouped`` (columns of a grouped pass) when
        it is there, else as a correlated subquery."""
        grouped = grouped or {}
        return self.combine(*(grouped[t] if t in grouped else t.correlated(model) for t in self.tallies))


def tallied(tally: Tally, *, default=None) -> Computed:
    """A metric that is one tally; ``default`` replaces null (0 for counts and sums of no rows)."""
    if default is None:
        return Computed((tally,), lambda value: value)
    return Computed((tally,), lambda value: Coalesce(value, Value(default), output_field=tally.output_field))


def coalesced_in_window(variation: Variation, first: str, fallback: str, *, dates: bool = False) -> Q:
    """``COALESCE(first, fallback)`` in the window, written as plain lookups (so it can be prefixed)."""
    within = in_date_window if dates else in_window
    return (Q(**{f"{first}__isnull": False}) & within(variation, first)) | (
        Q(**{f"{first}__isnull": True}) & within(variation, fallback)
    )
