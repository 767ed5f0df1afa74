"""Email address checks and the Exchange/Notes ``X-To``-style address lists of the Enron corpus."""

from __future__ import annotations

import re

# Deliberately stricter than RFC 5322: an address we store must be one a person can be mailed
# at. Quoted local parts and Exchange's mangled "smith'.'john@enron.com" are refused.
_LOCAL = r"[A-Za-z0-9!#$%&*+/=?^_`{|}~-]+(?:['.][A-Za-z0-9!#$%&*+/=?^_`{|}~-]+)*"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
_EMAIL = re.compile(rf"^{_LOCAL}@{_DOMAIN}$")


# Enron's export turned "jeffrey.a.shankman" into "a..shankman": not deliverable, but still
# the one identifier a sender has. Accepted only where asked for (the From address).
_LENIENT_EMAIL = re.compile(rf"^[A-Za-z0-9._+-]+@{_DOMAIN}$")


def normalize_email(value: str | None, *, lenient: bool = False) -> str | None:
    """The address lower-cased, or None if it is not a deliverable-looking email address.

    ``lenient`` also accepts a local part with stray dots (``a..shankman@enron.com``).
    """
    if not value:
        return None
    candidate = value.strip().strip("<>").strip()
    if candidate.lower().startswith("mailto:"):
        candidate = candidate[len("mailto:") :]
    pattern = _LENIENT_EMAIL if lenient else _EMAIL
    if "'." in candidate or ".'" in candidate or not pattern.match(candidate):
        return None
    # Exchange wraps foreign addresses as IMCEANOTES-...@domain: an envelope, not a mailbox.
    if candidate.upper().startswith("IMCEA"):
        return None
    return candidate.lower()


_BRACKETED = re.compile(r"(?P<name>[^<>]*)<(?P<addr>[^<>]*)>")
# What Exchange leaves between entries: the comma, and "@ENRON'" tails of nested addresses.
_JUNK = re.compile(r"^(?:\s|,|@[A-Za-z]+'?)+")


def parse_display_list(value: str | None) -> list[tuple[str, str | None]]:
    """Split an ``X-To``-style list into (display name, valid email or None) pairs.

    Those headers are not RFC 5322: names hold unquoted commas ("Whitt, Mark </O=ENRON/...>"),
    so entries are split after each ``<...>`` rather than at every comma. Text with no
    brackets is one bare name, or a list of bare addresses.
    """
    if not value or not value.strip():
        return []
    text = " ".join(value.split())
    entries: list[tuple[str, str | None]] = []
    position = 0
    for match in _BRACKETED.finditer(text):
        name = _JUNK.sub("", match.group("name")).strip()
        email = normalize_email(match.group("addr"))
        if name or email:
            entries.append((name, email))
        position = match.end()
    rest = _JUNK.sub("", text[position:]).strip()
    if rest:
        pieces = [piece.strip() for piece in rest.split(",") if piece.strip()]
        if all(normalize_email(piece) for piece in pieces):
            entries.extend(("", normalize_email(piece)) for piece in pieces)
        else:
            # A bare "Last, First" must stay whole.
            entries.append((rest, None))
    return entries
