"""The metric registry: every slug the Query API serves, on which object, with what type and variations.

Public API::

    catalog = load_catalog()                   # the reference's metrics + this org's custom/derived ones
    catalog.metric(QueryObject.ACCOUNT, slug)  # a Metric, or None
    catalog.metrics(QueryObject.USER)          # every Metric of an object (or of all objects)
    catalog.objects_serving(slug)              # which objects serve a slug
    catalog.problem(metric)                    # why a derived metric cannot be computed now, or None
    catalog.resolve_name(object, "ootb_emails_sent_last_30_days")  # (Metric, period), for formulas
    formula_problem(object=..., slug=..., formula=...)  # admin validation of a derived formula

The reference's metrics are built once; custom (``custom_*``) and derived (``derived_*``) metrics
are read from ``query_api.CustomMetric`` each time a catalog is loaded (one query).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import BooleanField, CharField, DateField, DecimalField, OuterRef, Subquery

from accounts.models import Account
from opportunities.models import Opportunity
from query_api.models import CustomMetric, CustomMetricValue
from users.models import User

from . import accounts, opportunities, users
from .formula import FormulaError, Reference, compile_formula, parse_formula, references
from .sql import Computed
from .types import KNOWN_PERIODS, DataType, Metric, QueryContext, QueryObject, Variation

MODELS = {QueryObject.ACCOUNT: Account, QueryObject.OPPORTUNITY: Opportunity, QueryObject.USER: User}

__all__ = [
    "Catalog",
    "Computed",
    "DataType",
    "FormulaError",
    "Metric",
    "QueryContext",
    "QueryObject",
    "Variation",
    "formula_problem",
    "load_catalog",
    "metric_expression",
    "reference_metrics",
]

CUSTOM_FAMILY = "Custom metrics"
DERIVED_FAMILY = "Derived metrics"
VALUE_FIELDS = {
    DataType.NUMBER: ("value_number", DecimalField(max_digits=20, decimal_places=6)),
    DataType.STRING: ("value_string", CharField()),
    DataType.BOOLEAN: ("value_boolean", BooleanField()),
    DataType.DATE: ("value_date", DateField()),
}


@lru_cache(maxsize=1)
def reference_metrics() -> tuple[Metric, ...]:
    """Every metric of the metrics reference (and the agreed aliases), in the reference's order."""
    return tuple(accounts.metrics() + opportunities.metrics() + users.metrics())


@dataclass
class Catalog:
    """The metrics served right now, by object and slug."""

    tables: dict[QueryObject, dict[str, Metric]]
    problems: dict[tuple[QueryObject, str], str] = field(default_factory=dict)
    formulas: dict[tuple[QueryObject, str], str] = field(default_factory=dict)

    def metric(self, query_object: QueryObject, slug: str) -> Metric | None:
        return self.tables[query_object].get(slug)

    def metrics(self, query_object: QueryObject | None = None) -> list[Metric]:
        objects = [query_object] if query_object else list(QueryObject)
        return [metric for obj in objects for metric in self.tables[obj].values()]

    def slugs(self, query_object: QueryObject | None = None) -> list[str]:
        return list(dict.fromkeys(metric.slug for metric in self.metrics(query_object)))

    def objects_serving(self, slug: str) -> list[QueryObject]:
        return [obj for obj in QueryObject if slug in self.tables[obj]]

    def problem(self, metric: Metric) -> str | None:
        return self.problems.get((metric.object, metric.slug))

    def resolve_name(self, query_object: QueryObject, name: str) -> tuple[Metric, str]:
        """A formula's metric name: a slug (its default variation) or a slug followed by a period."""
        table = self.tables[query_object]
        if name in table:
            return table[name], table[name].default_period
        for period in sorted(KNOWN_PERIODS, key=len, reverse=True):
            suffix = f"_{period}"
            base = name[: -len(suffix)]
            if name.endswith(suffix) and base in table:
                if period in table[base].accepted_periods:
                    return table[base], period
                raise FormulaError(
                    f"{base} has no variation {period!r}; its variations are: {', '.join(table[base].variation_ids)}."
                )
        article = "an" if query_object.value[0] in "aeiou" else "a"
        raise FormulaError(f"{name} is not {article} {query_object.value} metric.")


def load_catalog() -> Catalog:
    """The reference's metrics plus this organisation's custom and derived metrics."""
    tables: dict[QueryObject, dict[str, Metric]] = {obj: {} for obj in QueryObject}
    for metric in reference_metrics():
        tables[metric.object][metric.slug] = metric
    catalog = Catalog(tables)
    derived: list[tuple[Metric, str]] = []
    for row in CustomMetric.objects.order_by("slug"):
        query_object = QueryObject(row.object)
        if row.kind == CustomMetric.Kind.DERIVED:
            metric = _derived_metric(row, catalog)
            derived.append((metric, row.formula))
            catalog.formulas[(query_object, row.slug)] = row.formula
        else:
            metric = _stored_metric(row)
        tables[query_object][metric.slug] = metric
    for metric, formula in derived:
        problem = formula_problem(object=metric.object, slug=metric.slug, formula=formula, catalog=catalog)
        if problem:
            catalog.problems[(metric.object, metric.slug)] = problem
    return catalog


def _stored_metric(row: CustomMetric) -> Metric:
    data_type = DataType(row.data_type)
    value_field, output_field = VALUE_FIELDS[data_type]

    def build(variation: Variation, ctx: QueryContext):
        values = CustomMetricValue.objects.filter(metric_id=row.pk, object_id=OuterRef("pk")).values(
            value_field
        )[:1]
        return Subquery(values, output_field=output_field)

    return Metric(
        slug=row.slug,
        object=QueryObject(row.object),
        family=CUSTOM_FAMILY,
        label=row.label,
        definition=row.description or f"{row.label}: values loaded by an administrator.",
        data_type=data_type,
        build=build,
        source="custom",
    )


def _derived_metric(row: CustomMetric, catalog: Catalog) -> Metric:
    query_object = QueryObject(row.object)

    def build(variation: Variation, ctx: QueryContext):
        def resolve(reference: Reference):
            metric, period = catalog.resolve_name(query_object, reference.name)
            return metric_expression(metric, period, ctx)

        return compile_formula(parse_formula(row.formula), resolve)

    return Metric(
        slug=row.slug,
        object=query_object,
        family=DERIVED_FAMILY,
        label=row.label,
        definition=(row.description + " " if row.description else "") + f"= {row.formula}",
        data_type=DataType.NUMBER,
        build=build,
        source="derived",
    )


def metric_expression(metric: Metric, period: str, ctx: QueryContext):
    """The metric's SQL as one expression per record (tallies as correlated subqueries)."""
    value = metric.build(metric.resolve(period, today=ctx.today), ctx)
    return value.expression(MODELS[metric.object]) if isinstance(value, Computed) else value


def formula_problem(
    *, object: QueryObject | str, slug: str, formula: str, catalog: Catalog | None = None
) -> str | None:
    """Why ``formula`` cannot define the derived metric ``slug`` on ``object``, or None when it can.

    Checks the syntax whitelist, that every name is a number metric of the same object (with an
    accepted variation), and that derived metrics do not refer to each other in a circle.
    """
    query_object = QueryObject(object)
    catalog = catalog or load_catalog()
    try:
        _check_references(catalog, query_object, slug, formula, trail=(slug,))
    except FormulaError as error:
        return str(error)
    return None


def _check_references(
    catalog: Catalog, query_object: QueryObject, slug: str, formula: str, trail: tuple[str, ...]
) -> None:
    tree = parse_formula(formula)
    for reference in references(tree):
        metric, _period = catalog.resolve_name(query_object, reference.name)
        if metric.data_type is not DataType.NUMBER:
            raise FormulaError(
                f"{metric.slug} is a {metric.data_type.value}, not a number (character {reference.column})."
            )
        if metric.source != "derived":
            continue
        if metric.slug in trail:
            circle = " → ".join((*trail, metric.slug))
            raise FormulaError(f"Derived metrics refer to each other in a circle: {circle}.")
        nested = catalog.formulas.get((query_object, metric.slug), "")
        _check_references(catalog, query_object, metric.slug, nested, (*trail, metric.slug))
