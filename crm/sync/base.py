"""What every object's pull shares: the run's context, its report, and the object interface."""

from __future__ import annotations

import abc
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from django.db.models import Model
from simple_salesforce.exceptions import SalesforceError

from ..connection import SalesforceConnection, SalesforceUnreachable, error_details
from ..retry import Action, action_for

logger = logging.getLogger(__name__)

T = TypeVar("T")
Record = dict[str, Any]
# Seconds to wait before retrying a read that failed for a passing reason (5xx, a network blip).
RETRY_DELAYS: tuple[float, ...] = (1.0, 5.0)
Progress = Callable[[str, int, int], None]  # (object name, records just fetched, total in the window)


@dataclass
class ObjectReport:
    """What one object's pull did."""

    object_name: str
    fetched: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    deferred: int = 0
    excluded: int = 0  # new records capture's local filters keep out (CRM events)
    errors: list[str] = field(default_factory=list)
    full_reason: str = ""
    skipped: str = ""

    @property
    def written(self) -> int:
        return self.created + self.updated + self.deleted

    def error(self, message: str) -> None:
        self.errors.append(message)

    def counts(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "deferred": self.deferred,
            "excluded": self.excluded,
            "errors": len(self.errors),
            "full": self.full_reason,
        }


@dataclass
class PullReport:
    """What one pull did, object by object. `stopped` says why the run ended early on an error;
    `held`, why Backstory's API budget held it (not an error: it goes on by itself)."""

    objects: list[ObjectReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stopped: str = ""
    held: str = ""

    @property
    def written(self) -> int:
        return sum(o.written for o in self.objects)

    @property
    def errors(self) -> list[str]:
        return [f"{o.object_name}: {e}" for o in self.objects for e in o.errors] + (
            [self.stopped] if self.stopped else []
        )

    def get(self, object_name: str) -> ObjectReport | None:
        return next((o for o in self.objects if o.object_name == object_name), None)


class PullContext:
    """One run: the connection, the fields each object has, and what to re-match afterwards."""

    def __init__(self, connection: SalesforceConnection, *, progress: Progress | None = None) -> None:
        self.conn = connection
        self.progress = progress or (lambda name, fetched, total: None)
        self.warnings: list[str] = []
        self.rematch_account_ids: set[int] = set()
        self.rematch_emails: set[str] = set()
        self.rematch_domains: set[str] = set()
        self.matched_activity_ids: set[int] = set()
        self._fields: dict[str, set[str]] = {}

    def call(self, operation: Callable[[Any], T]) -> T:
        """One API call; a passing failure (5xx, a network blip) is retried after RETRY_DELAYS."""
        for delay in (*RETRY_DELAYS, None):
            try:
                return self.conn.call(operation)
            except SalesforceUnreachable:
                if delay is None:
                    raise
            except SalesforceError as error:
                code, _ = error_details(error)
                if delay is None or action_for(code) != Action.BACKOFF:
                    raise
            logger.info("Salesforce read failed for a passing reason; retrying in %ss", delay)
            time.sleep(delay)
        raise AssertionError("unreachable")

    def pages(self, soql: str) -> Iterator[tuple[list[Record], int]]:
        """The records of a query, page by page, with the query's total size."""
        result = self.call(lambda sf: sf.query(soql))
        while True:
            yield result.get("records", []), int(result.get("totalSize") or 0)
            if result.get("done", True):
                return
            next_url = result["nextRecordsUrl"]
            result = self.call(lambda sf, url=next_url: sf.query_more(url, identifier_is_url=True))

    def query(self, soql: str) -> list[Record]:
        """Every record of a query."""
        return [record for page, _ in self.pages(soql) for record in page]

    def fields_of(self, object_name: str) -> set[str]:
        """The field names the org has on an object (one describe per object per run)."""
        if object_name not in self._fields:
            described = self.call(lambda sf: getattr(sf, object_name).describe())
            self._fields[object_name] = {f["name"] for f in described.get("fields", [])}
        return self._fields[object_name]

    def optional_field(self, object_name: str, field_name: str, setting: str) -> str | None:
        """A field named by a setting, when the org has it; a warning (once) when it does not."""
        if not field_name:
            return None
        if field_name in self.fields_of(object_name):
            return field_name
        warning = (
            f"{setting} names {object_name}.{field_name}, which this org does not have: "
            "that value is not synced."
        )
        if warning not in self.warnings:
            self.warnings.append(warning)
        return None


class ObjectSync(abc.ABC):
    """How one Salesforce object is pulled into local rows. Subclasses set the class attributes
    and implement `apply`; `remove` deletes local rows by CRM id unless overridden."""

    object_name: ClassVar[str]
    model: ClassVar[type[Model] | None] = None
    fields: ClassVar[tuple[str, ...]] = ()
    tracks_deletes: ClassVar[bool] = True
    # A condition for a first or full pull only (e.g. open tasks only); later windows see every change.
    first_pull_filter: ClassVar[str] = ""
    # Set by the engine: this run reads every record (a first pull or a full resync), not a window.
    reading_everything: bool = False

    def select(self, ctx: PullContext) -> list[str]:
        """The fields to query."""
        return ["Id", *self.fields, "SystemModstamp"]

    @abc.abstractmethod
    def apply(self, records: list[Record], ctx: PullContext, report: ObjectReport) -> None:
        """Create or update the local rows for one page of records."""

    def remove(self, crm_ids: list[str], ctx: PullContext, report: ObjectReport) -> None:
        """A CRM delete: remove the local rows (see docs/salesforce.md for what each object does)."""
        if self.model is None:
            return
        rows = self.model.objects.filter(crm_id__in=crm_ids)
        self.before_remove(rows, ctx)
        report.deleted += rows.count()
        self.delete_rows(rows)

    def delete_rows(self, rows: Any) -> None:
        """Delete the local rows: through the owning app's service where it has one."""
        rows.delete()

    def local_crm_ids(self) -> Any:
        """The CRM ids of the local rows this object mirrors (a full resync checks they still exist)."""
        return (
            self.model.objects.filter(crm_id__isnull=False)
            .exclude(crm_id="")
            .values_list("crm_id", flat=True)
        )

    def before_remove(self, rows: Any, ctx: PullContext) -> None:
        """Note what the deletion affects, for the re-match after the run."""
        return None

    def finish(self, ctx: PullContext, report: ObjectReport) -> None:
        """Work after the last page (a second pass over references)."""
        return None


def crm_map(model: type[Model], crm_ids: Any, *extra: str) -> dict[str, Any]:
    """Local rows of `model` by CRM id, for the ids given (falsy ids ignored): the pk, or a dict of
    the pk and the `extra` fields."""
    wanted = {i for i in crm_ids if i}
    if not wanted:
        return {}
    if not extra:
        return dict(model.objects.filter(crm_id__in=wanted).values_list("crm_id", "pk"))
    return {
        row["crm_id"]: row for row in model.objects.filter(crm_id__in=wanted).values("crm_id", "pk", *extra)
    }
