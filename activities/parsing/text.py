"""Text that can be stored: Python strings may hold lone surrogates, which no database accepts.

Python's mail parser keeps raw 8-bit bytes in headers as "surrogate escapes" (``b"J\\xe9r"`` reads
as ``"J\\udce9r"``), and JSON allows ``"\\udce9"``. PostgreSQL and SQLite refuse such strings when
they are written, so they are repaired (mail, where they stand for bytes) or refused (JSON, where
they stand for nothing) here, before anything reaches the database.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
# Undecoded header bytes are in practice UTF-8, else Windows-1252 (what mail clients really send).
_BYTE_CODECS = ("utf-8", "cp1252", "latin-1")


def first_surrogate(text: str) -> str | None:
    """The first lone surrogate in ``text`` (a character no database can store), or None."""
    match = _SURROGATE.search(text)
    return match.group() if match else None


def repair_surrogate_escapes(text: str) -> str:
    """Decode the raw bytes a parser kept as surrogate escapes (UTF-8, else Windows-1252).

    A surrogate that stands for no byte (outside U+DC80..U+DCFF) becomes U+FFFD.
    """
    if not _SURROGATE.search(text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    for codec in _BYTE_CODECS:
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # unreachable: latin-1 decodes any bytes


def describe_surrogate(character: str) -> str:
    """How a bad character is named in a rejection: ``U+DCE9 (a lone surrogate, not text)``."""
    return f"U+{ord(character):04X} (a lone surrogate, not text)"
