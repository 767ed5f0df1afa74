"""The errors the stand-in returns, in the shapes the real REST API uses.

A failed single-record or query call answers with a JSON list
`[{"message": ..., "errorCode": ..., "fields": [...]}]`; inside sObject Collections
results the same error is spelled `{"statusCode": ..., "message": ..., "fields": [...]}`.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Salesforce API error: HTTP status, errorCode, message and optional details.

    `fields` is None for errors that carry no field list (query and session errors);
    `extra` holds additional keys such as `duplicateResult`.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: list[str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.extra = extra or {}

    def rest_body(self) -> list[dict[str, Any]]:
        """The response body of a failed REST call."""
        error: dict[str, Any] = dict(self.extra)
        error["message"] = self.message
        error["errorCode"] = self.code
        if self.fields is not None:
            error["fields"] = list(self.fields)
        return [error]

    def collection_error(self) -> dict[str, Any]:
        """The error entry inside an sObject Collections per-record result."""
        error: dict[str, Any] = {
            "statusCode": self.code,
            "message": self.message,
            "fields": list(self.fields or []),
        }
        error.update(self.extra)
        return error


class MultipleMatches(ApiError):
    """An external-id lookup matched several records (HTTP 300 in REST)."""

    def __init__(self, object_name: str, field: str, ids: list[str]) -> None:
        super().__init__(300, "MULTIPLE_CHOICES", f"{field} matched {len(ids)} {object_name} records")
        self.object_name = object_name
        self.ids = ids


def not_found() -> ApiError:
    """404 for a resource or record that does not exist."""
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")


def entity_is_deleted() -> ApiError:
    """A write aimed at a record that is in the recycle bin."""
    return ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", fields=[])


def malformed_query(message: str) -> ApiError:
    """400 MALFORMED_QUERY, the SOQL syntax error."""
    return ApiError(400, "MALFORMED_QUERY", message)


def invalid_field(message: str) -> ApiError:
    """400 INVALID_FIELD (unknown column in a query, or a bad filter value for it)."""
    return ApiError(400, "INVALID_FIELD", message)


def invalid_type(object_name: str) -> ApiError:
    """400 INVALID_TYPE for an unknown sObject in a query."""
    return ApiError(
        400,
        "INVALID_TYPE",
        f"sObject type '{object_name}' is not supported. If you are attempting to use a custom "
        "object, be sure to append the '__c' after the entity name. Please reference your WSDL "
        "or the describe call for the appropriate names.",
    )
