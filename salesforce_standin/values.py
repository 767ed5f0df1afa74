"""Field values: parsing what clients send, and formatting what the API returns.

Inside the store a value is typed (str, bool, int, float, date, aware UTC datetime);
on the wire dates are `2024-01-15` and datetimes `2024-01-15T10:00:00.000+0000`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from . import ids
from .errors import ApiError

UTC = dt.UTC

STRING_TYPES = {"string", "textarea", "email", "phone", "url", "picklist", "id", "reference"}
NUMBER_TYPES = {"int", "double", "currency", "percent"}

_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_datetime(text: str) -> dt.datetime:
    """Parse a Salesforce or ISO 8601 datetime; no offset means UTC. ValueError if invalid."""
    match = _DATETIME_RE.match(text.strip())
    if not match:
        raise ValueError(f"not a datetime: {text!r}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0").ljust(6, "0"))
    tz = UTC
    if offset and offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    value = dt.datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=tz
    )
    return value.astimezone(UTC)


def parse_date(text: str) -> dt.date:
    """Parse `YYYY-MM-DD`. ValueError if invalid."""
    match = _DATE_RE.match(text.strip())
    if not match:
        raise ValueError(f"not a date: {text!r}")
    return dt.date(*(int(part) for part in match.groups()))


def format_datetime(value: dt.datetime) -> str:
    """Salesforce's wire format: millisecond precision, `+0000`."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def to_json(field_type: str, value: Any) -> Any:
    """A stored value as the API returns it."""
    if value is None:
        return None
    if field_type == "datetime":
        return format_datetime(value)
    if field_type == "date":
        return value.isoformat()
    return value


def _parser_error(field_type: str, value: Any) -> ApiError:
    kind = "VALUE_STRING" if isinstance(value, str) else f"VALUE_{type(value).__name__.upper()}"
    return ApiError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {field_type} from {kind} value {value}",
        fields=[],
    )


def from_json(field_name: str, field_type: str, value: Any) -> Any:
    """Convert a value a client sent for a field to its stored type (ApiError if it cannot)."""
    if value is None:
        return None
    if field_type in ("id", "reference"):
        if not isinstance(value, str) or not ids.is_well_formed(value):
            raise ApiError(
                400, "MALFORMED_ID", f"{field_name}: id value of incorrect type: {value}", fields=[field_name]
            )
        return ids.to_18(value)
    if field_type in STRING_TYPES:
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            raise _parser_error("string", value)
        return str(value)
    if field_type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _parser_error("boolean", value)
    if field_type in NUMBER_TYPES:
        if isinstance(value, bool):
            raise _parser_error(field_type, value)
        try:
            number = float(value) if not isinstance(value, (int, float)) else value
        except (TypeError, ValueError):
            raise _parser_error(field_type, value) from None
        if field_type == "int":
            if float(number) != int(float(number)):
                raise _parser_error("int", value)
            return int(float(number))
        return float(number)
    if field_type == "date":
        try:
            return parse_date(value) if isinstance(value, str) else _raise(value)
        except ValueError:
            raise _parser_error("date", value) from None
    if field_type == "datetime":
        try:
            return parse_datetime(value) if isinstance(value, str) else _raise(value)
        except ValueError:
            raise _parser_error("datetime", value) from None
    raise ValueError(f"unknown field type {field_type}")


def _raise(value: Any) -> Any:
    raise ValueError(value)
