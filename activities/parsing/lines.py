"""Small classifiers for one line of message text, shared by the body splitter and the
signature reader: is it prose, a rule, a name, a job title, does it hold a phone number?"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_NOT_WORDS = re.compile(r"\S*(?:@|://|www\.)\S*")  # addresses and links are not prose


def is_rule(line: str) -> bool:
    """A separator line such as ``-----``, ``=====``, ``*****`` or ``_____``."""
    stripped = line.strip()
    return len(stripped) >= 3 and not re.search(r"[A-Za-z0-9]", stripped)


def is_prose(line: str) -> bool:
    """Does the line read as a sentence (mostly lower-case words) rather than a label?"""
    words = _WORD.findall(_NOT_WORDS.sub(" ", line))
    if len(words) < 4:
        return False
    lower = sum(1 for word in words if word[0].islower()) / len(words)
    if line.rstrip().endswith((".", "?", "!", ":")) and lower >= 0.5:
        return True
    return len(words) >= 9 and lower >= 0.5


_NAME_SUFFIXES = {
    "Ph.D.",
    "PhD",
    "Jr.",
    "Jr",
    "Sr.",
    "Sr",
    "MD",
    "M.D.",
    "Esq.",
    "Esq",
    "II",
    "III",
    "IV",
    "CPA",
    "P.E.",
}
_NAME_PARTICLES = {"van", "der", "den", "de", "la", "le", "von", "du", "di", "da", "del", "bin", "al", "y"}


def _is_name_token(token: str) -> bool:
    if token in _NAME_SUFFIXES or token in _NAME_PARTICLES:
        return True
    parts = [part for part in re.split(r"[.'’-]", token) if part]
    return bool(parts) and all(part.isalpha() for part in parts) and parts[0][0].isupper()


def looks_like_name(line: str) -> bool:
    """2 to 5 capitalised tokens, no digits: "Kerry E. Carter", "Jürgen Müller", "S.Ward
    Casscells, MD"."""
    stripped = line.strip().rstrip(",")
    if not stripped or len(stripped) > 40 or re.search(r"[\d@:;!?]", stripped):
        return False
    tokens = stripped.replace(",", " ").split()
    return 2 <= len(tokens) <= 5 and all(_is_name_token(token) for token in tokens)


# --- job titles -------------------------------------------------------------------------------

_TITLE_WORDS = (
    r"president|vice[- ]president|vice[- ]pres\.?|chairman|chairwoman|chairperson|chair|ceo|cfo"
    r"|coo|cto|cio|cmo|cro|cco|ciso|vp|svp|evp|avp|v\.p\.|director|dir\.|manager|mgr\.?"
    r"|counsel|attorney|lawyer|paralegal|analyst|partner|principal|associate|engineer"
    r"|coordinator|assistant|administrator|officer|professor|dean|fellow|researcher|scientist"
    r"|economist|representative|rep|trader|specialist|consultant|advisor|adviser|head|lead"
    r"|executive|founder|co-founder|owner|secretary|treasurer|controller|comptroller"
    r"|accountant|auditor|clerk|editor|producer|recruiter|planner|strategist|architect"
    r"|developer|designer|supervisor|superintendent|buyer|scheduler|marketer|originator"
    r"|underwriter|banker|broker|agent"
)
_TITLE = re.compile(rf"(?<![\w-])(?:{_TITLE_WORDS})(?!\w)", re.I)
# Acronyms count only in capitals: "rep" or "coo" in lower case may be anything.
_CASE_SENSITIVE = {
    "vp",
    "svp",
    "evp",
    "avp",
    "ceo",
    "cfo",
    "coo",
    "cto",
    "cio",
    "cmo",
    "cro",
    "cco",
    "ciso",
    "rep",
}
LEGAL_SUFFIX = re.compile(
    r"(?<![\w-])(?:inc|incorporated|llc|l\.l\.c|llp|l\.l\.p|lp|l\.p|ltd|limited|corp|corporation"
    r"|company|co|plc|gmbh|ag|s\.a|n\.a|pllc|p\.c)(?![\w-])\.?",
    re.I,
)
ADDRESS = re.compile(
    r"^\d|\bP\.?\s?O\.?\s+Box\b|\bSuite\b|\bFloor\b|\b(?:Street|St\.|Avenue|Ave\.?|Blvd\.?"
    r"|Boulevard|Road|Rd\.|Drive|Dr\.|Lane|Parkway|Pkwy|Plaza|Tower|Building|Bldg|Hall|Room"
    r"|Mail ?Stop|MS-\d)(?!\w)",
    re.I,
)
# How a name and a title share a line: "Candy Haase - VP Marketing", "Sonya Johnston * Trader",
# "Shelly Richardson, Attorney at Law", "Louis Barton-Project Manager".
NAME_TITLE_SEPARATOR = re.compile(r"\s+[-–*|]\s+|\s*,\s+|(?<=[a-z])-(?=[A-Z][a-z]+\s)")


def has_title_word(text: str) -> bool:
    """Does the text hold a job word ("Director", "Counsel", "VP")?"""
    for match in _TITLE.finditer(text):
        word = match.group(0)
        if word.lower() in _CASE_SENSITIVE and not word.isupper():
            continue
        return True
    return False


def clean(line: str) -> str:
    """Whitespace collapsed, decorative ``* | -`` edges removed."""
    return " ".join(line.replace("\t", " ").split()).strip(" *|-–").strip()


_DEPARTMENT = re.compile(
    r"(?:the\s+)?(?:office|department|dept\.?|division|school|center|centre)\s+(?:of|for)\b", re.I
)


def is_title(line: str) -> bool:
    """A short line that names a job and nothing else (no digits, address, company suffix)."""
    text = clean(line)
    if not text or len(text) > 70 or re.search(r"\d|@|www\.|https?:", text) or is_columns(line):
        return False
    if is_prose(text) or LEGAL_SUFFIX.search(text) or ADDRESS.search(text):
        return False
    if text.endswith((":", "?", "!")):
        return False
    # A department ("Office of General Counsel") names no one's job.
    if _DEPARTMENT.match(text):
        return False
    # A title cut by line wrapping ("Killian Professor of") is not kept half-way.
    if text.split()[-1].lower() in {"of", "and", "for", "the", "&", "in", "at", "to"}:
        return False
    return has_title_word(text)


def split_name_and_title(line: str) -> tuple[str, str] | None:
    """("Candy Haase", "VP Marketing") from "Candy Haase - VP Marketing", else None."""
    parts = NAME_TITLE_SEPARATOR.split(clean(line), maxsplit=1)
    if len(parts) != 2:
        return None
    name, title = clean(parts[0]), clean(parts[1])
    if not is_title(title) or has_title_word(name):
        return None
    tokens = name.split()
    if not 1 <= len(tokens) <= 4 or re.search(r"\d|@", name):
        return None
    return name, title


# --- contact details --------------------------------------------------------------------------

_EXTENSION = r"(?:\s*(?:ext\.?|extension|x)\s*\d{1,5})?"
PHONE = re.compile(
    r"(?<![\d/.-])(?:"
    r"\+\d{1,3}(?:[\s.-]*\(?\d{1,4}\)?){2,5}"  # international: +44 (0)20 7123 4567
    r"|(?:1[\s.-])?(?:\(\d{3}\)|\d{3})[\s./-]*\d{3}[\s.-]?\d{4}"  # North American
    rf"){_EXTENSION}(?!\d)",
    re.I,
)
CONTACT = re.compile(r"@|https?://|www\.|\be-?mail\b|mailto:|\bphone\b|\btel\b|\bfax\b", re.I)
ATTACHMENT = re.compile(
    r"^\s*(?:-\s+\S.*\.\w{2,4}\s*$"  # Notes: " - redlines.doc"
    r"|(?:<<[^<>]*>>\s*)+(?:<<[^<>]*)?$"  # Outlook: <<redlines.doc>>, maybe wrapped
    r"|[^<>]*\.\w{2,4}>>\s*$"  # the wrapped end of one
    r"|\(See attached file:|\(Embedded image)"
)


def is_columns(line: str) -> bool:
    """Two columns side by side ("Gael Doar          Terri Cohen"): not one field."""
    return bool(re.search(r"\S {5,}\S", line.strip()))


def has_contact_details(lines: list[str]) -> bool:
    """Does any of the lines hold a phone number, an address or a link?"""
    return any(PHONE.search(line) or CONTACT.search(line) for line in lines)
