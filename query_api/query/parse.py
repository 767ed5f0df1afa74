"""Read a request body into a typed ``Query``, or report every problem in it with its JSON path.

Nothing is dropped or guessed: an unknown key, slug, variation or operator, a value of the wrong
type, or a malformed filter node is a problem named by path, with how to fix it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from query_api.registry import Catalog, DataType, Metric, QueryObject
from query_api.registry.types import KNOWN_PERIODS

from .errors import QueryInvalid, QueryProblem, did_you_mean, is_storable, json_path
from .types import DEFAULT_LIMIT, MAX_LIMIT, AllOf, AnyOf, Attribute, Condition, Node, Not, Query, SortKey

TOP_LEVEL_KEYS = ("object", "columns", "filter", "sort", "limit", "offset")
ATTRIBUTE_KEYS = ("slug", "variation_id")
MAX_COLUMNS = 100
MAX_SORT_KEYS = 10
MAX_FILTER_DEPTH = 16
MAX_FILTER_NODES = 500
MAX_LIST_VALUES = 1_000
MAX_STRING = 1_000
MAX_REGEX = 200
MAX_OFFSET = 1_000_000_000
MAX_NUMBER = 10**15
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Epoch numbers below this are refused as dates: in milliseconds they fall before March 1973, and a
# number of epoch seconds (1798761600 is 2027-01-01) would silently read as a day in January 1970.
SECONDS_BELOW = 10**11

OPERATORS_BY_TYPE: dict[DataType, tuple[str, ...]] = {
    DataType.STRING: ("$eq", "$ne", "$in", "$nin", "$regex", "$exists"),
    DataType.NUMBER: ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"),
    DataType.DATE: ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"),
    DataType.BOOLEAN: ("$eq", "$ne", "$exists"),
}
ALL_OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$regex", "$options", "$exists")
LOGICAL = ("$and", "$or", "$not")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_query(body: Any, *, catalog: Catalog) -> Query:
    """The typed query for ``body``; raises ``QueryInvalid`` listing every problem found."""
    return _Parser(catalog).parse(body)


class _Parser:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.problems: list[QueryProblem] = []
        self.query_object: QueryObject | None = None
        self.filter_nodes = 0

    def problem(self, path: str, code: str, message: str) -> None:
        self.problems.append(QueryProblem(path, code, message))

    # --- the body ------------------------------------------------------------------------
    def parse(self, body: Any) -> Query:
        if not isinstance(body, dict):
            self.problem(
                "",
                "invalid_body",
                f'The body must be a JSON object like {{"columns": [...]}}, not {_json_kind(body)}.',
            )
            raise QueryInvalid(self.problems)
        for key in body:
            if key not in TOP_LEVEL_KEYS:
                self.problem(
                    json_path(str(key)),
                    "unknown_key",
                    f'"{key}" is not part of a query; the keys are {", ".join(TOP_LEVEL_KEYS)}.{did_you_mean(key, TOP_LEVEL_KEYS)}',
                )
        self.query_object = self.read_object(body)
        columns = self.read_columns(body.get("columns"), present="columns" in body)
        node = self.read_node(body["filter"], "filter", depth=1) if body.get("filter") is not None else None
        sort = self.read_sort(body.get("sort"))
        limit = self.read_count(body, "limit", DEFAULT_LIMIT, maximum=MAX_LIMIT)
        offset = self.read_count(body, "offset", 0, maximum=MAX_OFFSET)
        if self.problems:
            raise QueryInvalid(self.problems)
        return Query(
            object=self.query_object,
            columns=tuple(columns),
            filter=node,
            sort=tuple(sort),
            limit=limit,
            offset=offset,
        )

    def read_object(self, body: dict) -> QueryObject | None:
        names = [obj.value for obj in QueryObject]
        if "object" in body:
            value = body["object"]
            if isinstance(value, str) and value in names:
                return QueryObject(value)
            self.problem(
                "object",
                "unknown_object",
                f'"object" must be one of "account", "opportunity" or "user", not {_show(value)}.{did_you_mean(value, names)}',
            )
            return None
        return self.infer_object(body)

    def infer_object(self, body: dict) -> QueryObject | None:
        """The reference's own examples omit "object": infer it when the slugs leave one choice."""
        serving: dict[str, list[QueryObject]] = {}
        for slug in _slugs_in(body):
            objects = self.catalog.objects_serving(slug)
            if objects:
                serving[slug] = objects
        if not serving:
            if _slugs_in(body):
                return None  # every slug is unknown: those problems are reported where they are
            self.problem("object", "object_required", 'Add "object": "account", "opportunity" or "user".')
            return None
        common = set(QueryObject)
        for objects in serving.values():
            common &= set(objects)
        if len(common) == 1:
            return common.pop()
        if common:
            choices = " or ".join(f'"{obj.value}"' for obj in QueryObject if obj in common)
            self.problem(
                "object",
                "object_required",
                f'These slugs exist on more than one object; add "object": {choices} to say which one you mean.',
            )
        else:
            where = "; ".join(
                f"{slug}: {', '.join(o.value for o in objects)}" for slug, objects in serving.items()
            )
            self.problem(
                "object",
                "object_required",
                f'No single object serves all these slugs ({where}); add "object" and use that object\'s slugs.',
            )
        return None

    # --- columns, attributes ---------------------------------------------------------------
    def read_columns(self, columns: Any, *, present: bool) -> list[Attribute]:
        if not present:
            self.problem("columns", "required", 'Add "columns": a list like [{"slug": "ootb_account_name"}].')
            return []
        if not isinstance(columns, list) or not columns:
            self.problem(
                "columns",
                "invalid_type",
                f'"columns" must be a non-empty list of {{"slug": ..., "variation_id": ...}} objects, not {_json_kind(columns)}.',
            )
            return []
        if len(columns) > MAX_COLUMNS:
            self.problem(
                "columns",
                "too_many",
                f"A query has at most {MAX_COLUMNS} columns; split it into several queries.",
            )
            return []
        resolved: list[Attribute] = []
        seen: dict[str, int] = {}
        for index, column in enumerate(columns):
            attribute = self.read_attribute(column, json_path("columns", index))
            if attribute is None:
                continue
            if attribute.id in seen:
                self.problem(
                    json_path("columns", index),
                    "duplicate_column",
                    f"{attribute.id} is already columns[{seen[attribute.id]}]; each column appears once.",
                )
                continue
            seen[attribute.id] = index
            resolved.append(attribute)
        return resolved

    def read_attribute(self, value: Any, path: str) -> Attribute | None:
        if not isinstance(value, dict):
            self.problem(
                path,
                "invalid_type",
                f'Expected an object like {{"slug": "ootb_emails_sent", "variation_id": "ootb_emails_sent_last_30_days"}}, not {_json_kind(value)}.',
            )
            return None
        ok = True
        for key in value:
            if key not in ATTRIBUTE_KEYS:
                self.problem(
                    json_path(path, str(key)),
                    "unknown_key",
                    f'"{key}" is not a key here; use "slug" and, optionally, "variation_id".{did_you_mean(key, ATTRIBUTE_KEYS)}',
                )
                ok = False
        slug = value.get("slug")
        if "slug" not in value:
            self.problem(json_path(path, "slug"), "required", 'Add "slug", e.g. "ootb_account_name".')
            return None
        if not isinstance(slug, str):
            self.problem(
                json_path(path, "slug"), "invalid_type", f'"slug" must be a string, not {_json_kind(slug)}.'
            )
            return None
        metric = self.find_metric(slug, json_path(path, "slug"))
        if metric is None:
            if self.query_object is None:
                self.check_without_object(slug, value.get("variation_id"), json_path(path, "variation_id"))
            return None
        period = self.read_variation(metric, value.get("variation_id"), json_path(path, "variation_id"))
        if period is None or not ok:
            return None
        return Attribute(metric, period)

    def find_metric(self, slug: str, path: str) -> Metric | None:
        if self.query_object is None:
            if not self.catalog.objects_serving(slug):
                self.problem(
                    path,
                    "unknown_slug",
                    f'"{_clip(slug)}" is not a metric slug.{did_you_mean(slug, self.catalog.slugs())} See GET /api/v3/metrics.',
                )
            return None
        return self.metric_on_object(slug, path)

    def check_without_object(self, slug: str, variation: Any, path: str) -> None:
        """Without an object the column is not resolved, but its variation can still be checked."""
        candidates = [self.catalog.metric(obj, slug) for obj in self.catalog.objects_serving(slug)]
        if not candidates or variation is None:
            return
        if any(
            isinstance(variation, str)
            and variation.removeprefix(f"{slug}_") in m.accepted_periods
            and variation.startswith(f"{slug}_")
            for m in candidates
        ):
            return
        self.read_variation(candidates[0], variation, path)

    def metric_on_object(self, slug: str, path: str) -> Metric | None:
        metric = self.catalog.metric(self.query_object, slug)
        if metric is None:
            elsewhere = self.catalog.objects_serving(slug)
            if elsewhere:
                where = " and ".join(obj.value for obj in elsewhere)
                message = f'"{slug}" is a metric of the {where} object, not of "{self.query_object.value}".'
            else:
                hint = did_you_mean(slug, self.catalog.slugs(self.query_object))
                message = f'"{_clip(slug)}" is not {_a(self.query_object.value)} metric.{hint} See GET /api/v3/metrics?object={self.query_object.value}.'
            self.problem(path, "unknown_slug", message)
            return None
        problem = self.catalog.problem(metric)
        if problem:
            self.problem(
                path,
                "metric_unavailable",
                f"{slug} cannot be computed: {problem} Ask an administrator to fix its formula.",
            )
            return None
        return metric

    def read_variation(self, metric: Metric, variation: Any, path: str) -> str | None:
        accepted = metric.accepted_periods
        if variation is None:
            return metric.default_period
        if not isinstance(variation, str):
            self.problem(
                path,
                "invalid_type",
                f'"variation_id" must be a string like "{metric.variation_id(accepted[-1])}", not {_json_kind(variation)}.',
            )
            return None
        prefix = f"{metric.slug}_"
        if variation.startswith(prefix) and variation[len(prefix) :] in accepted:
            return variation[len(prefix) :]
        if variation == metric.slug and not metric.has_variations:
            return "current"
        choices = ", ".join(metric.variation_ids)
        if variation in KNOWN_PERIODS or variation == metric.slug:
            if variation in accepted:
                fix = f'use the full slug + period: "{metric.variation_id(variation)}", not "{variation}"'
            elif variation == metric.slug:
                fix = f"add the period to the slug; the variations of {metric.slug} are: {choices}"
            else:
                fix = f'variation ids are the full slug + period, and {metric.slug} has no "{variation}" period; its variations are: {choices}'
            self.problem(path, "invalid_variation", f"{fix[0].upper()}{fix[1:]}.")
            return None
        if variation.startswith(prefix):
            hint = did_you_mean(variation, metric.variation_ids)
            self.problem(
                path,
                "unsupported_variation",
                f'{metric.slug} has no variation "{_clip(variation)}".{hint} Its variations are: {choices}.',
            )
            return None
        self.problem(
            path,
            "invalid_variation",
            f'A variation id starts with its column\'s slug ("{prefix}..."); {metric.slug} accepts: {choices}.',
        )
        return None

    # --- filter ------------------------------------------------------------------------------
    def read_node(self, node: Any, path: str, *, depth: int) -> Node | None:
        self.filter_nodes += 1
        if depth > MAX_FILTER_DEPTH:
            self.problem(path, "too_deep", f"Filters nest at most {MAX_FILTER_DEPTH} levels deep.")
            return None
        if self.filter_nodes > MAX_FILTER_NODES:
            if self.filter_nodes == MAX_FILTER_NODES + 1:
                self.problem(path, "too_many", f"A filter has at most {MAX_FILTER_NODES} nodes.")
            return None
        shape = 'a filter node is {"attribute": {...}, "clause": {...}}, {"$and": [...]}, {"$or": [...]} or {"$not": {...}}'
        if not isinstance(node, dict):
            self.problem(path, "malformed_node", f"Expected an object: {shape}; got {_json_kind(node)}.")
            return None
        logical = [key for key in node if key in LOGICAL]
        if logical:
            if len(node) != 1:
                self.problem(
                    path, "malformed_node", f"{logical[0]} must be the only key of its node ({shape})."
                )
                return None
            key = logical[0]
            return self.read_logical(key, node[key], json_path(path, key), depth)
        if set(node) != {"attribute", "clause"}:
            extra = [key for key in node if key not in ("attribute", "clause")]
            missing = [key for key in ("attribute", "clause") if key not in node]
            detail = []
            if missing:
                detail.append("missing " + " and ".join(f'"{key}"' for key in missing))
            for key in extra:
                detail.append(
                    f'"{_clip(str(key))}" is not a filter key{did_you_mean(key, ("attribute", "clause", *LOGICAL))}'
                )
            self.problem(path, "malformed_node", f"{'; '.join(detail)}: {shape}.")
            return None
        attribute = self.read_attribute(node["attribute"], json_path(path, "attribute"))
        return self.read_clause(attribute, node["clause"], json_path(path, "clause"))

    def read_logical(self, key: str, value: Any, path: str, depth: int) -> Node | None:
        if key == "$not":
            inner = self.read_node(value, path, depth=depth + 1)
            return Not(inner) if inner is not None else None
        if not isinstance(value, list) or not value:
            self.problem(
                path,
                "malformed_node",
                f"{key} takes a non-empty list of filter nodes, not {_json_kind(value)}.",
            )
            return None
        nodes = [
            self.read_node(item, json_path(path, index), depth=depth + 1) for index, item in enumerate(value)
        ]
        if any(node is None for node in nodes):
            return None
        return AllOf(tuple(nodes)) if key == "$and" else AnyOf(tuple(nodes))

    def read_clause(self, attribute: Attribute | None, clause: Any, path: str) -> Node | None:
        if not isinstance(clause, dict) or not clause:
            self.problem(
                path,
                "malformed_node",
                f'"clause" must be an object of operators like {{"$gte": 10, "$lte": 20}}, not {_json_kind(clause)}.',
            )
            return None
        conditions: list[Condition] = []
        for operator, value in clause.items():
            op_path = json_path(path, str(operator))
            if operator not in ALL_OPERATORS:
                self.problem(
                    op_path,
                    "unknown_operator",
                    f'"{_clip(str(operator))}" is not an operator.{did_you_mean(operator, ALL_OPERATORS) or " Operators start with $, e.g. $eq, $gte, $in."}',
                )
                continue
            if operator == "$options":
                if "$regex" not in clause:
                    self.problem(op_path, "invalid_operator", '"$options" only goes with "$regex".')
                elif value not in ("", "i"):
                    self.problem(
                        op_path,
                        "invalid_value",
                        f'"$options" is "i" (case-insensitive) or "", not {_show(value)}.',
                    )
                continue
            if attribute is None:
                continue
            allowed = OPERATORS_BY_TYPE[attribute.data_type]
            if operator not in allowed:
                self.problem(
                    op_path,
                    "operator_not_supported",
                    f"{operator} does not apply to {attribute.slug}, a {attribute.data_type.value}; use one of {', '.join(allowed)}.",
                )
                continue
            converted = self.read_value(attribute, operator, value, op_path)
            if converted is not _INVALID:
                insensitive = operator == "$regex" and clause.get("$options") == "i"
                conditions.append(Condition(attribute, operator, converted, insensitive, op_path))
        if (
            attribute is None
            or not conditions
            or len(conditions) != len([op for op in clause if op != "$options"])
        ):
            return None
        return conditions[0] if len(conditions) == 1 else AllOf(tuple(conditions))

    def read_value(self, attribute: Attribute, operator: str, value: Any, path: str) -> Any:
        data_type = attribute.data_type
        if operator == "$exists":
            if isinstance(value, bool):
                return value
            self.problem(path, "invalid_value", f"$exists takes true or false, not {_show(value)}.")
            return _INVALID
        if value is None:
            self.problem(
                path,
                "invalid_value",
                f'{operator} cannot compare with null; use {{"$exists": false}} to find missing values.',
            )
            return _INVALID
        if operator in ("$in", "$nin"):
            if not isinstance(value, list):
                self.problem(
                    path,
                    "invalid_value",
                    f"{operator} takes a list of {_plural(data_type)}, not {_json_kind(value)}.",
                )
                return _INVALID
            if len(value) > MAX_LIST_VALUES:
                self.problem(path, "too_many", f"{operator} takes at most {MAX_LIST_VALUES} values.")
                return _INVALID
            items = [
                self.read_scalar(data_type, item, json_path(path, index), operator)
                for index, item in enumerate(value)
            ]
            return _INVALID if any(item is _INVALID for item in items) else items
        if operator == "$regex":
            return self.read_regex(value, path)
        return self.read_scalar(data_type, value, path, operator)

    def read_scalar(self, data_type: DataType, value: Any, path: str, operator: str) -> Any:
        if data_type is DataType.STRING:
            if isinstance(value, str) and len(value) <= MAX_STRING and is_storable(value):
                return value
            if not isinstance(value, str):
                reason = f'a string in quotes, e.g. "Technology", not {_json_kind(value)}'
            elif len(value) > MAX_STRING:
                reason = f"at most {MAX_STRING} characters"
            else:
                reason = "text without NUL characters or unpaired surrogates"
            self.problem(path, "invalid_value", f"{operator} on a string takes {reason}.")
        elif data_type is DataType.NUMBER:
            if (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and math.isfinite(value)
                and abs(value) <= MAX_NUMBER
            ):
                return int(value) if isinstance(value, float) and value.is_integer() else value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.problem(
                    path,
                    "invalid_value",
                    f"{operator} takes a number between -{MAX_NUMBER:.0e} and {MAX_NUMBER:.0e}.",
                )
            else:
                self.problem(
                    path,
                    "invalid_value",
                    f"{operator} on a number takes a number without quotes, e.g. 42 or 1250.5, not {_json_kind(value)}.",
                )
        elif data_type is DataType.BOOLEAN:
            if isinstance(value, bool):
                return value
            self.problem(
                path,
                "invalid_value",
                f"{operator} on a boolean takes true or false (lowercase, no quotes), not {_show(value)}.",
            )
        elif data_type is DataType.DATE:
            if _looks_like_seconds(value):
                seconds_day = _as_date(int(value * 1000)) if math.isfinite(value) else None
                example = f" ({seconds_day.isoformat()} as seconds)" if seconds_day else ""
                self.problem(
                    path,
                    "invalid_value",
                    f"{operator} on a date takes epoch milliseconds, not seconds: {_show(value)}{example} "
                    f'is too small to be milliseconds. Multiply by 1000, or send "YYYY-MM-DD".',
                )
                return _INVALID
            day = _as_date(value)
            if day is not None:
                return day
            self.problem(
                path,
                "invalid_value",
                f'{operator} on a date takes "YYYY-MM-DD" (e.g. "2024-01-15") or whole epoch milliseconds, not {_show(value)}.',
            )
        return _INVALID

    def read_regex(self, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            self.problem(
                path,
                "invalid_value",
                f'$regex takes a pattern string, e.g. "^Acme", not {_json_kind(value)}.',
            )
            return _INVALID
        if len(value) > MAX_REGEX or not is_storable(value):
            self.problem(
                path,
                "invalid_value",
                f"$regex patterns are at most {MAX_REGEX} characters, without NUL characters or unpaired surrogates.",
            )
            return _INVALID
        try:
            re.compile(value)
        except (re.error, RecursionError, OverflowError) as error:
            self.problem(
                path, "invalid_regex", f"{_clip(value)!r} is not a valid regular expression: {error}."
            )
            return _INVALID
        return value

    # --- sort, paging ------------------------------------------------------------------------
    def read_sort(self, sort: Any) -> list[SortKey]:
        if sort is None:
            return []
        if not isinstance(sort, list):
            self.problem(
                "sort",
                "invalid_type",
                f'"sort" must be a list like [{{"attribute": {{"slug": "..."}}, "direction": "desc"}}], not {_json_kind(sort)}.',
            )
            return []
        if len(sort) > MAX_SORT_KEYS:
            self.problem("sort", "too_many", f"Sort by at most {MAX_SORT_KEYS} attributes.")
            return []
        keys: list[SortKey] = []
        for index, item in enumerate(sort):
            path = json_path("sort", index)
            if not isinstance(item, dict):
                self.problem(
                    path,
                    "invalid_type",
                    f'Each sort key is {{"attribute": {{"slug": ...}}, "direction": "asc" or "desc"}}, not {_json_kind(item)}.',
                )
                continue
            for key in item:
                if key not in ("attribute", "direction"):
                    self.problem(
                        json_path(path, str(key)),
                        "unknown_key",
                        f'"{_clip(str(key))}" is not a sort key field; use "attribute" and "direction".{did_you_mean(key, ("attribute", "direction"))}',
                    )
            if "attribute" not in item:
                self.problem(json_path(path, "attribute"), "required", 'Add "attribute": {"slug": ...}.')
                continue
            attribute = self.read_attribute(item["attribute"], json_path(path, "attribute"))
            direction = item.get("direction", "asc")
            if direction not in ("asc", "desc"):
                self.problem(
                    json_path(path, "direction"),
                    "invalid_value",
                    f'"direction" is "asc" or "desc", not {_show(direction)}.',
                )
                continue
            if attribute is not None:
                keys.append(SortKey(attribute, descending=direction == "desc"))
        return keys

    def read_count(self, body: dict, key: str, default: int, *, maximum: int) -> int:
        if key not in body or body[key] is None:
            return default
        value = body[key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
            self.problem(
                key,
                f"invalid_{key}",
                f'"{key}" must be a whole number from 0 to {maximum:,} (default {default}), not {_show(value)}.',
            )
            return default
        return value


class _Invalid:
    pass


_INVALID = _Invalid()


def _slugs_in(body: dict) -> list[str]:
    """Every slug the body names (columns, filter attributes, sort keys), for inferring the object."""
    slugs: list[str] = []

    def attribute(value: Any) -> None:
        if isinstance(value, dict) and isinstance(value.get("slug"), str):
            slugs.append(value["slug"])

    columns = body.get("columns")
    if isinstance(columns, list):
        for column in columns:
            attribute(column)
    sort = body.get("sort")
    if isinstance(sort, list):
        for key in sort:
            if isinstance(key, dict):
                attribute(key.get("attribute"))
    stack, seen = [body.get("filter")], 0
    while stack and seen < MAX_FILTER_NODES:
        node, seen = stack.pop(), seen + 1
        if isinstance(node, dict):
            attribute(node.get("attribute"))
            for key in ("$and", "$or"):
                if isinstance(node.get(key), list):
                    stack.extend(node[key])
            stack.append(node.get("$not"))
    return slugs


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return (EPOCH + dt.timedelta(milliseconds=value)).date()
        except (OverflowError, ValueError):
            return None
    return None


def _looks_like_seconds(value: Any) -> bool:
    """An epoch number too small to be milliseconds of a date after March 1973: most likely seconds."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < abs(value) < SECONDS_BELOW


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "an object" if value else "an empty object"
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{_clip(value)}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return _clip(repr(value))
    return _json_kind(value)


def _clip(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _plural(data_type: DataType) -> str:
    return {
        DataType.STRING: "strings",
        DataType.NUMBER: "numbers",
        DataType.DATE: "dates",
        DataType.BOOLEAN: "booleans",
    }[data_type]
