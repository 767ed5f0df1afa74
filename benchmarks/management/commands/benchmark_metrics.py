"""manage.py benchmark_metrics: every registry metric of every object, sorted over all records.

Each metric (its default variation, and the first period of its reference row when that differs)
is asked as ``{"columns": [name, metric], "sort": [metric desc], "limit": 100}``: the sort computes
it for every account, opportunity or user, the worst case a BI tool can ask. Prints p50 and p95 per
metric, slowest first, so no metric can be slow unnoticed::

    manage.py benchmark_metrics --runs 5            # every metric
    manage.py benchmark_metrics --object user --slug response

Runs under the Query API's statement time limit; a metric past it is listed as "timeout".
"""

from __future__ import annotations

import os
import statistics
import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from query_api.query import QueryTimeout
from query_api.registry import QueryObject, load_catalog
from query_api.services import query_run

NAME_SLUG = {"account": "ootb_account_name", "opportunity": "crm_opportunity_name", "user": "user_name"}


class Command(BaseCommand):
    help = "Time every registry metric sorted over all records (p50/p95 per metric, slowest first)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="Timed runs per metric after 1 warm-up.")
        parser.add_argument("--object", choices=[o.value for o in QueryObject], help="Only this object.")
        parser.add_argument("--slug", default="", help="Only slugs containing this text.")
        parser.add_argument("--target-ms", type=float, default=500.0, help="p95 target (default 500).")

    def handle(self, *args, **options):
        if not Account.objects.exists():
            raise CommandError("No org here: seed one first (see BENCHMARKS.md).")
        catalog = load_catalog()
        objects = [QueryObject(options["object"])] if options["object"] else list(QueryObject)
        runs = max(1, options["runs"])
        results = []
        for query_object in objects:
            for metric in catalog.metrics(query_object):
                if options["slug"] not in metric.slug or metric.alias_of or catalog.problem(metric):
                    continue
                for period in _periods(metric):
                    column = {"slug": metric.slug}
                    if metric.has_variations:
                        column["variation_id"] = metric.variation_id(period)
                    results.append(self.measure(query_object, column, runs))
        target = options["target_ms"]
        results.sort(key=lambda r: -(r[2] if r[2] is not None else float("inf")))
        self.stdout.write(f"{'object':<12} {'column':<58} {'p50 ms':>9} {'p95 ms':>9}")
        for query_object, column_id, p95, p50 in results:
            shown = "timeout" if p95 is None else f"{p95:9.1f}"
            median = "" if p50 is None else f"{p50:9.1f}"
            flag = "" if p95 is not None and p95 < target else "  <-- over target"
            self.stdout.write(f"{query_object:<12} {column_id:<58} {median:>9} {shown:>9}{flag}")
        over = [r for r in results if r[2] is None or r[2] >= target]
        self.stdout.write(
            f"{len(results)} metric variations; {len(over)} over the p95 target of {target:.0f} ms. "
            f"Load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs."
        )

    def measure(self, query_object: QueryObject, column: dict, runs: int):
        name = {"slug": NAME_SLUG[query_object.value]}
        body = {
            "object": query_object.value,
            "columns": [name, column] if column != name else [name],
            "sort": [{"attribute": column, "direction": "desc"}],
            "limit": 100,
        }
        column_id = column.get("variation_id", column["slug"])
        timings = []
        try:
            query_run(body=body)
            for _ in range(runs):
                started = time.perf_counter()
                query_run(body=body)
                timings.append((time.perf_counter() - started) * 1000)
        except QueryTimeout:
            return query_object.value, column_id, None, None
        ordered = sorted(timings)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return query_object.value, column_id, p95, statistics.median(timings)


def _periods(metric) -> list[str]:
    periods = [metric.default_period]
    if metric.periods and metric.periods[0] not in periods and metric.periods[0] in metric.accepted_periods:
        periods.append(metric.periods[0])
    return periods
