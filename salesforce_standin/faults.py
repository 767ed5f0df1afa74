"""Fault injection: make the stand-in fail the way a busy real org fails.

A rule names a kind of fault and when it fires: on the next N matching calls
(`times=N`), at a seeded random rate (`rate=0.2, seed=7`), or both (at most N times at
that rate). A rule may be narrowed to an HTTP method and to paths matching a regular
expression (searched in the request path, e.g. `composite` or `sobjects/Contact`).

Request-level kinds fail or slow the whole call; record-level kinds fail one record's
write (the whole call for single-record endpoints, that record's result inside
sObject Collections — each record there counts as one call).
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

REQUEST_LIMIT_EXCEEDED = "REQUEST_LIMIT_EXCEEDED"
SERVER_ERROR = "SERVER_ERROR"
SLOW = "SLOW"
SESSION_EXPIRED = "SESSION_EXPIRED"
UNABLE_TO_LOCK_ROW = "UNABLE_TO_LOCK_ROW"
DUPLICATES_DETECTED = "DUPLICATES_DETECTED"
VALIDATION_RULE = "FIELD_CUSTOM_VALIDATION_EXCEPTION"

REQUEST_KINDS = (SESSION_EXPIRED, REQUEST_LIMIT_EXCEEDED, SERVER_ERROR, SLOW)
RECORD_KINDS = (UNABLE_TO_LOCK_ROW, DUPLICATES_DETECTED, VALIDATION_RULE)
KINDS = REQUEST_KINDS + RECORD_KINDS
ALIASES = {
    "INVALID_SESSION_ID": SESSION_EXPIRED,
    "5XX": SERVER_ERROR,
    "DELAY": SLOW,
    "VALIDATION_RULE": VALIDATION_RULE,
}


@dataclass
class FaultRule:
    """One injected fault. `fired` counts how often it has fired so far."""

    kind: str
    rate: float = 1.0
    times: int | None = None
    seed: int | None = 0
    path: str | None = None
    method: str | None = None
    status: int | None = None  # SERVER_ERROR: 500 (default) or 503
    delay: float = 0.0  # SLOW: seconds
    duplicate_of: str | None = None  # DUPLICATES_DETECTED: the id to report as the match
    # VALIDATION_RULE: the rule refuses a write whose record (as it would be after the write) has
    # these field values (text compared without case), with this error message.
    when: dict[str, Any] | None = None
    message: str = ""
    fired: int = 0
    id: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self.kind = ALIASES.get(self.kind.upper(), self.kind.upper())
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; choose from {', '.join(KINDS)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if self.times is not None and self.times < 0:
            raise ValueError("times must not be negative")
        if self.kind == SERVER_ERROR and self.status not in (None, 500, 502, 503):
            raise ValueError("a server error is 500, 502 or 503")
        if self.kind == SLOW and self.delay <= 0:
            raise ValueError("a SLOW fault needs a delay in seconds")
        if self.kind == VALIDATION_RULE and not self.when:
            raise ValueError("a validation rule needs `when`: the field values it refuses")
        self._pattern = re.compile(self.path) if self.path else None
        self._random = random.Random(self.seed)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def matches(self, method: str, path: str) -> bool:
        if self.exhausted:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        return not self._pattern or bool(self._pattern.search(path))

    def draw(self) -> bool:
        """Decide whether this matching call fails, and count it if so."""
        hit = self.rate >= 1.0 or self._random.random() < self.rate
        if hit:
            self.fired += 1
        return hit

    def describe(self) -> dict[str, Any]:
        """The rule as JSON (the admin endpoint lists these)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "rate": self.rate,
            "times": self.times,
            "seed": self.seed,
            "path": self.path,
            "method": self.method,
            "status": self.status,
            "delay": self.delay,
            "duplicate_of": self.duplicate_of,
            "when": self.when,
            "message": self.message,
            "fired": self.fired,
            "exhausted": self.exhausted,
        }


class FaultPlan:
    """The set of active fault rules of one server; safe to change while it serves."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._next_id = 1

    def add(self, kind: str, **options: Any) -> FaultRule:
        """Add a rule; see FaultRule for the options. Returns the rule (its `fired` count updates)."""
        rule = FaultRule(kind, **options)
        with self._lock:
            rule.id = self._next_id
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def next(self, kind: str, times: int = 1, **options: Any) -> FaultRule:
        """Fail the next `times` matching calls."""
        return self.add(kind, times=times, **options)

    def at_rate(self, kind: str, rate: float, seed: int | None = 0, **options: Any) -> FaultRule:
        """Fail matching calls at random with probability `rate` (reproducible with `seed`)."""
        return self.add(kind, rate=rate, seed=seed, **options)

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules = [r for r in self._rules if r is not rule]

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules = []

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def refusing(self, method: str, path: str, record: dict[str, Any]) -> FaultRule | None:
        """The first validation rule that refuses this record (as it would be after the write)."""

        def same(value: Any, wanted: Any) -> bool:
            if isinstance(wanted, str):
                return str(value or "").lower() == wanted.lower()
            return value == wanted

        with self._lock:
            for rule in self._rules:
                if rule.kind != VALIDATION_RULE or not rule.matches(method, path):
                    continue
                if all(same(record.get(name), wanted) for name, wanted in (rule.when or {}).items()):
                    rule.fired += 1
                    return rule
        return None

    def draw(self, kinds: tuple[str, ...], method: str, path: str) -> list[FaultRule]:
        """The rules of these kinds that fire for this call (at most one per kind)."""
        fired: list[FaultRule] = []
        with self._lock:
            for rule in self._rules:
                if rule.kind in kinds and rule.kind not in {r.kind for r in fired}:
                    if rule.matches(method, path) and rule.draw():
                        fired.append(rule)
        return fired
