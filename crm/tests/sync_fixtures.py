"""Fixtures for the pull and push tests: a stand-in org on a hand-moved clock, with Backstory's
settings pointing at it, and a way to count what a piece of code writes.

crm/tests/conftest.py imports them, so every test of the folder can ask for them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesforce_standin import ManualClock, StandinServer

START = "2026-11-23T12:00:00+00:00"
_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([a-z_0-9]+)"?', re.IGNORECASE)
# The pull's and drain's own bookkeeping: not a change to the org's data.
BOOKKEEPING_TABLES = {"crm_synccursor", "crm_outboxstate", "crm_apibudget", "crm_apicallcount"}


class Org:
    """A running stand-in whose clock and Backstory's clock move together."""

    def __init__(self, server: StandinServer, clock: ManualClock, settings: Any) -> None:
        self.server = server
        self.clock = clock
        self.settings = settings

    @property
    def store(self):
        return self.server.store

    @property
    def faults(self):
        return self.server.faults

    @property
    def sf(self):
        return self.server.sf

    def advance(self, **delta: float) -> dt.datetime:
        """Move both clocks forward (minutes=5, ...)."""
        now = self.clock.advance(**delta)
        self.settings.BACKSTORY_NOW = now.isoformat()
        return now

    def ref(self, key: str) -> str:
        return self.store.ref(key)

    def rows(self, object_name: str, **where: Any) -> list[dict]:
        """Live stand-in records of a type whose fields equal `where` (text compared without case)."""
        found = []
        for row in self.store.rows(object_name):
            if all(
                (str(row.get(k) or "").lower() == str(v).lower()) if isinstance(v, str) else row.get(k) == v
                for k, v in where.items()
            ):
                found.append(row)
        return found


def start_org(factory: Callable[..., StandinServer], settings: Any, monkeypatch: Any, **options: Any) -> Org:
    clock = ManualClock(START)
    server = factory(clock=clock, **options)
    settings.SALESFORCE_MODE = "standin"
    settings.SALESFORCE_INSTANCE_URL = server.url
    settings.SALESFORCE_SESSION_ID = server.session_id
    settings.SALESFORCE_CA_BUNDLE = server.ca_path
    settings.BACKSTORY_NOW = START
    monkeypatch.setattr("crm.sync.base.RETRY_DELAYS", (0.0, 0.0))
    return Org(server, clock, settings)


@pytest.fixture
def org(salesforce_standin_factory, settings, monkeypatch) -> Org:
    """The small demo org in a stand-in at 2026-11-23 12:00 UTC, Backstory configured to use it."""
    return start_org(salesforce_standin_factory, settings, monkeypatch)


@pytest.fixture
def org_factory(salesforce_standin_factory, settings, monkeypatch) -> Callable[..., Org]:
    """Start an org with other StandinServer options (fixtures=..., page_size=...)."""
    return lambda **options: start_org(salesforce_standin_factory, settings, monkeypatch, **options)


class Writes:
    """The tables written while the block ran (INSERT, UPDATE, DELETE), bookkeeping excluded."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, str]] = []

    def __enter__(self) -> Writes:
        self._capture = CaptureQueriesContext(connection)
        self._capture.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._capture.__exit__(*exc)
        for query in self._capture.captured_queries:
            match = _WRITE.match(query["sql"])
            if match and match.group(2).lower() not in BOOKKEEPING_TABLES:
                self.statements.append((match.group(2).lower(), query["sql"][:200]))

    @property
    def tables(self) -> set[str]:
        return {table for table, _ in self.statements}
