"""People's names from display names ("Smith, John", "Dr. Jane van der Berg") via nameparser.

A name is only ever read from what a person or their mail client wrote; we never invent one
from an address. ``name_from_address`` exists for callers that want a guess, and says so.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from nameparser import HumanName
from nameparser.config import CONSTANTS

from .lines import LEGAL_SUFFIX

# Display names that are a list, desk, role or organisation rather than a person.
_GROUP_WORDS = frozenset(
    "team group dept department desk everyone all list lists support sales info admin"
    " administrator noreply no-reply helpdesk help office mailbox committee staff editor"
    " distribution news newsletter alliance council center centre institute association"
    " program loyalty services".split()
)
# Lower-case words a person's name does not contain (name particles like "van" are fine).
_CONNECTORS = frozenset("for of and the & at on in".split())
_DOTTED_INVERSION = re.compile(r"^([A-Za-z][\w'-]+)\.\s+([A-Za-z][\w'-]+)$")
# A company (or a channel) after the person's name: "Pat Pipe | Acme", "Dan Dash - Acme",
# "Sue Secondary – Acme Corp", "Ann Arbor at Acme", "Joe Bloggs via LinkedIn", "Jo Ray / Acme".
# The separators need spaces around them, so "Doe-Smith" stays one surname.
_COMPANY_TAIL = re.compile(r"\s+(?:\||[-–—]+|/|·|at|via)\s+\S.*$", re.IGNORECASE)
# A parenthetical at the end is a company, a place or a department, never part of the name:
# "Lee Paren (Acme Corp)", "Day, Brian (Denver)", "Taylor, Mark E (Legal)".
_TRAILING_PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*$")
_INITIAL = re.compile(r"^[^\W\d_]\.?$")


def is_initial(value: str | None) -> bool:
    """True for a bare initial ("S.", "S"): never a surname, and never written over a full one."""
    return bool(value and _INITIAL.match(value.strip()))


def strip_company_tail(text: str) -> str:
    """The person's part of a display name: without a trailing "| Acme", "- Acme", "at Acme",
    "(Acme Corp)" (repeatedly: "Pat Pipe (Sales) | Acme")."""
    while True:
        shorter = _TRAILING_PARENTHETICAL.sub("", text)
        match = _COMPANY_TAIL.search(shorter)
        if match and re.search(r"[^\W\d_]", shorter[: match.start()]):
            shorter = shorter[: match.start()]
        shorter = shorter.strip(" ,;")
        if shorter == text or not shorter:
            return text
        text = shorter


@dataclass(frozen=True)
class PersonName:
    """A parsed person's name. ``full`` reads naturally ("John Smith") whatever the input order."""

    full: str | None
    first: str | None
    last: str | None
    is_guess: bool = False


NO_NAME = PersonName(None, None, None)


def clean_display_name(raw: str | None) -> str:
    """Strip the quotes, stray ``@DOMAIN`` tails and whitespace mail clients leave on names."""
    if not raw:
        return ""
    text = " ".join(raw.split())
    text = text.strip("'\"` ")
    text = re.sub(r"@[A-Z]+$", "", text)  # Notes-style "Smith, John@ENRON"
    return text.strip("'\"` ")


# The same people write again and again; nameparser costs about 0.3 ms a name.
@functools.lru_cache(maxsize=16_384)
def parse_person_name(display_name: str | None) -> PersonName:
    """Parse a display name into full, first and last name; ``NO_NAME`` when there is none.

    "Smith, John" -> John Smith; "Dr. Jane van der Berg" -> Jane / van der Berg. A display name
    that is really an address, or names a group ("Sales Team"), gives no first/last name.
    """
    text = clean_display_name(display_name)
    text = " ".join(re.sub(r"\[[^\]]*\]", " ", text).split())  # "Michael L [PVTC] Matthews"
    text = strip_company_tail(text)
    if not text or "@" in text or not re.search(r"[^\W\d_]", text):
        return NO_NAME
    words = [word.lower().strip(".,()") for word in text.split()]
    if (
        len(words) > 5
        or re.search(r"\d", text)
        or LEGAL_SUFFIX.search(text)
        or _CONNECTORS & set(words)
        or _GROUP_WORDS & set(words)
    ):
        return PersonName(text, None, None)
    human = HumanName(text)
    # "Bransgrove. Alan" is a typo for "Bransgrove, Alan"; nameparser would read a title.
    if human.title and not human.first and human.title.lower().rstrip(".") not in CONSTANTS.titles:
        match = _DOTTED_INVERSION.match(text)
        if match:
            human = HumanName(f"{match.group(1)}, {match.group(2)}")
    if text.isupper() or text.islower():
        human.capitalize(force=True)
    full = " ".join(part for part in (human.first, human.middle, human.last) if part) or None
    # "Sue S.": an initial is not a surname (the person has none we know).
    last = None if is_initial(human.last) else human.last or None
    return PersonName(full, human.first or None, last)


_FIRST_DOT_LAST = re.compile(r"^([a-z]{2,})\.([a-z]{2,})$")


def name_from_address(email: str) -> PersonName | None:
    """Guess a name from a ``first.last@`` address, flagged ``is_guess``; None otherwise.

    Only the unambiguous ``first.last`` shape is guessed: ``jsmith@`` or ``sales@`` give None.
    """
    local = email.split("@", 1)[0].lower()
    match = _FIRST_DOT_LAST.match(local)
    if not match:
        return None
    first, last = (part.capitalize() for part in match.groups())
    return PersonName(f"{first} {last}", first, last, is_guess=True)
