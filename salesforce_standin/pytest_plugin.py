"""pytest fixtures for code that talks to Salesforce.

Import them into a conftest.py to use them from any app:

    from salesforce_standin.pytest_plugin import salesforce_standin, salesforce_standin_factory  # noqa: F401

`salesforce_standin` is a started `StandinServer` seeded with the small demo org: use
`.sf` (a connected simple_salesforce client), `.url`, `.ca_path`, `.session_id`,
`.requests_session()`, `.store` and `.faults`. `salesforce_standin_factory(**options)`
starts more servers with other options (fixtures=, clock=, page_size=, ...). Neither
needs the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .server import StandinServer
from .store import SMALL_ORG


@pytest.fixture
def salesforce_standin_factory() -> Iterator[Callable[..., StandinServer]]:
    """Start stand-in servers with any StandinServer options; all stop after the test."""
    started: list[StandinServer] = []

    def start(**options: Any) -> StandinServer:
        options.setdefault("fixtures", SMALL_ORG)
        server = StandinServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def salesforce_standin(salesforce_standin_factory: Callable[..., StandinServer]) -> StandinServer:
    """A running stand-in seeded with fixtures/small_org.json."""
    return salesforce_standin_factory()
