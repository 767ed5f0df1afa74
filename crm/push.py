"""Push: drain the outbox to Salesforce.

Every change the contact engine makes is an OutboxEntry written in its own transaction
(crm/outbox.py). `outbox_drain` sends the entries that are due, in sObject Collections of up to
200 records per object and operation, with `allOrNone=false`, and handles each record's result:

- creates are upserts on the Backstory external id (SALESFORCE_FIELD_BACKSTORY_ID), so sending
  one twice (a lost response, a drain that died mid-call) updates instead of duplicating;
- the Salesforce id is written back to the local record (Contact.crm_id,
  OpportunityContactRole.crm_id), and for contacts the CRM's created/modified times, so the next
  pull finds nothing new;
- a contact role whose contact had no Salesforce id yet (`ContactBackstoryId` in its payload)
  waits until that contact is pushed, then points at its id; so does an activity's Task or Event
  (`WhoBackstoryId`);
- deletes go out only for records Salesforce says Backstory created;
- errors follow the policy in crm/retry.py (the table is in docs/salesforce.md).

Order: for one local record, its entries go strictly in the order they were written; contacts go
before contact roles, then Tasks and Events, and a contact delete waits for the contact role changes written before it
(the de-duplication re-points roles first, or Salesforce would cascade-delete them).

Concurrent drains are safe: an entry is claimed with a token and a lease (next_attempt_at) before
it is sent, so two workers never send the same entry, and a worker that dies only delays it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from simple_salesforce.exceptions import SalesforceError

from backstory import clock

from .budget import (
    PUSH,
    budget_clear_hold,
    budget_hold,
    budget_note_response_figures,
    budget_open,
    budget_status,
    remember_hold,
    salesforce_pause_for_limit,
)
from .client import SalesforceNotConfigured
from .connection import (
    SalesforceBudgetSpent,
    SalesforceConnection,
    SalesforceLimitReached,
    SalesforceSessionRefused,
    SalesforceUnreachable,
    error_details,
)
from .models import OutboxEntry
from .retry import Action, action_for, backoff_delay, out_of_attempts, out_of_slow_retries, slow_retry_delay
from .selectors import outbox_due, outbox_next_attempt_at, outbox_paused_until
from .services import outbox_record_drain
from .sync.values import parse_datetime, soql_quote

logger = logging.getLogger(__name__)

CONTACT = "Contact"
ROLE = "OpportunityContactRole"
TASK, EVENT = "Task", "Event"
# How an entry points at a contact not in Salesforce yet: its Backstory id, under this key, becomes
# the Salesforce id in that field once the contact is pushed.
CONTACT_REFERENCES = {
    ROLE: ("ContactBackstoryId", "ContactId"),
    TASK: ("WhoBackstoryId", "WhoId"),
    EVENT: ("WhoBackstoryId", "WhoId"),
}
UPSERT, UPDATE, DELETE = (
    OutboxEntry.Operation.UPSERT,
    OutboxEntry.Operation.UPDATE,
    OutboxEntry.Operation.DELETE,
)
# Contacts before their roles; role changes before contact deletes (see the module docstring).
PHASES: tuple[tuple[str, str], ...] = (
    (CONTACT, UPSERT),
    (CONTACT, UPDATE),
    (ROLE, UPSERT),
    (ROLE, UPDATE),
    (ROLE, DELETE),
    (TASK, UPSERT),
    (EVENT, UPSERT),
    (TASK, DELETE),
    (EVENT, DELETE),
    (CONTACT, DELETE),
)
COLLECTION_SIZE = 200  # the sObject Collections limit
CLAIM_SIZE = COLLECTION_SIZE * 5
LEASE = dt.timedelta(minutes=5)
MAX_PASSES = 20
# PATCH composite/sobjects/<T>/<external id> exists from API v46.0; older versions upsert one by one.
COLLECTION_UPSERT_FROM_VERSION = 46.0
# Fields Salesforce accepts on create only: an upsert that finds the record already there (sent twice)
# is refused with INVALID_FIELD_FOR_INSERT_UPDATE, and goes again without them.
CREATE_ONLY_FIELDS: dict[str, frozenset[str]] = {
    ROLE: frozenset({"OpportunityId"}),
    TASK: frozenset({"TaskSubtype"}),
}


@dataclass
class DrainReport:
    """What one drain did. `skipped` says why nothing was sent, when nothing was."""

    claimed: int = 0
    done: int = 0
    linked: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0
    calls: int = 0
    paused_until: dt.datetime | None = None
    next_attempt_at: dt.datetime | None = None
    skipped: str = ""
    held: str = ""  # why the API budget stopped the drain part-way ("" when it did not)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped:
            return f"nothing sent: {self.skipped}"
        text = (
            f"{self.done} done ({self.linked} linked to existing records), {self.retrying} to retry, "
            f"{self.failed} failed, {self.waiting} waiting, {self.calls} API calls"
        )
        if self.paused_until:
            text += f"; paused until {self.paused_until:%H:%M:%S} UTC"
        if self.held:
            text += f"; the rest waits for the API budget ({self.held})"
        return text


class _Stop(Exception):
    """End this drain now (paused, or Salesforce cannot be reached)."""


@dataclass
class _Result:
    """One record's outcome, in the shape of an sObject Collections result."""

    success: bool
    crm_id: str = ""
    code: str = ""
    message: str = ""
    error: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, raw: Any) -> _Result:
        if not isinstance(raw, dict):
            return cls(False, code="UNEXPECTED_RESPONSE", message=f"unexpected result {raw!r}"[:500])
        if raw.get("success"):
            return cls(True, crm_id=raw.get("id") or "")
        error = (raw.get("errors") or [{}])[0] or {}
        return cls(
            False,
            crm_id=raw.get("id") or "",
            code=str(error.get("statusCode") or "UNKNOWN_ERROR"),
            message=str(error.get("message") or ""),
            error=error,
        )

    @classmethod
    def of_exception(cls, error: SalesforceError) -> _Result:
        code, message = error_details(error)
        details = error.content[0] if isinstance(error.content, list) and error.content else {}
        return cls(False, code=code, message=message, error=details if isinstance(details, dict) else {})


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _local_model(record_type: str):
    try:
        return apps.get_model(record_type)
    except (LookupError, ValueError):
        return None


def outbox_drain(*, connection: SalesforceConnection | None = None, max_entries: int = 10_000) -> DrainReport:
    """Send every due outbox entry to Salesforce (up to `max_entries`) and record each outcome.

    Does nothing while Salesforce's API limit pauses sync, when nothing is due, when Backstory's
    API budget holds pushes (crm/budget.py), or when Salesforce is not configured (the entries
    wait). Never raises for Salesforce's own failures: they become the entries' retries and reasons.
    """
    report = DrainReport()
    now = clock.now()
    status = budget_status(now=now)
    report.paused_until = status.paused_until
    if report.paused_until:
        report.skipped = status.hold(PUSH)
        return report
    if not outbox_due(now=now).exists():
        report.skipped = "nothing due"
        report.next_attempt_at = outbox_next_attempt_at()
        return report
    hold = budget_hold(PUSH)
    if hold:
        return _held(report, hold)
    if connection is None:
        try:
            connection = SalesforceConnection.open()
        except SalesforceNotConfigured as error:
            report.skipped = f"Salesforce is not configured ({error})"
            return report
        except (SalesforceUnreachable, SalesforceSessionRefused) as error:
            report.skipped = str(error)
            return report
    hold = budget_open(PUSH, connection)
    if hold:
        report.paused_until = outbox_paused_until(now=clock.now())
        return _held(report, hold)
    drainer = _Drainer(connection, report)
    calls_before = connection.calls
    try:
        drainer.run(max_entries=max_entries)
    except _Stop:
        pass
    finally:
        drainer.release_unsent()
        budget_note_response_figures(connection)
    if report.held:
        remember_hold(PUSH, report.held)
    else:
        budget_clear_hold(PUSH)
    report.waiting = len(drainer.waiting - drainer.finished)
    report.calls = connection.calls - calls_before
    report.next_attempt_at = outbox_next_attempt_at()
    outbox_record_drain(summary=report.summary())
    return report


def _held(report: DrainReport, reason: str) -> DrainReport:
    """The API budget holds this drain: nothing is sent, every entry stays pending, and the
    reason is what the admins see (the drain summary and the sync page)."""
    report.skipped = f"held for the Salesforce API budget: {reason}"
    outbox_record_drain(summary=report.summary())
    return report


class _Drainer:
    def __init__(self, connection: SalesforceConnection, report: DrainReport) -> None:
        self.conn = connection
        self.report = report
        self.tokens: list[str] = []
        self.backstory_id_field = settings.SALESFORCE_FIELD_BACKSTORY_ID
        self.created_by_field = settings.SALESFORCE_FIELD_CREATED_BY_BACKSTORY
        self.contact_ids: dict[str, str] = {}  # contact backstory id → Salesforce id
        self.finished: set[int] = set()  # entries given an outcome in this drain
        self.waiting: set[int] = set()  # roles waiting for their contact

    # -- the loop ------------------------------------------------------------------------
    def run(self, *, max_entries: int) -> None:
        for _ in range(MAX_PASSES):
            progressed = False
            for object_name, operation in self._phases():
                for _ in range(max_entries // CLAIM_SIZE + 1):
                    entries = self.claim(object_name, operation)
                    if not entries:
                        break
                    progressed = True
                    for chunk in _chunks(entries, COLLECTION_SIZE):
                        self.send(object_name, operation, chunk)
                    if self.report.claimed >= max_entries:
                        return
            if not progressed:
                return

    def _phases(self) -> list[tuple[str, str]]:
        # Objects other than contacts and roles (none today) go after them, in a stable order.
        others = sorted(
            set(
                OutboxEntry.objects.filter(status=OutboxEntry.Status.PENDING).values_list(
                    "object_name", "operation"
                )
            )
            - set(PHASES)
        )
        return [*PHASES, *others]

    # -- claiming ------------------------------------------------------------------------
    def claim(self, object_name: str, operation: str) -> list[OutboxEntry]:
        """Claim up to CLAIM_SIZE due entries of one object and operation that may go now."""
        now = clock.now()
        # A lease that ran out (its drain died) makes the entry due again, whatever token it holds.
        due = outbox_due(now=now).filter(object_name=object_name, operation=operation)
        ready: list[OutboxEntry] = []
        last_id = 0
        while len(ready) < CLAIM_SIZE:
            batch = list(due.filter(id__gt=last_id)[:CLAIM_SIZE])
            if not batch:
                break
            last_id = batch[-1].id
            ready.extend(self._may_go(object_name, operation, batch))
        ready = ready[:CLAIM_SIZE]
        if not ready:
            return []
        token = uuid.uuid4().hex
        self.tokens.append(token)
        OutboxEntry.objects.filter(pk__in=[e.pk for e in ready], status=OutboxEntry.Status.PENDING).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        ).update(
            claim_token=token, next_attempt_at=now + LEASE, last_attempt_at=now, attempts=F("attempts") + 1
        )
        claimed = list(OutboxEntry.objects.filter(claim_token=token).order_by("id"))
        self.report.claimed += len(claimed)
        return claimed

    def _may_go(self, object_name: str, operation: str, batch: list[OutboxEntry]) -> list[OutboxEntry]:
        # One record's entries go in the order they were written.
        first: dict[tuple[str, int], int] = {}
        for record_type in {e.record_type for e in batch}:
            rows = (
                OutboxEntry.objects.filter(
                    status=OutboxEntry.Status.PENDING,
                    record_type=record_type,
                    record_id__in={e.record_id for e in batch if e.record_type == record_type},
                )
                .values("record_id")
                .annotate(first=Min("id"))
            )
            first.update({(record_type, row["record_id"]): row["first"] for row in rows})
        entries = [e for e in batch if first.get((e.record_type, e.record_id)) == e.id]
        if object_name == CONTACT and operation == DELETE:
            first_role = OutboxEntry.objects.filter(
                status=OutboxEntry.Status.PENDING, object_name=ROLE
            ).aggregate(first=Min("id"))["first"]
            entries = [e for e in entries if first_role is None or e.id < first_role]
        if object_name in CONTACT_REFERENCES and operation in (UPSERT, UPDATE):
            entries = self._with_contacts(entries, CONTACT_REFERENCES[object_name][0])
        return entries

    def _with_contacts(self, entries: list[OutboxEntry], key: str) -> list[OutboxEntry]:
        """Roles, Tasks and Events whose contact is in Salesforce go; the others wait for it or fail
        (never sent pointing at no one)."""
        wanted = {str(e.payload.get(key)) for e in entries if e.payload.get(key)}
        self._load_contact_ids(wanted)
        pending = (
            set(
                OutboxEntry.objects.filter(
                    status=OutboxEntry.Status.PENDING, object_name=CONTACT, external_id__in=wanted
                ).values_list("external_id", flat=True)
            )
            if wanted
            else set()
        )
        ready = []
        for entry in entries:
            backstory_id = entry.payload.get(key)
            if backstory_id and not self.contact_ids.get(str(backstory_id)):
                if str(backstory_id) in pending:
                    self.waiting.add(entry.pk)
                    self.report.waiting = len(self.waiting - self.finished)
                    continue
                self._finish_unclaimed(
                    entry,
                    "CONTACT_NOT_IN_SALESFORCE",
                    f"The contact (Backstory id {backstory_id}) is not in Salesforce and nothing "
                    "in the outbox will put it there: retry the contact's own entry first.",
                )
                continue
            ready.append(entry)
        return ready

    def _load_contact_ids(self, backstory_ids: Iterable[str]) -> None:
        contact_model = apps.get_model("contacts", "Contact")
        valid = []
        for value in backstory_ids:
            try:
                valid.append(uuid.UUID(value))
            except ValueError:
                continue
        for backstory_id, crm_id in contact_model.objects.filter(backstory_id__in=valid).values_list(
            "backstory_id", "crm_id"
        ):
            if crm_id:
                self.contact_ids[str(backstory_id)] = crm_id

    def release_unsent(self) -> None:
        """Give back entries this drain claimed but did not finish (it stopped early): due again,
        or at the end of a pause, without charging them an attempt."""
        if not self.tokens:
            return
        when = self.report.paused_until
        OutboxEntry.objects.filter(claim_token__in=self.tokens, status=OutboxEntry.Status.PENDING).update(
            claim_token="", next_attempt_at=when, attempts=F("attempts") - 1
        )

    # -- sending -------------------------------------------------------------------------
    def send(self, object_name: str, operation: str, entries: list[OutboxEntry]) -> None:
        try:
            if operation == UPSERT:
                self._upsert(object_name, entries)
            elif operation == UPDATE:
                self._update(object_name, entries)
            elif operation == DELETE:
                self._delete(object_name, entries)
            else:
                for entry in entries:
                    self._fail(entry, "UNKNOWN_OPERATION", f"Unknown outbox operation {operation!r}.")
        except SalesforceBudgetSpent as error:
            self.report.held = str(error)
            raise _Stop from error
        except SalesforceLimitReached as error:
            until = salesforce_pause_for_limit(str(error), during="during a drain")
            self.report.paused_until = until
            self.report.errors.append(f"REQUEST_LIMIT_EXCEEDED: paused until {until:%H:%M:%S} UTC")
            raise _Stop from error
        except (SalesforceSessionRefused, SalesforceUnreachable) as error:
            code = "INVALID_SESSION_ID" if isinstance(error, SalesforceSessionRefused) else "NETWORK_ERROR"
            for entry in entries:
                if entry.pk not in self.finished:
                    self._backoff(entry, code, str(error))
            self.report.errors.append(str(error))
            raise _Stop from error
        except SalesforceError as error:
            # The whole call failed (a server error, a lock on the whole request, a bad path).
            result = _Result.of_exception(error)
            for entry in entries:
                if entry.pk not in self.finished:
                    self._apply(entry, result, operation)

    def _call(self, operation: Any) -> Any:
        return self.conn.call(operation)

    def _payload(self, entry: OutboxEntry) -> dict[str, Any]:
        payload = dict(entry.payload)
        key, field_name = CONTACT_REFERENCES.get(entry.object_name, ("ContactBackstoryId", "ContactId"))
        backstory_id = payload.pop(key, None)
        if backstory_id:
            payload[field_name] = self.contact_ids[str(backstory_id)]
        if payload.get("OwnerId", "") is None:
            del payload["OwnerId"]  # Salesforce gives the record to the API user; an owner is never cleared
        return payload

    def _upsert(self, object_name: str, entries: list[OutboxEntry]) -> None:
        field_name = self.backstory_id_field
        sendable = []
        for entry in entries:
            if not entry.external_id:
                self._fail(entry, "NO_EXTERNAL_ID", "An upsert needs the record's Backstory id.")
            elif (
                object_name == ROLE
                and not entry.payload.get("OpportunityId")
                and not self._role_opportunity(entry)
            ):
                self._fail(
                    entry,
                    "OPPORTUNITY_NOT_IN_SALESFORCE",
                    "The contact role's opportunity has no Salesforce id.",
                )
            else:
                sendable.append(entry)
        if not sendable:
            return
        if float(self.conn.api_version) >= COLLECTION_UPSERT_FROM_VERSION:
            records = [
                {"attributes": {"type": object_name}, **self._payload(e), field_name: e.external_id}
                for e in sendable
            ]
            raw = self._call(
                lambda sf: sf.restful(
                    f"composite/sobjects/{object_name}/{field_name}",
                    method="PATCH",
                    json={"allOrNone": False, "records": records},
                )
            )
            results = self._results(raw, len(sendable))
        else:
            results = [self._upsert_one(object_name, e, self._payload(e)) for e in sendable]
        self._handle(object_name, UPSERT, sendable, results)

    def _role_opportunity(self, entry: OutboxEntry) -> bool:
        model = _local_model(entry.record_type)
        crm_id = None
        if model is not None:
            crm_id = (
                model.objects.filter(pk=entry.record_id).values_list("opportunity__crm_id", flat=True).first()
            )
        if crm_id:
            entry.payload["OpportunityId"] = crm_id
        return bool(crm_id)

    def _upsert_one(self, object_name: str, entry: OutboxEntry, payload: dict[str, Any]) -> _Result:
        """One record by external id (API versions before 46.0): 201 created; 200 with a body or
        204 without one (up to v45) updated."""
        field_name = self.backstory_id_field
        try:
            response = self._call(
                lambda sf: getattr(sf, object_name).upsert(
                    f"{field_name}/{quote(entry.external_id, safe='')}", payload, raw_response=True
                )
            )
            if response.status_code != 204 and response.content:
                return _Result.of(response.json())
            record = self._call(
                lambda sf: getattr(sf, object_name).get_by_custom_id(field_name, entry.external_id)
            )
            return _Result(True, crm_id=record["Id"])
        except SalesforceLimitReached:
            raise
        except SalesforceError as error:
            return _Result.of_exception(error)

    def _update(self, object_name: str, entries: list[OutboxEntry]) -> None:
        by_id, by_external_id = [], []
        for entry in entries:
            crm_id = entry.crm_id or self._local_crm_id(entry)
            if crm_id:
                entry.crm_id = crm_id
                by_id.append(entry)
            elif entry.external_id:
                by_external_id.append(entry)
            else:
                self._fail(
                    entry, "NO_SALESFORCE_ID", "The record has neither a Salesforce id nor a Backstory id."
                )
        if by_id:
            records = [
                {"attributes": {"type": object_name}, "id": e.crm_id, **self._payload(e)} for e in by_id
            ]
            raw = self._call(
                lambda sf: sf.restful(
                    "composite/sobjects", method="PATCH", json={"allOrNone": False, "records": records}
                )
            )
            self._handle(object_name, UPDATE, by_id, self._results(raw, len(by_id)))
        if by_external_id:
            # Not pushed yet when it was queued, and still no id: upsert the change on the Backstory id.
            self._upsert(object_name, by_external_id)

    def _local_crm_id(self, entry: OutboxEntry) -> str:
        model = _local_model(entry.record_type)
        if model is None or not any(f.name == "crm_id" for f in model._meta.fields):
            return ""
        return model.objects.filter(pk=entry.record_id).values_list("crm_id", flat=True).first() or ""

    def _delete(self, object_name: str, entries: list[OutboxEntry]) -> None:
        field_name = self.backstory_id_field
        for entry in entries:
            entry.crm_id = entry.crm_id or self._local_crm_id(entry)
        unknown = [e for e in entries if not e.crm_id and e.external_id]
        if unknown:
            values = ", ".join(soql_quote(e.external_id) for e in unknown)
            rows = self._query(f"SELECT Id, {field_name} FROM {object_name} WHERE {field_name} IN ({values})")
            found = {row[field_name]: row["Id"] for row in rows}
            for entry in unknown:
                entry.crm_id = found.get(entry.external_id, "")
        targets = []
        for entry in entries:
            if entry.crm_id:
                targets.append(entry)
            else:
                self._done(
                    entry, "", note=("NOT_IN_SALESFORCE", "Never reached Salesforce: nothing to delete.")
                )
        if not targets:
            return
        check = [field_name] + ([self.created_by_field] if object_name == CONTACT else [])
        ids = ", ".join(soql_quote(e.crm_id) for e in targets)
        rows = {
            row["Id"][:15]: row
            for row in self._query(f"SELECT Id, {', '.join(check)} FROM {object_name} WHERE Id IN ({ids})")
        }
        deletable = []
        for entry in targets:
            row = rows.get(entry.crm_id[:15])
            if row is None:
                self._done(entry, entry.crm_id, note=("ALREADY_DELETED", "Already deleted in Salesforce."))
            elif not self._created_by_backstory(object_name, row):
                self._fail(
                    entry,
                    "NOT_CREATED_BY_BACKSTORY",
                    f"Salesforce {object_name} {entry.crm_id} was not created by Backstory: Backstory "
                    "only deletes records it created. Nothing was deleted.",
                )
            else:
                deletable.append(entry)
        if not deletable:
            return
        raw = self._call(
            lambda sf: sf.restful(
                "composite/sobjects",
                method="DELETE",
                params={"ids": ",".join(e.crm_id for e in deletable), "allOrNone": "false"},
            )
        )
        self._handle(object_name, DELETE, deletable, self._results(raw, len(deletable)))

    def _created_by_backstory(self, object_name: str, row: dict[str, Any]) -> bool:
        if object_name == CONTACT:
            return bool(row.get(self.created_by_field))
        return bool(row.get(self.backstory_id_field))

    def _query(self, soql: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        result = self._call(lambda sf: sf.query(soql))
        while True:
            records.extend(result.get("records", []))
            if result.get("done", True):
                return records
            next_url = result["nextRecordsUrl"]
            result = self._call(lambda sf, url=next_url: sf.query_more(url, identifier_is_url=True))

    @staticmethod
    def _results(raw: Any, expected: int) -> list[_Result]:
        if not isinstance(raw, list) or len(raw) != expected:
            return [
                _Result(
                    False,
                    code="UNEXPECTED_RESPONSE",
                    message=f"expected {expected} results, got {str(raw)[:300]}",
                )
            ] * expected
        return [_Result.of(item) for item in raw]

    # -- outcomes ------------------------------------------------------------------------
    def _handle(
        self,
        object_name: str,
        operation: str,
        entries: list[OutboxEntry],
        results: list[_Result],
        *,
        resent: bool = False,
    ) -> None:
        completed: list[tuple[OutboxEntry, str]] = []
        duplicates: list[tuple[OutboxEntry, _Result]] = []
        existing: list[OutboxEntry] = []
        for entry, result in zip(entries, results, strict=True):
            if result.success:
                completed.append((entry, result.crm_id or entry.crm_id))
            elif operation == UPSERT and not resent and self._create_only_clash(object_name, result):
                existing.append(entry)
            elif action_for(result.code, operation=operation) == Action.LINK:
                duplicates.append((entry, result))
            else:
                self._apply(entry, result, operation)
        # Record what went through before any further call can fail.
        self._write_back(object_name, operation, completed)
        if existing:
            self._upsert_existing(object_name, existing)
        if duplicates:
            self._write_back(object_name, operation, self._link_duplicates(object_name, duplicates))

    @staticmethod
    def _create_only_clash(object_name: str, result: _Result) -> bool:
        fields = set(result.error.get("fields") or [])
        return (
            result.code == "INVALID_FIELD_FOR_INSERT_UPDATE"
            and bool(fields)
            and fields <= CREATE_ONLY_FIELDS.get(object_name, frozenset())
        )

    def _upsert_existing(self, object_name: str, entries: list[OutboxEntry]) -> None:
        """The records exist already (an upsert sent twice): upsert again without the create-only fields."""
        field_name = self.backstory_id_field
        create_only = CREATE_ONLY_FIELDS.get(object_name, frozenset())
        payloads = [{k: v for k, v in self._payload(e).items() if k not in create_only} for e in entries]
        if float(self.conn.api_version) >= COLLECTION_UPSERT_FROM_VERSION:
            records = [
                {"attributes": {"type": object_name}, **payload, field_name: e.external_id}
                for e, payload in zip(entries, payloads, strict=True)
            ]
            raw = self._call(
                lambda sf: sf.restful(
                    f"composite/sobjects/{object_name}/{field_name}",
                    method="PATCH",
                    json={"allOrNone": False, "records": records},
                )
            )
            results = self._results(raw, len(entries))
        else:
            results = [
                self._upsert_one(object_name, e, payload)
                for e, payload in zip(entries, payloads, strict=True)
            ]
        self._handle(object_name, UPSERT, entries, results, resent=True)

    def _apply(self, entry: OutboxEntry, result: _Result, operation: str) -> None:
        action = action_for(result.code, operation=operation)
        if action == Action.DONE:
            self._done(entry, entry.crm_id, note=(result.code, result.message))
        elif action in (Action.BACKOFF, Action.REFRESH, Action.PAUSE, Action.LINK):
            # A lone record refused for the limit or a session, or a duplicate outside a result list:
            # try it again later.
            self._backoff(entry, result.code, result.message)
        else:
            self._fail(entry, result.code, result.message)

    def _link_duplicates(self, object_name: str, duplicates: list[tuple[OutboxEntry, _Result]]) -> list:
        """DUPLICATES_DETECTED: link to the matched record when it is the same person (or role);
        a rule that matched someone else is retried, never linked."""
        matched: dict[int, list[str]] = {}
        for entry, result in duplicates:
            ids = []
            for match in (result.error.get("duplicateResult") or {}).get("matchResults") or []:
                for record in match.get("matchRecords") or []:
                    record_id = (record.get("record") or {}).get("Id")
                    if record_id:
                        ids.append(record_id)
            matched[entry.pk] = ids
        all_ids = sorted({i for ids in matched.values() for i in ids})
        fields = {CONTACT: "Email", ROLE: "OpportunityId, ContactId"}.get(object_name)
        rows: dict[str, dict] = {}
        if all_ids and fields:
            try:
                rows = {
                    row["Id"]: row
                    for row in self._query(
                        f"SELECT Id, {fields} FROM {object_name} WHERE Id IN ({', '.join(map(soql_quote, all_ids))})"
                    )
                }
            except SalesforceError as error:
                for entry, result in duplicates:
                    self._backoff(entry, result.code, f"{result.message} (could not read the match: {error})")
                return []
        linked = []
        for entry, result in duplicates:
            # Only a record that can be compared (a contact by email, a role by its opportunity and
            # contact) is linked; a Task or Event a rule matched is another one: retried.
            same = [
                i for i in matched[entry.pk] if fields and self._same_record(object_name, entry, rows.get(i))
            ]
            if same:
                entry.link_note = (
                    f"Salesforce already had this record ({same[0]}): linked to it instead of creating one."
                )
                linked.append((entry, same[0]))
            else:
                self._backoff(
                    entry,
                    result.code,
                    f"{result.message} The duplicate rule matched {', '.join(matched[entry.pk]) or 'nothing'}, "
                    "which is not the same record: not linked.",
                )
        return linked

    def _same_record(self, object_name: str, entry: OutboxEntry, row: dict | None) -> bool:
        if row is None:
            return False
        payload = self._payload(entry)
        if object_name == CONTACT:
            return bool(payload.get("Email")) and (row.get("Email") or "").lower() == payload["Email"].lower()
        return (row.get("OpportunityId") or "")[:15] == (payload.get("OpportunityId") or "")[:15] and (
            row.get("ContactId") or ""
        )[:15] == (payload.get("ContactId") or "")[:15]

    def _write_back(self, object_name: str, operation: str, completed: list[tuple[OutboxEntry, str]]) -> None:
        if not completed:
            return
        if operation == DELETE:
            for entry, crm_id in completed:
                self._done(entry, crm_id)
            return
        deleted_since = self._deleted_since(object_name, [entry for entry, _ in completed])
        for entry, crm_id in completed:
            note = getattr(entry, "link_note", "")
            # Its deletion was queued while this write was on its way: the record is about to go,
            # so the local record must not point at it.
            problem = "" if entry.pk in deleted_since else self._link_local(entry, crm_id)
            if problem:
                self._fail(entry, "CRM_ID_IN_USE", problem)
            else:
                self._done(
                    entry, crm_id, note=("DUPLICATES_DETECTED", note) if note else None, linked=bool(note)
                )
        if object_name == CONTACT:
            self._contact_times([crm_id for _, crm_id in completed if crm_id])

    @staticmethod
    def _deleted_since(object_name: str, entries: list[OutboxEntry]) -> set[int]:
        """The entries whose record has a deletion queued after them. (Still pending: one record's
        entries go in order, so the deletion cannot have gone before this write is recorded.)"""
        deletions = OutboxEntry.objects.filter(
            status=OutboxEntry.Status.PENDING,
            object_name=object_name,
            operation=DELETE,
            id__gt=min(e.pk for e in entries),
            record_id__in={e.record_id for e in entries},
        ).values_list("record_type", "record_id", "id")
        last_deletion = {}
        for record_type, record_id, pk in deletions:
            last_deletion[(record_type, record_id)] = max(pk, last_deletion.get((record_type, record_id), 0))
        return {e.pk for e in entries if last_deletion.get((e.record_type, e.record_id), 0) > e.pk}

    def _link_local(self, entry: OutboxEntry, crm_id: str) -> str:
        """Store the Salesforce id on the local record; a problem message when another record has it."""
        model = _local_model(entry.record_type)
        if model is None or not crm_id or not any(f.name == "crm_id" for f in model._meta.fields):
            return ""
        try:
            with transaction.atomic():
                model.objects.filter(pk=entry.record_id).exclude(crm_id=crm_id).update(crm_id=crm_id)
        except IntegrityError:
            other = model.objects.filter(crm_id=crm_id).values_list("pk", flat=True).first()
            return (
                f"Salesforce {entry.object_name} {crm_id} is already linked to {model._meta.verbose_name} "
                f"#{other}; the two local records are duplicates (the daily de-duplication merges contacts)."
            )
        if entry.object_name == CONTACT and entry.external_id:
            self.contact_ids[entry.external_id] = crm_id
        return ""

    def _contact_times(self, crm_ids: list[str]) -> None:
        """Copy Salesforce's CreatedDate and SystemModstamp to the pushed contacts, so the next pull
        sees nothing to change. A failure only costs the pull one write."""
        if not crm_ids:
            return
        contact_model = apps.get_model("contacts", "Contact")
        try:
            rows = self._query(
                "SELECT Id, CreatedDate, SystemModstamp FROM Contact WHERE Id IN "
                f"({', '.join(map(soql_quote, crm_ids))})"
            )
        except (SalesforceError, SalesforceUnreachable, SalesforceSessionRefused) as error:
            logger.info("could not read the times of %d pushed contacts: %s", len(crm_ids), error)
            return
        for row in rows:
            contact_model.objects.filter(crm_id=row["Id"]).update(
                crm_created_at=parse_datetime(row.get("CreatedDate")),
                crm_last_modified=parse_datetime(row.get("SystemModstamp")),
            )

    def _done(
        self, entry: OutboxEntry, crm_id: str, *, note: tuple[str, str] | None = None, linked: bool = False
    ) -> None:
        code, message = note or ("", "")
        self.finished.add(entry.pk)
        OutboxEntry.objects.filter(pk=entry.pk).update(
            status=OutboxEntry.Status.DONE,
            crm_id=crm_id or entry.crm_id,
            completed_at=clock.now(),
            claim_token="",
            next_attempt_at=None,
            last_error=message,
            last_error_code=code,
        )
        self.report.done += 1
        self.report.linked += int(linked)

    def _backoff(self, entry: OutboxEntry, code: str, message: str) -> None:
        self.finished.add(entry.pk)
        now = clock.now()
        if out_of_attempts(entry.attempts):
            # Past the retry horizon a passing outage must not need an admin: retry at the slow
            # cadence until the entry is a week old, then stop and show it on Sync problems.
            if out_of_slow_retries(entry.attempts):
                self._fail(entry, code, f"Gave up after {entry.attempts} attempts: {message}")
                return
            delay = slow_retry_delay()
            message = f"Still failing after {entry.attempts} attempts, retrying every {delay}: {message}"
        else:
            delay = backoff_delay(entry.attempts)
        OutboxEntry.objects.filter(pk=entry.pk).update(
            status=OutboxEntry.Status.PENDING,
            claim_token="",
            next_attempt_at=now + delay,
            last_error=message,
            last_error_code=code,
        )
        self.report.retrying += 1

    def _fail(self, entry: OutboxEntry, code: str, message: str) -> None:
        self.finished.add(entry.pk)
        OutboxEntry.objects.filter(pk=entry.pk).update(
            status=OutboxEntry.Status.FAILED,
            claim_token="",
            next_attempt_at=None,
            last_error=message,
            last_error_code=code[:60],
        )
        self.report.failed += 1
        self.report.errors.append(
            f"entry {entry.pk} ({entry.object_name} {entry.operation}): {code} {message}"[:500]
        )

    def _finish_unclaimed(self, entry: OutboxEntry, code: str, message: str) -> None:
        # Decided before claiming (a role whose contact will never be pushed): fail it right away.
        updated = OutboxEntry.objects.filter(pk=entry.pk, status=OutboxEntry.Status.PENDING).update(
            status=OutboxEntry.Status.FAILED,
            next_attempt_at=None,
            last_error=message,
            last_error_code=code,
        )
        if updated:
            self.report.failed += 1
            self.report.errors.append(f"entry {entry.pk} ({entry.object_name} {entry.operation}): {code}")
