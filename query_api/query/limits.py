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
    database error, whether the limit is what stopped it. On PostgreSQL the block is a transaction."""
    seconds = statement_seconds() if seconds is None else seconds
    limit = StatementLimit(seconds, time.monotonic() + seconds)
    if connection.vendor == "postgresql":
        # SET LOCAL lasts to the end of the outermost transaction: put the caller's value back
        # after the block (on an error, rolling back the savepoint does it).
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('statement_timeout')")
                previous = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [f"{max(1, int(seconds * 1000))}ms"]
                )
            yield limit
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
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
