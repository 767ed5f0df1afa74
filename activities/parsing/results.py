"""The shapes the parsing layer hands to the ingest service.

Everything here is plain data: no Django, no database. Dataclasses are frozen so a parsed
activity can be passed around (and compared in tests) without anyone changing it in place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

KINDS = ("email", "meeting", "call")
ROLES = ("from", "organizer", "to", "cc", "bcc", "attendee")
RESPONSES = ("accepted", "declined", "tentative", "needs_action")

# When one address appears under several roles it is kept once, under the most important.
ROLE_PRIORITY = {role: rank for rank, role in enumerate(ROLES)}


@dataclass(frozen=True)
class ParsedParticipant:
    """One person on an activity. ``email`` is lower-cased; names are None when unknown."""

    email: str
    role: str
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    response: str | None = None


@dataclass(frozen=True)
class ParsedAttachment:
    """A file attached to a message: only what it is, never its content."""

    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class SignatureDetails:
    """What the author's signature block says about them; None where it says nothing clear."""

    title: str | None = None
    phone: str | None = None
    company: str | None = None
    country: str | None = None
    state: str | None = None

    def is_empty(self) -> bool:
        return not any((self.title, self.phone, self.company, self.country, self.state))


@dataclass(frozen=True)
class ParsedActivity:
    """One email, meeting occurrence or call, ready for the ingest service to store.

    ``source_id`` is the idempotency key: the Message-ID without angle brackets (or
    ``sha256:<hex>`` of the raw bytes when a message has none), the iCalendar UID (plus
    ``#<recurrence id>`` for an occurrence of a recurring meeting), or the API caller's id.
    ``body`` holds only the new text; history goes to ``quoted_text`` and the author's
    signature block to ``signature``. ``warnings`` lists what was repaired or guessed
    (an unknown charset, a derived id, a floating time), never a reason to reject.
    ``origin`` says where the activity came from (file and position), for logs only.
    """

    kind: str
    source_id: str
    occurred_at: dt.datetime
    subject: str = ""
    body: str = ""
    quoted_text: str = ""
    signature: str = ""
    duration_minutes: int | None = None
    thread_id: str | None = None
    in_reply_to: str | None = None
    is_private: bool = False
    is_cancelled: bool = False
    is_all_day: bool = False
    location: str | None = None
    participants: tuple[ParsedParticipant, ...] = ()
    signature_details: SignatureDetails = field(default_factory=SignatureDetails)
    raw_headers: dict[str, str] = field(default_factory=dict, hash=False)
    attachments: tuple[ParsedAttachment, ...] = ()
    warnings: tuple[str, ...] = ()
    origin: str = ""

    @property
    def author(self) -> ParsedParticipant | None:
        """The sender (email) or organizer (meeting), if known."""
        for participant in self.participants:
            if participant.role in ("from", "organizer"):
                return participant
        return None


@dataclass(frozen=True)
class ParseError:
    """An input item that could not become an activity, and why.

    ``source`` is the file path (or ``"api"``), ``position`` where in it: ``message 3`` in an
    mbox, ``VEVENT 2 (UID abc)`` in a calendar, ``line 7`` in JSON Lines, ``item 0`` in an
    API batch, or ``""`` when the whole file is at fault.
    """

    source: str
    position: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.source} {self.position}".strip()
        return f"{where}: {self.reason}"


ParseResult = ParsedActivity | ParseError


class InvalidActivity(ValueError):
    """Raised by ``parse_api_item`` for an item that is not a valid activity.

    ``error`` carries the same ``ParseError`` a file import would have reported, so the API can
    answer with the item's index and the offending field.
    """

    def __init__(self, error: ParseError):
        super().__init__(str(error))
        self.error = error
