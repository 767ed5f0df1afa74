"""The REST API itself: routing, authentication, API usage, faults and the endpoints.

`RestApi.handle()` takes a parsed request and returns a `Response`; it knows nothing
about sockets, so the HTTP server stays a thin transport around it.
"""

from __future__ import annotations

import collections
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, unquote_plus

from . import faults as fault_kinds
from . import ids
from .errors import ApiError, MultipleMatches, malformed_query, not_found
from .faults import FaultPlan, FaultRule
from .query import attributes
from .schema import SObject
from .store import Store
from .values import parse_datetime

ORG_ID = ids.make_id(ids.ORG_ID_PREFIX, 1)[:15]
DEFAULT_VERSION = "59.0"
DEFAULT_API_LIMIT = 15000
MAX_PAGE_SIZE = 2000
MAX_COLLECTION_SIZE = 200
KEPT_CURSORS = 500
# Upsert answers an update with 200 and a body from API v46.0; earlier versions send 204.
UPSERT_BODY_FROM_VERSION = 46.0

_DATA_PATH = re.compile(r"^/services/data/v(\d+\.\d+)(?:/(.*))?$")
_LOCATOR = re.compile(r"^(01g[0-9A-Za-z]{15})-(\d+)$")


@dataclass
class Response:
    """What the transport writes back: a status, a JSON body (None: no body) and headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Sessions:
    """The session ids the org accepts; an expired one stays refused."""

    def __init__(self) -> None:
        self._valid: set[str] = set()
        self._lock = threading.Lock()

    def issue(self) -> str:
        """Mint a new session id in the real shape (`<org id>!<token>`) and accept it."""
        session_id = f"{ORG_ID}!{secrets.token_urlsafe(72)}"
        self.accept(session_id)
        return session_id

    def accept(self, session_id: str) -> None:
        if not session_id:
            raise ValueError("a session id cannot be empty")
        with self._lock:
            self._valid.add(session_id)

    def expire(self, session_id: str) -> None:
        with self._lock:
            self._valid.discard(session_id)

    def is_valid(self, session_id: str | None) -> bool:
        with self._lock:
            return bool(session_id) and session_id in self._valid


class RestApi:
    """The Salesforce REST endpoints over one store."""

    def __init__(
        self,
        store: Store,
        *,
        faults: FaultPlan | None = None,
        sessions: Sessions | None = None,
        page_size: int = MAX_PAGE_SIZE,
        api_limit: int = DEFAULT_API_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.faults = faults or FaultPlan()
        self.sessions = sessions or Sessions()
        self.page_size = page_size
        self.api_limit = api_limit
        self.api_usage = 0
        self._sleep = sleep
        self._lock = threading.Lock()
        self._cursors: collections.OrderedDict[str, tuple[list[dict], int]] = collections.OrderedDict()
        self._cursor_count = 0

    def set_api_limits(self, *, max: int | None = None, remaining: int | None = None) -> None:
        """Set the org's DailyApiRequests: its Max, and how many calls remain (as if other
        integrations had used the rest). Every call served after this takes one off Remaining."""
        with self._lock:
            if max is not None:
                if max < 0:
                    raise ValueError("Max must not be negative")
                self.api_limit = max
            if remaining is not None:
                if not 0 <= remaining <= self.api_limit:
                    raise ValueError(f"Remaining must be between 0 and Max ({self.api_limit})")
                self.api_usage = self.api_limit - remaining

    def api_limits(self) -> dict[str, int]:
        """DailyApiRequests as /limits reports it."""
        with self._lock:
            return {"Max": self.api_limit, "Remaining": max(self.api_limit - self.api_usage, 0)}

    # -- entry point ---------------------------------------------------------------------
    def handle(
        self, method: str, path: str, params: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Response:
        """Answer one request. `headers` keys are lower-case."""
        if path.startswith("/_standin/"):
            return self._admin(method, path, body)
        if path.rstrip("/") == "/services/data":
            versions = [
                {
                    "label": "Winter '24",
                    "url": f"/services/data/v{DEFAULT_VERSION}",
                    "version": DEFAULT_VERSION,
                }
            ]
            return Response(200, versions)
        match = _DATA_PATH.match(path)
        if not match:
            return Response(404, not_found().rest_body())
        response = self._authorised(
            method, match.group(1), (match.group(2) or "").strip("/"), params, headers, body
        )
        response.headers["Sforce-Limit-Info"] = f"api-usage={self.api_usage}/{self.api_limit}"
        return response

    def _authorised(
        self,
        method: str,
        version: str,
        resource: str,
        params: dict[str, str],
        headers: dict[str, str],
        body: bytes,
    ) -> Response:
        token = _bearer(headers.get("authorization", ""))
        if not self.sessions.is_valid(token):
            return _session_refused()
        with self._lock:
            self.api_usage += 1
            over_limit = self.api_usage > self.api_limit
        if over_limit:
            return _limit_exceeded()
        for slow in self.faults.draw((fault_kinds.SLOW,), method, resource):
            self._sleep(slow.delay)  # a delay combines with whatever happens next
        # At most one failure per call, so a rule only counts as fired when its error is returned.
        if self.faults.draw((fault_kinds.SESSION_EXPIRED,), method, resource):
            self.sessions.expire(token)
            return _session_refused()
        if self.faults.draw((fault_kinds.REQUEST_LIMIT_EXCEEDED,), method, resource):
            return _limit_exceeded()
        failures = self.faults.draw((fault_kinds.SERVER_ERROR,), method, resource)
        if failures:
            return _server_error(failures[0].status or 500)
        request = _Request(method, version, resource, params, headers, body)
        try:
            return self._route(request)
        except MultipleMatches as error:
            urls = [attributes(version, error.object_name, record_id)["url"] for record_id in error.ids]
            return Response(300, urls)
        except ApiError as error:
            return Response(error.status, error.rest_body())

    # -- routing -------------------------------------------------------------------------
    def _route(self, request: _Request) -> Response:
        parts = [unquote(p) for p in request.resource.split("/")] if request.resource else []
        if not parts:
            base = f"/services/data/v{request.version}"
            return Response(
                200,
                {name: f"{base}/{name}" for name in ("sobjects", "query", "queryAll", "limits", "composite")},
            )
        head, rest = parts[0], parts[1:]
        if head in ("query", "queryAll"):
            request.allow("GET")
            if rest:
                return self._query_more(request, rest[0])
            return self._query(request, include_deleted=head == "queryAll")
        if head == "limits":
            request.allow("GET")
            # Counted like any call (it was, before this answer): Remaining includes this one.
            return Response(200, {"DailyApiRequests": self.api_limits()})
        if head == "composite" and rest == ["sobjects"]:
            return self._collection(request)
        if head == "composite" and len(rest) == 3 and rest[0] == "sobjects":
            return self._collection_upsert(request, rest[1], rest[2])
        if head == "sobjects":
            return self._sobjects(request, rest, request.resource.split("/")[1:])
        raise not_found()

    def _sobjects(self, request: _Request, parts: list[str], raw_parts: list[str]) -> Response:
        version = request.version
        if not parts:
            request.allow("GET")
            return Response(
                200,
                {
                    "encoding": "UTF-8",
                    "maxBatchSize": MAX_COLLECTION_SIZE,
                    "sobjects": [obj.global_entry(version) for obj in self.store.schema.values()],
                },
            )
        obj = self.store.object(parts[0])
        if obj is None:
            raise not_found()
        if len(parts) == 1:
            request.allow("GET", "POST")
            if request.method == "GET":
                return Response(200, {"objectDescribe": obj.global_entry(version), "recentItems": []})
            return self._create(request, obj.name)
        if len(parts) == 2 and parts[1] == "describe":
            request.allow("GET")
            return Response(200, self._describe(obj, version))
        if len(parts) == 2 and parts[1] in ("updated", "deleted"):
            request.allow("GET")
            start, end = _window(request.params)
            if parts[1] == "updated":
                return Response(200, self.store.updated(obj.name, start, end))
            return Response(200, self.store.deleted(obj.name, start, end))
        if len(parts) == 2:
            return self._record(request, obj.name, parts[1])
        if len(parts) == 3:
            return self._by_external_id(request, obj.name, parts[1], unquote_plus(raw_parts[2]))
        raise not_found()

    def _describe(self, obj: SObject, version: str) -> dict[str, Any]:
        body = obj.describe(version)
        if obj.name == "Opportunity":  # the stage picklist is the store's stage table
            for described in body["fields"]:
                if described["name"] == "StageName":
                    described["picklistValues"] = [
                        {
                            "active": True,
                            "defaultValue": False,
                            "label": stage.name,
                            "value": stage.name,
                            "validFor": None,
                        }
                        for stage in self.store.stages.values()
                    ]
        return body

    # -- query ---------------------------------------------------------------------------
    def _query(self, request: _Request, *, include_deleted: bool) -> Response:
        soql = request.params.get("q")
        if not soql:
            raise malformed_query("A query string has to be specified")
        result = self.store.query(soql, include_deleted=include_deleted, version=request.version)
        if not result.records:
            return Response(200, {"totalSize": result.total_size, "done": True, "records": []})
        return Response(200, self._page(request, result.records, 0, self._batch_size(request.headers)))

    def _batch_size(self, headers: dict[str, str]) -> int:
        # Sforce-Query-Options: batchSize=N works as in a real org (200..2000).
        match = re.search(r"batchSize\s*=\s*(\d+)", headers.get("sforce-query-options", ""))
        if match:
            return max(200, min(int(match.group(1)), MAX_PAGE_SIZE))
        return self.page_size

    def _page(self, request: _Request, records: list[dict], start: int, size: int) -> dict[str, Any]:
        end = start + size
        page: dict[str, Any] = {
            "totalSize": len(records),
            "done": end >= len(records),
            "records": records[start:end],
        }
        if end < len(records):
            with self._lock:
                self._cursor_count += 1
                locator = ids.make_id(ids.QUERY_LOCATOR_PREFIX, self._cursor_count)
                self._cursors[locator] = (records, size)
                while len(self._cursors) > KEPT_CURSORS:
                    self._cursors.popitem(last=False)
            page["nextRecordsUrl"] = f"/services/data/v{request.version}/query/{locator}-{end}"
        return page

    def _query_more(self, request: _Request, locator_text: str) -> Response:
        match = _LOCATOR.match(locator_text)
        with self._lock:
            cursor = self._cursors.get(match.group(1)) if match else None
        if cursor is None:
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        records, size = cursor
        return Response(200, self._page(request, records, int(match.group(2)), size))

    # -- single records ------------------------------------------------------------------
    def _create(self, request: _Request, object_name: str) -> Response:
        data = request.json_object()
        if any(key.lower() == "id" for key in data):
            raise ApiError(400, "INVALID_FIELD", "cannot specify Id in an insert call", fields=["Id"])
        self._record_faults(request, object_name, data, creating=True, record_id=None)
        record_id = self.store.create(object_name, data)
        return Response(201, {"id": record_id, "success": True, "errors": []})

    def _record(self, request: _Request, object_name: str, record_id: str) -> Response:
        request.allow("GET", "PATCH", "DELETE")
        status = self.store.status_of(object_name, record_id)
        if status is None:
            raise not_found()
        if status == "deleted":
            if request.method == "GET":
                raise not_found()
            raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", fields=[])
        record_id = ids.to_18(record_id)
        if request.method == "GET":
            fields = [f for f in request.params.get("fields", "").split(",") if f.strip()]
            record = self.store.get(object_name, record_id)
            return Response(
                200,
                self.store.to_json(
                    object_name, record, [f.strip() for f in fields] or None, version=request.version
                ),
            )
        if request.method == "PATCH":
            data = request.json_object()
            data = {
                k: v
                for k, v in data.items()
                if not (k.lower() == "id" and v and ids.is_well_formed(v) and ids.to_18(v) == record_id)
            }
            self._record_faults(request, object_name, data, creating=False, record_id=record_id)
            self.store.update(object_name, record_id, data)
            return Response(204)
        self._record_faults(request, object_name, {}, creating=False, record_id=record_id)
        self.store.delete(object_name, record_id)
        return Response(204)

    def _by_external_id(self, request: _Request, object_name: str, field_name: str, value: str) -> Response:
        request.allow("GET", "PATCH")
        obj = self.store.schema[object_name]
        field = obj.field(field_name)
        if field is None or not (field.external_id or field.name == "Id"):
            raise ApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field_name}",
            )
        if request.method == "GET":
            matches = self.store.find_by_field(object_name, field.name, value)
            if len(matches) > 1:
                raise MultipleMatches(object_name, field.name, matches)
            if not matches:
                raise not_found()
            return Response(
                200,
                self.store.to_json(
                    object_name, self.store.get(object_name, matches[0]), version=request.version
                ),
            )
        data = request.json_object()
        with self.store.atomic():
            matches = self.store.find_by_field(object_name, field.name, value)
            self._record_faults(
                request,
                object_name,
                data,
                creating=not matches,
                record_id=matches[0] if len(matches) == 1 else None,
            )
            record_id, created = self.store.upsert(object_name, field.name, value, data)
        if created:
            return Response(201, {"id": record_id, "success": True, "errors": [], "created": True})
        if float(request.version) >= UPSERT_BODY_FROM_VERSION:
            return Response(200, {"id": record_id, "success": True, "errors": [], "created": False})
        return Response(204)

    # -- sObject Collections -------------------------------------------------------------
    def _collection(self, request: _Request) -> Response:
        request.allow("POST", "PATCH", "DELETE")
        if request.method == "DELETE":
            record_ids = [i for i in request.params.get("ids", "").split(",") if i]
            all_or_none = request.params.get("allOrNone", "false").lower() == "true"
            items: list[Any] = record_ids
        else:
            payload = request.json_body()
            if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
                raise ApiError(400, "JSON_PARSER_ERROR", "Expected a body with a records list", fields=[])
            items = payload["records"]
            all_or_none = bool(payload.get("allOrNone", False))
        if len(items) > MAX_COLLECTION_SIZE:
            raise ApiError(
                400,
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
            )
        operation = {
            "POST": self._collection_create,
            "PATCH": self._collection_update,
            "DELETE": self._collection_delete,
        }[request.method]
        return self._run_collection(operation, request, items, all_or_none=all_or_none)

    def _collection_upsert(self, request: _Request, type_name: str, field_name: str) -> Response:
        """PATCH composite/sobjects/<T>/<external id field>: upsert up to 200 records (API v46+)."""
        request.allow("PATCH")
        obj = self.store.object(type_name)
        if obj is None:
            raise not_found()
        field = obj.field(field_name)
        if field is None or not field.external_id:
            raise ApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field_name}",
            )
        payload = request.json_body()
        if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
            raise ApiError(400, "JSON_PARSER_ERROR", "Expected a body with a records list", fields=[])
        items = payload["records"]
        if len(items) > MAX_COLLECTION_SIZE:
            raise ApiError(
                400,
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
            )

        def upsert_one(request: _Request, item: Any) -> dict:
            if self._collection_object(item) != obj.name:
                raise ApiError(400, "INVALID_TYPE", f"Each record must be of type {obj.name}", fields=[])
            data = {k: v for k, v in item.items() if k != "attributes"}
            value = next((v for k, v in data.items() if k.lower() == field.name.lower()), None)
            if value in (None, ""):
                raise ApiError(400, "MISSING_ARGUMENT", f"{field.name} not specified", fields=[field.name])
            with self.store.atomic():
                matches = self.store.find_by_field(obj.name, field.name, value)
                self._record_faults(
                    request,
                    obj.name,
                    data,
                    creating=not matches,
                    record_id=matches[0] if len(matches) == 1 else None,
                )
                try:
                    record_id, created = self.store.upsert(obj.name, field.name, str(value), data)
                except MultipleMatches as error:
                    raise ApiError(
                        300,
                        "DUPLICATE_EXTERNAL_ID",
                        f"{field.name}: more than one record found for external id field: {error.ids}",
                        fields=[field.name],
                    ) from None
            return {"id": record_id, "success": True, "errors": [], "created": created}

        return self._run_collection(upsert_one, request, items, all_or_none=payload.get("allOrNone", False))

    def _run_collection(self, operation, request, items, *, all_or_none: bool) -> Response:
        """Each item through ``operation``; with allOrNone, one refusal rolls every item back."""
        if not all_or_none:
            return Response(200, [self._collection_item(operation, request, item) for item in items])
        with self.store.atomic() as transaction:
            results = [self._collection_item(operation, request, item) for item in items]
            if all(result["success"] for result in results):
                return Response(200, results)
            transaction.rollback()
        rolled_back = ApiError(
            400,
            "ALL_OR_NONE_OPERATION_ROLLED_BACK",
            "Record rolled back because not all records were valid and the request was "
            "using AllOrNone header",
            fields=[],
        ).collection_error()
        return Response(
            200,
            [
                result
                if not result["success"]
                else {"id": result["id"], "success": False, "errors": [rolled_back]}
                for result in results
            ],
        )

    @staticmethod
    def _collection_item(operation: Callable[[_Request, Any], dict], request: _Request, item: Any) -> dict:
        try:
            return operation(request, item)
        except ApiError as error:
            failure: dict[str, Any] = {"success": False, "errors": [error.collection_error()]}
            if isinstance(item, str):
                failure = {"id": item, **failure}
            elif isinstance(item, dict) and _record_id(item):
                failure = {"id": _record_id(item), **failure}
            return failure

    def _collection_object(self, item: Any) -> str:
        if not isinstance(item, dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object", fields=[])
        type_name = (item.get("attributes") or {}).get("type")
        if not type_name:
            raise ApiError(
                400, "INVALID_TYPE", "Must specify a type in the attributes of each record", fields=[]
            )
        obj = self.store.object(type_name)
        if obj is None:
            raise ApiError(400, "INVALID_TYPE", f"sObject type '{type_name}' is not supported.", fields=[])
        return obj.name

    def _collection_create(self, request: _Request, item: Any) -> dict:
        object_name = self._collection_object(item)
        if _record_id(item):
            raise ApiError(400, "INVALID_FIELD", "cannot specify Id in an insert call", fields=["Id"])
        data = {k: v for k, v in item.items() if k != "attributes"}
        self._record_faults(request, object_name, data, creating=True, record_id=None)
        return {"id": self.store.create(object_name, data), "success": True, "errors": []}

    def _collection_update(self, request: _Request, item: Any) -> dict:
        object_name = self._collection_object(item)
        record_id = _record_id(item)
        if not record_id:
            raise ApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call", fields=[])
        data = {k: v for k, v in item.items() if k != "attributes" and k.lower() != "id"}
        self._record_faults(request, object_name, data, creating=False, record_id=record_id)
        self.store.update(object_name, record_id, data)
        return {"id": ids.to_18(record_id), "success": True, "errors": []}

    def _collection_delete(self, request: _Request, record_id: Any) -> dict:
        if not ids.is_well_formed(record_id):
            raise ApiError(400, "MALFORMED_ID", f"malformed id {record_id}", fields=[])
        found = self.store.lookup(record_id)
        if found is None:
            raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", fields=[])
        self._record_faults(request, found[0], {}, creating=False, record_id=record_id)
        self.store.delete(found[0], record_id)
        return {"id": ids.to_18(record_id), "success": True, "errors": []}

    # -- faults --------------------------------------------------------------------------
    def _record_faults(
        self, request: _Request, object_name: str, data: dict, *, creating: bool, record_id: str | None
    ) -> None:
        # One fault per record: a rule only counts as fired when its error is the one reported.
        if self.faults.draw((fault_kinds.UNABLE_TO_LOCK_ROW,), request.method, request.resource):
            message = "unable to obtain exclusive access to this record"
            if record_id and ids.is_well_formed(record_id):
                message += f" or 1 records: {ids.to_18(record_id)}"
            raise ApiError(400, "UNABLE_TO_LOCK_ROW", message, fields=[])
        # Validation rules judge writes (never deletes) by the record as it would be afterwards.
        after = dict(data)
        if data and record_id and not creating:
            found = self.store.lookup(record_id)
            after = {**(found[1] if found else {}), **data}
        refused = self.faults.refusing(request.method, request.resource, after) if data else None
        if refused:
            message = refused.message or "This record does not pass the org's validation rules."
            raise ApiError(400, fault_kinds.VALIDATION_RULE, message, fields=sorted(refused.when or {}))
        if not creating:
            return
        fired = self.faults.draw((fault_kinds.DUPLICATES_DETECTED,), request.method, request.resource)
        if fired:
            rule = fired[0]
            matches = (
                [rule.duplicate_of] if rule.duplicate_of else self.store.find_duplicates(object_name, data)
            )
            raise duplicates_detected(object_name, matches, request.version)

    # -- admin (demo) endpoints ----------------------------------------------------------
    def _admin(self, method: str, path: str, body: bytes) -> Response:
        name = path[len("/_standin/") :].strip("/")
        try:
            if name == "faults" and method == "GET":
                return Response(200, [rule.describe() for rule in self.faults.rules()])
            if name == "faults" and method == "POST":
                options = json.loads(body or b"{}")
                rule: FaultRule = self.faults.add(options.pop("kind", ""), **options)
                return Response(201, rule.describe())
            if name == "faults" and method == "DELETE":
                self.faults.clear()
                return Response(204)
            if name == "sessions" and method == "POST":
                return Response(201, {"session_id": self.sessions.issue()})
            if name == "state" and method == "GET":
                return Response(200, self.store.dump())
            if name == "limits" and method == "GET":
                return Response(200, {"DailyApiRequests": self.api_limits()})
            if name == "limits" and method == "POST":
                options = json.loads(body or b"{}")
                unknown = set(options) - {"Max", "Remaining"}
                if unknown:
                    raise ValueError(
                        f"unknown limit fields {', '.join(sorted(unknown))}: send Max and/or Remaining"
                    )
                self.set_api_limits(max=options.get("Max"), remaining=options.get("Remaining"))
                return Response(200, {"DailyApiRequests": self.api_limits()})
            if name == "health" and method == "GET":
                return Response(200, {"ok": True, "api_usage": self.api_usage, "api_limit": self.api_limit})
        except (ValueError, TypeError) as error:
            return Response(400, [{"message": str(error), "errorCode": "INVALID_FAULT"}])
        return Response(404, not_found().rest_body())


def duplicates_detected(object_name: str, matches: list[str], version: str) -> ApiError:
    """DUPLICATES_DETECTED with a duplicateResult naming the matching records, as duplicate rules report it."""
    message = "You're creating a duplicate record. We recommend you use an existing record instead."
    match_records = [
        {
            "additionalInformation": [],
            "fieldDiffs": [],
            "matchConfidence": 100.0,
            "record": {"attributes": attributes(version, object_name, record_id), "Id": record_id},
        }
        for record_id in matches
    ]
    duplicate_result = {
        "allowSave": False,
        "duplicateRule": f"Standard_{object_name}_Duplicate_Rule",
        "duplicateRuleEntityType": object_name,
        "errorMessage": message,
        "matchResults": [
            {
                "entityType": object_name,
                "errors": [],
                "matchEngine": "ExactMatchEngine",
                "matchRecords": match_records,
                "rule": f"Standard_{object_name}_Match_Rule_v1_1",
                "size": len(match_records),
                "success": True,
            }
        ],
    }
    return ApiError(
        400, "DUPLICATES_DETECTED", message, fields=[], extra={"duplicateResult": duplicate_result}
    )


@dataclass
class _Request:
    method: str
    version: str
    resource: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def allow(self, *methods: str) -> None:
        if self.method not in methods:
            allowed = ",".join(("HEAD",) + methods if "GET" in methods else methods)
            raise ApiError(
                405, "METHOD_NOT_ALLOWED", f"HTTP Method '{self.method}' not allowed. Allowed are {allowed}"
            )

    def json_body(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError as error:
            raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected character: {error}", fields=[]) from None

    def json_object(self) -> dict[str, Any]:
        data = self.json_body()
        if not isinstance(data, dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object in the request body", fields=[])
        return data


def _record_id(item: dict[str, Any]) -> str | None:
    return item.get("id") or item.get("Id")


def _bearer(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "oauth") and token.strip() else None


def _limit_exceeded() -> Response:
    return Response(
        403, [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    )


def _session_refused() -> Response:
    return Response(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])


def _server_error(status: int) -> Response:
    if status == 500:
        error_id = f"{secrets.randbelow(10**9)}-{secrets.randbelow(10**5)} ({secrets.randbelow(10**9)})"
        return Response(
            500,
            [
                {
                    "message": "An unexpected error occurred. Please include this ErrorId if you "
                    f"contact support: {error_id}",
                    "errorCode": "UNKNOWN_EXCEPTION",
                }
            ],
        )
    return Response(
        status, [{"message": "Service temporarily unavailable", "errorCode": "SERVER_UNAVAILABLE"}]
    )


def _window(params: dict[str, str]) -> tuple[Any, Any]:
    try:
        # A literal "+" in an unencoded query string arrives as a space.
        start = parse_datetime(params["start"].replace(" ", "+"))
        end = parse_datetime(params["end"].replace(" ", "+"))
    except (KeyError, ValueError):
        raise ApiError(400, "MALFORMED_QUERY", "start and end must be ISO 8601 date-times") from None
    return start, end
