"""The registry serves every slug of the metrics reference, with the variations the reference gives."""

import json
import re
from pathlib import Path

import pytest

from query_api.registry import DataType, QueryObject, load_catalog, reference_metrics
from query_api.registry.types import COMMON_VARIATIONS

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "metrics_reference.json"


def reference_rows():
    """(object, slug, data type, variations cell) for every metric of the reference."""
    rows = json.loads(REFERENCE.read_text(encoding="utf-8"))["metrics"]
    return [(QueryObject(r["object"]), r["slug"], r["data_type"], r["variations"]) for r in rows]


def test_the_reference_is_read_whole():
    rows = reference_rows()
    assert len(rows) == 73
    assert ("account", "ootb_account_engagement_level") in {(o.value, s) for o, s, _, _ in rows}


@pytest.mark.parametrize(
    "query_object,slug,data_type,variations",
    reference_rows(),
    ids=lambda v: v if isinstance(v, str) else None,
)
@pytest.mark.django_db
def test_every_reference_slug_is_served_with_its_type_and_variations(
    query_object, slug, data_type, variations
):
    metric = load_catalog().metric(query_object, slug)
    assert metric is not None, f"{slug} is not served on {query_object.value}"
    assert metric.data_type is DataType(data_type.lower())
    for period in re.findall(r"[a-z][a-z0-9_]+", variations.lower()):
        if period in {"values", "increasing", "stable", "declining", "high", "medium", "low"}:
            continue
        assert period in metric.accepted_periods, f"{slug} should accept {period}"
        assert metric.variation_id(period) == f"{slug}_{period}"
    assert metric.definition and metric.label


def test_windowed_metrics_also_accept_the_common_variations_of_their_object():
    by_key = {(m.object, m.slug): m for m in reference_metrics()}
    booked = by_key[(QueryObject.USER, "ootb_meetings_booked")]
    assert "last_30_days" in booked.accepted_periods  # the reference's own example
    assert by_key[(QueryObject.ACCOUNT, "ootb_emails_sent")].accepted_periods[:4] == (
        "last_7_days",
        "last_30_days",
        "current_quarter",
        "current_year",
    )
    opp_emails = by_key[(QueryObject.OPPORTUNITY, "ootb_emails_sent_opp")]
    assert "last_7_days" not in opp_emails.accepted_periods  # "Account, User" only
    assert (
        "current_week" not in by_key[(QueryObject.ACCOUNT, "ootb_emails_sent")].accepted_periods
    )  # "User" only
    for period, objects in COMMON_VARIATIONS.items():
        assert (period in booked.accepted_periods) == (QueryObject.USER in objects)


def test_point_in_time_values_accept_current_only():
    by_key = {(m.object, m.slug): m for m in reference_metrics()}
    for key in [
        (QueryObject.ACCOUNT, "ootb_relationship_strength"),
        (QueryObject.ACCOUNT, "industry"),
        (QueryObject.OPPORTUNITY, "ootb_days_in_current_stage"),
    ]:
        assert by_key[key].accepted_periods == ("current",)
        assert not by_key[key].has_variations


def test_quota_attainment_has_no_rolling_variation_and_defaults_to_the_quarter():
    metric = next(m for m in reference_metrics() if m.slug == "ootb_quota_attainment")
    assert "last_30_days" not in metric.accepted_periods and "current" not in metric.accepted_periods
    assert metric.default_period == "quarterly"


def test_the_agreed_aliases_name_the_users_own_metrics():
    catalog_users = {m.slug: m for m in reference_metrics() if m.object is QueryObject.USER}
    assert catalog_users["ootb_user_count_emails_sent"].alias_of == "ootb_emails_sent_user"
    assert catalog_users["ootb_emails_sent"].alias_of == "ootb_emails_sent_user"
    assert (
        "ootb_user_count_emails_sent_last_30_days"
        in catalog_users["ootb_user_count_emails_sent"].variation_ids
    )


def test_slugs_are_unique_per_object():
    seen = set()
    for metric in reference_metrics():
        assert (metric.object, metric.slug) not in seen
        seen.add((metric.object, metric.slug))
