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
    return PersonName(full, human.first or None, human.last or None)


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
