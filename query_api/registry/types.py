"""What a metric is: its slug, object, type, the variations it accepts, and how SQL computes it."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Expression

from query_api.timeframes import ALL_TIME_PERIODS, CALENDAR_PERIODS, USER_CADENCES, Window, window_for


class QueryObject(str, enum.Enum):
    """The three objects the Query API answers about."""

    ACCOUNT = "account"
    OPPORTUNITY = "opportunity"
    USER = "user"


class DataType(str, enum.Enum):
    """The reference's data types. Array is not a column type: it is the value of ``$in``/``$nin``."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"


# Reference, "Common Variation IDs": which objects each common variation applies to.
COMMON_VARIATIONS: dict[str, frozenset[QueryObject]] = {
    "current": frozenset(QueryObject),
    "last_7_days": frozenset({QueryObject.ACCOUNT, QueryObject.USER}),
    "last_30_days": frozenset({QueryObject.ACCOUNT, QueryObject.USER}),
    "last_90_days": frozenset({QueryObject.ACCOUNT, QueryObject.USER}),
    "current_week": frozenset({QueryObject.USER}),
    "current_month": frozenset(QueryObject),
    "current_quarter": frozenset(QueryObject),
    "current_year": frozenset(QueryObject),
    "last_month": frozenset(QueryObject),
    "last_quarter": frozenset(QueryObject),
    "last_year": frozenset(QueryObject),
}
# Variations that are not time periods: which opportunities ``ootb_opportunity_count`` counts.
SUBSET_PERIODS = ("open", "won", "lost")
KNOWN_PERIODS = (
    frozenset(COMMON_VARIATIONS)
    | set(CALENDAR_PERIODS)
    | set(USER_CADENCES)
    | set(ALL_TIME_PERIODS)
    | set(SUBSET_PERIODS)
)


@dataclass(frozen=True)
class Variation:
    """One accepted variation of a metric, resolved against "today"."""

    period: str
    window: Window

    @property
    def is_all_time(self) -> bool:
        return self.window.is_all_time


@dataclass(frozen=True)
class QueryContext:
    """What a metric's SQL may depend on besides the row: "today" (from ``backstory.clock``)."""

    today: dt.date
    now: dt.datetime


# Builds the SQL of a metric for one variation, evaluated per row of the object's queryset: an
# expression, or a ``sql.Computed`` made of tallies over the object's to-many relations.
Builder = Callable[[Variation, QueryContext], Expression]


@dataclass(frozen=True)
class Metric:
    """A slug the Query API serves on one object.

    ``periods`` are the variations listed in the reference's row. A metric measured over time
    (``windowed``) also accepts the common variation ids that apply to its object; a point-in-time
    value (a field, a score, a date) accepts ``current`` only. Without a ``variation_id`` the query
    uses ``default_period``.
    """

    slug: str
    object: QueryObject
    family: str
    label: str
    definition: str
    data_type: DataType
    build: Builder = field(compare=False, repr=False)
    periods: tuple[str, ...] = ()
    # Measured over time: also accepts the common variation ids of its object, except ``excluded_periods``.
    windowed: bool = False
    excluded_periods: tuple[str, ...] = ()
    default_period: str = "current"
    value_range: tuple[int, int] | None = None
    values: tuple[str, ...] = ()
    alias_of: str | None = None
    source: str = "ootb"  # "ootb", "custom" or "derived"

    @cached_property  # asked for every value of every row a query returns
    def accepted_periods(self) -> tuple[str, ...]:
        """Every period this metric accepts, the reference's row first."""
        ordered = list(self.periods)
        if self.windowed:
            ordered += [period for period, objects in COMMON_VARIATIONS.items() if self.object in objects]
        elif "current" not in ordered:
            ordered.insert(0, "current")
        return tuple(period for period in dict.fromkeys(ordered) if period not in self.excluded_periods)

    @cached_property
    def has_variations(self) -> bool:
        return self.accepted_periods != ("current",)

    def variation_id(self, period: str) -> str:
        return f"{self.slug}_{period}"

    @property
    def variation_ids(self) -> tuple[str, ...]:
        return tuple(self.variation_id(period) for period in self.accepted_periods)

    def resolve(self, period: str, *, today: dt.date) -> Variation:
        """The variation for an accepted ``period`` (callers check ``accepted_periods`` first)."""
        if period in SUBSET_PERIODS:
            return Variation(period, window_for("total", today=today))
        return Variation(period, window_for(period, today=today))

    def column_id(self, period: str) -> str:
        """How rows key this column: the variation id, or the bare slug for a value with no variations."""
        return self.variation_id(period) if self.has_variations else self.slug

    def column_label(self, period: str) -> str:
        if not self.has_variations or period == "current":
            return self.label
        return f"{self.label} ({period.replace('_', ' ')})"
