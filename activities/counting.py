"""Which captured activities count in metrics: the conditions the Query API's registry and the
daily rollups both use, so a metric and its rollup can never disagree on what "an email sent" is.

Every count keeps the activities in sync (``IN_SYNC``, the one home of that rule, which
``activities.selectors.activities_in_sync()`` applies too): private activities count (Design: "A
private activity is counted in every score but shown only to its owner and admins"); activities an
admin removed from sync do not.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Activity, Participant

EMAIL = Activity.Kind.EMAIL
MEETING = Activity.Kind.MEETING
CALL = Activity.Kind.CALL
OUTBOUND = Activity.Direction.OUTBOUND
INBOUND = Activity.Direction.INBOUND
INTERNAL = Activity.Direction.INTERNAL

# Everything captured except what an admin removed from sync; a plain lookup, so grouped joins
# can use it behind a prefix too.
IN_SYNC = Q(removed_from_sync_at__isnull=True)
EMAILS_SENT = Q(kind=EMAIL, direction=OUTBOUND)
EMAILS_RECEIVED = Q(kind=EMAIL, direction=INBOUND)
CALLS_MADE = Q(kind=CALL) & ~Q(direction=INBOUND)
MEETINGS = Q(kind=MEETING, is_cancelled=False)
# A user received an email when they were on it as one of these.
RECIPIENT_ROLES = [Participant.Role.TO, Participant.Role.CC, Participant.Role.BCC]


def counted(queryset: QuerySet | None = None) -> QuerySet:
    """The activities that count in metrics: those in sync."""
    return (Activity.objects.all() if queryset is None else queryset).filter(IN_SYNC)


def replied(prefix: str = "") -> Q:
    """An outbound email (the outer row; its fields behind ``prefix``) that got an answer: an
    inbound email that names it in In-Reply-To, or a later inbound email in its thread.

    Two look-ups, each on its own index (``in_reply_to``; ``thread_id, occurred_at``): one ``OR``
    inside a single subquery would defeat both and scan every inbound email per sent one.
    """
    answers = counted().filter(kind=EMAIL, direction=INBOUND)
    by_header = Exists(answers.filter(in_reply_to=OuterRef(f"{prefix}source_id")))
    in_thread = Exists(
        answers.filter(
            thread_id=OuterRef(f"{prefix}thread_id"), occurred_at__gt=OuterRef(f"{prefix}occurred_at")
        )
    )
    return Q(by_header) | (~Q(**{f"{prefix}thread_id": ""}) & Q(in_thread))


def prefixed(condition: Q, prefix: str) -> Q:
    """``condition`` with every lookup moved behind ``prefix`` (``kind`` → ``activities__kind``), so
    the conditions above can filter a join from accounts, opportunity links or participants."""
    clone = Q()
    clone.connector, clone.negated = condition.connector, condition.negated
    children = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(prefixed(child, prefix))
        elif isinstance(child, tuple):
            children.append((prefix + child[0], child[1]))
        else:
            raise TypeError(f"Only plain lookups can be prefixed, not {child!r}")
    clone.children = children
    return clone
