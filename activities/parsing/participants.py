"""One participant per address: the rule shared by mail, calendar and API items."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from .results import ROLE_PRIORITY, ParsedParticipant


def collapse_participants(
    participants: Iterable[ParsedParticipant],
) -> tuple[ParsedParticipant, ...]:
    """Merge entries with the same email: keep the most important role (from > organizer >
    to > cc > bcc > attendee) and fill a missing name or response from the other entries.

    The result is ordered by role, then by first appearance, so it is deterministic.
    """
    merged: dict[str, ParsedParticipant] = {}
    for participant in participants:
        kept = merged.get(participant.email)
        if kept is None:
            merged[participant.email] = participant
            continue
        if ROLE_PRIORITY[kept.role] <= ROLE_PRIORITY[participant.role]:
            better, other = kept, participant
        else:
            better, other = participant, kept
        if better.name is None and other.name is not None:
            better = replace(better, name=other.name, first_name=other.first_name, last_name=other.last_name)
        if better.response is None and other.response is not None:
            better = replace(better, response=other.response)
        merged[participant.email] = better
    return tuple(sorted(merged.values(), key=lambda participant: ROLE_PRIORITY[participant.role]))
