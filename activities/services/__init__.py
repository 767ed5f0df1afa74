"""Capture's business rules. One use case per function; see each module for the rules it holds.

- ``ingest``: store parsed activities once, resolve people, apply local filters, match.
- ``matching``: the matching rules (pure) and the batch context they read.
- ``rematching``: match stored activities again, in bulk and after CRM changes.
- ``engagement_log``: Edit Match and remove-from-sync.
"""

from .engagement_log import (
    Removal,
    activity_match_automatically,
    activity_match_manually,
    activity_remove_from_sync,
)
from .ingest import IngestReport, IngestSession, ItemOutcome, Status, activities_ingest
from .rematching import (
    MatchReport,
    activities_rematch_after_crm_change,
    match_activities,
    rematch_activities_for_account,
    rematch_activities_for_contact,
    rematch_activities_for_domain,
    rematch_activities_for_emails,
    rematch_activities_for_lead,
)

__all__ = [
    "IngestReport",
    "IngestSession",
    "ItemOutcome",
    "MatchReport",
    "Removal",
    "Status",
    "activities_ingest",
    "activities_rematch_after_crm_change",
    "activity_match_automatically",
    "activity_match_manually",
    "activity_remove_from_sync",
    "match_activities",
    "rematch_activities_for_account",
    "rematch_activities_for_contact",
    "rematch_activities_for_domain",
    "rematch_activities_for_emails",
    "rematch_activities_for_lead",
]
