"""Which captured activities count for each activity metric (shared by accounts, opportunities and users).

Every count keeps the activities ``activities.selectors.activities_in_sync()`` keeps (``IN_SYNC``):
private activities count (Design: "A private activity is counted in every score but shown only to
its owner and admins"); activities an admin removed from sync do not.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from activities.models import Activity, Participant
from activities.selectors import activities_in_sync

from .sql import in_window
from .types import QueryContext, Variation

EMAIL = Activity.Kind.EMAIL
MEETING = Activity.Kind.MEETING
CALL = Activity.Kind.CALL
OUTBOUND = Activity.Direction.OUTBOUND
INBOUND = Activity.Direction.INBOUND
INTERNAL = Activity.Direction.INTERNAL

# The condition of activities_in_sync(), as a plain lookup so grouped joins can use it too
# (a test pins that the two agree).
IN_SYNC = Q(removed_from_sync_at__isnull=True)
EMAILS_SENT = Q(kind=EMAIL, direction=OUTBOUND)
EMAILS_RECEIVED = Q(kind=EMAIL, direction=INBOUND)
CALLS_MADE = Q(kind=CALL) & ~Q(direction=INBOUND)
MEETINGS = Q(kind=MEETING, is_cancelled=False)
# A user received an email when they were on it as one of these.
RECIPIENT_ROLES = [Participant.Role.TO, Participant.Role.CC, Participant.Role.BCC]


def meetings_held(ctx: QueryContext) -> Q:
    """Meetings that took place: not cancelled and already started."""
    return MEETINGS & Q(occurred_at__lte=ctx.now)


# Meaningful once it has taken place: an email or call with someone outside the company, or a
# meeting not cancelled (the rollups count these per day; every day before today has taken place).
MEANINGFUL = (Q(kind__in=[EMAIL, CALL]) & ~Q(direction=INTERNAL)) | MEETINGS


def meaningful(ctx: QueryContext) -> Q:
    """An email or call with someone outside the company, or a meeting that took place."""
    return MEANINGFUL & Q(occurred_at__lte=ctx.now)


def in_period(queryset: QuerySet, variation: Variation) -> QuerySet:
    return queryset.filter(in_window(variation, "occurred_at"))


def counted(queryset: QuerySet | None = None) -> QuerySet:
    """The activities that count in metrics."""
    return activities_in_sync(queryset)


def replied(prefix: str = "") -> Q:
    """An outbound email (the outer row; its fields behind ``prefix``) that got an answer: an
    inbound email that names it in In-Reply-To, or a later inbound email in its thread.

    Two look-ups, each on its own index (``in_reply_to``; ``thread_id, occurred_at``): one ``OR``
    inside a single subquery would defeat both and scan every inbound email per sent one.
    """
    answers = activities_in_sync().filter(kind=EMAIL, direction=INBOUND)
    by_header = Exists(answers.filter(in_reply_to=OuterRef(f"{prefix}source_id")))
    in_thread = Exists(
        answers.filter(
            thread_id=OuterRef(f"{prefix}thread_id"), occurred_at__gt=OuterRef(f"{prefix}occurred_at")
        )
    )
    return Q(by_header) | (~Q(**{f"{prefix}thread_id": ""}) & Q(in_thread))
