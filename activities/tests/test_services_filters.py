"""Local filters, pure: which rule excludes which activity."""

import pytest

from activities.services.filters import FilterRule, LocalFilterSet

GLOBAL, SALES, OTHER = None, 1, 2


def filters(*rules):
    return LocalFilterSet(FilterRule(*rule) for rule in rules)


@pytest.mark.parametrize(
    "rule, emails, subject, profile, excluded",
    [
        ((GLOBAL, "domain", "linkedin.com"), ["news@linkedin.com"], "", SALES, True),
        ((GLOBAL, "domain", "linkedin.com"), ["news@mail.linkedin.com"], "", SALES, True),
        ((GLOBAL, "domain", "linkedin.com"), ["news@notlinkedin.com"], "", SALES, False),
        ((GLOBAL, "domain", "@acme.com"), ["a@eu.acme.com"], "", SALES, True),
        ((GLOBAL, "domain", "*.acme.com"), ["a@acme.com"], "", SALES, False),
        ((GLOBAL, "address", "hr@lumen-analytics.com"), ["hr@lumen-analytics.com"], "", SALES, True),
        ((GLOBAL, "address", "hr@lumen-analytics.com"), ["hr2@lumen-analytics.com"], "", SALES, False),
        ((GLOBAL, "address", "@acme.com"), ["a@acme.com"], "", SALES, True),
        ((GLOBAL, "subject_keyword", "out of office"), [], "Out of Office: back Monday", SALES, True),
        ((GLOBAL, "subject_keyword", "sale"), [], "Wholesale pricing", SALES, False),
        ((SALES, "domain", "acme.com"), ["a@acme.com"], "", SALES, True),
        ((SALES, "domain", "acme.com"), ["a@acme.com"], "", OTHER, False),
        ((SALES, "domain", "acme.com"), ["a@acme.com"], "", None, False),
    ],
)
def test_filter_rules(rule, emails, subject, profile, excluded):
    hit = filters(rule).hit(profile_id=profile, subject=subject, emails=emails)
    assert (hit is not None) is excluded


def test_no_filters_never_exclude():
    assert filters().hit(profile_id=None, subject="anything", emails=["a@b.com"]) is None


def test_the_reason_names_the_filter_and_what_matched():
    hit = filters((GLOBAL, "domain", "linkedin.com")).hit(
        profile_id=None, subject="", emails=["x@linkedin.com"]
    )
    assert (
        hit.reason
        == "excluded by the local filter on domain “linkedin.com” (every profile): matched x@linkedin.com"
    )
