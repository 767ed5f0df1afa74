"""The stand-in's org data: typed records per object, the write rules Salesforce applies,
fixtures in and state out.

Every public method takes the store's lock, so the HTTP threads can share one store.
Writes follow the real platform's rules: required and read-only fields, lookups that must
point at a live record of the right type, unique external ids, derived fields (Name,
Opportunity IsClosed/IsWon/ForecastCategoryName from the stage table, Task IsClosed,
Event duration), one primary contact role per opportunity, an OpportunityHistory row
when a tracked opportunity field changes, audit timestamps on every write, soft delete
with cascades.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from . import ids, query
from .errors import ApiError, MultipleMatches, entity_is_deleted, not_found
from .schema import CASCADE_DELETES, DEFAULT_STAGES, Field, SObject, Stage, _label, build_schema
from .values import STRING_TYPES, UTC, format_datetime, from_json, parse_datetime, to_json

Record = dict[str, Any]
Clock = Callable[[], dt.datetime]

FIXTURES_DIR = Path(__file__).parent / "fixtures"
SMALL_ORG = FIXTURES_DIR / "small_org.json"

STATE_FORMAT = 1
CLOSED_TASK_STATUSES = {"completed"}
MAX_EVENT_LENGTH = dt.timedelta(days=14)
HISTORY_TRACKED = ("StageName", "Amount", "CloseDate", "Probability", "ForecastCategoryName")
REPLICATION_WINDOW = dt.timedelta(days=30)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def system_clock() -> dt.datetime:
    """The real time, in UTC."""
    return dt.datetime.now(UTC)


class ManualClock:
    """A clock tests move by hand: `clock.advance(minutes=5)`."""

    def __init__(self, start: dt.datetime | str = "2024-01-15T10:00:00Z") -> None:
        self.now = parse_datetime(start) if isinstance(start, str) else start.astimezone(UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        """Move forward by a timedelta given as keywords (seconds=, minutes=, days=...)."""
        self.now += dt.timedelta(**delta)
        return self.now


class Transaction:
    """Handle given by `Store.atomic()`; `rollback()` undoes the writes made so far."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def rollback(self) -> None:
        self._store._rollback()


class Store:
    """A thread-safe, in-memory Salesforce org."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        stages: Iterable[Stage] = DEFAULT_STAGES,
        schema: dict[str, SObject] | None = None,
    ) -> None:
        self.schema = schema or build_schema()
        self.clock = clock or system_clock
        self.stages = {stage.name.lower(): stage for stage in stages}
        self.lock = threading.RLock()
        self.api_user_id: str | None = None  # the user the API session runs as
        self.refs: dict[str, str] = {}  # fixture keys ("@acme") → ids
        self.revision = 0  # bumped by every write, so a caller can tell when to persist
        self._tables: dict[str, dict[str, Record]] = {name: {} for name in self.schema}
        self._index: dict[str, str] = {}
        self._counters: dict[str, int] = {}
        self._journal: list[tuple[str, str, Record | None]] | None = None

    # -- lookups -------------------------------------------------------------------------
    def object(self, name: str) -> SObject | None:
        """The sObject type called `name` (any case), or None."""
        return query.find_object(self.schema, name)

    def ref(self, key: str) -> str:
        """The id a fixture gave the key `key` (with or without the leading @)."""
        return self.refs[key.lstrip("@")]

    def rows(self, object_name: str, include_deleted: bool = False) -> list[Record]:
        """The records of one type in creation order (live only unless include_deleted).

        The dicts are the store's own: read them, and write through create/update/delete.
        """
        with self.lock:
            return [r for r in self._tables[object_name].values() if include_deleted or not r["IsDeleted"]]

    def lookup(self, record_id: str) -> tuple[str, Record] | None:
        """(object name, record) for any id, deleted or not; None if unknown."""
        object_name = self._index.get(record_id)
        if object_name is None and ids.is_well_formed(record_id):
            object_name = self._index.get(ids.to_18(record_id))
            record_id = ids.to_18(record_id)
        if object_name is None:
            return None
        return object_name, self._tables[object_name][record_id]

    def get(self, object_name: str, record_id: str) -> Record:
        """A copy of a live record (NOT_FOUND if it does not exist, is of another type or was deleted)."""
        with self.lock:
            return dict(self._live(object_name, record_id, missing=not_found, deleted=not_found))

    def count(self, object_name: str, include_deleted: bool = False) -> int:
        """How many records of a type there are."""
        return len(self.rows(object_name, include_deleted))

    def to_json(
        self, object_name: str, record: Record, fields: Iterable[str] | None = None, version: str = "59.0"
    ) -> Record:
        """A record as the REST API returns it, with `attributes`."""
        obj = self.schema[object_name]
        names = list(fields or [])
        chosen = [obj.field(name) for name in names] if names else obj.fields
        for name, field in zip(names, chosen, strict=False):
            if field is None:
                raise ApiError(400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}")
        body: Record = {"attributes": query.attributes(version, object_name, record["Id"])}
        for field in chosen:
            body[field.name] = to_json(field.type, record.get(field.name))
        return body

    def query(self, soql: str, *, include_deleted: bool = False, version: str = "59.0") -> query.QueryResult:
        """Run a SOQL query (ApiError on bad SOQL, unknown objects or fields)."""
        with self.lock:
            return query.run(self, soql, include_deleted=include_deleted, version=version)

    def find_by_field(self, object_name: str, field_name: str, value: Any) -> list[str]:
        """Ids of live records whose field equals `value` (text compared without case)."""
        obj = self.schema[object_name]
        field = obj.field(field_name)
        if field is None:
            return []
        wanted = value.casefold() if isinstance(value, str) else value
        with self.lock:
            found = []
            for record in self.rows(object_name):
                current = record.get(field.name)
                if (current.casefold() if isinstance(current, str) else current) == wanted:
                    found.append(record["Id"])
            return found

    def find_duplicates(self, object_name: str, data: Record) -> list[str]:
        """Records a duplicate rule would flag for this new record: same Email for people,
        same Name for accounts, otherwise the most recent record of the type."""
        key = {"Contact": "Email", "Lead": "Email", "Account": "Name"}.get(object_name)
        with self.lock:
            if key:
                value = next((v for k, v in data.items() if k.lower() == key.lower()), None)
                if value:
                    matches = self.find_by_field(object_name, key, value)
                    if matches:
                        return matches
            live = self.rows(object_name)
            return [live[-1]["Id"]] if live else []

    # -- writes --------------------------------------------------------------------------
    @contextlib.contextmanager
    def atomic(self) -> Iterator[Transaction]:
        """Hold the lock and journal writes; an exception (or `rollback()`) undoes them."""
        with self.lock:
            if self._journal is not None:  # already inside a transaction
                yield Transaction(self)
                return
            self._journal = []
            try:
                yield Transaction(self)
            except BaseException:
                self._rollback()
                raise
            finally:
                self._journal = None

    def create(self, object_name: str, data: Record) -> str:
        """Insert a record from API field values; returns its new 18-character id."""
        with self.atomic():
            obj = self._writable_object(object_name, "inserted")
            changes = self._parse_changes(obj, data, creating=True)
            record = self._blank(obj)
            record.update(changes)
            self._check(obj, record, changes, creating=True, record_id=None)
            now = self._now()
            record_id = self._new_id(obj.name)
            record.update(
                Id=record_id,
                IsDeleted=False,
                CreatedDate=now,
                LastModifiedDate=now,
                SystemModstamp=now,
                CreatedById=self.api_user_id,
                LastModifiedById=self.api_user_id,
            )
            if "OwnerId" in record and not record["OwnerId"]:
                record["OwnerId"] = self.api_user_id
            self._derive(obj, record, changes)
            self._put(obj.name, record_id, record)
            self._after_write(obj, record, previous=None, now=now)
            return record_id

    def update(self, object_name: str, record_id: str, data: Record) -> None:
        """Change fields of a live record."""
        with self.atomic():
            obj = self._writable_object(object_name, "updated")
            previous = self._live(obj.name, record_id)
            changes = self._parse_changes(obj, data, creating=False)
            record = dict(previous)
            record.update(changes)
            self._check(obj, record, changes, creating=False, record_id=previous["Id"])
            now = self._now()
            record.update(LastModifiedDate=now, SystemModstamp=now, LastModifiedById=self.api_user_id)
            self._derive(obj, record, changes)
            self._put(obj.name, previous["Id"], record)
            self._after_write(obj, record, previous=previous, now=now)

    def delete(self, object_name: str, record_id: str) -> None:
        """Soft-delete a record (IsDeleted=true) and the records that cascade from it."""
        with self.atomic():
            obj = self._writable_object(object_name, "deleted")
            record = self._live(obj.name, record_id)
            self._soft_delete(obj.name, record, self._now())

    def upsert(self, object_name: str, field_name: str, value: str, data: Record) -> tuple[str, bool]:
        """Create or update by external id; returns (id, created). MultipleMatches when
        several records carry the value."""
        with self.atomic():
            obj = self.object(object_name)
            if obj is None:
                raise not_found()
            field = obj.field(field_name)
            if field is None or not (field.external_id or field.name == "Id"):
                raise ApiError(
                    404,
                    "NOT_FOUND",
                    f"Provided external ID field does not exist or is not accessible: {field_name}",
                )
            if field.name == "Id":
                self.update(obj.name, value, data)
                return ids.to_18(value), False
            matches = self.find_by_field(obj.name, field.name, value)
            if len(matches) > 1:
                raise MultipleMatches(obj.name, field.name, matches)
            if matches:
                self.update(obj.name, matches[0], data)
                return matches[0], False
            body = {k: v for k, v in data.items() if k.lower() != field.name.lower()}
            body[field.name] = value
            return self.create(obj.name, body), True

    # -- replication ---------------------------------------------------------------------
    def updated(self, object_name: str, start: dt.datetime, end: dt.datetime) -> Record:
        """The body of `sobjects/<T>/updated/`: ids changed in [start, end), by the minute."""
        with self.lock:
            low, high = self._replication_window(start, end)
            found = [r["Id"] for r in self.rows(object_name) if low <= r["SystemModstamp"] < high]
            return {"ids": found, "latestDateCovered": format_datetime(high)}

    def deleted(self, object_name: str, start: dt.datetime, end: dt.datetime) -> Record:
        """The body of `sobjects/<T>/deleted/`: records deleted in [start, end), by the minute."""
        with self.lock:
            low, high = self._replication_window(start, end)
            gone = [r for r in self.rows(object_name, include_deleted=True) if r["IsDeleted"]]
            earliest = min((r["SystemModstamp"] for r in gone), default=high)
            return {
                "deletedRecords": [
                    {"id": r["Id"], "deletedDate": format_datetime(r["SystemModstamp"])}
                    for r in gone
                    if low <= r["SystemModstamp"] < high
                ],
                "earliestDateAvailable": format_datetime(earliest),
                "latestDateCovered": format_datetime(high),
            }

    def _replication_window(self, start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        # Salesforce ignores seconds in these windows and never covers the future.
        low = start.astimezone(UTC).replace(second=0, microsecond=0)
        now = self._now().replace(second=0, microsecond=0)
        high = min(end.astimezone(UTC).replace(second=0, microsecond=0), now)
        if low < now - REPLICATION_WINDOW:
            raise ApiError(400, "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago")
        if high - low < dt.timedelta(minutes=1):
            raise ApiError(
                400,
                "INVALID_REPLICATION_DATE",
                "startDate must chronologically precede endDate by more than one minute",
            )
        return low, high

    # -- fixtures and state --------------------------------------------------------------
    def load(self, data: dict[str, Any], *, replace: bool = True) -> None:
        """Load records from fixture or dumped-state JSON: `{"Account": [{...}], ...}`.

        Ids may be real 18-character ids or keys such as `"@acme"`, and lookups may point
        at those keys; an optional `"_standin"` entry carries the API user and id counters.
        Derived fields are recomputed; timestamps not given default to now. ValueError
        when a record names an unknown object or field or points at a missing record.
        """
        with self.lock:
            saved = (self._tables, self._index, self._counters, self.refs, self.api_user_id, self.stages)
            if replace:
                self._tables = {name: {} for name in self.schema}
                self._index, self._counters, self.refs = {}, {}, {}
                self.api_user_id = None
            else:
                self._tables = {name: dict(table) for name, table in self._tables.items()}
                self._index, self._counters, self.refs = (
                    dict(self._index),
                    dict(self._counters),
                    dict(self.refs),
                )
            try:
                self._load(data)
            except BaseException:
                # A bad fixture leaves the org as it was.
                self._tables, self._index, self._counters, self.refs, self.api_user_id, self.stages = saved
                raise
            self.revision += 1

    def _load(self, data: dict[str, Any]) -> None:
        meta = data.get("_standin", {})
        if meta.get("stages"):
            # An org defines its own opportunity stages (the StageName picklist).
            self.stages = {stage.name.lower(): stage for stage in map(_stage_from_json, meta["stages"])}
        for prefix, number in meta.get("id_counters", {}).items():
            self._counters[prefix] = max(self._counters.get(prefix, 0), int(number))
        self.refs.update(meta.get("refs", {}))
        unknown = [name for name in data if name != "_standin" and name not in self.schema]
        if unknown:
            raise ValueError(f"unknown objects in fixture: {', '.join(unknown)}")
        # Ids first, so records may point at records that come later in the file.
        for object_name, records in data.items():
            if object_name == "_standin":
                continue
            for raw in records:
                self._fixture_id(object_name, raw.get("Id"))
        now = self._now()
        api_user = meta.get("api_user")
        if api_user:
            self.api_user_id = self._resolve_ref(api_user)
        for object_name, records in data.items():
            if object_name != "_standin":
                for raw in records:
                    self._load_record(self.schema[object_name], raw, now)
        self._check_references()
        for record in self.rows("Opportunity", include_deleted=True):
            if not self.find_by_field("OpportunityHistory", "OpportunityId", record["Id"]):
                self._write_history(record, record["CreatedDate"])

    def load_file(self, path: str | Path, *, replace: bool = True) -> None:
        """Load a fixture or state file (see `load`)."""
        self.load(json.loads(Path(path).read_text(encoding="utf-8")), replace=replace)

    def dump(self) -> dict[str, Any]:
        """The whole org as JSON-ready data that `load` reads back (deleted records included)."""
        with self.lock:
            state: dict[str, Any] = {
                "_standin": {
                    "format": STATE_FORMAT,
                    "api_user": self.api_user_id,
                    "id_counters": dict(self._counters),
                    "refs": dict(self.refs),
                    "stages": [_stage_to_json(stage) for stage in self.stages.values()],
                }
            }
            for name, table in self._tables.items():
                obj = self.schema[name]
                state[name] = [
                    {f.name: to_json(f.type, record.get(f.name)) for f in obj.fields}
                    for record in table.values()
                ]
            return state

    def dump_file(self, path: str | Path) -> None:
        """Write `dump()` to a file atomically (write then rename)."""
        target = Path(path)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(json.dumps(self.dump(), indent=1), encoding="utf-8")
        temporary.replace(target)

    # -- internals -----------------------------------------------------------------------
    def _now(self) -> dt.datetime:
        now = self.clock().astimezone(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)  # Salesforce keeps milliseconds

    def _new_id(self, object_name: str) -> str:
        prefix = ids.KEY_PREFIXES[object_name]
        number = self._counters.get(prefix, 0)
        while True:
            number += 1
            candidate = ids.make_id(prefix, number)
            if candidate not in self._index:
                self._counters[prefix] = number
                return candidate

    def _put(self, object_name: str, record_id: str, record: Record) -> None:
        if self._journal is not None:
            previous = self._tables[object_name].get(record_id)
            self._journal.append((object_name, record_id, previous))
        self._tables[object_name][record_id] = record
        self._index[record_id] = object_name
        self.revision += 1

    def _rollback(self) -> None:
        journal, self._journal = self._journal or [], []
        for object_name, record_id, previous in reversed(journal):
            if previous is None:
                self._tables[object_name].pop(record_id, None)
                self._index.pop(record_id, None)
            else:
                self._tables[object_name][record_id] = previous
        self.revision += 1

    def _writable_object(self, object_name: str, operation: str) -> SObject:
        obj = self.object(object_name)
        if obj is None:
            raise not_found()
        allowed = {"inserted": obj.createable, "updated": obj.updateable, "deleted": obj.deletable}[operation]
        if not allowed:
            raise ApiError(
                400,
                "INVALID_TYPE_FOR_OPERATION",
                f"entity type cannot be {operation}: {obj.label}",
                fields=[],
            )
        return obj

    def status_of(self, object_name: str, record_id: str) -> str | None:
        """ "live", "deleted", or None when no record of this type has the id."""
        with self.lock:
            found = self.lookup(record_id) if ids.is_well_formed(record_id) else None
            if found is None or found[0] != object_name:
                return None
            return "deleted" if found[1]["IsDeleted"] else "live"

    def _live(
        self,
        object_name: str,
        record_id: str,
        missing: Callable[[], ApiError] | None = None,
        deleted: Callable[[], ApiError] | None = None,
    ) -> Record:
        # The errors default to those an sObject Collections result carries.
        if not ids.is_well_formed(record_id):
            raise (
                missing
                or (
                    lambda: ApiError(
                        400,
                        "MALFORMED_ID",
                        f"{object_name} ID: id value of incorrect type: {record_id}",
                        fields=["Id"],
                    )
                )
            )()
        found = self.lookup(record_id)
        if found is None or found[0] != object_name:
            raise (
                missing
                or (
                    lambda: ApiError(
                        400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", fields=[]
                    )
                )
            )()
        record = found[1]
        if record["IsDeleted"]:
            raise (deleted or entity_is_deleted)()
        return record

    def _parse_changes(self, obj: SObject, data: Record, *, creating: bool) -> Record:
        changes: Record = {}
        for key, raw in data.items():
            if key == "attributes":
                continue
            field = obj.field(key)
            if field is None:
                raise ApiError(
                    400,
                    "INVALID_FIELD",
                    f"No such column '{key}' on sobject of type {obj.name}",
                    fields=[key],
                )
            if not (field.createable if creating else field.updateable):
                raise ApiError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {field.name}. Please check the security settings of "
                    "this field and verify that it is read/write for your profile or permission set.",
                    fields=[field.name],
                )
            value = from_json(field.name, field.type, raw)
            if field.type == "boolean" and value is None:
                value = False  # checkboxes are never null
            changes[field.name] = self._validate_value(field, value)
        return changes

    @staticmethod
    def _validate_value(field: Field, value: Any) -> Any:
        if isinstance(value, str) and field.type in STRING_TYPES:
            if field.length and len(value) > field.length and field.type not in ("id", "reference"):
                raise ApiError(
                    400,
                    "STRING_TOO_LONG",
                    f"{field.label or field.name}: data value too large: {value[:40]} (max length={field.length})",
                    fields=[field.name],
                )
            if field.type == "email" and value and not _EMAIL_RE.match(value):
                raise ApiError(
                    400,
                    "INVALID_EMAIL_ADDRESS",
                    f"{field.name}: invalid email address: {value}",
                    fields=[field.name],
                )
            if value == "" and field.type not in ("id", "reference"):
                return None  # Salesforce stores an empty string as null
        if field.restricted and value is not None:
            canonical = {v.lower(): v for v in field.picklist}.get(str(value).lower())
            if canonical is None:
                raise ApiError(
                    400,
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"{field.label or _label(field.name)}: bad value for restricted picklist field: {value}",
                    fields=[field.name],
                )
            return canonical
        if field.type == "int" and value is not None and field.length and abs(value) >= 10**field.length:
            raise ApiError(
                400,
                "NUMBER_OUTSIDE_VALID_RANGE",
                f"{field.name}: value outside of valid range on numeric field: {value}",
                fields=[field.name],
            )
        return value

    def _blank(self, obj: SObject) -> Record:
        return {field.name: field.default for field in obj.fields}

    def _check(
        self, obj: SObject, record: Record, changes: Record, *, creating: bool, record_id: str | None
    ) -> None:
        if obj.name == "Event":
            self._event_times(record, changes)
        candidates = obj.fields if creating else [obj.field(name) for name in changes]
        missing = [f.name for f in candidates if f.required and record.get(f.name) in (None, "")]
        if missing:
            raise ApiError(
                400,
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                fields=missing,
            )
        for name, value in changes.items():
            field = obj.field(name)
            if field.type == "reference" and value:
                self._check_reference(field, value)
            if field.unique and value is not None:
                clash = [i for i in self.find_by_field(obj.name, name, value) if i != record_id]
                if clash:
                    raise ApiError(
                        400,
                        "DUPLICATE_VALUE",
                        f"duplicate value found: {name} duplicates value on record with id: {clash[0]}",
                        fields=[name],
                    )
        if obj.name == "Opportunity" and "StageName" in changes:
            if record["StageName"] is None or record["StageName"].lower() not in self.stages:
                raise ApiError(
                    400,
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"Stage: bad value for restricted picklist field: {record['StageName']}",
                    fields=["StageName"],
                )
        if obj.name == "Event" and record.get("StartDateTime") and record.get("EndDateTime"):
            if record["EndDateTime"] < record["StartDateTime"]:
                raise ApiError(
                    400,
                    "FIELD_INTEGRITY_EXCEPTION",
                    "End Date Time: Event end date/time must be the same or after start date/time",
                    fields=["EndDateTime"],
                )
            if record["EndDateTime"] - record["StartDateTime"] > MAX_EVENT_LENGTH:
                raise ApiError(
                    400,
                    "FIELD_INTEGRITY_EXCEPTION",
                    "End Date Time: Event duration cannot exceed 14 days",
                    fields=["EndDateTime"],
                )

    @staticmethod
    def _event_times(record: Record, changes: Record) -> None:
        """An Event's end, from its duration when only the duration is written; the two must agree
        when both are."""
        minutes = changes.get("DurationInMinutes")
        start = record.get("StartDateTime")
        if minutes is None or not start:
            return
        if minutes < 0:
            raise ApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"Duration: value must be zero or more: {minutes}",
                fields=["DurationInMinutes"],
            )
        end = start + dt.timedelta(minutes=minutes)
        if changes.get("EndDateTime") and changes["EndDateTime"] != end:
            raise ApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                "Duration: the end date/time and the duration in minutes do not agree",
                fields=["DurationInMinutes", "EndDateTime"],
            )
        record["EndDateTime"] = end

    def _check_reference(self, field: Field, value: str) -> None:
        allowed = {ids.KEY_PREFIXES[name] for name in field.reference_to}
        if ids.prefix_of(value) not in allowed:
            raise ApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"{field.name}: id value of incorrect type: {value}",
                fields=[field.name],
            )
        found = self.lookup(value)
        if found is None or found[1]["IsDeleted"]:
            raise ApiError(
                400,
                "INVALID_CROSS_REFERENCE_KEY",
                f"{field.name}: invalid cross reference id",
                fields=[field.name],
            )

    def _derive(self, obj: SObject, record: Record, changes: Record) -> None:
        if obj.name in ("User", "Contact", "Lead"):
            record["Name"] = (
                " ".join(p for p in (record.get("FirstName"), record.get("LastName")) if p) or None
            )
        elif obj.name == "Opportunity" and record.get("StageName"):
            stage = self.stages[record["StageName"].lower()]
            record.update(
                StageName=stage.name,
                IsClosed=stage.is_closed,
                IsWon=stage.is_won,
                ForecastCategoryName=stage.forecast_category,
            )
            # A stage change resets Probability to the stage default unless the write sets it.
            if ("StageName" in changes and "Probability" not in changes) or record.get("Probability") is None:
                record["Probability"] = float(stage.probability)
        elif obj.name == "Task":
            record["IsClosed"] = (record.get("Status") or "").lower() in CLOSED_TASK_STATUSES
        elif obj.name == "Event" and record.get("StartDateTime"):
            record["ActivityDate"] = record["StartDateTime"].date()
            if record.get("EndDateTime"):
                record["DurationInMinutes"] = int(
                    (record["EndDateTime"] - record["StartDateTime"]).total_seconds() // 60
                )

    def _after_write(
        self, obj: SObject, record: Record, *, previous: Record | None, now: dt.datetime
    ) -> None:
        if obj.name == "OpportunityContactRole" and record.get("IsPrimary"):
            for other in self.rows("OpportunityContactRole"):
                if (
                    other["Id"] != record["Id"]
                    and other["OpportunityId"] == record["OpportunityId"]
                    and other["IsPrimary"]
                ):
                    self._put(
                        "OpportunityContactRole",
                        other["Id"],
                        dict(other, IsPrimary=False, LastModifiedDate=now, SystemModstamp=now),
                    )
        if obj.name == "Opportunity":
            if previous is None or any(previous.get(f) != record.get(f) for f in HISTORY_TRACKED):
                self._write_history(record, now)

    def _write_history(self, opportunity: Record, when: dt.datetime) -> None:
        history_id = self._new_id("OpportunityHistory")
        self._put(
            "OpportunityHistory",
            history_id,
            {
                **self._blank(self.schema["OpportunityHistory"]),
                "Id": history_id,
                "OpportunityId": opportunity["Id"],
                "StageName": opportunity["StageName"],
                "Amount": opportunity.get("Amount"),
                "CloseDate": opportunity.get("CloseDate"),
                "Probability": opportunity.get("Probability"),
                "ForecastCategory": opportunity.get("ForecastCategoryName"),
                "IsDeleted": False,
                "CreatedDate": when,
                "LastModifiedDate": when,
                "SystemModstamp": when,
                "CreatedById": self.api_user_id,
                "LastModifiedById": self.api_user_id,
            },
        )

    def _soft_delete(self, object_name: str, record: Record, now: dt.datetime) -> None:
        self._put(object_name, record["Id"], dict(record, IsDeleted=True, SystemModstamp=now))
        for child_name, field in CASCADE_DELETES.get(object_name, ()):
            for child in self.rows(child_name):
                if child.get(field) == record["Id"]:
                    self._soft_delete(child_name, child, now)

    # -- fixture loading -----------------------------------------------------------------
    def _fixture_id(self, object_name: str, given: str | None) -> str:
        if isinstance(given, str) and given.startswith("@"):
            key = given[1:]
            if key not in self.refs:
                self.refs[key] = self._reserve(self._new_id(object_name), object_name)
            return self.refs[key]
        if given is None:
            return ""
        if not ids.is_well_formed(given) or ids.prefix_of(given) != ids.KEY_PREFIXES[object_name]:
            raise ValueError(f"{object_name} fixture id {given!r} is not a valid {object_name} id")
        return self._reserve(ids.to_18(given), object_name)

    def _reserve(self, record_id: str, object_name: str) -> str:
        self._index[record_id] = object_name
        return record_id

    def _resolve_ref(self, value: str) -> str:
        if value.startswith("@"):
            if value[1:] not in self.refs:
                raise ValueError(f"fixture refers to unknown key {value}")
            return self.refs[value[1:]]
        return ids.to_18(value)

    def _load_record(self, obj: SObject, raw: Record, now: dt.datetime) -> None:
        record = self._blank(obj)
        for key, value in raw.items():
            field = obj.field(key)
            if field is None:
                raise ValueError(f"{obj.name} fixture has unknown field {key!r}")
            if field.type in ("id", "reference") and isinstance(value, str) and value.startswith("@"):
                value = self._resolve_ref(value)
            try:
                record[field.name] = from_json(field.name, field.type, value)
            except ApiError as error:
                raise ValueError(f"{obj.name}.{field.name}: {error.message}") from None
        record_id = self._fixture_id(obj.name, raw.get("Id")) or self._new_id(obj.name)
        record["Id"] = record_id
        for stamp in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
            record[stamp] = record[stamp] or record["CreatedDate"] or now
        record["CreatedById"] = record["CreatedById"] or self.api_user_id
        record["LastModifiedById"] = record["LastModifiedById"] or record["CreatedById"]
        record["IsDeleted"] = bool(record["IsDeleted"])
        if "OwnerId" in record and not record["OwnerId"]:
            record["OwnerId"] = self.api_user_id
        if obj.name == "Opportunity" and (record.get("StageName") or "").lower() not in self.stages:
            raise ValueError(f"Opportunity {record_id} has unknown stage {record.get('StageName')!r}")
        self._derive(obj, record, {})
        self._tables[obj.name][record_id] = record
        self._index[record_id] = obj.name

    def _check_references(self) -> None:
        problems = []
        for name, table in self._tables.items():
            for field in self.schema[name].fields:
                if field.type != "reference":
                    continue
                for record in table.values():
                    value = record.get(field.name)
                    if value and self._index.get(value) not in field.reference_to:
                        problems.append(f"{name} {record['Id']}.{field.name} → {value}")
        if problems:
            raise ValueError("fixture lookups point at missing records: " + "; ".join(problems[:5]))


def _stage_from_json(raw: dict[str, Any]) -> Stage:
    """A stage from a fixture's `_standin.stages` entry (ValueError when incomplete)."""
    try:
        return Stage(
            str(raw["name"]),
            int(raw["probability"]),
            bool(raw["is_closed"]),
            bool(raw["is_won"]),
            str(
                raw.get("forecast_category")
                or ("Closed" if raw["is_won"] else "Omitted" if raw["is_closed"] else "Pipeline")
            ),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"stage entry {raw!r} needs name, probability, is_closed and is_won") from error


def _stage_to_json(stage: Stage) -> dict[str, Any]:
    return {
        "name": stage.name,
        "probability": stage.probability,
        "is_closed": stage.is_closed,
        "is_won": stage.is_won,
        "forecast_category": stage.forecast_category,
    }
