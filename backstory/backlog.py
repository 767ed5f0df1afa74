"""Background work still owed, as the health check reports it: how much waits and since when.

Each app counts its own (the contact engine's and summaries' hand-offs, the rollups, the
Salesforce outbox); this is the shape they share.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Counting stops here: the health check must stay cheap when a backlog is huge.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Backlog:
    """``waiting`` items (at most COUNT_CAP; ``more`` when there are more), the oldest since ``oldest_at``."""

    waiting: int
    oldest_at: dt.datetime | None
    more: bool = False

    @classmethod
    def of(cls, queryset, oldest_field: str) -> Backlog:
        """The backlog of ``queryset`` (the waiting rows), aged by ``oldest_field``."""
        waiting = len(queryset.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
        oldest = (
            queryset.order_by(oldest_field).values_list(oldest_field, flat=True).first() if waiting else None
        )
        return cls(min(waiting, COUNT_CAP), oldest, more=waiting > COUNT_CAP)

    def as_json(self, *, now: dt.datetime) -> dict:
        age = None if self.oldest_at is None else max(0, round((now - self.oldest_at).total_seconds()))
        return {"waiting": f"{COUNT_CAP}+" if self.more else self.waiting, "oldest_seconds": age}
