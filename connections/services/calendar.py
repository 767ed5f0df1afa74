"""Calendars: CalDAV accounts (RFC 6578 sync-token, else ctag/ETag) and ICS feeds (ETag/Last-Modified).

Each changed event resource is parsed by the same ``.ics`` parser as file import and stored through
the one ingest path. A meeting stored before is updated when its calendar changes it (moved,
re-titled, cancelled), and an occurrence that is no longer on the calendar (an EXDATE, a deleted
event) is marked cancelled: captured meetings are never deleted here.

A recurring series gains occurrences as time passes without its resource changing, so the text of
each recurring resource is kept and expanded again on every run (no network needed for that).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import caldav
import requests
from caldav.elements import dav
from django.conf import settings
from django.db import transaction
from django.db.models import F

from activities.models import Activity
from activities.parsing import ParsedActivity, ParseError
from activities.parsing.ics import parse_calendar_bytes
from activities.services import IngestSession
from activities.services.ingest import fit_source_id
from activities.services.meetings import meetings_cancel_missing
from backstory import clock

from ..models import CalendarConnection, CalendarCursor, CalendarItem
from .errors import ConnectionFailure, describe_error
from .state import access_token_fresh, run_claim, run_failed, run_still_wanted, run_succeeded

logger = logging.getLogger(__name__)

CTAG = "{http://calendarserver.org/ns/}getctag"


@dataclass
class CalendarRunReport:
    captured: int = 0
    updated: int = 0
    cancelled: int = 0
    downloaded: int = 0  # event resources or feeds fetched over the network
    unreadable: list[str] = field(default_factory=list)
    calendar_errors: list[str] = field(default_factory=list)
    skipped: str = ""


@dataclass
class _Resource:
    """One event resource to (re)read: its href, ETag, UID(s) and calendar text."""

    href: str
    etag: str
    data: bytes


def _window() -> tuple[dt.datetime, dt.datetime]:
    now = clock.now()
    return now - dt.timedelta(days=settings.CONNECTIONS_BACKFILL_DAYS), now


# --- CalDAV -------------------------------------------------------------------------------------


def caldav_client(*, connection: CalendarConnection) -> caldav.DAVClient:
    options = {"url": connection.url, "timeout": settings.CONNECTIONS_TIMEOUT_SECONDS}
    if connection.auth == CalendarConnection.Auth.OAUTH2:
        # Google Calendar's CalDAV takes an OAuth 2.0 bearer token.
        options["headers"] = {"Authorization": f"Bearer {access_token_fresh(connection=connection)}"}
    else:
        options["username"] = connection.username
        options["password"] = connection.password
    return caldav.DAVClient(**options)


def _calendars_to_read(*, connection: CalendarConnection, client: caldav.DAVClient) -> list:
    calendars = client.principal().calendars()
    if not connection.calendars:
        return calendars
    wanted = {name.strip().casefold() for name in connection.calendars}
    return [c for c in calendars if (c.get_display_name() or "").strip().casefold() in wanted]


def calendar_test(*, connection: CalendarConnection) -> list[str]:
    """Reach the calendar and list what would be read; raises ConnectionFailure in plain words."""
    try:
        if connection.kind == CalendarConnection.Kind.ICS:
            response = _feed_get(connection=connection, cursor=None)
            response.raise_for_status()
            return [connection.url]
        client = caldav_client(connection=connection)
        return [
            c.get_display_name() or str(c.url)
            for c in _calendars_to_read(connection=connection, client=client)
        ]
    except Exception as error:
        raise describe_error(
            error, host=_host(connection), timeout=settings.CONNECTIONS_TIMEOUT_SECONDS
        ) from None


def _host(connection: CalendarConnection) -> str:
    return requests.utils.urlparse(connection.url).hostname or connection.url


def calendar_sync(*, connection: CalendarConnection) -> CalendarRunReport:
    """Capture new and changed meetings from a connected calendar; one run at a time per connection."""
    report = CalendarRunReport()
    if not run_claim(connection=connection):
        report.skipped = "paused, deleted or already being synced"
        return report
    try:
        if connection.kind == CalendarConnection.Kind.ICS:
            _sync_feed(connection=connection, report=report)
        else:
            client = caldav_client(connection=connection)
            for calendar in _calendars_to_read(connection=connection, client=client):
                if not run_still_wanted(connection=connection):
                    break
                _sync_caldav_calendar(connection=connection, calendar=calendar, report=report)
    except Exception as error:
        failure = describe_error(error, host=_host(connection), timeout=settings.CONNECTIONS_TIMEOUT_SECONDS)
        logger.warning("Calendar connection %s: %s", connection.pk, failure)
        run_failed(connection=connection, failure=failure)
        raise failure from None
    if report.calendar_errors:
        run_failed(connection=connection, failure=ConnectionFailure(" ".join(report.calendar_errors)))
    else:
        run_succeeded(connection=connection)
        CalendarConnection.objects.filter(pk=connection.pk, backfill_finished_at__isnull=True).update(
            backfill_finished_at=clock.now()
        )
    return report


def _sync_caldav_calendar(*, connection, calendar, report: CalendarRunReport) -> None:
    url = str(calendar.url)
    cursor, _ = CalendarCursor.objects.get_or_create(
        connection=connection, url=url, defaults={"name": calendar.get_display_name() or ""}
    )
    known = {item.href: item for item in cursor.items.all()}
    real_token = cursor.sync_token and not cursor.sync_token.startswith("fake-")
    if not real_token:
        # No sync-token to start from: a ctag that has not moved means nothing changed at all.
        ctag = str(calendar.props.get(CTAG) or "")
        if ctag and ctag == cursor.ctag and known:
            _capture(connection=connection, cursor=cursor, resources=[], deleted=[], report=report)
            return
        cursor.ctag = ctag
    # RFC 6578 sync-collection; the library falls back to a full listing with ETags when the
    # server has no sync-token support or forgot our token.
    result = calendar.objects_by_sync_token(sync_token=cursor.sync_token if real_token else None)
    full_listing = not real_token or str(result.sync_token or "").startswith("fake-")
    deleted = {str(href) for href in result.deleted_urls}
    listed = set()
    changed = []
    for obj in result.objects:
        href = str(obj.url.canonical())
        if href in deleted:
            continue
        listed.add(href)
        etag = str(obj.props.get(dav.GetEtag.tag) or "")
        if etag and href in known and known[href].etag == etag:
            continue  # the ETag comparison: this event has not changed
        changed.append(obj)
    if full_listing:
        deleted |= set(known) - listed
    resources = []
    for obj in changed:
        try:
            obj.load()
        except caldav.lib.error.NotFoundError:
            deleted.add(str(obj.url.canonical()))
            continue
        report.downloaded += 1
        data = obj.data
        resources.append(
            _Resource(
                href=str(obj.url.canonical()),
                etag=str(obj.props.get(dav.GetEtag.tag) or ""),
                data=data.encode() if isinstance(data, str) else data,
            )
        )
    _capture(connection=connection, cursor=cursor, resources=resources, deleted=deleted, report=report)
    # The cursor moves only after what it covers is stored.
    CalendarCursor.objects.filter(pk=cursor.pk).update(
        sync_token=str(result.sync_token or ""),
        ctag=cursor.ctag,
        last_error="",
        name=calendar.get_display_name() or "",
    )


# --- ICS feeds ---------------------------------------------------------------------------------


def _feed_get(*, connection: CalendarConnection, cursor: CalendarCursor | None) -> requests.Response:
    headers = {"Accept": "text/calendar"}
    if cursor is not None and cursor.etag:
        headers["If-None-Match"] = cursor.etag
    if cursor is not None and cursor.last_modified:
        headers["If-Modified-Since"] = cursor.last_modified
    auth = None
    if connection.auth == CalendarConnection.Auth.OAUTH2 and (
        connection.access_token or connection.refresh_token
    ):
        headers["Authorization"] = f"Bearer {access_token_fresh(connection=connection)}"
    elif connection.username:
        auth = (connection.username, connection.password)
    return requests.get(
        connection.url, headers=headers, auth=auth, timeout=settings.CONNECTIONS_TIMEOUT_SECONDS
    )


def _sync_feed(*, connection: CalendarConnection, report: CalendarRunReport) -> None:
    cursor, _ = CalendarCursor.objects.get_or_create(connection=connection, url=connection.url)
    response = _feed_get(connection=connection, cursor=cursor)
    if response.status_code == 304:
        # Not modified: nothing downloaded; recurring series are expanded again from the kept copy.
        _capture(connection=connection, cursor=cursor, resources=[], deleted=[], report=report)
        return
    response.raise_for_status()
    report.downloaded += 1
    # The whole feed is one resource: every event on it is listed, so one missing is one removed.
    resource = _Resource(href=connection.url, etag=response.headers.get("ETag", ""), data=response.content)
    _capture(connection=connection, cursor=cursor, resources=[resource], deleted=[], report=report)
    CalendarCursor.objects.filter(pk=cursor.pk).update(
        etag=response.headers.get("ETag", ""),
        last_modified=response.headers.get("Last-Modified", ""),
        last_error="",
    )


# --- storing -------------------------------------------------------------------------------------


def _capture(
    *, connection, cursor: CalendarCursor, resources: list[_Resource], deleted: Iterable[str], report
) -> None:
    """Store what the changed resources hold, update meetings they changed, cancel what left the calendar."""
    start, end = _window()
    known = {item.href: item for item in cursor.items.all()}
    changed_hrefs = {resource.href for resource in resources}
    deleted = set(deleted)
    # Recurring series not changed this run: expand them again, new occurrences come into the window.
    to_parse = list(resources) + [
        _Resource(href=item.href, etag=item.etag, data=item.data.encode())
        for href, item in known.items()
        if item.data and href not in changed_hrefs and href not in deleted
    ]
    parsed: dict[str, ParsedActivity] = {}
    uids_by_href: dict[str, set[str]] = {}
    session = IngestSession(owner=connection.owner)
    for resource in to_parse:
        uids = uids_by_href.setdefault(resource.href, set())
        for item in parse_calendar_bytes(
            resource.data, source=resource.href, expand_from=start, expand_until=end
        ):
            if isinstance(item, ParseError):
                report.unreadable.append(str(item))
            else:
                uids.add(item.thread_id or "")
                parsed[fit_source_id(item.source_id)] = item
            session.add(item, source=Activity.Source.ICS)
    ingest = session.finish()  # meetings captured before take what the calendar says now
    report.captured += ingest.created
    with transaction.atomic():
        # Occurrences of these series that the calendar no longer holds were cancelled or removed.
        series = set().union(*uids_by_href.values()) if uids_by_href else set()
        # ... and so do the series a changed or deleted resource held before (an event taken off a feed).
        for href in (deleted | changed_hrefs) & set(known):
            series |= set(known[href].uids.split("\n"))
        cancelled = meetings_cancel_missing(series=series, kept=set(parsed), start=start, end=end)
        _items_save(cursor=cursor, resources=resources, deleted=deleted, uids_by_href=uids_by_href)
    report.updated += ingest.updated
    report.cancelled += len(cancelled)
    CalendarConnection.objects.filter(pk=connection.pk).update(captured=F("captured") + ingest.created)
    if ingest.errors:
        CalendarConnection.objects.filter(pk=connection.pk).update(
            unreadable=F("unreadable") + len(ingest.errors), last_unreadable=str(ingest.errors[-1])[:2000]
        )


def _items_save(
    *, cursor, resources: list[_Resource], deleted: set[str], uids_by_href: dict[str, set[str]]
) -> None:
    CalendarItem.objects.filter(cursor=cursor, href__in=list(deleted)).delete()
    for resource in resources:
        text = resource.data.decode("utf-8", errors="replace")
        recurring = "RRULE" in text or "RDATE" in text
        CalendarItem.objects.update_or_create(
            cursor=cursor,
            href=resource.href,
            defaults={
                "etag": resource.etag[:255],
                "uids": "\n".join(sorted(uids_by_href.get(resource.href, ()))),
                "data": text if recurring else "",
            },
        )
