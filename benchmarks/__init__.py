"""Every `benchmark_*` command and its helpers: figures for BENCHMARKS.md, never timed tests."""
