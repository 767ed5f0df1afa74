from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """A tool, not product code: every `benchmark_*` command and its helpers (figures in BENCHMARKS.md). Product code never imports it."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
