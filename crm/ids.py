"""Salesforce record ids: the 15-character case-sensitive and 18-character case-safe forms, and
the key prefixes that say which object an id names."""

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
ACCOUNT_KEY_PREFIX = "001"
OPPORTUNITY_KEY_PREFIX = "006"


def case_safe_suffix(fifteen: str) -> str:
    """The three characters that make a 15-character id case-safe: for each block of five, which
    of its characters are capitals."""
    suffix = ""
    for start in (0, 5, 10):
        flags = sum(
            1 << position for position, char in enumerate(fifteen[start : start + 5]) if "A" <= char <= "Z"
        )
        suffix += _SUFFIX_ALPHABET[flags]
    return suffix


def salesforce_id_forms(value: str) -> list[str]:
    """The ways a Salesforce id may be stored: as given, its 15-character case-sensitive form, and
    its 18-character case-safe form (the 15 characters plus ``case_safe_suffix``)."""
    value = (value or "").strip()
    if len(value) not in (15, 18) or not value.isalnum() or not value.isascii():
        return []
    fifteen = value[:15]
    return list(dict.fromkeys([value, fifteen, fifteen + case_safe_suffix(fifteen)]))
