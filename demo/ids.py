"""Salesforce-style record ids for the demo org."""

import string

from crm.ids import case_safe_suffix

_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase


def crm_id(prefix: str, number: int) -> str:
    """An 18-character id: the object's 3-character key prefix, a 12-character number, and Salesforce's
    case-safe suffix (the product's own, ``crm.ids.case_safe_suffix``)."""
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _ALPHABET[rest] + digits
    fifteen = prefix + "0" * (12 - len(digits)) + digits
    return fifteen + case_safe_suffix(fifteen)
