"""Salesforce record ids: key prefixes, the 15→18 character checksum, and an id factory.

A Salesforce id is 15 case-sensitive characters (a 3-character key prefix naming the
object, then instance and record digits). The 18-character form appends a 3-character
suffix that encodes, for each block of five characters, which ones are upper case, so
the id survives case-insensitive tools. Every id the stand-in hands out is 18 characters.

The checksum is written here a second time on purpose (the product's is ``crm.ids``): the stand-in
plays Salesforce, an independent party, so a mistake in the product's checksum shows up as a
disagreement in the tests instead of being shared by both sides.
"""

from __future__ import annotations

import re
import string

# Real key prefixes of the objects the stand-in serves.
KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Opportunity": "006",
    "OpportunityHistory": "008",
    "UserRole": "00E",
    "OpportunityContactRole": "00K",
    "Lead": "00Q",
    "Task": "00T",
    "Event": "00U",
    "AccountTeamMember": "01M",
}
# Query locators (the cursor in nextRecordsUrl) use this prefix in real orgs.
QUERY_LOCATOR_PREFIX = "01g"
ORG_ID_PREFIX = "00D"

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_SUFFIX_ALPHABET = string.ascii_uppercase + "012345"
_ID_RE = re.compile(r"^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$")
# Instance ("pod") characters placed after the key prefix, as in "0015g00000...".
_POD = "Dn"


def checksum(id15: str) -> str:
    """Return the 3-character case-safe suffix of a 15-character id."""
    if len(id15) != 15:
        raise ValueError(f"expected a 15-character id, got {id15!r}")
    suffix = ""
    for block in range(3):
        flags = 0
        for position, char in enumerate(id15[block * 5 : block * 5 + 5]):
            if "A" <= char <= "Z":
                flags |= 1 << position
        suffix += _SUFFIX_ALPHABET[flags]
    return suffix


def to_18(record_id: str) -> str:
    """Return the 18-character form of a 15- or 18-character id (ValueError if malformed)."""
    if not is_well_formed(record_id):
        raise ValueError(f"malformed Salesforce id: {record_id!r}")
    id15 = record_id[:15]
    return id15 + checksum(id15)


def is_well_formed(record_id: object) -> bool:
    """True when the value looks like a 15- or 18-character id with a correct checksum."""
    if not isinstance(record_id, str) or not _ID_RE.match(record_id):
        return False
    return len(record_id) == 15 or record_id[15:] == checksum(record_id[:15])


def make_id(prefix: str, number: int) -> str:
    """Build the 18-character id for the `number`-th record with this key prefix."""
    if len(prefix) != 3 or number < 0:
        raise ValueError("a key prefix is 3 characters and the number is non-negative")
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    body = digits.rjust(9, "0")
    if len(body) > 9:
        raise ValueError("record number out of range")
    id15 = prefix + _POD + "0" + body
    return id15 + checksum(id15)


def prefix_of(record_id: str) -> str:
    """The key prefix (first three characters) of an id."""
    return record_id[:3]
