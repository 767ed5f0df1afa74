"""What the Backstory pages and the Query API read from the insights engine.

Summaries, people and snapshots are computed by ``insights.services``; everything here only reads
them. Privacy: a summary's bullets keep activity ids and a ``private_only`` flag; pages pass them
through ``summary_items_visible_to`` so nobody sees a private activity (or text taken only from
private activities) that is not theirs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import F, QuerySet

from activities.models import Activity
from activities.selectors import activities_visible_to
from backstory import clock

from .models import EngagementSnapshot, InsightsConfiguration, PersonEngagement, Summary
from .periods import PERIODS

SUMMARY_ITEM_FIELDS = ("key_topics", "next_steps", "risks", "warnings")


def insights_configuration_get() -> InsightsConfiguration:
    """The org's insights configuration: the saved row, or the defaults (unsaved) until an admin
    saves it."""
    return InsightsConfiguration.objects.filter(pk=1).first() or InsightsConfiguration(pk=1)


def summary_for_account(*, account_id: int) -> Summary | None:
    return Summary.objects.filter(account_id=account_id).first()


def summary_for_opportunity(*, opportunity_id: int) -> Summary | None:
    return Summary.objects.filter(opportunity_id=opportunity_id).first()


def account_summaries(*, account_ids: Iterable[int] | None = None) -> QuerySet[Summary]:
    """Account summaries (for the Query API's account rows), with their account."""
    queryset = Summary.objects.filter(account__isnull=False).select_related("account")
    return queryset if account_ids is None else queryset.filter(account_id__in=list(account_ids))


def opportunity_summaries(*, opportunity_ids: Iterable[int] | None = None) -> QuerySet[Summary]:
    """Opportunity summaries (for the Query API's opportunity rows), with their opportunity."""
    queryset = Summary.objects.filter(opportunity__isnull=False).select_related("opportunity")
    return queryset if opportunity_ids is None else queryset.filter(opportunity_id__in=list(opportunity_ids))


def summary_metric(*, summary: Summary, period: str, name: str) -> int | float | None:
    """One engagement metric (``meetings``, ``response_rate``...) of a summary for a period
    (``last_30_days``...); None when the period is not stored."""
    if period not in PERIODS:
        raise ValueError(f"Unknown period {period!r}")
    return (summary.metrics.get(period) or {}).get(name)


def summary_items_visible_to(*, user, items: list[dict]) -> list[dict]:
    """The bullets of one summary list (key topics, next steps, risks or warnings) as ``user`` may
    see them: activity ids the user cannot see are dropped, and a ``private_only`` bullet is dropped
    unless the user can see at least one of its activities."""
    ids = {activity_id for item in items for activity_id in item.get("activity_ids", [])}
    visible = set(
        activities_visible_to(user=user, queryset=Activity.objects.filter(id__in=ids)).values_list(
            "id", flat=True
        )
    )
    shown = []
    for item in items:
        kept = [activity_id for activity_id in item.get("activity_ids", []) if activity_id in visible]
        if item.get("private_only") and not kept:
            continue
        shown.append({**item, "activity_ids": kept})
    return shown


def summary_visible_to(*, user, summary: Summary) -> dict[str, list[dict]]:
    """Every bullet list of a summary, filtered for ``user`` (see ``summary_items_visible_to``)."""
    return {
        name: summary_items_visible_to(user=user, items=getattr(summary, name))
        for name in SUMMARY_ITEM_FIELDS
    }


def summary_item_activities(*, user, item: dict) -> QuerySet[Activity]:
    """The sidebar of one bullet: its activities that ``user`` may see, most recent first.

    Seed: "Click any bullet to open a sidebar showing the specific activities that contributed to
    it, ordered by recency."
    """
    queryset = Activity.objects.filter(id__in=item.get("activity_ids", [])).order_by("-occurred_at", "-id")
    return activities_visible_to(user=user, queryset=queryset)


PEOPLE_ORDERINGS = {
    "engagement": (F("engagement_score").desc(), F("name").asc()),
    "seniority": (F("seniority_rank").asc(), F("engagement_score").desc()),
    "time_spent": (F("time_spent_minutes").desc(), F("engagement_score").desc()),
    "recently_engaged": (F("last_activity_at").desc(nulls_last=True), F("engagement_score").desc()),
}


def people_for_record(
    *,
    account_id: int | None = None,
    opportunity_id: int | None = None,
    internal: bool | None = False,
    seniority: str | None = None,
    department: str | None = None,
    order_by: str = "engagement",
) -> QuerySet[PersonEngagement]:
    """People metrics of an account or an opportunity: external people by default
    (``internal=True`` for colleagues, ``None`` for both), filtered by seniority and department,
    sorted by engagement, seniority, time spent or recently engaged.

    Seed: "Sort contacts by engagement, seniority, time spent, or recently engaged. Filter by
    seniority and department."
    """
    from django.db.models import Case, IntegerField, Value, When

    if (account_id is None) == (opportunity_id is None):
        raise ValueError("Give exactly one of account_id and opportunity_id")
    queryset = PersonEngagement.objects.select_related("contact", "user")
    if account_id is not None:
        queryset = queryset.filter(account_id=account_id, opportunity__isnull=True)
    else:
        queryset = queryset.filter(opportunity_id=opportunity_id)
    if internal is not None:
        queryset = queryset.filter(is_internal=internal)
    if seniority:
        queryset = queryset.filter(seniority=seniority)
    if department:
        queryset = queryset.filter(department=department)
    ranks = ["c_level", "vp", "director", "manager", "individual_contributor"]
    queryset = queryset.annotate(
        seniority_rank=Case(
            *[When(seniority=level, then=Value(i)) for i, level in enumerate(ranks)],
            default=Value(len(ranks)),
            output_field=IntegerField(),
        )
    )
    if order_by not in PEOPLE_ORDERINGS:
        raise ValueError(f"Unknown ordering {order_by!r}; expected one of {', '.join(PEOPLE_ORDERINGS)}")
    return queryset.order_by(*PEOPLE_ORDERINGS[order_by])


def engagement_history(
    *, subject_type: str, subject_id: int, weeks: int = 12, today: dt.date | None = None
) -> QuerySet[EngagementSnapshot]:
    """The weekly engagement snapshots of an account, opportunity, contact or user for the trend
    chart: the last ``weeks`` weeks, oldest first."""
    today = today or clock.today()
    since = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    return EngagementSnapshot.objects.filter(
        subject_type=subject_type, subject_id=subject_id, week_start__gte=since
    ).order_by("week_start")
