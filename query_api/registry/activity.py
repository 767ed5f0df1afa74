"""Activity metrics' periods and the conditions that need the query's context (shared by accounts,
opportunities and users). What counts at all lives in ``activities.counting``, which the daily
rollups use too; its names are re-exported here for the registry's modules.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from activities.counting import (  # noqa: F401 (re-exported for the registry)
    CALL,
    CALLS_MADE,
    EMAIL,
    EMAILS_RECEIVED,
    EMAILS_SENT,
    IN_SYNC,
    INBOUND,
    INTERNAL,
    MEETING,
    MEETINGS,
    OUTBOUND,
    RECIPIENT_ROLES,
    counted,
    replied,
)

from .sql import in_window
from .types import QueryContext, Variation


def meetings_held(ctx: QueryContext) -> Q:
    """Meetings that took place: not cancelled and already started."""
    return MEETINGS & Q(occurred_at__lte=ctx.now)


def meaningful(ctx: QueryContext) -> Q:
    """An email or call with someone outside the company, or a meeting that took place."""
    return (Q(kind__in=[EMAIL, CALL]) & ~Q(direction=INTERNAL) & Q(occurred_at__lte=ctx.now)) | meetings_held(
        ctx
    )


def in_period(queryset: QuerySet, variation: Variation) -> QuerySet:
    return queryset.filter(in_window(variation, "occurred_at"))
