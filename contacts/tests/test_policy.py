"""Tables of cases for the pure rules of the contact engine (contacts/policy.py). No database."""

import datetime as dt

import pytest

from contacts.policy import (
    ALWAYS,
    NEVER,
    ONLY_IF_EMPTY,
    FilterEntry,
    enrichment_policy,
    enrichment_verdict,
    local_filter_hit,
    missing_for_creation,
    ocr_verdict,
    opportunities_to_act_on,
    same_value,
)

T = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    "email, subject, filters, hit",
    [
        ("jane@acme.com", "", [FilterEntry("domain", "acme.com", True)], "acme.com"),
        ("jane@eu.acme.com", "", [FilterEntry("domain", "acme.com", True)], "acme.com"),
        ("jane@acmepartners.com", "", [FilterEntry("domain", "acme.com", True)], None),
        ("jane@acme.com", "", [FilterEntry("domain", "@acme.com", True)], "@acme.com"),
        ("jane@acme.com", "", [FilterEntry("address", "jane@acme.com", False)], "jane@acme.com"),
        ("JANE@acme.com", "", [FilterEntry("address", "jane@acme.com", False)], "jane@acme.com"),
        ("john@acme.com", "", [FilterEntry("address", "jane@acme.com", False)], None),
        (
            "jane@acme.com",
            "Out of office: back Monday",
            [FilterEntry("subject_keyword", "out of office", True)],
            "out of office",
        ),
        ("jane@acme.com", "Wholesale pricing", [FilterEntry("subject_keyword", "sale", True)], None),
        ("jane@acme.com", "Sale: 10% off", [FilterEntry("subject_keyword", "sale", True)], "sale"),
        ("jane@acme.com", "", [FilterEntry("subject_keyword", "", True)], None),
        ("jane@acme.com", "anything", [], None),
    ],
)
def test_local_filter_hit(email, subject, filters, hit):
    found = local_filter_hit(email=email, subject=subject, filters=filters)
    assert (found.value if found else None) == hit


@pytest.mark.parametrize(
    "values, required, missing",
    [
        ({"first_name": "Jane", "last_name": "Doe", "email": "j@acme.com"}, (), []),
        ({"first_name": "", "last_name": "Doe", "email": "j@acme.com"}, (), ["first_name"]),
        ({"first_name": "Jane", "last_name": "  ", "email": "j@acme.com"}, (), ["last_name"]),
        ({"first_name": "Jane", "last_name": "Doe"}, (), ["email"]),
        ({}, (), ["first_name", "last_name", "email"]),
        (
            {"first_name": "Jane", "last_name": "Doe", "email": "j@acme.com"},
            ("phone", "title"),
            ["phone", "title"],
        ),
        ({"first_name": "Jane", "last_name": "Doe", "email": "j@acme.com", "phone": "1"}, ("phone",), []),
        ({"first_name": "Jane", "last_name": "Doe", "email": "j@acme.com"}, ("first_name",), []),
    ],
)
def test_missing_for_creation(values, required, missing):
    assert missing_for_creation(values=values, required=required) == missing


@pytest.mark.parametrize(
    "field, by_backstory, enabled, rule, separate, policy",
    [
        # Contacts created by hand: nothing unless Contact Enrichment is on, then per rule (none: never).
        ("title", False, False, ALWAYS, False, NEVER),
        ("title", False, True, ALWAYS, False, ALWAYS),
        ("title", False, True, ONLY_IF_EMPTY, False, ONLY_IF_EMPTY),
        ("title", False, True, None, False, NEVER),
        ("phone", False, True, NEVER, False, NEVER),
        # "If either Contact Enrichment or those separate settings is configured to update one of these fields"
        ("persona", False, False, None, True, ALWAYS),
        ("seniority", False, True, NEVER, True, ALWAYS),
        ("department", False, True, ONLY_IF_EMPTY, False, ONLY_IF_EMPTY),
        ("department", False, False, ALWAYS, False, NEVER),
        # A separate setting exists only for the three custom fields.
        ("title", False, False, None, True, NEVER),
        # Contacts Backstory created: title, phone, email, last name always, and what the title implies.
        ("title", True, False, None, False, ALWAYS),
        ("email", True, False, None, False, ALWAYS),
        ("last_name", True, False, NEVER, False, ALWAYS),
        ("seniority", True, False, None, False, ALWAYS),
        ("first_name", True, True, ALWAYS, False, NEVER),
        ("mailing_state", True, False, None, False, NEVER),
    ],
)
def test_enrichment_policy(field, by_backstory, enabled, rule, separate, policy):
    assert (
        enrichment_policy(
            field,
            created_by_backstory=by_backstory,
            enrichment_enabled=enabled,
            rule_policy=rule,
            separate_setting=separate,
        )
        == policy
    )


@pytest.mark.parametrize(
    "policy, current, observed, observed_at, last, write, reason",
    [
        (ALWAYS, "Director", "VP", T, T - DAY, True, "newer_observation"),
        (ALWAYS, "Director", "VP", T, None, True, "newer_observation"),
        (ALWAYS, "Director", "VP", T - DAY, T, False, "older_observation"),
        (ALWAYS, "Director", "VP", T, T, False, "older_observation"),
        (ALWAYS, "", "VP", T - DAY, T, True, "newer_observation"),
        (ALWAYS, "Director", "", T, None, False, "nothing_observed"),
        (ALWAYS, "Director", "  director ", T, None, False, "same_value"),
        (ONLY_IF_EMPTY, "", "VP", T, None, True, "newer_observation"),
        (ONLY_IF_EMPTY, "Director", "VP", T, None, False, "policy_only_if_empty"),
        (NEVER, "", "VP", T, None, False, "policy_never"),
        (NEVER, "Director", "VP", T, None, False, "policy_never"),
    ],
)
def test_enrichment_verdict(policy, current, observed, observed_at, last, write, reason):
    verdict = enrichment_verdict(
        field="title",
        policy=policy,
        current=current,
        observed=observed,
        observed_at=observed_at,
        last_observed_at=last,
    )
    assert (verdict.write, verdict.reason) == (write, reason)


@pytest.mark.parametrize(
    "field, current, observed, same",
    [
        ("phone", "(303) 389-5006", "303.389.5006", True),
        ("phone", "+1 303 389 5006", "303-389-5006", True),
        ("phone", "303 389 5006", "303 389 5007", False),
        ("phone", "5006", "389-5006", False),
        ("phone", "", "", True),
        ("title", "VP  Sales", "vp sales", True),
        ("title", "VP Sales", "VP, Sales", False),
        ("email", "Jane@Acme.com", "jane@acme.com", True),
    ],
)
def test_same_value(field, current, observed, same):
    assert same_value(field, current, observed) is same


BASE = {
    "is_closed": False,
    "already_a_role": False,
    "domain_matches": True,
    "contact_on_account": True,
    "opportunity_has_roles": True,
    "role_holder_on_activity": True,
    "new_ocr_enabled": False,
    "first_ocr_enabled": False,
    "possible_opportunities": 1,
}


@pytest.mark.parametrize(
    "changes, create, rule, reason",
    [
        ({}, True, "standard_ocr", "created"),
        ({"is_closed": True}, False, "standard_ocr", "closed_opportunity"),
        ({"already_a_role": True}, False, "standard_ocr", "already_a_role"),
        ({"domain_matches": False}, False, "standard_ocr", "domain_mismatch"),
        ({"contact_on_account": False}, False, "standard_ocr", "contact_not_on_account"),
        ({"role_holder_on_activity": False}, False, "new_ocr", "no_role_in_activity"),
        ({"role_holder_on_activity": False, "new_ocr_enabled": True}, True, "new_ocr", "created"),
        (
            {"role_holder_on_activity": False, "opportunity_has_roles": False},
            False,
            "first_ocr",
            "first_ocr_off",
        ),
        (
            {"role_holder_on_activity": False, "opportunity_has_roles": False, "first_ocr_enabled": True},
            True,
            "first_ocr",
            "created",
        ),
        (
            {
                "role_holder_on_activity": False,
                "opportunity_has_roles": False,
                "first_ocr_enabled": True,
                "possible_opportunities": 2,
            },
            False,
            "first_ocr",
            "several_opportunities",
        ),
        # New OCR does not create the first role: that is First OCR's job.
        (
            {"role_holder_on_activity": False, "opportunity_has_roles": False, "new_ocr_enabled": True},
            False,
            "first_ocr",
            "first_ocr_off",
        ),
        # Closed wins over every other reason; a mismatched domain wins over First OCR.
        ({"is_closed": True, "domain_matches": False}, False, "standard_ocr", "closed_opportunity"),
        (
            {
                "domain_matches": False,
                "role_holder_on_activity": False,
                "opportunity_has_roles": False,
                "first_ocr_enabled": True,
            },
            False,
            "first_ocr",
            "domain_mismatch",
        ),
        # Several possible opportunities do not stop the standard rule.
        ({"possible_opportunities": 3}, True, "standard_ocr", "created"),
    ],
)
def test_ocr_verdict(changes, create, rule, reason):
    verdict = ocr_verdict(**{**BASE, **changes})
    assert (verdict.create, verdict.rule, verdict.reason) == (create, rule, reason)


@pytest.mark.parametrize(
    "open_ids, anchored, multi, targets",
    [
        ([], set(), False, []),
        ([1], set(), False, [1]),
        ([1, 2], set(), False, None),
        ([1, 2], {2}, False, [2]),
        ([1, 2], {1, 2}, False, None),
        ([1, 2], set(), True, [1, 2]),
        ([1, 2, 3], {3}, True, [1, 2, 3]),
    ],
)
def test_opportunities_to_act_on(open_ids, anchored, multi, targets):
    assert (
        opportunities_to_act_on(open_ids=open_ids, anchored_ids=anchored, multi_opportunity_matching=multi)
        == targets
    )
