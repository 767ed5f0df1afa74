"""The query language: parse a body into a typed ``Query``, run it with the object's runner."""

from .body import read_json_body
from .errors import QueryInvalid, QueryProblem, QueryTimeout
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
    "QueryTimeout",
    "get_query_runner",
    "parse_query",
    "read_json_body",
]
