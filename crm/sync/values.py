"""Salesforce values to Python and back, and the small rules the pull applies to them."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Model

UTC = dt.UTC


def parse_datetime(value: str | None) -> dt.datetime | None:
    """`2024-07-01T12:00:00.000+0000` (or any ISO 8601 form) as an aware UTC datetime; None for empty."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"  # +0000 → +00:00 for fromisoformat
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_date(value: str | None) -> dt.date | None:
    """`2025-12-19` as a date; None for empty."""
    return dt.date.fromisoformat(value[:10]) if value else None


def soql_datetime(value: dt.datetime) -> str:
    """A SOQL datetime literal: `2025-11-20T12:00:00Z`."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def soql_quote(value: str) -> str:
    """A SOQL string literal."""
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def to_decimal(value: Any, places: int = 2) -> Decimal | None:
    """A currency number as a Decimal with `places` decimals; None for empty or garbage."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
    except (InvalidOperation, ValueError):
        return None


def text(model: type[Model], field_name: str, value: Any) -> str:
    """A text value trimmed and cut to the local column's length ("" for null)."""
    if value is None:
        return ""
    result = str(value).strip()
    limit = model._meta.get_field(field_name).max_length
    return result[:limit] if limit else result


def choice_key(choices: list[tuple[str, str]], value: Any) -> str:
    """The local choice key for a Salesforce picklist value given by label or by key, any case; "" when
    it names no choice."""
    if not value:
        return ""
    wanted = str(value).strip().lower()
    for key, label in choices:
        if wanted in (key.lower(), label.lower()):
            return key
    return ""


def as_uuid(value: Any) -> uuid.UUID | None:
    """A Backstory id from Salesforce as a UUID, or None when it is not one."""
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def same_id(left: str | None, right: str | None) -> bool:
    """Salesforce ids compare on their case-sensitive 15-character form."""
    return bool(left) and bool(right) and left[:15] == right[:15]


def assign(instance: Model, values: dict[str, Any]) -> list[str]:
    """Set the fields whose value differs; return their names (empty: nothing to save)."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed
