"""The pull: every object, in dependency order, over its next window, checkpointed per object."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from simple_salesforce.exceptions import SalesforceError

from backstory import clock

from ..budget import (
    PULL,
    budget_clear_hold,
    budget_hold,
    budget_note_response_figures,
    budget_open,
    remember_hold,
    salesforce_pause_for_limit,
)
from ..connection import (
    SalesforceBudgetSpent,
    SalesforceConnection,
    SalesforceLimitReached,
    SalesforceSessionRefused,
    SalesforceUnreachable,
    error_details,
)
from ..models import SyncCursor
from .accounts import AccountSync, AccountTeamMemberSync
from .base import ObjectReport, ObjectSync, Progress, PullContext, PullReport
from .deals import OpportunityContactRoleSync, OpportunityHistorySync, OpportunitySync, TaskSync
from .meetings import EventSync
from .people import ContactSync, LeadSync, UserSync
from .values import soql_datetime, soql_quote
from .windows import delete_log_covers, window_end, window_is_open

logger = logging.getLogger(__name__)

# Users → accounts (and their teams) → contacts and leads → opportunities → what hangs off them.
PULL_ORDER: tuple[str, ...] = (
    "User",
    "Account",
    "AccountTeamMember",
    "Contact",
    "Lead",
    "Opportunity",
    "OpportunityHistory",
    "OpportunityContactRole",
    "Task",
    "Event",
)
SYNCS: dict[str, type[ObjectSync]] = {
    sync.object_name: sync
    for sync in (
        UserSync,
        AccountSync,
        AccountTeamMemberSync,
        ContactSync,
        LeadSync,
        OpportunitySync,
        OpportunityHistorySync,
        OpportunityContactRoleSync,
        TaskSync,
        EventSync,
    )
}
IDS_PER_CHECK = 300
# A full resync refuses to remove rows when the org holds none of this many local CRM ids: that
# is a different org (a wrong SALESFORCE_INSTANCE_URL), not a wave of deletes.
WRONG_ORG_THRESHOLD = 10


class UnknownObject(ValueError):
    """An object name the pull does not sync."""


def pull_objects(names: Iterable[str] | None) -> list[str]:
    """The objects to pull, in dependency order (every one when `names` is empty)."""
    if not names:
        return list(PULL_ORDER)
    by_lower = {name.lower(): name for name in PULL_ORDER}
    unknown = [name for name in names if name.strip().lower() not in by_lower]
    if unknown:
        raise UnknownObject(f"Cannot pull {', '.join(unknown)}: choose from {', '.join(PULL_ORDER)}.")
    wanted = {by_lower[name.strip().lower()] for name in names}
    return [name for name in PULL_ORDER if name in wanted]


def salesforce_pull(
    *,
    objects: Iterable[str] | None = None,
    full: bool = False,
    connection: SalesforceConnection | None = None,
    progress: Progress | None = None,
) -> PullReport:
    """Pull Salesforce changes into Backstory: each object over [its checkpoint, now - 2 minutes).

    `full` reads every record again (and removes local rows the org no longer has). A run stops
    at the first object that fails, so nothing is pulled before what it points at; finished
    objects keep their new checkpoint. Raises SalesforceNotConfigured, SalesforceUnreachable and
    SalesforceSessionRefused (their messages name the setting to fix); the API limit ends the run
    early with `report.stopped` and pauses every pull and push. Backstory's API budget
    (crm/budget.py) may hold the run before it starts or part-way (`report.held`): not an error,
    the objects not pulled continue from their checkpoints next time.
    """
    names = pull_objects(objects)
    report = PullReport()
    report.held = budget_hold(PULL)
    if report.held:
        return report
    conn = connection or SalesforceConnection.open()
    report.held = budget_open(PULL, conn)
    if report.held:
        return report
    ctx = PullContext(conn, progress=progress)
    try:
        for name in names:
            sync = SYNCS[name]()
            try:
                report.objects.append(_pull_object(sync, ctx, full=full))
            except SalesforceBudgetSpent as error:
                report.held = f"{name} and the objects after it wait for the API budget ({error})"
                remember_hold(PULL, report.held)
                break
            except SalesforceLimitReached as error:
                _record_failure(name, f"REQUEST_LIMIT_EXCEEDED: {error}")
                salesforce_pause_for_limit(str(error), during="during a pull")
                report.stopped = (
                    f"{name}: Salesforce's API limit is used up (REQUEST_LIMIT_EXCEEDED); run again later."
                )
                break
            except (SalesforceUnreachable, SalesforceSessionRefused) as error:
                _record_failure(name, str(error))
                raise
            except SalesforceError as error:
                code, message = error_details(error)
                _record_failure(name, f"{code}: {message}")
                report.stopped = (
                    f"{name} failed ({code}: {message}); the objects after it wait for the next run."
                )
                break
    finally:
        report.warnings.extend(ctx.warnings)
        budget_note_response_figures(conn)
        _rematch(ctx)
    if not report.held:
        budget_clear_hold(PULL)
    return report


def _pull_object(sync: ObjectSync, ctx: PullContext, *, full: bool) -> ObjectReport:
    name = sync.object_name
    cursor, _ = SyncCursor.objects.get_or_create(object_name=name)
    now = clock.now()
    end = window_end(now)
    start = None if full else cursor.window_end
    report = ObjectReport(name, full_reason="--full" if full else ("first pull" if start is None else ""))
    if not window_is_open(start, end):
        report.skipped = "less than a minute since the last pull"
        return report
    deleted_ids: list[str] = []
    if start is not None and sync.tracks_deletes:
        deleted_ids, gap = _deleted(ctx, name, start, end)
        if gap:
            report.full_reason = gap
            start = None
    resync = start is None and cursor.window_end is not None
    where = [f"SystemModstamp < {soql_datetime(end)}"]
    if start is not None:
        where.append(f"SystemModstamp >= {soql_datetime(start)}")
    elif sync.first_pull_filter:
        where.append(sync.first_pull_filter)
    soql = f"SELECT {', '.join(sync.select(ctx))} FROM {name} WHERE {' AND '.join(where)} ORDER BY SystemModstamp, Id"
    sync.reading_everything = start is None
    for records, total in ctx.pages(soql):
        report.fetched += len(records)
        with transaction.atomic():
            sync.apply(records, ctx, report)
        ctx.progress(name, len(records), total)
    if deleted_ids:
        with transaction.atomic():
            sync.remove(deleted_ids, ctx, report)
    if resync and sync.tracks_deletes and sync.model is not None:
        _remove_missing(sync, ctx, report)
    sync.finish(ctx, report)
    cursor.window_end = end
    cursor.last_run_at = now
    if start is None:
        cursor.last_full_sync_at = now
    cursor.records_seen += report.fetched
    cursor.last_error = "\n".join(report.errors)[:5000]
    cursor.last_counts = report.counts()
    cursor.save()
    return report


def _deleted(ctx: PullContext, name: str, start: dt.datetime, end: dt.datetime) -> tuple[list[str], str]:
    """Ids deleted in [start, end), and why a full resync is needed instead ("" when not)."""
    try:
        body = ctx.call(lambda sf: getattr(sf, name).deleted(start, end))
    except SalesforceError as error:
        code, message = error_details(error)
        if code == "INVALID_REPLICATION_DATE":
            return [], f"delete log does not reach back to the checkpoint ({message})"
        raise
    if not delete_log_covers(start, body):
        return (
            [],
            f"delete log starts at {body.get('earliestDateAvailable')}, after the checkpoint {start:%Y-%m-%d %H:%M}",
        )
    return [row["id"] for row in body.get("deletedRecords") or []], ""


def _remove_missing(sync: ObjectSync, ctx: PullContext, report: ObjectReport) -> None:
    """After a full resync: local rows whose CRM record is gone (deleted, perhaps purged) are removed."""
    local = list(sync.local_crm_ids())
    gone: list[str] = []
    present = 0
    for start in range(0, len(local), IDS_PER_CHECK):
        chunk = local[start : start + IDS_PER_CHECK]
        live = {
            row["Id"][:15]
            for row in ctx.query(
                f"SELECT Id FROM {sync.object_name} WHERE Id IN ({', '.join(map(soql_quote, chunk))})"
            )
        }
        present += len(live)
        gone.extend(crm_id for crm_id in chunk if crm_id[:15] not in live)
    if gone and present == 0 and len(local) >= WRONG_ORG_THRESHOLD:
        report.error(
            f"None of the {len(local)} local {sync.object_name} CRM ids exist in this org: nothing removed. "
            f"Is SALESFORCE_INSTANCE_URL ({settings.SALESFORCE_INSTANCE_URL}) the org Backstory synced from?"
        )
        return
    for start in range(0, len(gone), IDS_PER_CHECK):
        with transaction.atomic():
            sync.remove(gone[start : start + IDS_PER_CHECK], ctx, report)


def _record_failure(name: str, message: str) -> None:
    SyncCursor.objects.update_or_create(
        object_name=name, defaults={"last_error": message[:5000], "last_run_at": clock.now()}
    )


def _rematch(ctx: PullContext) -> None:
    """Hand what changed to capture: activities on changed domains, contacts, leads and roles are
    matched again, and new or changed CRM meetings are matched for the first time."""
    try:
        from activities.services import activities_rematch_after_crm_change, match_activities
    except ImportError:
        return
    if ctx.rematch_account_ids or ctx.rematch_emails or ctx.rematch_domains:
        activities_rematch_after_crm_change(
            account_ids=ctx.rematch_account_ids, emails=ctx.rematch_emails, domains=ctx.rematch_domains
        )
    if ctx.matched_activity_ids:
        match_activities(activity_ids=sorted(ctx.matched_activity_ids), resolve_people=True, hand_off=True)
