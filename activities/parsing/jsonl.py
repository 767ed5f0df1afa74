"""Activities sent as JSON: one item of ``POST /api/v1/activities``, or one line of a JSON Lines
(.jsonl / .ndjson) file.

An item is a JSON object::

    {
      "kind": "email" | "meeting" | "call",          required
      "source_id": "crm-call-8812",                   required, the caller's stable id
      "occurred_at": "2024-05-02T15:30:00+02:00",     required, ISO 8601 with an offset (or Z)
      "subject": "Security review follow-up",         optional string, default ""
      "body": "Thanks for the call ...",              optional string, default ""
      "duration_minutes": 30,                         optional integer >= 0; not for an email
      "private": false,                               optional boolean, default false
      "cancelled": false,                             optional boolean (meetings), default false
      "location": "Zoom",                             optional string
      "thread_id": "...", "in_reply_to": "...",       optional strings (emails)
      "participants": [                               required, at least one
        {"email": "ana@acme.com",                     required, a valid address
         "name": "Ana Ruiz",                          optional display name ("Ruiz, Ana" works)
         "role": "from",                              optional: from, organizer, to, cc, bcc,
                                                      attendee (default: to for an email,
                                                      attendee otherwise)
         "response": "accepted"}                      optional: accepted, declined, tentative,
      ]                                               needs_action
    }

An email needs one participant with role ``from``; its body is split into new text, quoted
history and signature like a mailed message. Unknown fields are refused, so a typo such as
``"privat"`` is reported instead of silently ignored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .addresses import normalize_email
from .body import AuthorHint, split_message_text
from .names import PersonName, parse_person_name
from .participants import collapse_participants
from .results import (
    KINDS,
    RESPONSES,
    ROLES,
    InvalidActivity,
    ParsedActivity,
    ParsedParticipant,
    ParseError,
    ParseResult,
    SignatureDetails,
)
from .signature import extract_signature_details
from .stream import DEFAULT_MAX_TEXT_BYTES
from .text import describe_surrogate, first_surrogate

_FIELDS = {
    "kind",
    "source_id",
    "occurred_at",
    "subject",
    "body",
    "duration_minutes",
    "private",
    "cancelled",
    "location",
    "thread_id",
    "in_reply_to",
    "participants",
}
_PARTICIPANT_FIELDS = {"email", "name", "role", "response"}
MAX_TEXT_CHARACTERS = DEFAULT_MAX_TEXT_BYTES


class _Invalid(Exception):
    """An item field is missing or wrong; the text names the field."""


def parse_api_item(item: Any, index: int = 0, *, source: str = "api") -> ParsedActivity:
    """Validate one API item (schema in the module docstring) into a ParsedActivity.

    Raises ``InvalidActivity`` whose ``error.reason`` names the field, e.g.
    ``participants[1].email: not a valid email address: 'ana@'``.
    """
    return _parse_item(item, source=source, position=f"item {index}")


def _parse_item(item: Any, *, source: str, position: str) -> ParsedActivity:
    try:
        return _activity(item, origin=f"{source} {position}")
    except _Invalid as invalid:
        error = ParseError(source=source, position=position, reason=str(invalid))
        raise InvalidActivity(error) from None


def parse_jsonl_bytes(data: bytes, *, source: str = "<bytes>") -> Iterator[ParseResult]:
    """One result per non-blank line; ``position`` is ``line N`` (1-based)."""
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        position = f"line {number}"
        try:
            item = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield ParseError(source=source, position=position, reason="line is not UTF-8")
            continue
        except json.JSONDecodeError as error:
            yield ParseError(source=source, position=position, reason=f"invalid JSON: {error.msg}")
            continue
        try:
            yield _parse_item(item, source=source, position=position)
        except InvalidActivity as error:
            yield error.error


def parse_jsonl_path(path: Path) -> Iterator[ParseResult]:
    """Activities (and errors) from a JSON Lines file."""
    yield from parse_jsonl_bytes(Path(path).read_bytes(), source=str(path))


# --- validation -------------------------------------------------------------------------------


def _string(item: dict, field: str, *, required: bool = False) -> str | None:
    value = item.get(field)
    if value is None:
        if required:
            raise _Invalid(f"{field}: missing")
        return None
    if not isinstance(value, str):
        raise _Invalid(f"{field}: expected a string, got {type(value).__name__}")
    if required and not value.strip():
        raise _Invalid(f"{field}: empty")
    return value


def _boolean(item: dict, field: str) -> bool:
    value = item.get(field, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _Invalid(f"{field}: expected true or false, got {value!r}")
    return value


def _occurred_at(item: dict) -> dt.datetime:
    text = _string(item, "occurred_at", required=True)
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise _Invalid(f"occurred_at: not an ISO 8601 date-time: {text!r}") from None
    if value.tzinfo is None:
        raise _Invalid(f"occurred_at: needs a time zone offset or Z: {text!r}")
    return value.astimezone(dt.UTC)


def _duration(item: dict, kind: str) -> int | None:
    value = item.get("duration_minutes")
    if value is None:
        return None
    if kind == "email":
        raise _Invalid("duration_minutes: an email has no duration")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Invalid(f"duration_minutes: expected a whole number >= 0, got {value!r}")
    return value


def _participant(entry: Any, position: int, kind: str) -> ParsedParticipant:
    where = f"participants[{position}]"
    if not isinstance(entry, dict):
        raise _Invalid(f"{where}: expected an object")
    unknown = sorted(set(entry) - _PARTICIPANT_FIELDS)
    if unknown:
        raise _Invalid(f"{where}: unknown field {unknown[0]!r}")
    raw_email = entry.get("email")
    if raw_email is None:
        raise _Invalid(f"{where}.email: missing")
    email = normalize_email(raw_email) if isinstance(raw_email, str) else None
    if not email:
        raise _Invalid(f"{where}.email: not a valid email address: {raw_email!r}")
    role = entry.get("role") or ("to" if kind == "email" else "attendee")
    if role not in ROLES:
        raise _Invalid(f"{where}.role: expected one of {', '.join(ROLES)}, got {role!r}")
    response = entry.get("response")
    if response is not None and response not in RESPONSES:
        expected = ", ".join(RESPONSES)
        raise _Invalid(f"{where}.response: expected one of {expected}, got {response!r}")
    display = entry.get("name")
    if display is not None and not isinstance(display, str):
        raise _Invalid(f"{where}.name: expected a string")
    name = parse_person_name(display)
    return ParsedParticipant(
        email=email, role=role, name=name.full, first_name=name.first, last_name=name.last, response=response
    )


def _lone_surrogate(value: Any, path: str) -> tuple[str, str] | None:
    """(field path, character) of the first string holding a lone surrogate, which JSON allows but
    no database stores; None when every string is text."""
    if isinstance(value, str):
        character = first_surrogate(value)
        return (path, character) if character else None
    if isinstance(value, dict):
        for key, inner in value.items():
            found = _lone_surrogate(inner, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, list):
        for position, inner in enumerate(value):
            found = _lone_surrogate(inner, f"{path}[{position}]")
            if found:
                return found
    return None


def _activity(item: Any, *, origin: str) -> ParsedActivity:
    if not isinstance(item, dict):
        raise _Invalid(f"expected a JSON object, got {type(item).__name__}")
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise _Invalid(f"unknown field {unknown[0]!r}")
    not_text = _lone_surrogate(item, "")
    if not_text:
        field, character = not_text
        raise _Invalid(
            f"{field}: holds {describe_surrogate(character)}; send the text as valid UTF-8 "
            "(an escape like \\udce9 is half of a character, not a letter)"
        )
    kind = item.get("kind")
    if kind is None:
        raise _Invalid("kind: missing")
    if kind not in KINDS:
        raise _Invalid(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    source_id = _string(item, "source_id", required=True).strip()
    occurred_at = _occurred_at(item)
    entries = item.get("participants")
    if entries is None:
        raise _Invalid("participants: missing")
    if not isinstance(entries, list) or not entries:
        raise _Invalid("participants: expected a non-empty list")
    participants = collapse_participants(
        _participant(entry, position, kind) for position, entry in enumerate(entries)
    )
    sender = next((p for p in participants if p.role == "from"), None)
    if kind == "email" and sender is None:
        raise _Invalid("participants: an email needs a participant with role 'from'")

    body = _string(item, "body") or ""
    if len(body) > MAX_TEXT_CHARACTERS:
        raise _Invalid(
            f"body: {len(body) // 1024:,} K characters, over the limit of {MAX_TEXT_CHARACTERS // 1024:,} K "
            "per item: send the new text only, without quoted history or attachments"
        )
    quoted_text = signature = ""
    details = SignatureDetails()
    if kind == "email":
        author = AuthorHint.from_person(
            PersonName(sender.name, sender.first_name, sender.last_name), sender.email
        )
        split = split_message_text(body, author)
        body, quoted_text, signature = split.body, split.quoted_text, split.signature
        details = extract_signature_details(signature, author)
    return ParsedActivity(
        kind=kind,
        source_id=source_id,
        occurred_at=occurred_at,
        subject=" ".join((_string(item, "subject") or "").split()),
        body=body.strip() if kind != "email" else body,
        quoted_text=quoted_text,
        signature=signature,
        duration_minutes=_duration(item, kind),
        thread_id=_string(item, "thread_id"),
        in_reply_to=_string(item, "in_reply_to"),
        is_private=_boolean(item, "private"),
        is_cancelled=_boolean(item, "cancelled"),
        location=_string(item, "location"),
        participants=participants,
        signature_details=details,
        origin=origin,
    )
