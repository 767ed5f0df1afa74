"""Salesforce-style record ids for the demo org."""

import string

_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
_CHECKSUM = string.ascii_uppercase + "012345"


def crm_id(prefix: str, number: int) -> str:
    """An 18-character id: the object's 3-character key prefix, a 12-character number, and Salesforce's
    case-safe checksum (one character for each 5-character chunk, from the positions of its capitals)."""
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _ALPHABET[rest] + digits
    fifteen = prefix + "0" * (12 - len(digits)) + digits
    suffix = ""
    for chunk in (fifteen[0:5], fifteen[5:10], fifteen[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if ch.isupper())
        suffix += _CHECKSUM[bits]
    return fifteen + suffix
