"""The parsing layer: raw mail, calendars and JSON into ``ParsedActivity`` values.

Pure functions over bytes and files, no Django and no database: the ingest service decides
direction, people, accounts and storage. Nothing here reaches the network.

Entry points:

- ``parse_path(path)``: a file (.eml, .mbox, .ics, .jsonl/.ndjson) or a directory walked
  recursively in sorted order; yields a ``ParsedActivity`` or a ``ParseError`` per item.
- ``parse_bytes(data, filename)``: the same for an upload, typed by its file name.
- ``parse_api_item(item, index)``: one ``POST /api/v1/activities`` item; raises
  ``InvalidActivity`` naming the field (schema in ``activities.parsing.jsonl``).

Errors are values, not exceptions: one bad message in a mailbox is a ``ParseError`` with its
position, and the rest still parse. What was repaired or guessed on a good item (an unknown
charset, a derived id, a floating time) is listed in ``ParsedActivity.warnings``.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from .body import AuthorHint, SplitText, html_to_text, split_message_text
from .ics import parse_calendar_bytes, parse_ics_path
from .jsonl import parse_api_item, parse_jsonl_bytes, parse_jsonl_path
from .mail import parse_email_bytes, parse_eml_path, parse_mbox_path
from .names import PersonName, name_from_address, parse_person_name
from .results import (
    InvalidActivity,
    ParsedActivity,
    ParsedParticipant,
    ParseError,
    ParseResult,
    SignatureDetails,
)
from .signature import extract_signature_details
from .stream import MailLimits

__all__ = [
    "AuthorHint",
    "InvalidActivity",
    "MailLimits",
    "ParseError",
    "ParseResult",
    "ParsedActivity",
    "ParsedParticipant",
    "PersonName",
    "SignatureDetails",
    "SplitText",
    "SUPPORTED_SUFFIXES",
    "extract_signature_details",
    "html_to_text",
    "name_from_address",
    "parse_api_item",
    "parse_bytes",
    "parse_path",
    "parse_person_name",
    "split_message_text",
]

SUPPORTED_SUFFIXES = (".eml", ".mbox", ".ics", ".jsonl", ".ndjson")


def _kind_of(name: str) -> str | None:
    suffix = Path(name).suffix.lower()
    return suffix if suffix in SUPPORTED_SUFFIXES else None


def parse_path(
    path: str | os.PathLike,
    *,
    now: dt.datetime | None = None,
    expand_from: dt.datetime | None = None,
    expand_until: dt.datetime | None = None,
    max_occurrences: int | None = None,
    mail_limits: MailLimits | None = None,
) -> Iterator[ParseResult]:
    """Parse a file or, recursively and in sorted order, a directory.

    Inside a directory, files of other types (and hidden files) are skipped; a single file of
    an unsupported type is a ParseError. ``now``, ``expand_from``, ``expand_until`` and
    ``max_occurrences`` bound the expansion of recurring meetings (see ``parse_calendar_bytes``);
    ``mail_limits`` the size of one message (``MailLimits``).
    """
    path = Path(path)
    calendar_options = {
        "now": now,
        "expand_from": expand_from,
        "expand_until": expand_until,
        "max_occurrences": max_occurrences,
    }
    if path.is_dir():
        found = []
        for root, directories, files in os.walk(path):
            directories[:] = [name for name in directories if not name.startswith(".")]
            found.extend(Path(root) / name for name in files if not name.startswith(".") and _kind_of(name))
        # Sorted by path parts, so "a/x.ics" comes before "b.eml" and every run is the same.
        for file in sorted(found, key=lambda item: item.relative_to(path).parts):
            yield from _parse_file(file, calendar_options, mail_limits)
        return
    if not path.exists():
        yield ParseError(source=str(path), position="", reason="no such file or directory")
        return
    if not _kind_of(path.name):
        yield ParseError(
            source=str(path),
            position="",
            reason=f"unsupported file type {path.suffix or '(none)'!r}; expected one "
            f"of {', '.join(SUPPORTED_SUFFIXES)}",
        )
        return
    yield from _parse_file(path, calendar_options, mail_limits)


def _parse_file(path: Path, calendar_options: dict, mail_limits: MailLimits | None) -> Iterator[ParseResult]:
    kind = _kind_of(path.name)
    try:
        if kind == ".eml":
            yield from parse_eml_path(path, limits=mail_limits)
        elif kind == ".mbox":
            yield from parse_mbox_path(path, limits=mail_limits)
        elif kind == ".ics":
            yield from parse_ics_path(path, **calendar_options)
        else:
            yield from parse_jsonl_path(path)
    except OSError as error:
        yield ParseError(source=str(path), position="", reason=f"cannot read file: {error}")


def parse_bytes(
    data: bytes,
    filename: str,
    *,
    now: dt.datetime | None = None,
    expand_from: dt.datetime | None = None,
    expand_until: dt.datetime | None = None,
    max_occurrences: int | None = None,
) -> Iterator[ParseResult]:
    """Parse uploaded bytes, typed by ``filename``'s extension; ``source`` is the file name."""
    kind = _kind_of(filename)
    if kind == ".eml":
        yield parse_email_bytes(data, source=filename)
    elif kind == ".ics":
        yield from parse_calendar_bytes(
            data,
            source=filename,
            now=now,
            expand_from=expand_from,
            expand_until=expand_until,
            max_occurrences=max_occurrences,
        )
    elif kind in (".jsonl", ".ndjson"):
        yield from parse_jsonl_bytes(data, source=filename)
    elif kind == ".mbox":
        # The mailbox module reads files only; results are labelled with the upload's name.
        with tempfile.TemporaryDirectory() as directory:
            temporary = Path(directory) / "upload.mbox"
            temporary.write_bytes(data)
            for result in parse_mbox_path(temporary):
                yield _relabel(result, str(temporary), filename)
    else:
        expected = ", ".join(SUPPORTED_SUFFIXES)
        yield ParseError(
            source=filename, position="", reason=f"unsupported file type; expected one of {expected}"
        )


def _relabel(result: ParseResult, old: str, new: str) -> ParseResult:
    if isinstance(result, ParseError):
        return replace(result, source=new)
    return replace(result, origin=result.origin.replace(old, new, 1))
