"""Plain text from HTML, and a message's text split into new text, quoted history, signature.

The split is a line classifier rather than a library: the maintained reply parsers
(``mail-parser-reply``, ``email-reply-parser``) handle ``>`` quotes and Outlook headers, but
neither knows the Lotus Notes "Forwarded by" and "To: / cc: / Subject:" blocks, nor finds a
signature that has no ``-- `` line, and the first rewrites the kept text's indentation.

Classifying a message, top to bottom:

1. The first *hard* marker cuts the text: everything from it on is quoted history. Hard markers
   are "-----Original Message-----", "Forwarded by/message" lines, an Outlook/Notes header
   block ("From: ... Sent: ... To: ... Subject:", or "To: ... cc: ... Subject:" with the
   sender/date lines just above it) and an "On <date>, X wrote:" not followed by ``>`` lines.
2. Above the cut, ``>`` lines and the "On ... wrote:" line introducing them are quoted too;
   the rest (inline answers included) stays new text.
3. Legal disclaimers ("This e-mail ... confidential ... intended recipient ...") are dropped.
4. The signature is what follows a ``-- `` line, or else the trailing block of short lines
   that starts at the author's name, after a sign-off ("Regards,"), or at a name-like line
   followed by contact details, within the last 20 lines. A P.S. below it goes back to the
   body; a tagline stays with it. When in doubt there is no signature: the body keeps the text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment

from .lines import (
    ATTACHMENT,
    LEGAL_SUFFIX,
    has_contact_details,
    is_prose,
    is_rule,
    is_title,
    looks_like_name,
    split_name_and_title,
)
from .names import PersonName

# --- HTML -------------------------------------------------------------------------------------

_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "tr",
    "li",
    "ul",
    "ol",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "hr",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "address",
)


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body: scripts and styles dropped, paragraphs kept.

    ``<blockquote>`` content comes out with ``> `` in front of each line, so a quoted reply in
    an HTML-only mail is recognised like a plain-text one. Entities are decoded by the parser.
    """
    soup = BeautifulSoup(html, "html.parser")
    for node in soup(["script", "style", "head", "title", "meta", "noscript"]):
        node.decompose()
    for node in soup.find_all(string=lambda text: isinstance(text, Comment)):
        node.extract()
    # Innermost first, so nested quotes gain one "> " per level.
    for quote in reversed(soup.find_all("blockquote")):
        inner = _blocks_to_text(quote)
        quoted = "\n".join(f"> {line}".rstrip() for line in inner.split("\n"))
        quote.replace_with(soup.new_string(f"\n{quoted}\n"))
    return _blocks_to_text(soup)


def _blocks_to_text(root) -> str:
    for tag in root.find_all(_BLOCK_TAGS):
        if tag.name == "br":
            tag.replace_with("\n")
        elif tag.name == "li":
            tag.insert_before("\n- ")
            tag.insert_after("\n")
        else:
            tag.insert_before("\n")
            tag.insert_after("\n")
    text = root.get_text()
    lines = [
        " ".join(line.replace("\xa0", " ").split())
        if not line.startswith(">")
        else line.replace("\xa0", " ").rstrip()
        for line in text.split("\n")
    ]
    return _collapse_blank_lines("\n".join(lines)).strip()


def _collapse_blank_lines(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text)


# --- quoted history ---------------------------------------------------------------------------

_ORIGINAL = re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}", re.I)
_FORWARDED = re.compile(
    r"^\s*(?:-{2,}\s*Forwarded (?:by|message)\b|-{2,}\s*Forwarded Message\s*-{2,}"
    r"|Begin forwarded message:)",
    re.I,
)
_FROM_LINE = re.compile(r"^\s*\*?From:\*?\s+\S")
_SENT_LINE = re.compile(r"^\s*\*?(?:Sent|Date):\*?\s+\S")
_TO_OR_SUBJECT = re.compile(r"^\s*\*?(?:To|Subject):\*?\s")
_NOTES_TO = re.compile(r"(?:^|\s)To:(?:\s|$)")
_NOTES_CC = re.compile(r"(?:^|\s)cc:(?:\s|$)", re.I)
_NOTES_SUBJECT = re.compile(r"(?:^|\s)Subject:(?:\s|$)")
_HEADERISH = re.compile(
    r"\d{1,4}/\d{1,2}/\d{2,4}|\d{1,2}:\d{2}|@|^\s*Please respond to\b|^\s*From:|^\s{10,}\S", re.I
)
_ON_WROTE = re.compile(r"^\s*On\b.{4,}\bwrote:\s*$", re.I | re.S)
_WROTE_END = re.compile(r"\bwrote:\s*$", re.I)


def _is_quote_line(line: str) -> bool:
    return line.lstrip().startswith(">")


def _next_nonblank(lines: list[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index
    return None


def _attribution_end(lines: list[str], index: int) -> int | None:
    """If a reply attribution starts at ``index``, the index of its last line, else None.

    "On Mon, 3 Jun 2024, Ana Ruiz <ana@acme.com> wrote:" may wrap onto two lines; a bare
    "ana@acme.com wrote:" counts only when ``>`` lines follow it.
    """
    line = lines[index]
    if _ON_WROTE.match(line):
        return index
    if line.lstrip().lower().startswith("on ") and index + 1 < len(lines):
        joined = f"{line} {lines[index + 1]}"
        if _WROTE_END.search(lines[index + 1]) and _ON_WROTE.match(joined):
            return index + 1
    if _WROTE_END.search(line) and len(line.strip()) <= 100:
        following = _next_nonblank(lines, index + 1)
        if following is not None and _is_quote_line(lines[following]):
            return index
    return None


def _hard_cut(lines: list[str]) -> int | None:
    """Index of the first line from which everything is quoted history, or None."""
    for index, line in enumerate(lines):
        if _ORIGINAL.match(line) or _FORWARDED.match(line):
            return index
        if _FROM_LINE.match(line):
            window = lines[index + 1 : index + 6]
            if any(_SENT_LINE.match(item) for item in window) and any(
                _TO_OR_SUBJECT.match(item) for item in window
            ):
                return index
        if _NOTES_TO.search(line):
            start = _notes_header_start(lines, index)
            if start is not None:
                return start
        end = _attribution_end(lines, index)
        if end is not None:
            following = _next_nonblank(lines, end + 1)
            if following is None or not _is_quote_line(lines[following]):
                return index
    return None


def _notes_header_start(lines: list[str], to_index: int) -> int | None:
    """Start of a Notes "To: / cc: / Subject:" block whose To: is at ``to_index``, or None.

    The block also owns the "Sender on 10/31/01 09:19 AM" or column-layout lines right above
    its To: line, so those are walked back over.
    """
    after = lines[to_index : to_index + 7]
    has_cc = any(_NOTES_CC.search(item) for item in after[:4])
    has_subject = any(_NOTES_SUBJECT.search(item) for item in after)
    if not (has_cc and has_subject):
        return None
    start = to_index
    index = to_index - 1
    blanks = 0
    while index >= 0 and to_index - index <= 5:
        line = lines[index]
        if not line.strip():
            blanks += 1
            if blanks > 1:
                break
        elif _HEADERISH.search(line) and len(line.strip()) <= 100:
            start = index
            blanks = 0
        elif start < to_index and len(line.split()) <= 4 and index == start - 1:
            # The sender's name on its own line just above "date time" (Notes forwards).
            start = index
            break
        else:
            break
        index -= 1
    return start


def _split_quotes(lines: list[str]) -> tuple[list[str], list[str]]:
    """(own lines, quoted lines). Quoted ``>`` lines above the cut are moved out one by one."""
    cut = _hard_cut(lines)
    head = lines if cut is None else lines[:cut]
    tail = [] if cut is None else lines[cut:]
    own: list[str] = []
    quoted: list[str] = []
    index = 0
    while index < len(head):
        end = _attribution_end(head, index)
        if end is not None:
            quoted.extend(head[index : end + 1])
            index = end + 1
            continue
        if _is_quote_line(head[index]):
            quoted.append(head[index])
        else:
            own.append(head[index])
        index += 1
    return own, quoted + tail


# --- disclaimers ------------------------------------------------------------------------------

_DISCLAIMER_START = re.compile(
    r"^\s*(?:\**\s*)?(?:CONFIDENTIAL|PRIVILEGED|NOTICE|DISCLAIMER|IMPORTANT"
    r"|This (?:e-?mail|message|communication|transmission|electronic|information|document)"
    r"|The information (?:contained|in this|transmitted)|If you (?:are not|have received)"
    r"|Any (?:views|opinions)|This e-mail transmission|Email transmission)",
    re.I,
)
# Mailing-list footers are boilerplate too, and say so in one line.
_UNSUBSCRIBE = re.compile(
    r"\bunsubscribe\b|do not wish to receive|to be removed from|to stop receiving", re.I
)
_DISCLAIMER_WORDS = re.compile(
    r"confidential|privileged|intended (?:solely |only )?(?:for|recipient)|intended recipient"
    r"|received (?:this|it) in error|in error|prohibited|dissemination|disclosure|notify (?:the|us)"
    r"|delete (?:it|this|the|all)|legally|unauthori[sz]ed|not the intended|virus",
    re.I,
)
_ANNOTATION = re.compile(r"made the following\s*$|^\s*annotations on\b", re.I)


def _disclaimer_lines(lines: list[str]) -> set[int]:
    """Indices of legal-disclaimer lines (and the rules/annotations framing them)."""
    marked: set[int] = set()
    index = 0
    while index < len(lines):
        starts = _DISCLAIMER_START.match(lines[index]) or (
            _UNSUBSCRIBE.search(lines[index]) and (index == 0 or not lines[index - 1].strip())
        )
        if not starts:
            index += 1
            continue
        end = index
        while end + 1 < len(lines) and lines[end + 1].strip() and not is_rule(lines[end + 1]):
            end += 1
        paragraph = " ".join(lines[index : end + 1])
        words = {match.lower() for match in _DISCLAIMER_WORDS.findall(paragraph)}
        if len(words) >= 2 or _UNSUBSCRIBE.search(paragraph):
            marked.update(range(index, end + 1))
            # The rules and "X made the following annotations" lines framing it go too.
            before = index - 1
            while before >= 0 and (
                is_rule(lines[before]) or _ANNOTATION.search(lines[before]) or not lines[before].strip()
            ):
                if lines[before].strip():
                    marked.add(before)
                before -= 1
            after = end + 1
            while after < len(lines) and (is_rule(lines[after]) or not lines[after].strip()):
                if lines[after].strip():
                    marked.add(after)
                after += 1
        index = end + 1
    return marked


# --- signature --------------------------------------------------------------------------------

_SIG_DASHES = re.compile(r"^--\s*$")
_VALEDICTION = re.compile(
    r"^\s*(?:best(?: regards| wishes)?|regards|kind regards|warm(?:est)? regards|many thanks"
    r"|thanks(?: again| and regards| in advance| so much| much)?|thank you(?: in advance)?"
    r"|sincerely(?: yours)?|cheers|respectfully|yours(?: truly| sincerely)?|all the best"
    r"|take care|talk soon|with thanks|rgds|best rgds|thx)\b[\s,.!-]*",
    re.I,
)
_LETTERS = re.compile(r"[^\W\d_]+")  # the words of a name, in any script
# The signature starts within this many non-blank lines of the end of the new text.
SIGNATURE_WINDOW = 20
_POSTSCRIPT = re.compile(r"^\s*P\.?\s?S\.?\b[:.,-]?", re.I)


def _is_signature_like(line: str) -> bool:
    stripped = line.strip()
    if not stripped or is_rule(stripped):
        return True
    return len(stripped) <= 100 and not is_prose(stripped)


@dataclass(frozen=True)
class AuthorHint:
    """What we know of the author, to spot their name (and company) in a signature."""

    first: str | None = None
    last: str | None = None
    local_part: str | None = None
    domain: str | None = None

    @classmethod
    def from_person(cls, name: PersonName | None, email: str | None = None) -> AuthorHint:
        local, _, domain = (email or "").lower().partition("@")
        name = name or PersonName(None, None, None)
        return cls(name.first, name.last, local or None, domain or None)

    @functools.cached_property
    def _name_words(self) -> tuple[str, list[str]]:
        # Asked once per line of every signature window: worked out once per author.
        return "".join(_LETTERS.findall((self.first or "").lower())), _LETTERS.findall(
            (self.last or "").lower()
        )

    def matches(self, line: str) -> bool:
        """Is this line the author's name, alone or followed by a title?

        "Vince", "Kerry E. Carter", "Carter, Kerry", "Matt Nelson" (for Matthew Nelson),
        "Louis Barton-Project Manager"; never a sentence that merely mentions them.
        """
        first, last_parts = self._name_words
        if first or last_parts:
            # Every rule below needs the first or the last name among the line's words; cheap
            # tests first, as this runs for each of the last lines of every message.
            lowered = line.lower()
            if not ((first and first in lowered) or (last_parts and last_parts[-1] in lowered)):
                return False
        elif not self.local_part or not any(
            len(word) >= 3 and word in self.local_part for word in _LETTERS.findall(line.lower())
        ):
            return False  # the last rule needs a word of the line in the address
        stripped = " ".join(line.split())
        if not stripped or len(stripped) > 80 or is_prose(stripped):
            return False
        with_title = split_name_and_title(stripped)
        name_part = with_title[0] if with_title else stripped
        words = [word.lower() for word in _LETTERS.findall(name_part)]
        if not words or (len(words) > 5 and not with_title):
            return False
        if first and words == [first]:
            return True  # "Vince" signing off
        if last_parts and last_parts[-1] in words[:5]:
            if first and first in words[:2]:
                return True  # "Kerry E. Carter", "S.Ward Casscells,MD", "Carter, Kerry"
            if looks_like_name(name_part) or len(words) <= 3:
                return True  # "Matt Nelson" signing for Matthew Nelson
        if first and words[0] == first and len(words) <= 3 and looks_like_name(name_part):
            return True  # "Dan Myers" for Dan Meyers
        if not first and not last_parts and self.local_part and looks_like_name(name_part):
            # No display name: "Kerry E. Carter" signs for kcarter@.
            return any(len(word) >= 3 and word in self.local_part for word in words[-2:])
        return False


def _opens_block(lines: list[str], index: int) -> bool:
    """Is the line after ``index`` (if any) signature-like, so a block can start here?"""
    following = _next_nonblank(lines, index + 1)
    return following is None or _is_signature_like(lines[following])


def _someone_else(line: str, author: AuthorHint) -> bool:
    """Does this line name a person who is not the author ("John Smith", "John Smith - VP Sales")?
    A block opening with another person's name is their card, not the author's signature. Only
    judged when the author's full name is known: "Pppcmail" or a bare address cannot tell."""
    if not (author.first and author.last) or author.matches(line):
        return False
    stripped = " ".join(line.split())
    with_title = split_name_and_title(stripped)
    name = with_title[0] if with_title else stripped
    # "Environmental Engineer", "COO Enron Net Works", "ICE Administrator" are titles, not names.
    return looks_like_name(name) and not is_title(name) and not LEGAL_SUFFIX.search(name)


def _signature_start(lines: list[str], author: AuthorHint) -> int | None:
    """Index in ``lines`` (new text, disclaimers removed) where the signature begins, or None.

    A signature is the author's only when it follows their own text and does not open with
    another person's name (a colleague's details passed on, a forwarded card)."""
    start = _signature_candidate(lines, author)
    if start is None:
        return None
    nonblank = [index for index, line in enumerate(lines) if line.strip()]
    opening = next((i for i in nonblank if i >= start and not _SIG_DASHES.match(lines[i])), None)
    if opening is None or author.matches(lines[opening]):
        return start  # the author's own name: theirs wherever it stands
    if start <= nonblank[0] or _someone_else(lines[opening], author):
        return None
    return start


def _signature_candidate(lines: list[str], author: AuthorHint) -> int | None:
    nonblank = [index for index, line in enumerate(lines) if line.strip()]
    if not nonblank:
        return None
    window = nonblank[-SIGNATURE_WINDOW:]
    dashes = [index for index in window if _SIG_DASHES.match(lines[index])]
    if dashes:
        return dashes[-1]

    def pick(candidates: list[int]) -> int | None:
        # The first candidate with only short lines after it; else the last one, so a
        # signature repeated mid-message or followed by a tagline still starts at its name.
        for index in candidates:
            if not any(is_prose(line) for line in lines[index + 1 :]):
                return index
        return candidates[-1] if candidates else None

    # 1. The author's own name opening a block of short lines.
    found = pick([index for index in window if author.matches(lines[index]) and _opens_block(lines, index)])
    if found is not None:
        return found
    # 2. After the last sign-off ("Regards," / "Thanks, Brian"): a name, title or contact details.
    for index in reversed(window):
        if _VALEDICTION.match(lines[index]) and len(lines[index].strip()) <= 30:
            first = _next_nonblank(lines, index + 1)
            if first is None:
                break
            block = []
            for line in lines[first : first + 8]:
                if not _is_signature_like(line):
                    break
                block.append(line)
            if block and (
                looks_like_name(block[0])
                or has_contact_details(block)
                or any(is_title(line) for line in block)
            ):
                return first
            break
    # 3. A name-like line ("Name" or "Name - Title") followed, through short lines, by a job
    #    title or contact details.
    candidates = []
    for index in window:
        line = lines[index]
        if not (looks_like_name(line) or split_name_and_title(line)):
            continue
        block = []
        for following in lines[index + 1 : index + 6]:
            if following.strip() and not _is_signature_like(following):
                break
            block.append(following)
        if (
            split_name_and_title(line)
            or has_contact_details(block)
            or any(is_title(item) for item in block[:3])
        ):
            candidates.append(index)
    return pick(candidates)


# --- the split --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitText:
    """A message's text in its parts. ``disclaimer`` is kept only so callers can inspect it."""

    body: str
    quoted_text: str
    signature: str
    disclaimer: str = ""


def _join(lines: list[str]) -> str:
    return _collapse_blank_lines("\n".join(lines)).strip("\n").rstrip()


def _trim_blank_edges(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def split_message_text(text: str, author: AuthorHint | None = None) -> SplitText:
    """Split a plain-text message into new text, quoted history, signature (and disclaimer)."""
    author = author or AuthorHint()
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    own, quoted = _split_quotes(lines)
    disclaimer_at = _disclaimer_lines(own)
    disclaimer = [line for index, line in enumerate(own) if index in disclaimer_at]
    own = [line for index, line in enumerate(own) if index not in disclaimer_at]
    # Rules left dangling at the end (before a cut "________ From:") are not text.
    while own and (not own[-1].strip() or is_rule(own[-1])):
        own.pop()
    # Attachment markers ("- deck.pdf", "<<redlines.doc>>") trail the signature; they are
    # set aside while the signature is found, then kept with the body.
    attachments: list[str] = []
    while own and (ATTACHMENT.match(own[-1]) or not own[-1].strip()):
        line = own.pop()
        if line.strip():
            attachments.insert(0, line.strip())
    signature: list[str] = []
    start = _signature_start(own, author)
    if start is not None:
        signature = own[start:]
        own = own[:start]
        if signature and _SIG_DASHES.match(signature[0]):
            signature = signature[1:]
        # A P.S. below the signature is new text, not part of it.
        postscript = next((i for i, line in enumerate(signature) if _POSTSCRIPT.match(line)), None)
        if postscript is not None:
            own = own + [""] + signature[postscript:]
            signature = signature[:postscript]
    body = _trim_blank_edges(own)
    if attachments:
        body = body + ([""] if body else []) + attachments
    return SplitText(
        body=_join(body),
        quoted_text=_join(_trim_blank_edges(quoted)),
        signature=_join(_trim_blank_edges(signature)),
        disclaimer=_join(_trim_blank_edges(disclaimer)),
    )
