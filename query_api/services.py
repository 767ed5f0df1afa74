"""Query API use cases: run a query, write its result as CSV, load a custom metric's values."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from backstory.spreadsheets import formula_safe
from query_api.models import CustomMetric, CustomMetricValue
from query_api.query import QueryResult, get_query_runner, parse_query
from query_api.registry import MODELS, QueryObject, load_catalog

CSV_HEADERS = ("slugs", "labels", "ids")


def query_run(*, body: Any) -> QueryResult:
    """Validate ``body`` (raises ``QueryInvalid`` with every problem) and run it with its object's runner."""
    query = parse_query(body, catalog=load_catalog())
    return get_query_runner(query.object).run(query)


def query_result_csv(*, result: QueryResult, header: str = "slugs") -> str:
    """The result as CSV: a header row (slugs, labels or column ids), then one row per record.

    Missing values are empty cells; booleans are ``true``/``false`` as in JSON; text that a
    spreadsheet would run as a formula starts with ``'``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = {"slugs": lambda c: c.slug, "labels": lambda c: c.label, "ids": lambda c: c.id}[header]
    writer.writerow([names(column) for column in result.columns])
    for row in result.rows:
        writer.writerow([_cell(row[column.id]) for column in result.columns])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return formula_safe(value)
    return str(value)


class CustomMetricLoadError(Exception):
    """A values file that cannot be loaded: every bad line, with its number. Nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


IDENTIFIER_COLUMNS = {
    "account": ("crm_id", "id"),
    "opportunity": ("crm_id", "id"),
    "user": ("crm_id", "email", "username", "id"),
}
TRUE_WORDS, FALSE_WORDS = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}


@transaction.atomic
def custom_metric_load_values(*, metric: CustomMetric, csv_text: str) -> int:
    """Store a custom metric's values from CSV text: a header row with ``value`` and one identifier
    column (``crm_id`` or ``id``; for users also ``email`` or ``username``), then one row per record.

    All or nothing: any bad line (unknown record, value of the wrong type, a record twice) aborts the
    load with every problem listed. An empty value stores "no value" (null). Returns rows stored.
    """
    if metric.kind != CustomMetric.Kind.STORED:
        raise CustomMetricLoadError(
            [f"{metric.slug} is a derived metric: its values come from its formula, not from a file."]
        )
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    reader.fieldnames = header
    identifier = next((name for name in IDENTIFIER_COLUMNS[metric.object] if name in header), None)
    if identifier is None or "value" not in header:
        choices = " or ".join(IDENTIFIER_COLUMNS[metric.object])
        raise CustomMetricLoadError(
            [
                f"Line 1: the header needs a value column and an identifier column ({choices}); it has {', '.join(header) or 'nothing'}."
            ]
        )
    model = MODELS[QueryObject(metric.object)]
    rows = list(reader)
    keys = [(row.get(identifier) or "").strip() for row in rows]
    lookup_field = {"crm_id": "crm_id", "id": "pk", "email": "email", "username": "username"}[identifier]
    wanted = [key.lower() if identifier == "email" else key for key in keys if key]
    if identifier == "id":
        wanted = [int(key) for key in wanted if key.isdigit()]
    found = {
        str(value).lower() if identifier == "email" else str(value): pk
        for value, pk in model._base_manager.filter(**{f"{lookup_field}__in": wanted}).values_list(
            lookup_field, "pk"
        )
    }
    problems, values, seen = [], [], {}
    for line, (row, key) in enumerate(zip(rows, keys, strict=True), start=2):
        pk = found.get(key.lower() if identifier == "email" else key)
        if not key:
            problems.append(f"Line {line}: no {identifier}.")
            continue
        if pk is None:
            problems.append(f"Line {line}: no {metric.object} has {identifier} {key!r}.")
            continue
        if pk in seen:
            problems.append(f"Line {line}: {key!r} is already on line {seen[pk]}.")
            continue
        seen[pk] = line
        try:
            values.append(
                CustomMetricValue(
                    metric=metric,
                    object_id=pk,
                    **_typed_value(metric.data_type, (row.get("value") or "").strip()),
                )
            )
        except ValueError as error:
            problems.append(f"Line {line}: {error}")
    if problems:
        raise CustomMetricLoadError(problems)
    fields = ["value_number", "value_string", "value_boolean", "value_date"]
    CustomMetricValue.objects.bulk_create(
        values,
        batch_size=2_000,
        update_conflicts=True,
        unique_fields=["metric", "object_id"],
        update_fields=fields,
    )
    return len(values)


def _typed_value(data_type: str, text: str) -> dict:
    empty = {"value_number": None, "value_string": None, "value_boolean": None, "value_date": None}
    if text == "":
        return empty
    if data_type == CustomMetric.DataType.NUMBER:
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a number.") from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
            raise ValueError(f"{text!r} is not a number below 10^14.")
        return {**empty, "value_number": number}
    if data_type == CustomMetric.DataType.BOOLEAN:
        if text.lower() in TRUE_WORDS | FALSE_WORDS:
            return {**empty, "value_boolean": text.lower() in TRUE_WORDS}
        raise ValueError(f"{text!r} is not true or false.")
    if data_type == CustomMetric.DataType.DATE:
        try:
            return {**empty, "value_date": dt.date.fromisoformat(text)}
        except ValueError:
            raise ValueError(f"{text!r} is not a date (YYYY-MM-DD).") from None
    if len(text) > 500:
        raise ValueError("text values are at most 500 characters.")
    return {**empty, "value_string": text}
