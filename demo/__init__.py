"""The demo org: a deterministic, believable sales organisation for the demo, tests and benchmarks."""
