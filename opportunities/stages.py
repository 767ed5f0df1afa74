"""The sales stages, and what each means, as Salesforce derives IsClosed and IsWon from StageName."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str
    order: int
    probability: int
    is_closed: bool
    is_won: bool


STAGES: tuple[Stage, ...] = (
    Stage("Prospecting", 1, 10, False, False),
    Stage("Qualification", 2, 20, False, False),
    Stage("Discovery", 3, 30, False, False),
    Stage("Solution Design", 4, 45, False, False),
    Stage("Proposal", 5, 60, False, False),
    Stage("Negotiation", 6, 80, False, False),
    Stage("Closed Won", 7, 100, True, True),
    Stage("Closed Lost", 8, 0, True, False),
)
STAGE_BY_NAME = {stage.name.lower(): stage for stage in STAGES}
STAGE_CHOICES = [(stage.name, stage.name) for stage in STAGES]
OPEN_STAGE_NAMES = [stage.name for stage in STAGES if not stage.is_closed]
# Stages past which an opportunity should have an executive or decision maker engaged.
EARLY_STAGE_MAX_ORDER = 2


def stage_info(name: str) -> Stage:
    """The stage called ``name``; an unknown CRM stage counts as open, ordered after the known open ones."""
    known = STAGE_BY_NAME.get((name or "").strip().lower())
    if known:
        return known
    closed = "closed" in (name or "").lower()
    won = closed and "won" in (name or "").lower()
    return Stage(name, 6 if not closed else 7, 100 if won else (0 if closed else 50), closed, won)
