"""Time bounds on what a query runs in the database.

Every Query API query runs under a statement time limit (``QUERY_API_STATEMENT_TIMEOUT``, seconds,
default 15): PostgreSQL's ``SET LOCAL statement_timeout``; on SQLite a progress handler that
interrupts the statement once the deadline passes. ``$regex`` on SQLite runs in the ``regex``
module with a time limit per value (``QUERY_API_REGEX_TIMEOUT``), since Python's ``re`` cannot be
interrupted while it backtracks (``^(a+)+$``); PostgreSQL's own engine stops at the statement limit.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

import regex
from django.conf import settings
from django.db import connection, transaction

# Opcodes between two looks at the clock on SQLite (a look costs well under a microsecond).
SQLITE_CHECK_EVERY = 1_000


# How PostgreSQL runs a Query API statement besides its time limit. No JIT compilation: the planner
# prices correlated subqueries far above their cost, and compiling the plan then takes seconds longer
# than running it.
POSTGRESQL_QUERY_SETTINGS = {"jit": "off"}


@dataclass
class StatementLimit:
    seconds: float
    deadline: float

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.deadline


def statement_seconds() -> float:
    return float(settings.QUERY_API_STATEMENT_TIMEOUT)


@contextmanager
def statement_time_limit(seconds: float | None = None):
    """Run the block's statements under a time limit; yields a ``StatementLimit`` to ask, after a
    database error, whether the limit is what stopped it. On PostgreSQL the block is a transaction,
    with ``POSTGRESQL_QUERY_SETTINGS`` too."""
    seconds = statement_seconds() if seconds is None else seconds
    limit = StatementLimit(seconds, time.monotonic() + seconds)
    if connection.vendor == "postgresql":
        wanted = {"statement_timeout": f"{max(1, int(seconds * 1000))}ms", **POSTGRESQL_QUERY_SETTINGS}
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            with connection.cursor() as cursor:
                previous = None if outermost else _settings_get(cursor, list(wanted))
                _settings_set_local(cursor, wanted)
            yield limit
            # SET LOCAL lasts to the end of the outermost transaction: inside the caller's, put its
            # values back (on an error, rolling back the savepoint does it). Outermost, the block is
            # the whole transaction and the settings end with it.
            if previous is not None:
                with connection.cursor() as cursor:
                    _settings_set_local(cursor, previous)
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        raw.set_progress_handler(lambda: 1 if time.monotonic() >= limit.deadline else 0, SQLITE_CHECK_EVERY)
        try:
            yield limit
        finally:
            raw.set_progress_handler(None, 0)
        return
    yield limit


def _settings_get(cursor, names: list[str]) -> dict[str, str]:
    cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
    return dict(zip(names, cursor.fetchone(), strict=True))


def _settings_set_local(cursor, values: dict[str, str]) -> None:
    """One round trip: ``SET LOCAL`` for every name."""
    cursor.execute(
        "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(values)),
        [part for pair in values.items() for part in pair],
    )


# --- $regex on SQLite -------------------------------------------------------------------------
_slow_patterns = threading.local()


class RegexTooSlow(Exception):
    """A pattern took longer than the per-value limit on one value."""


def bounded_regexp(pattern, value):
    """SQLite's ``REGEXP``, time-limited per value; replaces Django's ``re``-based function."""
    if pattern is None or value is None:
        return None
    try:
        return bool(regex.search(pattern, str(value), timeout=float(settings.QUERY_API_REGEX_TIMEOUT)))
    except TimeoutError:
        _slow_patterns.pattern = pattern
        raise RegexTooSlow(pattern) from None


def take_slow_pattern() -> str | None:
    """The pattern that last ran past its limit in this thread (then forgotten), or None."""
    pattern = getattr(_slow_patterns, "pattern", None)
    _slow_patterns.pattern = None
    return pattern


def install_bounded_regexp(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: SQLite connections use ``bounded_regexp``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("REGEXP", 2, bounded_regexp, deterministic=True)
