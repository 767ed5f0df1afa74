"""The typed query a runner receives and the typed result it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from query_api.registry import DataType, Metric, QueryObject

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000


@dataclass(frozen=True)
class Attribute:
    """A metric in one of its variations: a column, a filter attribute or a sort key."""

    metric: Metric
    period: str

    @property
    def id(self) -> str:
        return self.metric.column_id(self.period)

    @property
    def slug(self) -> str:
        return self.metric.slug

    @property
    def variation_id(self) -> str | None:
        return self.metric.variation_id(self.period) if self.metric.has_variations else None

    @property
    def label(self) -> str:
        return self.metric.column_label(self.period)

    @property
    def data_type(self) -> DataType:
        return self.metric.data_type


@dataclass(frozen=True)
class Condition:
    """A leaf of the filter: ``attribute <operator> value``."""

    attribute: Attribute
    operator: str
    value: Any
    case_insensitive: bool = False
    path: str = ""


@dataclass(frozen=True)
class AllOf:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    node: Node


Node = Condition | AllOf | AnyOf | Not


@dataclass(frozen=True)
class SortKey:
    attribute: Attribute
    descending: bool = False


@dataclass(frozen=True)
class Query:
    """A validated query: every slug resolved, every value of the right type."""

    object: QueryObject
    columns: tuple[Attribute, ...]
    filter: Node | None = None
    sort: tuple[SortKey, ...] = ()
    limit: int = DEFAULT_LIMIT
    offset: int = 0


@dataclass
class QueryResult:
    """Rows keyed by column id, with the total number of matching records."""

    columns: list[Attribute]
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "columns": [
                {
                    "id": column.id,
                    "slug": column.slug,
                    "variation": column.variation_id,
                    "label": column.label,
                    "type": column.data_type.value,
                }
                for column in self.columns
            ],
            "rows": self.rows,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
        }
