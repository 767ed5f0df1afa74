"""Compile a typed filter into SQL conditions on the annotated columns.

Every condition is two-valued: a comparison with a missing value is false (never SQL's unknown),
so ``$not`` is the exact complement of what it wraps. ``$ne`` and ``$nin`` match missing values,
as in MongoDB whose operators these are; ``$exists: false`` finds only missing values.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, CharField, DateField, F, FloatField, IntegerField, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IRegex,
    IsNull,
    LessThan,
    LessThanOrEqual,
    Lookup,
    Regex,
)

from query_api.registry import DataType

from .types import AllOf, AnyOf, Attribute, Condition, Node, Not

COMPARISONS: dict[str, type[Lookup]] = {
    "$eq": Exact,
    "$gt": GreaterThan,
    "$gte": GreaterThanOrEqual,
    "$lt": LessThan,
    "$lte": LessThanOrEqual,
}
# Plain conditions that are always true / false. An empty ``Q()`` would vanish inside $not and
# $or (``~Q()`` and ``Q() | x`` drop it), turning "exclude nothing" into "exclude everything".
EVERYTHING = Q(pk__isnull=False)
NOTHING = Q(pk__isnull=True)


def compile_filter(node: Node, aliases: dict[Attribute, str]) -> Q:
    """The ``Q`` for a filter tree; ``aliases`` names the annotation of each attribute."""
    if isinstance(node, AllOf):
        combined = Q()
        for child in node.nodes:
            combined &= compile_filter(child, aliases)
        return combined
    if isinstance(node, AnyOf):
        combined = Q()
        for index, child in enumerate(node.nodes):
            combined = (
                compile_filter(child, aliases) if index == 0 else combined | compile_filter(child, aliases)
            )
        return combined
    if isinstance(node, Not):
        return ~compile_filter(node.node, aliases)
    return _condition(node, F(aliases[node.attribute]))


def _condition(condition: Condition, column: F) -> Q:
    operator, value = condition.operator, condition.value
    data_type = condition.attribute.data_type
    if operator == "$exists":
        return Q(IsNull(column, not value))
    if operator == "$ne":
        return ~_known(Exact(column, literal(value, data_type)))
    if operator == "$in":
        return _known(In(column, [literal(item, data_type) for item in value])) if value else NOTHING
    if operator == "$nin":
        return ~_known(In(column, [literal(item, data_type) for item in value])) if value else EVERYTHING
    if operator == "$regex":
        matches = IRegex if condition.case_insensitive else Regex
        return _known(matches(column, Value(value, output_field=CharField())))
    return _known(COMPARISONS[operator](column, literal(value, data_type)))


def _known(lookup: Lookup) -> Q:
    """The lookup, false (not unknown) when the column is null."""
    return Q(Coalesce(lookup, Value(False), output_field=BooleanField()))


def literal(value: Any, data_type: DataType) -> Value:
    """A value typed as itself, so a float is never truncated to an integer column's type."""
    if data_type is DataType.NUMBER:
        return Value(value, output_field=FloatField() if isinstance(value, float) else IntegerField())
    if data_type is DataType.DATE:
        return Value(value, output_field=DateField())
    if data_type is DataType.BOOLEAN:
        return Value(value, output_field=BooleanField())
    return Value(value, output_field=CharField())
