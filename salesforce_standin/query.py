"""Binding a parsed SOQL query to the schema and running it over the store's records.

Binding resolves every field path (`Account.Owner.Email`) through lookup fields, checks
filter values against field types, and raises the errors Salesforce raises:
INVALID_TYPE for an unknown object, INVALID_FIELD for an unknown column or a filter value
of the wrong type. Running filters, sorts, offsets and limits, then renders each row with
its `attributes` and nested parent records.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from . import ids, soql
from .errors import ApiError, invalid_field, invalid_type, malformed_query
from .schema import Field, SObject
from .values import NUMBER_TYPES, STRING_TYPES, to_json

MAX_OFFSET = 2000
Record = dict[str, Any]


class RecordSource(Protocol):
    """What the query engine needs from the store."""

    schema: dict[str, SObject]

    def rows(self, object_name: str, include_deleted: bool) -> Iterable[Record]: ...

    def lookup(self, record_id: str) -> tuple[str, Record] | None: ...


@dataclass(frozen=True)
class BoundPath:
    """A field path resolved against the schema."""

    text: str
    hops: tuple[Field, ...]  # the lookup fields walked, in order
    field: Field  # the final field (from the first target that has it, when polymorphic)

    @property
    def output_keys(self) -> tuple[str, ...]:
        return tuple(hop.relationship_name for hop in self.hops) + (self.field.name,)


@dataclass
class QueryResult:
    total_size: int
    records: list[Record]


def find_object(schema: dict[str, SObject], name: str) -> SObject | None:
    """The sObject type called `name`, ignoring case (SOQL and URLs are case-insensitive), or None."""
    for obj in schema.values():
        if obj.name.lower() == name.lower():
            return obj
    return None


def _bad_column(obj: SObject, name: str) -> ApiError:
    return invalid_field(
        f"No such column '{name}' on entity '{obj.name}'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name. Please reference your "
        "WSDL or the describe call for the appropriate names."
    )


def _bad_relationship(name: str) -> ApiError:
    return invalid_field(
        f"Didn't understand relationship '{name}' in field path. If you are attempting to use a "
        "custom relationship, be sure to append the '__r' after the custom relationship name. "
        "Please reference your WSDL or the describe call for the appropriate names."
    )


def bind_path(schema: dict[str, SObject], obj: SObject, path: soql.Path) -> BoundPath:
    """Resolve a path such as `Account.Owner.Email` on `obj` (INVALID_FIELD if it does not exist)."""
    parts = list(path.parts)
    # `SELECT Contact.Name FROM Contact` is legal: a leading object name is dropped.
    if len(parts) > 1 and parts[0].lower() == obj.name.lower() and obj.relationship(parts[0]) is None:
        parts = parts[1:]
    targets = [obj]
    hops: list[Field] = []
    for part in parts[:-1]:
        if len(targets) > 1:
            raise _bad_relationship(part)  # no traversal beyond a polymorphic lookup
        hop = targets[0].relationship(part)
        if hop is None:
            raise _bad_relationship(part)
        hops.append(hop)
        targets = [schema[name] for name in hop.reference_to]
    final = parts[-1]
    for target in targets:
        found = target.field(final)
        if found is not None:
            return BoundPath(path.text, tuple(hops), found)
    raise _bad_column(targets[0], final)


def resolve(source: RecordSource, record: Record, bound: BoundPath) -> Any:
    """The value of a bound path for one record (None when a lookup on the way is empty)."""
    current: Record | None = record
    object_name = ""
    for hop in bound.hops:
        target_id = current.get(hop.name) if current else None
        found = source.lookup(target_id) if target_id else None
        if found is None:
            return None
        object_name, current = found
    if current is None:
        return None
    if bound.hops and bound.hops[-1].polymorphic:
        field = source.schema[object_name].field(bound.field.name)
        return current.get(field.name) if field else None
    return current.get(bound.field.name)


# -- filters -----------------------------------------------------------------------------

_TYPE_WORDS = {"date": "date", "datetime": "dateTime", "boolean": "boolean"}


def _filter_value(bound: BoundPath, literal: soql.Literal) -> Any:
    """Check a literal against the field's type and return it in the stored representation."""
    field = bound.field
    if literal.kind == "null":
        return None
    expected = "string"
    if field.type in NUMBER_TYPES:
        expected = "number"
    elif field.type in ("date", "datetime", "boolean"):
        expected = field.type
    if literal.kind != expected:
        if expected == "string":
            raise invalid_field(
                f"value of filter criterion for field '{field.name}' must be of type string "
                "and should be enclosed in quotes"
            )
        word = _TYPE_WORDS.get(expected, "double")
        raise invalid_field(
            f"value of filter criterion for field '{field.name}' must be of type {word} "
            "and should not be enclosed in quotes"
        )
    if expected == "string":
        text = literal.value.value
        if field.type in ("id", "reference"):
            if text == "":
                return None
            if not ids.is_well_formed(text):
                raise ApiError(400, "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {text}")
            return ids.to_18(text)
        return text
    return literal.value


def _like_regex(raw: str) -> re.Pattern[str]:
    pattern = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw):
            escaped = raw[index + 1]
            pattern.append(
                re.escape({"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}.get(escaped, escaped))
            )
            index += 2
            continue
        pattern.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        index += 1
    return re.compile("".join(pattern), re.IGNORECASE | re.DOTALL)


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


Predicate = Callable[[Record], bool]


def bind_condition(source: RecordSource, obj: SObject, node: soql.Condition) -> Predicate:
    """Compile a WHERE tree into a predicate over records of `obj`."""
    if isinstance(node, soql.BoolOp):
        parts = [bind_condition(source, obj, operand) for operand in node.operands]
        if node.op == "AND":
            return lambda record: all(part(record) for part in parts)
        return lambda record: any(part(record) for part in parts)
    if isinstance(node, soql.Not):
        inner = bind_condition(source, obj, node.operand)
        return lambda record: not inner(record)
    return _bind_comparison(source, obj, node)


def _bind_comparison(source: RecordSource, obj: SObject, node: soql.Comparison) -> Predicate:
    bound = bind_path(source.schema, obj, node.path)
    field = bound.field
    if field.type == "textarea" and field.length > 255:
        raise invalid_field(f"field '{field.name}' can not be filtered in a query call")

    def value_of(record: Record) -> Any:
        return _fold(resolve(source, record, bound))

    if node.op == "LIKE":
        if field.type not in STRING_TYPES:
            raise invalid_field(f"invalid operator on field '{field.name}': LIKE works on text fields only")
        regex = _like_regex(node.value.value.raw)
        return lambda record: (v := resolve(source, record, bound)) is not None and bool(
            regex.fullmatch(str(v))
        )
    if node.op in ("IN", "NOT IN"):
        wanted = {_fold(_filter_value(bound, literal)) for literal in node.value}
        if node.op == "IN":
            return lambda record: value_of(record) in wanted
        return lambda record: value_of(record) not in wanted
    expected = _fold(_filter_value(bound, node.value))
    op = "!=" if node.op == "<>" else node.op
    if op in ("=", "!="):
        if op == "=":
            return lambda record: value_of(record) == expected
        return lambda record: value_of(record) != expected
    if expected is None:
        raise malformed_query(f"invalid operator {node.op} with null for field '{field.name}'")
    if field.type == "boolean":
        raise invalid_field(f"invalid operator {node.op} on boolean field '{field.name}'")
    compare = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }[op]
    return lambda record: (v := value_of(record)) is not None and compare(v, expected)


# -- ordering ----------------------------------------------------------------------------


def _sorter(
    source: RecordSource, obj: SObject, items: tuple[soql.OrderItem, ...]
) -> Callable[[list[Record]], None]:
    bound = []
    for item in items:
        path = bind_path(source.schema, obj, item.path)
        if path.field.type == "textarea" and path.field.length > 255:
            raise invalid_field(f"field '{path.field.name}' can not be sorted in a query call")
        bound.append((path, item))

    def compare(left: Record, right: Record) -> int:
        for path, item in bound:
            a = _fold(resolve(source, left, path))
            b = _fold(resolve(source, right, path))
            if a == b:
                continue
            if a is None or b is None:
                null_first = not item.nulls_last
                return (-1 if null_first else 1) if a is None else (1 if null_first else -1)
            result = -1 if a < b else 1
            return -result if item.descending else result
        return 0

    return lambda records: records.sort(key=functools.cmp_to_key(compare))


# -- rendering ---------------------------------------------------------------------------


def attributes(version: str, object_name: str, record_id: str) -> dict[str, str]:
    """The `attributes` block every returned record carries."""
    return {"type": object_name, "url": f"/services/data/v{version}/sobjects/{object_name}/{record_id}"}


def _render(
    source: RecordSource, version: str, object_name: str, record: Record, paths: list[BoundPath]
) -> Record:
    row: Record = {"attributes": attributes(version, object_name, record["Id"])}
    for bound in paths:
        _place(source, version, row, object_name, record, bound, 0)
    return row


def _place(
    source: RecordSource,
    version: str,
    row: Record,
    object_name: str,
    record: Record,
    bound: BoundPath,
    depth: int,
) -> None:
    if depth == len(bound.hops):
        field = source.schema[object_name].field(bound.field.name)
        row[bound.field.name] = to_json(field.type, record.get(field.name)) if field else None
        return
    hop = bound.hops[depth]
    key = hop.relationship_name
    target_id = record.get(hop.name)
    found = source.lookup(target_id) if target_id else None
    if found is None:
        row.setdefault(key, None)
        return
    target_name, target = found
    child = row.get(key)
    if not isinstance(child, dict):
        child = {"attributes": attributes(version, target_name, target["Id"])}
        row[key] = child
    _place(source, version, child, target_name, target, bound, depth + 1)


def run(source: RecordSource, text: str, *, include_deleted: bool, version: str) -> QueryResult:
    """Parse, bind and run one SOQL query; rows come back fully rendered."""
    parsed = soql.parse(text)
    obj = find_object(source.schema, parsed.object_name)
    if obj is None:
        raise invalid_type(parsed.object_name)
    paths = [bind_path(source.schema, obj, path) for path in parsed.fields]
    seen: set[tuple[str, ...]] = set()
    for bound in paths:
        key = tuple(k.lower() for k in bound.output_keys)
        if key in seen:
            raise malformed_query(f"duplicate field selected: {bound.text}")
        seen.add(key)
    predicate = bind_condition(source, obj, parsed.where) if parsed.where is not None else None
    sort = _sorter(source, obj, parsed.order_by) if parsed.order_by else None
    if parsed.offset is not None and parsed.offset > MAX_OFFSET:
        raise ApiError(400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}")
    if parsed.count and parsed.order_by:
        raise malformed_query("ORDER BY is not allowed with COUNT()")

    matched = [r for r in source.rows(obj.name, include_deleted) if predicate is None or predicate(r)]
    if sort:
        sort(matched)
    if parsed.offset:
        matched = matched[parsed.offset :]
    if parsed.limit is not None:
        matched = matched[: parsed.limit]
    if parsed.count:
        return QueryResult(len(matched), [])
    return QueryResult(len(matched), [_render(source, version, obj.name, r, paths) for r in matched])


__all__ = [
    "BoundPath",
    "QueryResult",
    "RecordSource",
    "attributes",
    "bind_path",
    "find_object",
    "resolve",
    "run",
]
