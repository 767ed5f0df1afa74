"""The insights engine: what the Backstory pages show and the Query API serves.

Public services (keyword-only):

- ``summaries_refresh(account_ids=..., opportunity_ids=...)``: recompute given records.
- ``summaries_refresh_all()``: every record, plus weekly snapshots (nightly; after ``seed_demo``).
- ``summaries_mark_stale(activity_ids=...)``: new activities arrived; debounced refresh.
- ``summaries_refresh_stale()``: what the debounced task runs.
- ``engagement_snapshots_take(backfill_weeks=...)``: the weekly snapshot.
- ``insights_configuration_update(...)``: change the deal-warning and competitor configuration.
- ``engagement_levels(kind=..., record_ids=..., as_of=...)``: engagement scores in bulk.
- ``engagement_metrics(kind=..., record_ids=..., now=..., today=...)``: metrics per period.
"""

from .configuration import insights_configuration_update
from .engagement import engagement_levels, people_engagement_levels
from .metrics import engagement_metrics
from .summaries import (
    RefreshReport,
    engagement_snapshots_take,
    summaries_mark_stale,
    summaries_refresh,
    summaries_refresh_all,
    summaries_refresh_stale,
)

__all__ = [
    "RefreshReport",
    "engagement_levels",
    "engagement_metrics",
    "engagement_snapshots_take",
    "insights_configuration_update",
    "people_engagement_levels",
    "summaries_mark_stale",
    "summaries_refresh",
    "summaries_refresh_all",
    "summaries_refresh_stale",
]
