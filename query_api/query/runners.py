"""Query runners: one per object, chosen from a registry (``get_query_runner(object)``).

A runner takes a typed ``Query`` and returns a typed ``QueryResult``. Every column, filter and sort
attribute is an SQL annotation on the object's queryset; the filter and the sort run in SQL on
those annotations, the total is a count of the filtered queryset, and only one page of rows is read.
"""

from __future__ import annotations

import abc
import datetime as dt
import operator
import time
from decimal import Decimal
from functools import reduce
from typing import Any, ClassVar

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, QuerySet, Value, Window
from django.db.models.functions import Coalesce
from django.db.models.sql.constants import LOUTER
from django_cte import CTE, with_cte

from backstory import clock
from query_api import selectors
from query_api.registry import Computed, DataType, QueryContext, QueryObject
from query_api.registry.sql import Tally

from .compile import compile_filter
from .errors import QueryInvalid, QueryProblem, QueryTimeout
from .limits import statement_time_limit, take_slow_pattern
from .types import AllOf, AnyOf, Attribute, Condition, Node, Not, Query, QueryResult, SortKey


def current_context() -> QueryContext:
    """What "today" and "now" are for this query (``backstory.clock``, frozen in tests)."""
    return QueryContext(today=clock.today(), now=clock.now())


class QueryRunner(abc.ABC):
    """Runs queries about one object."""

    query_object: ClassVar[QueryObject]

    def __init__(self, *, context: QueryContext | None = None):
        self.context = context or current_context()

    @abc.abstractmethod
    def records(self) -> QuerySet:
        """Every record of the object the query may see."""

    def run(self, query: Query) -> QueryResult:
        """The page of rows the query asks for, and how many records match in all.

        Runs under the statement time limit: past it, raises ``QueryTimeout`` naming the slowest
        column when one stands out; a ``$regex`` too slow on one value is a ``QueryInvalid``.
        """
        limit = None
        try:
            with statement_time_limit() as limit:
                return self._run(query)
        except DatabaseError as error:
            slow_pattern = take_slow_pattern()
            if slow_pattern is not None:
                raise QueryInvalid(_slow_regex_problems(query.filter, slow_pattern)) from error
            if limit is None or not (limit.expired or _was_cancelled(error)):
                raise
            raise QueryTimeout([self._timeout_problem(query, limit.seconds)]) from error

    def _timeout_problem(self, query: Query, seconds: float) -> QueryProblem:
        message = (
            f"The query ran past the {seconds:g} s limit and was stopped. Ask for fewer records "
            "(a filter) or fewer costly columns, or split the query."
        )
        slowest = self._slowest_attribute(query, budget=min(2.0, seconds / 2))
        if slowest is None:
            return QueryProblem("", "query_timeout", message)
        path, attribute = slowest
        return QueryProblem(
            path, "query_timeout", f"{message} The slowest column is {attribute.id} ({path})."
        )

    def _slowest_attribute(self, query: Query, *, budget: float) -> tuple[str, Attribute] | None:
        """Time each column the filter or sort computes over every record (else each column) alone,
        sorted over all records, within ``budget`` seconds; the one that stands out, with its path."""
        paths = {}
        for index, column in enumerate(query.columns):
            paths.setdefault(column, f"columns[{index}]")
        for condition in _conditions(query.filter):
            paths.setdefault(condition.attribute, condition.path.rsplit(".clause", 1)[0] + ".attribute")
        for index, key in enumerate(query.sort):
            paths.setdefault(key.attribute, f"sort[{index}].attribute")
        hot = list(
            dict.fromkeys(
                [c.attribute for c in _conditions(query.filter)] + [k.attribute for k in query.sort]
            )
        )
        candidates = hot or list(query.columns)
        each = budget / len(candidates)
        timings = []
        for attribute in candidates:
            probe = Query(
                object=query.object,
                columns=(attribute,),
                filter=None,
                sort=(SortKey(attribute, descending=True),),
                limit=1,
                offset=0,
            )
            started = time.monotonic()
            try:
                with statement_time_limit(each):
                    self._run(probe)
            except DatabaseError:
                take_slow_pattern()
            timings.append((time.monotonic() - started, attribute))
        took, attribute = max(timings, key=lambda timing: timing[0])
        if len(candidates) > 1 and took < each / 2:
            return None  # no column is slow on its own
        return paths[attribute], attribute

    def _run(self, query: Query) -> QueryResult:
        _check_patterns_with_database(query.filter)
        attributes = _attributes_of(query)
        aliases = {attribute: f"q{index}" for index, attribute in enumerate(attributes)}
        built = {
            attribute: attribute.metric.build(
                attribute.metric.resolve(attribute.period, today=self.context.today), self.context
            )
            for attribute in attributes
        }
        hot = {
            *(condition.attribute for condition in _conditions(query.filter)),
            *(key.attribute for key in query.sort),
        }
        records, grouped = _with_grouped_passes(self.records(), built, hot)
        annotated = records.annotate(
            **{
                aliases[attribute]: value.expression(records.model, grouped=grouped)
                if isinstance(value, Computed)
                else value
                for attribute, value in built.items()
            }
        )
        if query.filter is not None:
            annotated = annotated.filter(compile_filter(query.filter, aliases))
        ordering = [
            F(aliases[key.attribute]).desc(nulls_last=True)
            if key.descending
            else F(aliases[key.attribute]).asc(nulls_last=True)
            for key in query.sort
        ]
        # One pass answers the page and the total (COUNT(*) OVER ()); a page past the end counts apart.
        page = (
            annotated.annotate(_total=Window(Count("pk")))
            .order_by(*ordering, "pk")
            .values_list(*(aliases[column] for column in query.columns), "_total")
        )
        fetched = list(page[query.offset : query.offset + query.limit]) if query.limit else []
        if fetched:
            total = fetched[0][-1]
        elif query.offset == 0 and query.limit:
            total = 0
        else:
            total = annotated.count()
        keys = [(column.id, column.data_type) for column in query.columns]
        rows = [
            {
                key: to_json(value, data_type)
                for (key, data_type), value in zip(keys, values[:-1], strict=True)  # the last value is _total
            }
            for values in fetched
        ]
        return QueryResult(
            columns=list(query.columns), rows=rows, total=total, limit=query.limit, offset=query.offset
        )


RUNNERS: dict[QueryObject, type[QueryRunner]] = {}


def register(runner: type[QueryRunner]) -> type[QueryRunner]:
    RUNNERS[runner.query_object] = runner
    return runner


def get_query_runner(query_object: QueryObject, *, context: QueryContext | None = None) -> QueryRunner:
    """The runner for ``query_object``."""
    return RUNNERS[query_object](context=context)


@register
class AccountQueryRunner(QueryRunner):
    query_object = QueryObject.ACCOUNT

    def records(self) -> QuerySet:
        return selectors.accounts_for_query()


@register
class OpportunityQueryRunner(QueryRunner):
    query_object = QueryObject.OPPORTUNITY

    def records(self) -> QuerySet:
        return selectors.opportunities_for_query()


@register
class UserQueryRunner(QueryRunner):
    query_object = QueryObject.USER

    def records(self) -> QuerySet:
        return selectors.users_for_query()


def to_json(value: Any, data_type: DataType) -> Any:
    """A database value as JSON: numbers stay numbers (whole ones as integers), dates as YYYY-MM-DD."""
    if value is None:
        return None
    if data_type is DataType.NUMBER:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if data_type is DataType.DATE and isinstance(value, (dt.date, dt.datetime)):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    if data_type is DataType.BOOLEAN:
        return bool(value)
    return value


def _with_grouped_passes(records: QuerySet, built: dict[Attribute, Any], hot: set[Attribute]):
    """Left-join one grouped pass (a CTE) per relation whose tallies the filter or sort needs.

    Those tallies are needed on every record: one pass over the related table, grouped by record,
    beats one correlated probe per record. Every other tally of the same relation rides along,
    except compact ones (rollup windows): those are summed for the page's rows only.
    Returns the joined records and each tally's column in its pass.
    """
    needed = {
        tally
        for attribute in hot
        if isinstance(built[attribute], Computed)
        for tally in built[attribute].tallies
        if not tally.probe
    }
    relations = {tally.relation for tally in needed}
    grouped: dict[Tally, Any] = {}
    ctes = []
    for relation in sorted(relations):
        tallies = list(
            dict.fromkeys(
                t
                for value in built.values()
                if isinstance(value, Computed)
                for t in value.tallies
                if t.relation == relation and not t.probe and (t in needed or not t.compact)
            )
        )
        link = records.model._meta.get_field(relation)
        key = link.field.attname
        rows = link.related_model._base_manager.filter(**{f"{key}__isnull": False})
        if all(tally.condition for tally in tallies):
            # Read only the rows some tally counts (e.g. this year's rollups), not the whole table.
            rows = rows.filter(reduce(operator.or_, (tally.condition for tally in tallies)))
        rows = rows.values(key)
        cte = CTE(
            rows.annotate(**{f"t{index}": tally.grouped() for index, tally in enumerate(tallies)}),
            name=f"query_{relation}",
        )
        records = cte.join(records, pk=getattr(cte.col, key), _join_type=LOUTER)
        for index, tally in enumerate(tallies):
            column = getattr(cte.col, f"t{index}")
            # No related row means no group: a count of none is 0, as the subquery would say.
            grouped[tally] = (
                Coalesce(column, Value(0), output_field=tally.output_field)
                if tally.function == "COUNT"
                else column
            )
        ctes.append(cte)
    return (with_cte(*ctes, select=records) if ctes else records), grouped


def _attributes_of(query: Query) -> list[Attribute]:
    ordered = list(query.columns)
    ordered += [condition.attribute for condition in _conditions(query.filter)]
    ordered += [key.attribute for key in query.sort]
    return list(dict.fromkeys(ordered))


def _conditions(node: Node | None) -> list[Condition]:
    if node is None:
        return []
    if isinstance(node, (AllOf, AnyOf)):
        return [condition for child in node.nodes for condition in _conditions(child)]
    if isinstance(node, Not):
        return _conditions(node.node)
    return [node]


def _check_patterns_with_database(node: Node | None) -> None:
    """PostgreSQL's regular expressions are not Python's: let the database itself judge each pattern,
    so a pattern it rejects is a 400 naming the clause, not an error in the middle of the query."""
    if connection.vendor != "postgresql":
        return
    problems = []
    for condition in _conditions(node):
        if condition.operator != "$regex":
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT '' ~ %s", [condition.value])
        except DatabaseError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "rejected by the database"
            problems.append(
                QueryProblem(
                    condition.path, "invalid_regex", f"The database cannot use this pattern: {reason}."
                )
            )
    if problems:
        raise QueryInvalid(problems)


def _was_cancelled(error: DatabaseError) -> bool:
    """PostgreSQL cancelled the statement (its statement_timeout)."""
    return type(error.__cause__).__name__ == "QueryCanceled"


def _slow_regex_problems(node: Node | None, pattern: str) -> list[QueryProblem]:
    problems = [
        QueryProblem(
            condition.path,
            "invalid_regex",
            "This pattern takes too long to match (it backtracks, e.g. a repeated group like "
            "(a+)+); write it without nested repetition.",
        )
        for condition in _conditions(node)
        if condition.operator == "$regex" and pattern in (condition.value, f"(?i){condition.value}")
    ]
    return problems or [QueryProblem("", "invalid_regex", "A $regex pattern takes too long to match.")]
