"""What the Backstory pages and the Query API read from the insights engine.

Summaries, people and snapshots are computed by ``insights.services``; everything here only reads
them. Privacy: a summary's bullets keep activity ids and a ``private_only`` flag; the pages and
the assistant pass them through ``summary_visible_to`` (one rule, ``summary_item_is_visible``) so
nobody sees a private activity (or text taken only from activities hidden from them) that is not
theirs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

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


def summary_activity_ids(item: dict) -> list[int]:
    """The activity ids a summary bullet was built from (anything that is not an id is skipped)."""
    ids = []
    for value in item.get("activity_ids") or []:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


def summary_item_is_visible(item: dict, *, visible_ids: set[int]) -> bool:
    """The one rule for what a reader may see of a summary. Design: "A private activity is counted
    in every score but shown only to its owner and admins." A bullet shows when the reader may see
    one of its activities: a bullet whose every activity is hidden from them (private to someone
    else, or removed from sync since the summary was written) is not shown at all, whatever
    ``private_only`` said when the engine ran. A bullet with no activities (a CRM task, a gap in
    communication) shows unless the engine marked it ``private_only``."""
    ids = summary_activity_ids(item)
    if ids:
        return any(i in visible_ids for i in ids)
    return not item.get("private_only", False)


@dataclass(frozen=True)
class VisibleSummaryItem:
    """A summary bullet a reader may see: its place in the engine's list (the page links to it by
    that index), the engine's item, and the ids of its activities this reader may open."""

    index: int
    item: dict
    activity_ids: list[int]


def _visible_ids(*, user, ids: set[int], activities: QuerySet[Activity] | None) -> set[int]:
    if not ids:
        return set()
    queryset = (Activity.objects.all() if activities is None else activities).filter(pk__in=ids)
    return set(activities_visible_to(user=user, queryset=queryset).values_list("pk", flat=True))


def _shown(items: list, visible: set[int]) -> list[VisibleSummaryItem]:
    return [
        VisibleSummaryItem(index, item, [i for i in summary_activity_ids(item) if i in visible])
        for index, item in enumerate(items)
        if isinstance(item, dict) and summary_item_is_visible(item, visible_ids=visible)
    ]


def summary_visible_to(
    *,
    user,
    summary: Summary | None,
    sections: Iterable[str] = SUMMARY_ITEM_FIELDS,
    activities: QuerySet[Activity] | None = None,
) -> dict[str, list[VisibleSummaryItem]]:
    """The bullets of these sections of a summary (key topics, next steps, risks, warnings) that
    ``user`` may see (``summary_item_is_visible``), in one query. ``activities`` are the record's
    own: an activity matched elsewhere since the summary was written no longer counts for it."""
    sections = tuple(sections)
    lists = {name: summary_section_items(summary, name) for name in sections}
    ids = {
        i
        for items in lists.values()
        for item in items
        if isinstance(item, dict)
        for i in summary_activity_ids(item)
    }
    visible = _visible_ids(user=user, ids=ids, activities=activities)
    return {name: _shown(items, visible) for name, items in lists.items()}


def summary_items_visible_to(
    *, user, items: list, activities: QuerySet[Activity] | None = None
) -> list[VisibleSummaryItem]:
    """The bullets of one list (a section of a summary) that ``user`` may see, as
    ``summary_visible_to`` decides."""
    items = items if isinstance(items, list) else []
    ids = {i for item in items if isinstance(item, dict) for i in summary_activity_ids(item)}
    return _shown(items, _visible_ids(user=user, ids=ids, activities=activities))


def summary_section_items(summary: Summary | None, section: str) -> list:
    """The engine's items of one section of a summary, as stored (an empty list when there are none)."""
    if summary is None or section not in SUMMARY_ITEM_FIELDS:
        return []
    items = getattr(summary, section, None) or []
    return items if isinstance(items, list) else []


def summary_item_activities(
    *, user, item: dict, activities: QuerySet[Activity] | None = None
) -> QuerySet[Activity]:
    """The sidebar of one bullet: its activities that ``user`` may see, most recent first.

    Seed: "Click any bullet to open a sidebar showing the specific activities that contributed to
    it, ordered by recency."
    """
    queryset = (Activity.objects.all() if activities is None else activities).filter(
        pk__in=summary_activity_ids(item)
    )
    return activities_visible_to(user=user, queryset=queryset).order_by("-occurred_at", "-pk")


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
