"""How the engine reads activities per record: the two record kinds (accounts, opportunities), the
activity kinds that count, and the SQL expressions every aggregate shares (age, recency decay).

Every query here is a grouped aggregate over many records at once; nothing loops per activity.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, Expression, F, FloatField, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Collate, Power

from activities.models import Activity, ActivityOpportunity, Participant

MEETING = "meeting"
CALL = "call"
EMAIL_RECEIVED = "email_received"
EMAIL_SENT = "email_sent"
COMPONENTS = (MEETING, CALL, EMAIL_RECEIVED, EMAIL_SENT)
# Two-way activities: the customer took part (they replied, met or talked with us).
TWO_WAY = (MEETING, CALL, EMAIL_RECEIVED)

ACCOUNT = "account"
OPPORTUNITY = "opportunity"


class DaysBetween(Func):
    """``later - earlier`` in days, as a float, on SQLite and PostgreSQL."""

    output_field = FloatField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra_context):
        later, earlier = (compiler.compile(expression) for expression in self.source_expressions)
        return f"(julianday({later[0]}) - julianday({earlier[0]}))", (*later[1], *earlier[1])

    def as_sql(self, compiler, connection, **extra_context):
        later, earlier = (compiler.compile(expression) for expression in self.source_expressions)
        return (
            f"(date_part('epoch', CAST({later[0]} AS timestamptz) - {earlier[0]}) / 86400.0::float8)",
            (*later[1], *earlier[1]),
        )


def as_of_expression(as_of: dt.datetime | Expression) -> Expression:
    """``as_of`` as a SQL expression: a fixed time, or a per-row one (an opportunity's close)."""
    if isinstance(as_of, dt.datetime):
        from django.db.models import DateTimeField

        return Value(as_of, output_field=DateTimeField())
    return as_of


@dataclass(frozen=True)
class Scope:
    """One kind of record and the paths from its rows to the activity fields.

    ``activity_rows`` has one row per (record, activity); ``participant_rows`` one row per
    (record, activity, participant). ``key`` names the record id on activity rows and
    ``participant_key`` on participant rows; ``prefix`` leads from an activity row to the Activity.
    """

    kind: str
    key: str
    prefix: str
    participant_key: str

    def field(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def activity_rows(self, record_ids=None) -> QuerySet:
        if self.kind == ACCOUNT:
            rows = Activity.objects.filter(account_id__isnull=False)
            if record_ids is not None:
                rows = rows.filter(account_id__in=list(record_ids))
        else:
            rows = ActivityOpportunity.objects.all()
            if record_ids is not None:
                rows = rows.filter(opportunity_id__in=list(record_ids))
        return rows.filter(in_sync(self.prefix))

    def participant_rows(self, record_ids=None) -> QuerySet[Participant]:
        rows = Participant.objects.filter(in_sync("activity__"))
        if record_ids is not None:
            rows = rows.filter(**{f"{self.participant_key}__in": list(record_ids)})
        else:
            rows = rows.filter(**{f"{self.participant_key}__isnull": False})
        return rows


ACCOUNTS = Scope(kind=ACCOUNT, key="account_id", prefix="", participant_key="activity__account_id")
OPPORTUNITIES = Scope(
    kind=OPPORTUNITY,
    key="opportunity_id",
    prefix="activity__",
    participant_key="activity__opportunity_links__opportunity_id",
)
SCOPES = {ACCOUNT: ACCOUNTS, OPPORTUNITY: OPPORTUNITIES}


def in_sync(prefix: str) -> Q:
    """The rule of ``activities.selectors.activities_in_sync`` (removed-from-sync activities never
    count), written for a path through ``prefix`` so aggregates over links and participants join
    instead of running a sub-query per row."""
    return Q(**{f"{prefix}removed_from_sync_at__isnull": True})


def counted(prefix: str, *, start: dt.datetime | None = None, end: dt.datetime | None = None) -> Q:
    """Activities that took place in ``(start, end]``, not cancelled, of a kind that counts.

    Internal-only emails (between colleagues) say nothing about the customer and never count.
    """
    condition = Q(**{f"{prefix}is_cancelled": False}) & ~Q(
        **{f"{prefix}kind": Activity.Kind.EMAIL, f"{prefix}direction": Activity.Direction.INTERNAL}
    )
    if start is not None:
        condition &= Q(**{f"{prefix}occurred_at__gt": start})
    if end is not None:
        condition &= Q(**{f"{prefix}occurred_at__lte": end})
    return condition


# In SQL a component is a small integer: grouping on it is cheaper than on text.
COMPONENT_CODES = {MEETING: 1, CALL: 2, EMAIL_RECEIVED: 3, EMAIL_SENT: 4}
COMPONENT_NAMES = {code: name for name, code in COMPONENT_CODES.items()}


def component(prefix: str) -> Case:
    """The engagement component of an activity, as its code in ``COMPONENT_CODES``: meeting, call,
    email received or email sent (``COMPONENT_NAMES`` turns it back into the name).

    An email with no direction recorded counts as sent: capture sets the direction of everything
    it reads from a mailbox, so only API callers leave it blank, and they log what the rep sent.
    """
    return Case(
        When(**{f"{prefix}kind": Activity.Kind.MEETING}, then=Value(COMPONENT_CODES[MEETING])),
        When(**{f"{prefix}kind": Activity.Kind.CALL}, then=Value(COMPONENT_CODES[CALL])),
        When(
            **{f"{prefix}kind": Activity.Kind.EMAIL, f"{prefix}direction": Activity.Direction.INBOUND},
            then=Value(COMPONENT_CODES[EMAIL_RECEIVED]),
        ),
        default=Value(COMPONENT_CODES[EMAIL_SENT]),
        output_field=IntegerField(),
    )


def binary(field_name: str):
    """A text column compared byte by byte: grouping emails under a linguistic collation costs
    more than the rest of the aggregate on PostgreSQL. SQLite already compares bytes."""
    if connection.vendor == "postgresql":
        return Collate(F(field_name), "C")
    return F(field_name)


def component_of(kind: str, direction: str) -> str:
    """``component`` in Python, for rows grouped on the raw kind and direction."""
    if kind == Activity.Kind.MEETING:
        return MEETING
    if kind == Activity.Kind.CALL:
        return CALL
    return EMAIL_RECEIVED if direction == Activity.Direction.INBOUND else EMAIL_SENT


def age_days(prefix: str, as_of: dt.datetime | Expression) -> DaysBetween:
    """Days from the activity to ``as_of``."""
    return DaysBetween(as_of_expression(as_of), F(f"{prefix}occurred_at"))


def decay(prefix: str, as_of: dt.datetime | Expression, half_life_days: float) -> Power:
    """Recency weight of an activity: halves every ``half_life_days``."""
    return Power(
        Value(0.5), age_days(prefix, as_of) / Value(float(half_life_days)), output_field=FloatField()
    )


# PostgreSQL settings for the engine's big grouped aggregates: JIT compiles these plans in more
# time than they take to run, and the default 4 MB of work_mem sends their sorts to disk.
HEAVY_READ_SETTINGS = {"jit": "off", "work_mem": "64MB"}


@contextmanager
def heavy_reads() -> Iterator[None]:
    """Run the enclosed reads in one transaction with ``HEAVY_READ_SETTINGS`` (``SET LOCAL``, so
    nothing outlives it) on PostgreSQL; elsewhere, do nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            for name, value in HEAVY_READ_SETTINGS.items():
                cursor.execute(f"SET LOCAL {name} = %s", [value])
        yield


def with_heavy_reads(function):
    """Decorator form of ``heavy_reads``."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with heavy_reads():
            return function(*args, **kwargs)

    return wrapper
