"""Title, phone, company and location from an author's signature block.

Conservative by design: contact enrichment writes these to the CRM, and no title is better
than a wrong one. Every rule reads the lines of the block the body splitter found, down to
the first sentence (a tagline or a quote below the block is not read):

- title: a line with a job word ("Director", "Vice President", "Counsel", "VP") on the author's
  name line after " - ", ", " or " * ", or a few lines below it before any address or contact
  line; never a line with digits, an address, a company suffix or two columns.
- phone: the first office/direct/unlabelled number; fax, pager and home numbers are skipped,
  a mobile only when there is nothing else. Kept as written, whitespace normalised.
- company: a line with a legal suffix (Inc, LLC, Corp, Ltd, Company, ...), else one ending in
  a business word (Energy, Group, Partners, ...), else a line naming the email domain.
- location: "Houston, TX 77002" / "Austin, Texas 78712" / "Raleigh, NC" / "Calgary, Alberta
  T2P 3H7", or a line naming a country.
"""

from __future__ import annotations

import re

from .body import AuthorHint
from .lines import (
    ADDRESS,
    ATTACHMENT,
    CONTACT,
    LEGAL_SUFFIX,
    PHONE,
    clean,
    has_title_word,
    is_columns,
    is_prose,
    is_rule,
    is_title,
    looks_like_name,
    split_name_and_title,
)
from .results import SignatureDetails

_BUSINESS_ENDING = re.compile(
    r"\b(?:group|partners|associates|bank|securities|capital|energy|power|association"
    r"|firm|project|solutions|technologies|systems|consulting|international|industries"
    r"|brothers|exchange|utilities|resources|authority|commission|council|chamber"
    r"|institute|foundation|agency)\.?$",
    re.I,
)

# --- places -----------------------------------------------------------------------------------

US_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "PR": "Puerto Rico",
}
CA_PROVINCES = {
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "NT": "Northwest Territories",
    "NU": "Nunavut",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
    "YT": "Yukon",
}
_COUNTRIES = {
    "usa": "US",
    "u.s.a.": "US",
    "u.s.a": "US",
    "us": "US",
    "u.s.": "US",
    "united states": "US",
    "united states of america": "US",
    "canada": "CA",
    "uk": "GB",
    "u.k.": "GB",
    "united kingdom": "GB",
    "england": "GB",
    "scotland": "GB",
    "ireland": "IE",
    "germany": "DE",
    "france": "FR",
    "netherlands": "NL",
    "the netherlands": "NL",
    "belgium": "BE",
    "spain": "ES",
    "italy": "IT",
    "switzerland": "CH",
    "norway": "NO",
    "sweden": "SE",
    "denmark": "DK",
    "japan": "JP",
    "australia": "AU",
    "mexico": "MX",
    "brazil": "BR",
    "argentina": "AR",
    "india": "IN",
    "singapore": "SG",
    "hong kong": "HK",
    "china": "CN",
    "korea": "KR",
    "saudi arabia": "SA",
}


# The name Salesforce (and people) use for each country code above: an org with State/Country
# picklists refuses "US" in MailingCountry, and hand-made contacts hold "United States".
COUNTRY_NAMES = {
    "US": "United States",
    "CA": "Canada",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
    "BE": "Belgium",
    "ES": "Spain",
    "IT": "Italy",
    "CH": "Switzerland",
    "NO": "Norway",
    "SE": "Sweden",
    "DK": "Denmark",
    "JP": "Japan",
    "AU": "Australia",
    "MX": "Mexico",
    "BR": "Brazil",
    "AR": "Argentina",
    "IN": "India",
    "SG": "Singapore",
    "HK": "Hong Kong",
    "CN": "China",
    "KR": "South Korea",
    "SA": "Saudi Arabia",
}


def country_name(value: str | None) -> str:
    """A country as its name ("US", "usa", "United States" → "United States"); other text as given."""
    text = (value or "").strip()
    code = text.upper() if len(text) == 2 else _COUNTRIES.get(text.lower(), "")
    return COUNTRY_NAMES.get(code, text)


def _state_code(name: str, table: dict[str, str]) -> str | None:
    cleaned = name.strip(" .").upper()
    if cleaned in table:
        return cleaned
    for code, full in table.items():
        if full.upper() == cleaned:
            return code
    return None


_STATE_NAMES = "|".join(sorted((re.escape(full) for full in US_STATES.values()), key=len, reverse=True))
# "Houston, TX 77002", "1221 Houston, TX 77010", "Austin, Texas  78712-1179".
_US_PLACE = re.compile(
    rf"(?:[A-Za-z]\.?,?\s+|,\s*)(?P<state>[A-Z]{{2}}|{_STATE_NAMES})\.?,?\s+"
    r"(?P<zip>\d{5})(?:\s*-\s*\d{4})?(?!\d)"
)
# "Austin, Tx  78701", "Washington, D.C. 20004": after a comma the code may be in any case.
_US_PLACE_AFTER_COMMA = re.compile(r",\s*(?P<state>[A-Za-z]{2}|D\.C)\.?,?\s+\d{5}(?:\s*-\s*\d{4})?(?!\d)")
# A line that is only "Raleigh, NC" (no zip code): the city must be plain capitalised words.
_US_CITY_STATE = re.compile(r"^[A-Z][a-z]+(?:[ '-][A-Z][a-z]+){0,3},\s*(?P<state>[A-Z]{2})\.?$")
_PROVINCE_NAMES = "|".join(re.escape(full) for full in CA_PROVINCES.values())
_CA_PLACE = re.compile(rf"\b(?P<province>[A-Z]{{2}}|{_PROVINCE_NAMES})\.?,?\s+[A-Z]\d[A-Z]\s?\d[A-Z]\d\b")

# --- phones -----------------------------------------------------------------------------------

_LABEL = re.compile(
    r"facsimile|telefax|fax|\bfx\b|cellular|cell|mobile|\bmob\b|\bm\b|\bc\b|pager|beeper"
    r"|\bpgr\b|home|\bh\b|\bf\b|direct|office|telephone|phone|\btel\b|\bph\b|voice|work|\bwk\b"
    r"|main|desk|switchboard|\bdial\b|\bp\b|\bt\b|\bo\b|\bd\b|\bw\b",
    re.I,
)
_LABEL_KIND = (
    ("fax", re.compile(r"fax|facsimile|\bfx\b|^f$", re.I)),
    ("pager", re.compile(r"pager|beeper|pgr", re.I)),
    ("home", re.compile(r"home|^h$", re.I)),
    ("mobile", re.compile(r"cell|mobile|\bmob\b|^m$|^c$", re.I)),
)
# Lower is better; kinds missing here (fax, pager, home) are never a contact's phone.
_PHONE_RANK = {"office": 0, "mobile": 1}


def _phone_kind(label: str | None) -> str:
    if not label:
        return "office"
    for kind, pattern in _LABEL_KIND:
        if pattern.search(label):
            return kind
    return "office"


def _labels(segment: str) -> str | None:
    found = [match.group(0) for match in _LABEL.finditer(segment)]
    return " ".join(found) if found else None


def phones_in(line: str) -> list[tuple[str, str]]:
    """(number as written, kind) for each phone number on a line.

    The kind (office, mobile, fax, pager, home) comes from the label: before the numbers when
    the line starts with one ("Phone: ... Fax: ..."), else after each number
    ("(713) 624-4100 Telephone", "650.858.1095 (fax)").
    """
    matches = list(PHONE.finditer(line))
    if not matches:
        return []
    prefix_style = _labels(line[: matches[0].start()]) is not None
    found = []
    for position, match in enumerate(matches):
        before = line[matches[position - 1].end() if position else 0 : match.start()]
        following = matches[position + 1].start() if position + 1 < len(matches) else len(line)
        after = line[match.end() : following]
        label = _labels(before) if prefix_style else _labels(after[:25])
        found.append((" ".join(match.group(0).split()), _phone_kind(label)))
    return found


# --- reading the block ------------------------------------------------------------------------


def _find_name_line(lines: list[str], author: AuthorHint) -> int | None:
    for index, line in enumerate(lines[:4]):
        if author.matches(line):
            return index
    for index, line in enumerate(lines[:2]):
        if looks_like_name(line) or split_name_and_title(line):
            return index
    # An unrecognisable name ("Antonio M. Szab?" with a mangled letter) still sits right
    # above the title.
    for index, line in enumerate(lines[1:4], start=1):
        if is_title(line) and not is_title(lines[index - 1]):
            return index - 1
    return None


def _find_title(lines: list[str], name_at: int | None, author: AuthorHint) -> tuple[str | None, int | None]:
    """The title and its line index: on the name line, or in the few lines below it that
    come before any address or contact details (a company or department may come first)."""
    if name_at is None:
        return None, None
    on_line = split_name_and_title(lines[name_at])
    if on_line:
        return on_line[1], name_at
    for index in range(name_at + 1, min(name_at + 5, len(lines))):
        line = lines[index]
        if author.matches(line) or ATTACHMENT.match(line):
            continue  # the name again ("Professor Paul L. Joskow" under "Paul"), " - deck.pdf"
        if _is_wrapped(lines, index):
            break  # half of a title broken over two lines is no title
        if is_title(line):
            return clean(line), index
        if PHONE.search(line) or CONTACT.search(line) or ADDRESS.search(line) or is_prose(line):
            break
    return None, None


_CONNECTOR_END = re.compile(r"\b(?:of|and|for|the|in|at|to|&)\s*$", re.I)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _is_wrapped(lines: list[str], index: int) -> bool:
    """Is line ``index`` part of a longer line wrapped over several (continuation lines are
    indented deeper, or the previous line stops on "of"/"and")?"""
    following = lines[index + 1] if index + 1 < len(lines) else None
    if following is not None and _indent(following) > _indent(lines[index]) + 1:
        return True
    return index > 0 and bool(_CONNECTOR_END.search(lines[index - 1]))


def _find_phone(lines: list[str]) -> str | None:
    best: tuple[int, int, str] | None = None
    for order, line in enumerate(lines):
        for number, kind in phones_in(line):
            rank = _PHONE_RANK.get(kind)
            if rank is not None and (best is None or (rank, order) < best[:2]):
                best = (rank, order, number)
    return best[2] if best else None


def _find_location(lines: list[str]) -> tuple[str | None, str | None]:
    """(country, state) from the first line that names a place."""
    for line in lines:
        text = clean(line)
        match = _US_PLACE.search(text)
        if match:
            state = _state_code(match.group("state"), US_STATES)
            if state:
                return "US", state
        match = _US_PLACE_AFTER_COMMA.search(text)
        if match:
            state = _state_code(match.group("state").replace(".", ""), US_STATES)
            if state:
                return "US", state
        match = _US_CITY_STATE.match(text)
        if match and match.group("state") in US_STATES:
            return "US", match.group("state")
        match = _CA_PLACE.search(text)
        if match:
            province = _state_code(match.group("province"), CA_PROVINCES)
            if province:
                return "CA", province
    for line in lines:
        country = _COUNTRIES.get(clean(line).lower())
        if country:
            return country, None
    return None, None


def _is_plain(line: str) -> bool:
    """A line that could name an organisation: no contact details, address or place."""
    if not line or len(line) > 60 or CONTACT.search(line) or PHONE.search(line):
        return False
    if ADDRESS.search(line) or _US_PLACE.search(line) or _US_PLACE_AFTER_COMMA.search(line):
        return False
    if _US_CITY_STATE.match(line):
        return False
    if _COUNTRIES.get(line.lower()) or is_prose(line) or line.endswith((":", "?", "!")):
        return False
    return bool(re.search(r"[A-Za-z]{2}", line))


def _matches_domain(line: str, domain: str | None) -> bool:
    """Does the line name the email domain's organisation ("PERFECT" for perfect.com,
    "Heidrick & Struggles" for h-s.com)?"""
    if not domain:
        return False
    labels = domain.split(".")
    label = re.sub(r"[^a-z]", "", labels[-2] if len(labels) >= 2 else labels[0])
    letters = re.sub(r"[^a-z]", "", line.lower())
    initials = "".join(word[0] for word in re.findall(r"[A-Za-z]+", line)).lower()
    if len(label) < 2 or not letters:
        return False
    return (len(label) >= 3 and (label in letters or letters in label)) or initials == label


def _find_company(
    lines: list[str], name_at: int | None, title_at: int | None, domain: str | None
) -> str | None:
    first = name_at if name_at is not None else 0
    candidates = [
        clean(line)
        for index, line in enumerate(lines)
        if index >= first
        and index not in (name_at, title_at)
        and not is_columns(line)
        and not ATTACHMENT.match(line)
    ]
    candidates = [line for line in candidates if _is_plain(line)]
    for line in candidates:
        if LEGAL_SUFFIX.search(line) and not is_title(line):
            return line
    for line in candidates:
        if _BUSINESS_ENDING.search(line) and not has_title_word(line):
            return line
    # Otherwise only a line that names the sender's email domain: departments ("Equity
    # Derivatives", "Help Desk") look just like company names.
    for line in candidates:
        if _matches_domain(line, domain) and not has_title_word(line) and len(line.split()) <= 6:
            return line
    return None


def extract_signature_details(signature: str, author: AuthorHint | None = None) -> SignatureDetails:
    """Read title, phone, company and location from a signature block (see module docstring)."""
    author = author or AuthorHint()
    lines = [line for line in signature.split("\n") if line.strip() and not is_rule(line)]
    # Details live in the block of short lines; a tagline or quote below it is not read.
    prose_at = next((index for index, line in enumerate(lines) if index and is_prose(line)), None)
    lines = lines[:prose_at]
    if not lines:
        return SignatureDetails()
    name_at = _find_name_line(lines, author)
    title, title_at = _find_title(lines, name_at, author)
    country, state = _find_location([line for index, line in enumerate(lines) if index != name_at])
    return SignatureDetails(
        title=title,
        phone=_find_phone(lines),
        company=_find_company(lines, name_at, title_at, author.domain),
        country=country,
        state=state,
    )
