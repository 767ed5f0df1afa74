"""RFC 5322 mail (.eml files, .mbox mailboxes) into email activities.

Decisions worth knowing:

- A message without a Message-ID gets ``sha256:<hex of its raw bytes>`` as its source id (and
  a warning), so re-importing the same file still stores it once.
- A message with no ``Date:`` is dated from its newest ``Received:`` header (with a warning); with
  neither, or an unparseable ``Date:``, it is an error for that message; so is a missing sender
  and a "message" with no mail headers at all (a garbage or headerless file).
- Charsets: the declared charset is tried strictly; an unknown or lying one falls back to
  UTF-8, then Windows-1252, then Latin-1, with a warning. ASCII and ISO-8859-1 labels are read
  as Windows-1252, as browsers do, because that is what such mail really contains.
- Raw 8-bit bytes in a display name (a client that skipped RFC 2047) are decoded as UTF-8, else
  Windows-1252, with a warning: Python keeps them as surrogate escapes no database can store.
- Addresses that are not valid emails are skipped. When ``To``/``Cc`` held mangled addresses
  (Exchange's ``smith'.'john@enron.com``), the valid ones in ``X-To``/``X-cc`` are recovered.
  Names come from the display name, else from the ``X-From``/``X-To``/``X-cc`` entry of the same
  address or (when the lists line up one to one and the surname is in the address) position.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from .addresses import normalize_email, parse_display_list
from .body import AuthorHint, html_to_text, split_message_text
from .names import NO_NAME, PersonName, parse_person_name
from .participants import collapse_participants
from .results import ParsedActivity, ParsedParticipant, ParseError, ParseResult
from .signature import extract_signature_details
from .stream import MailLimits, StreamedMessage, eml_messages, mbox_messages, read_message
from .text import first_surrogate, repair_surrogate_escapes

_KNOWN_HEADERS = {
    "from",
    "to",
    "cc",
    "date",
    "subject",
    "message-id",
    "received",
    "sender",
    "reply-to",
    "mime-version",
    "content-type",
    "return-path",
}
# Headers kept on the activity for the ingest service (threading, privacy, bulk-mail hints).
HEADERS_OF_INTEREST = (
    "Message-ID",
    "In-Reply-To",
    "References",
    "Sensitivity",
    "Importance",
    "Priority",
    "X-Priority",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
    "List-Unsubscribe",
    "Reply-To",
    "X-Folder",
    "X-Origin",
)
_ADDRESS_ROLES = (
    ("From", "from", "X-From"),
    ("To", "to", "X-To"),
    ("Cc", "cc", "X-cc"),
    ("Bcc", "bcc", "X-bcc"),
)
_MESSAGE_ID = re.compile(r"<([^<>]+)>")


class _MessageError(Exception):
    """One message cannot become an activity; the text is the reason."""


def parse_email_bytes(
    raw: bytes, *, source: str = "<bytes>", position: str = "", limits: MailLimits | None = None
) -> ParseResult:
    """Parse one RFC 5322 message; returns a ParsedActivity or a ParseError, never raises."""
    return _parse_streamed(read_message(io.BytesIO(raw), limits or MailLimits()), source, position, limits)


def parse_eml_path(path: Path, *, limits: MailLimits | None = None) -> Iterator[ParseResult]:
    """One result for an .eml file, read line by line (attachments are measured, not kept)."""
    limits = limits or MailLimits()
    for streamed in eml_messages(Path(path), limits):
        yield _parse_streamed(streamed, str(path), "", limits)


def parse_mbox_path(path: Path, *, limits: MailLimits | None = None) -> Iterator[ParseResult]:
    """One result per message of an mbox file, in file order; ``position`` is ``message N``."""
    limits = limits or MailLimits()
    for number, streamed in enumerate(mbox_messages(Path(path), limits), start=1):
        yield _parse_streamed(streamed, str(path), f"message {number}", limits)


def _parse_streamed(
    streamed: StreamedMessage, source: str, position: str, limits: MailLimits | None
) -> ParseResult:
    limits = limits or MailLimits()
    origin = f"{source} {position}".strip()
    if streamed.size > limits.max_message_bytes:
        return ParseError(
            source=source,
            position=position,
            reason=f"message is {streamed.size / 2**20:,.1f} MB, over the "
            f"{limits.max_message_bytes / 2**20:,.0f} MB limit (BACKSTORY_MAX_MESSAGE_MB)",
        )
    try:
        activity = _parse_message(streamed.kept, origin, raw_sha256=streamed.sha256)
    except _MessageError as error:
        return ParseError(source=source, position=position, reason=str(error))
    except Exception as error:
        return ParseError(
            source=source, position=position, reason=f"unreadable message: {type(error).__name__}: {error}"
        )
    warnings = activity.warnings
    if streamed.text_cut:
        warnings += (
            f"text beyond {limits.max_text_bytes // 1024:,} KB was not kept (BACKSTORY_MAX_TEXT_KB)",
        )
    return replace(activity, attachments=tuple(streamed.attachments), warnings=warnings)


# --- one message ------------------------------------------------------------------------------


def _parse_message(raw: bytes, origin: str, *, raw_sha256: str) -> ParsedActivity:
    if not raw.strip():
        raise _MessageError("empty message")
    message = email.message_from_bytes(raw, policy=policy.default)
    if not any(key.lower() in _KNOWN_HEADERS for key in message.keys()):
        raise _MessageError("no mail headers found: not an email message")
    warnings: list[str] = []

    source_id = _message_id(message)
    if not source_id:
        source_id = "sha256:" + raw_sha256
        warnings.append("no Message-ID: source id derived from the message bytes")
    occurred_at = _date(message, warnings)
    participants = _participants(message, warnings)
    sender = next((p for p in participants if p.role == "from"), None)
    if sender is None:
        raise _MessageError("missing or invalid From address")

    text = _body_text(message, warnings)
    author = AuthorHint.from_person(
        PersonName(sender.name, sender.first_name, sender.last_name), sender.email
    )
    split = split_message_text(text, author)
    details = extract_signature_details(split.signature, author)

    references = _ids(_header(message, "References"))
    reply_to_ids = _ids(_header(message, "In-Reply-To"))
    in_reply_to = reply_to_ids[0] if reply_to_ids else None
    thread_id = references[0] if references else in_reply_to or source_id
    sensitivity = (_header(message, "Sensitivity") or "").strip().lower()

    return ParsedActivity(
        kind="email",
        source_id=source_id,
        occurred_at=occurred_at,
        subject=" ".join((_header(message, "Subject") or "").split()),
        body=split.body,
        quoted_text=split.quoted_text,
        signature=split.signature,
        thread_id=thread_id,
        in_reply_to=in_reply_to,
        # Only "Private": "Company-Confidential" mail is still visible to colleagues.
        is_private=sensitivity == "private",
        participants=tuple(participants),
        signature_details=details,
        raw_headers={
            name: value for name in HEADERS_OF_INTEREST if (value := _header(message, name)) is not None
        },
        warnings=tuple(warnings),
        origin=origin,
    )


def _header(message: EmailMessage, name: str) -> str | None:
    """A header's decoded text; falls back to the raw text if the header class trips on it."""
    try:
        value = message[name]
    except Exception:
        value = next((raw for key, raw in message.raw_items() if key.lower() == name.lower()), None)
    if value is None:
        return None
    # The raw text keeps undecoded bytes as surrogate escapes.
    return repair_surrogate_escapes(str(value)).strip()


def _ids(value: str | None) -> list[str]:
    if not value:
        return []
    found = _MESSAGE_ID.findall(value)
    return [item.strip() for item in (found or value.split()) if item.strip()]


def _message_id(message: EmailMessage) -> str | None:
    ids = _ids(_header(message, "Message-ID"))
    return ids[0] if ids else None


def _received_date(message: EmailMessage) -> dt.datetime | None:
    """When the newest ``Received:`` header says the message arrived (the date after its ";")."""
    dates = []
    for key, raw in message.raw_items():
        if key.lower() != "received" or ";" not in str(raw):
            continue
        try:
            parsed = parsedate_to_datetime(" ".join(str(raw).rsplit(";", 1)[1].split()))
        except (TypeError, ValueError, IndexError):
            continue
        if parsed is not None:
            dates.append(parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC))
    return max(dates) if dates else None


def _date(message: EmailMessage, warnings: list[str]) -> dt.datetime:
    value = _header(message, "Date")
    if not value:
        received = _received_date(message)
        if received is None:
            raise _MessageError("missing Date header")
        warnings.append("no Date header: dated from the newest Received header")
        return received.astimezone(dt.UTC)
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        raise _MessageError(f"unparseable Date header: {value!r}") from None
    if parsed is None:
        raise _MessageError(f"unparseable Date header: {value!r}")
    if parsed.tzinfo is None:
        warnings.append("Date header has no time zone: read as UTC")
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


# --- participants -----------------------------------------------------------------------------


def _header_addresses(message: EmailMessage, name: str) -> list[tuple[str, str]]:
    """(display name, address as written) for every address in every ``name`` header."""
    found: list[tuple[str, str]] = []
    for value in message.get_all(name) or []:
        try:
            found.extend((address.display_name, address.addr_spec) for address in value.addresses)
        except Exception:
            found.extend(getaddresses([str(value)]))
    return found


def _plausible_name_for(name: str, address: str) -> bool:
    """Does the surname of ``name`` appear in the address? Guards positional X-To matching."""
    last = parse_person_name(name).last
    if not last:
        return False
    letters = re.sub(r"[^a-z]", "", last.lower())
    return len(letters) >= 2 and letters in address.split("@", 1)[0].lower()


def _participants(message: EmailMessage, warnings: list[str]) -> list[ParsedParticipant]:
    collected: list[ParsedParticipant] = []
    for header, role, x_header in _ADDRESS_ROLES:
        written = _header_addresses(message, header)
        if any(first_surrogate(display or "") for display, _ in written):
            # Raw 8-bit bytes in a display name (no RFC 2047 encoding): decode them, say so.
            written = [(repair_surrogate_escapes(display or ""), address) for display, address in written]
            warnings.append(f"{header} header held raw 8-bit bytes: the name was decoded by guessing")
        x_entries = parse_display_list(_header(message, x_header))
        x_names = {address: name for name, address in x_entries if address and name}
        valid = [(display, normalize_email(address)) for display, address in written]
        if role == "from" and written and not any(email for _, email in valid):
            # Without a sender the message is lost: keep a merely odd one, and say so.
            display, address = written[0]
            if normalize_email(address, lenient=True):
                valid[0] = (display, normalize_email(address, lenient=True))
                warnings.append(f"sender address {address!r} is not a valid mailbox: kept as written")
        mangled = [address for (_, address), (_, email) in zip(written, valid, strict=True) if not email]
        line_up = len(x_entries) == len(written)
        for position, (display, address) in enumerate(valid):
            if not address:
                continue
            name = parse_person_name(display)
            if name is NO_NAME and address in x_names:
                name = parse_person_name(x_names[address])
            if name is NO_NAME and line_up:
                x_name, x_address = x_entries[position]
                if x_name and (
                    x_address == address or (x_address is None and _plausible_name_for(x_name, address))
                ):
                    name = parse_person_name(x_name)
            collected.append(_participant(address, role, name))
        if mangled:
            recovered = [
                _participant(address, role, parse_person_name(name)) for name, address in x_entries if address
            ]
            note = f"skipped invalid {header} address(es) {', '.join(mangled)}"
            if recovered:
                note += f"; recovered {len(recovered)} from {x_header}"
            warnings.append(note)
            collected.extend(recovered)
    return list(collapse_participants(collected))


def _participant(email: str, role: str, name: PersonName) -> ParsedParticipant:
    return ParsedParticipant(
        email=email, role=role, name=name.full, first_name=name.first, last_name=name.last
    )


# --- body -------------------------------------------------------------------------------------

_WHATWG_WINDOWS_1252 = {"ascii", "latin-1", "iso8859-1", "iso8859-15", "cp1252"}
_FALLBACKS = ("utf-8", "cp1252", "latin-1")


def decode_text(payload: bytes, declared: str | None, warnings: list[str]) -> str:
    """Decode a text part's bytes: the declared charset strictly, else a noted fallback."""
    label = (declared or "").strip().strip('"').lower()
    codec = None
    if label:
        try:
            codec = codecs.lookup(label).name
        except LookupError:
            warnings.append(f"unknown charset {label!r}: decoded by guessing")
    if codec in _WHATWG_WINDOWS_1252:
        # Mail labelled ASCII or ISO-8859-1 is in practice Windows-1252 (curly quotes, dashes).
        codec = "cp1252"
    if codec:
        try:
            return payload.decode(codec)
        except UnicodeDecodeError:
            warnings.append(f"text is not valid {label}: decoded by guessing")
        except LookupError:
            warnings.append(f"charset {label!r} cannot decode text: decoded by guessing")
    for fallback in _FALLBACKS:
        try:
            return payload.decode(fallback)
        except UnicodeDecodeError:
            continue
    return payload.decode("latin-1")  # unreachable: latin-1 decodes any bytes


def _body_text(message: EmailMessage, warnings: list[str]) -> str:
    """Plain text of the message: text/plain preferred, else text/html stripped of markup."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        part = None
        warnings.append("unreadable MIME structure: no body")
    if part is None:
        if not any("no body" in warning for warning in warnings):
            warnings.append("no text body")
        return ""
    payload = part.get_payload(decode=True) or b""
    text = decode_text(payload, part.get_content_charset(), warnings)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return text
