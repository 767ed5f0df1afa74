"""Mail read line by line, so a message's attachments are never held in memory.

An .eml file or an mbox mailbox is read one line at a time. Headers and text parts (text/plain,
text/html that are not attachments) are kept; every other part's body is skipped and only its
name, type and size are kept. The raw message is hashed on the way (the derived source id of a
message without a Message-ID), so memory stays at the size of the text, whatever the attachments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

from .results import ParsedAttachment
from .text import repair_surrogate_escapes

DEFAULT_MAX_MESSAGE_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_TEXT_BYTES = 1024 * 1024
_HEADERS = BytesHeaderParser(policy=policy.compat32)


@dataclass(frozen=True)
class MailLimits:
    """The documented limits on one message (settings ``BACKSTORY_MAX_MESSAGE_MB`` and
    ``BACKSTORY_MAX_TEXT_KB``): a bigger message is refused, longer text is cut with a warning."""

    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES


@dataclass
class StreamedMessage:
    """What is kept of one message: its headers and text parts, and the skipped parts' details."""

    kept: bytes
    sha256: str
    size: int
    attachments: list[ParsedAttachment] = field(default_factory=list)
    text_cut: bool = False


@dataclass
class _Part:
    keep: bool
    attachment: dict | None = None


class _Reader:
    """A line-by-line MIME walker: keeps headers and text bodies, measures the rest."""

    def __init__(self, limits: MailLimits):
        self.limits = limits
        self.kept: list[bytes] = []
        self.kept_bytes = 0
        self.digest = hashlib.sha256()
        self.size = 0
        self.attachments: list[ParsedAttachment] = []
        self.text_cut = False
        self.boundaries: list[bytes] = []
        self.header_lines: list[bytes] | None = []  # collecting a header block when not None
        self.part = _Part(keep=True)

    def feed(self, line: bytes) -> None:
        self.digest.update(line)
        self.size += len(line)
        if self.size > self.limits.max_message_bytes:
            return  # the caller refuses the message; keep reading only to find its end
        if self.header_lines is not None:
            self.header_lines.append(line)
            if not line.strip(b"\r\n"):
                self._start_part(b"".join(self.header_lines))
                self.header_lines = None
            return
        bare = line.rstrip(b"\r\n")
        if bare.startswith(b"--") and self.boundaries:
            for depth in range(len(self.boundaries) - 1, -1, -1):
                boundary = self.boundaries[depth]
                if bare == b"--" + boundary:
                    del self.boundaries[depth + 1 :]
                    self._finish_attachment()
                    self._keep(line, always=True)
                    self.header_lines = []
                    return
                if bare == b"--" + boundary + b"--":
                    del self.boundaries[depth:]
                    self._finish_attachment()
                    self._keep(line, always=True)
                    self.part = _Part(keep=True)  # the epilogue
                    return
        if self.part.keep:
            self._keep(line)
        elif self.part.attachment is not None:
            attachment = self.part.attachment
            if attachment["base64"]:
                text = bare.strip()
                attachment["size"] += len(text) * 3 // 4 - text.count(b"=")
            else:
                attachment["size"] += len(line)

    def _start_part(self, headers: bytes) -> None:
        self._keep(headers, always=True)
        message = _HEADERS.parsebytes(headers)
        content_type = message.get_content_type()
        disposition = (message.get("Content-Disposition") or "").split(";")[0].strip().lower()
        if message.get_content_maintype() == "multipart":
            boundary = message.get_boundary()
            if boundary:
                self.boundaries.append(boundary.encode("ascii", "surrogateescape"))
            self.part = _Part(keep=True)  # the preamble
        elif content_type in ("text/plain", "text/html") and disposition != "attachment":
            self.part = _Part(keep=True)
        else:
            encoding = (message.get("Content-Transfer-Encoding") or "").strip().lower()
            name = message.get_filename() or message.get_param("name") or ""
            self.part = _Part(
                keep=False,
                attachment={
                    "name": repair_surrogate_escapes(str(name)),
                    "content_type": content_type,
                    "size": 0,
                    "base64": encoding == "base64",
                },
            )

    def _finish_attachment(self) -> None:
        attachment = self.part.attachment
        if attachment is not None:
            self.attachments.append(
                ParsedAttachment(
                    name=attachment["name"],
                    content_type=attachment["content_type"],
                    size=max(0, attachment["size"]),
                )
            )
        self.part = _Part(keep=True)

    def _keep(self, data: bytes, *, always: bool = False) -> None:
        if not always and self.kept_bytes + len(data) > self.limits.max_text_bytes:
            self.text_cut = True
            return
        self.kept.append(data)
        self.kept_bytes += len(data)

    def finish(self) -> StreamedMessage:
        if self.header_lines:
            self._keep(b"".join(self.header_lines), always=True)
        self._finish_attachment()
        return StreamedMessage(
            kept=b"".join(self.kept),
            sha256=self.digest.hexdigest(),
            size=self.size,
            attachments=self.attachments,
            text_cut=self.text_cut,
        )


def read_message(lines: Iterable[bytes], limits: MailLimits) -> StreamedMessage:
    """One message from its lines (newlines included)."""
    reader = _Reader(limits)
    for line in lines:
        reader.feed(line)
    return reader.finish()


def eml_messages(path: Path, limits: MailLimits) -> Iterator[StreamedMessage]:
    """The one message of an .eml file."""
    with open(path, "rb") as file:
        yield read_message(file, limits)


def mbox_messages(path: Path, limits: MailLimits) -> Iterator[StreamedMessage]:
    """Each message of an mbox file, in order: what ``mailbox.mbox.get_bytes`` gives (the
    ``From `` line dropped, and the blank line that separates messages), read line by line."""
    with open(path, "rb") as file:
        reader: _Reader | None = None
        held: bytes | None = None  # the last line, dropped if it is the blank separator
        for line in file:
            if line.startswith(b"From "):
                if reader is not None:
                    if held is not None and held != b"\n":
                        reader.feed(held)
                    yield reader.finish()
                reader, held = _Reader(limits), None
                continue
            if reader is None:
                continue  # text before the first "From " line is not a message
            if held is not None:
                reader.feed(held)
            held = line
        if reader is not None:
            if held is not None and held != b"\n":
                reader.feed(held)
            yield reader.finish()
