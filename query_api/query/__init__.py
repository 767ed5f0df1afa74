"""The query language: parse a body into a typed ``Query``, run it with the object's runner."""

from .errors import QueryInvalid, QueryProblem
from .parse import parse_query
from .runners import get_query_runner
from .types import DEFAULT_LIMIT, MAX_LIMIT, Attribute, Query, QueryResult

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Attribute",
    "Query",
    "QueryInvalid",
    "QueryProblem",
    "QueryResult",
    "get_query_runner",
    "parse_query",
]
