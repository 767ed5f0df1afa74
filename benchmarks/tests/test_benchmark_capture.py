"""manage.py benchmark_capture: runs the real ingest path on generated activities and prints figures."""

import io

import pytest
from django.core.management import CommandError, call_command

from activities.models import Activity

pytestmark = pytest.mark.django_db


def test_benchmark_prints_each_phase_and_cleans_up(frozen_now):
    call_command("seed_demo", "--accounts", "6", "--activities", "0", "--no-progress", stdout=io.StringIO())
    out = io.StringIO()
    call_command("benchmark_capture", "--activities", "120", "--batch-size", "50", stdout=out)
    text = out.getvalue()
    assert "Captured 120 activities" in text
    for phase in ("parsing", "matching", "storing", "total"):
        assert phase in text and "activities/s" in text
    assert "matched to an account or lead" in text
    assert Activity.objects.count() == 0


def test_benchmark_keeps_what_it_captured_when_asked(frozen_now):
    call_command("seed_demo", "--accounts", "6", "--activities", "0", "--no-progress", stdout=io.StringIO())
    call_command("benchmark_capture", "--activities", "30", "--keep", stdout=io.StringIO())
    assert Activity.objects.filter(source_id__startswith="bench-").count() == 30
    assert not Activity.objects.filter(match_explanation="").exists()


def test_benchmark_needs_an_org():
    with pytest.raises(CommandError, match="run `manage.py seed_demo` first"):
        call_command("benchmark_capture", "--activities", "10", stdout=io.StringIO())
