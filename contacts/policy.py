"""Pure rules of the contact engine: no database, no Django models, one decision each.

These are the rules that are easy to get wrong, kept small so a table of cases can pin each one
down (`contacts/tests/test_policy.py`). The services in `contacts/services/` load the data, call
these, and write the outcome.

- `local_filter_hit`: which local filter (domain, address, subject keyword) excludes a participant.
- `missing_for_creation`: the fields a participant lacks for a contact to be created.
- `enrichment_policy`: how one field of one contact may be enriched, from the profile's settings.
- `enrichment_verdict`: whether one observed value is written, and why not when it is not.
- `ocr_verdict`: whether a participant gets a contact role on one opportunity, and by which rule.
- `same_value`: whether an observation says the same as the stored value (phones by digits,
  text without case or repeated spaces).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from accounts.domains import address_matches_rule, domain_matches_rule

# Policy values, as stored in ContactFieldRule.enrichment_policy (contacts.models.EnrichmentPolicy).
ALWAYS = "always"
ONLY_IF_EMPTY = "only_if_empty"
NEVER = "never"

# The three Backstory custom fields that also have their own switch on the profile.
TITLE_DERIVED_FIELDS = ("department", "seniority", "persona")

# ---------------------------------------------------------------------------------------
# Local filters
# ---------------------------------------------------------------------------------------


class FilterEntry(NamedTuple):
    kind: str  # "domain", "address" or "subject_keyword" (contacts.models.LocalFilter.Kind)
    value: str
    is_global: bool


def _subject_has_keyword(subject: str, keyword: str) -> bool:
    # Whole words only, as capture does: the keyword "sale" must not exclude "wholesale pricing".
    return (
        bool(keyword) and re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", subject, re.IGNORECASE) is not None
    )


def local_filter_hit(*, email: str, subject: str, filters: Iterable[FilterEntry]) -> FilterEntry | None:
    """The first local filter that excludes this participant of an activity, or None.

    A domain entry covers the domain and its subdomains (`acme.com` covers `eu.acme.com`, not
    `acmepartners.com`); an address entry covers that address; a subject keyword covers every
    participant of an activity whose subject holds the keyword as a whole word.
    """
    for entry in filters:
        if entry.kind == "domain" and domain_matches_rule(email, entry.value):
            return entry
        if entry.kind == "address" and address_matches_rule(email, entry.value):
            return entry
        if entry.kind == "subject_keyword" and _subject_has_keyword(subject or "", entry.value):
            return entry
    return None


# ---------------------------------------------------------------------------------------
# Contact creation
# ---------------------------------------------------------------------------------------

ALWAYS_REQUIRED = ("first_name", "last_name", "email")


def missing_for_creation(*, values: Mapping[str, str], required: Iterable[str] = ()) -> list[str]:
    """The fields, in a stable order, that a new contact needs and `values` lacks.

    Seed: "These three fields are the minimum required to create a record. Your administrator
    can configure additional required fields." First name, last name and email always come first;
    then the profile's extra required fields in the order given. Blank or whitespace is missing.
    """
    wanted = list(ALWAYS_REQUIRED) + [name for name in required if name not in ALWAYS_REQUIRED]
    return [name for name in wanted if not (values.get(name) or "").strip()]


# ---------------------------------------------------------------------------------------
# Enrichment
# ---------------------------------------------------------------------------------------


def enrichment_policy(
    field: str,
    *,
    created_by_backstory: bool,
    enrichment_enabled: bool,
    rule_policy: str | None,
    separate_setting: bool = False,
) -> str:
    """How `field` of a contact may be updated from activity data: ALWAYS, ONLY_IF_EMPTY or NEVER.

    - Contacts Backstory created: title, phone, email and last name are always kept current
      (FAQ: "Backstory continues to enrich contacts it has created over time as details like
      title, phone number, email address, or last name change."), and department, seniority and
      persona follow the title they are inferred from. Other fields are left alone.
    - Contacts created by hand: never, unless Contact Enrichment is on, and then per the field's
      rule ("a field with no rule: never"). Department, seniority and persona also have their own
      switch: "If either Contact Enrichment or those separate settings is configured to update one
      of these fields, Backstory will update it."
    - The owner is not a field here at all: "Contact Owner is not updated by Contact Enrichment."
    """
    if created_by_backstory:
        return ALWAYS if field in ("title", "phone", "email", "last_name", *TITLE_DERIVED_FIELDS) else NEVER
    from_enrichment = (rule_policy or NEVER) if enrichment_enabled else NEVER
    if field in TITLE_DERIVED_FIELDS and separate_setting:
        return ALWAYS
    return from_enrichment


_SPACES = re.compile(r"\s+")


def _comparable(field: str, value: str | None) -> str:
    text = (value or "").strip()
    if field == "phone":
        digits = re.sub(r"\D", "", text)
        return digits or text.casefold()
    return _SPACES.sub(" ", text).casefold()


def same_value(field: str, current: str | None, observed: str | None) -> bool:
    """True when an observation says what the field already holds.

    Phones compare by digits (`(303) 389-5006` is `303.389.5006`), with or without the country
    code (`+1 303 389 5006` is `303-389-5006`: one number of at least 7 digits ends the other);
    everything else ignores case and repeated spaces, so a reformatted title is not a change.
    """
    a, b = _comparable(field, current), _comparable(field, observed)
    if a == b:
        return True
    if field == "phone" and a.isdigit() and b.isdigit():
        shorter, longer = sorted((a, b), key=len)
        return len(shorter) >= 7 and len(longer) - len(shorter) <= 3 and longer.endswith(shorter)
    return False


class EnrichmentVerdict(NamedTuple):
    write: bool
    reason: str  # "newer_observation", "same_value", "nothing_observed", "policy_never",
    #              "policy_only_if_empty", "older_observation"


def enrichment_verdict(
    *,
    field: str,
    policy: str,
    current: str | None,
    observed: str | None,
    observed_at: dt.datetime,
    last_observed_at: dt.datetime | None,
) -> EnrichmentVerdict:
    """Whether the value `observed` at `observed_at` replaces `current`.

    Seed: "Always update: Backstory overwrites the existing value whenever new information for the
    field is observed." / "Update only if empty: Backstory writes a value only when the field is
    currently blank." / "Never update: Backstory ignores the field and never modifies it."
    Only newer observations count: a value last seen (or last changed in the CRM) at
    `last_observed_at` is not replaced by an activity that happened at or before that time.
    """
    if not (observed or "").strip():
        return EnrichmentVerdict(False, "nothing_observed")
    if same_value(field, current, observed):
        return EnrichmentVerdict(False, "same_value")
    if policy == NEVER:
        return EnrichmentVerdict(False, "policy_never")
    current_is_empty = not (current or "").strip()
    if policy == ONLY_IF_EMPTY:
        if not current_is_empty:
            return EnrichmentVerdict(False, "policy_only_if_empty")
        return EnrichmentVerdict(True, "newer_observation")
    if not current_is_empty and last_observed_at is not None and observed_at <= last_observed_at:
        return EnrichmentVerdict(False, "older_observation")
    return EnrichmentVerdict(True, "newer_observation")


# ---------------------------------------------------------------------------------------
# Opportunity contact roles
# ---------------------------------------------------------------------------------------


class OcrVerdict(NamedTuple):
    create: bool
    rule: str  # "standard_ocr", "new_ocr" or "first_ocr"
    reason: str  # "created" or the stable skip code


def ocr_verdict(
    *,
    is_closed: bool,
    already_a_role: bool,
    domain_matches: bool,
    contact_on_account: bool,
    opportunity_has_roles: bool,
    role_holder_on_activity: bool,
    new_ocr_enabled: bool,
    first_ocr_enabled: bool,
    possible_opportunities: int,
    opportunity_has_manual_role: bool = True,
) -> OcrVerdict:
    """Whether one participant (a contact) becomes a contact role on one opportunity.

    Checked in this order, the first that applies decides:

    1. closed opportunity → no ("will not add participants as Contact Roles on a closed Opportunity")
    2. already a role → no ("The other participants do not already exist as Contact Roles")
    3. domain mismatch → no ("will not add participants to the same Opportunity as Contact Roles
       if their domains do not match")
    4. contact on another account → no (roles go to "contacts on the Account")
    4b. roles, but none created by hand, and First OCR off → no ("the Opportunity must have at least
       one manually created Opportunity Contact Role, or ... enable First OCR instead"): a role
       Backstory created is not the manual one
    5. another participant holds a role → standard OCR ("At least one participant ... exists as a
       Contact Role on an open Opportunity")
    6. the opportunity has roles, none on the activity → New OCR when on ("regardless of whether an
       existing OCR is involved in the activity"), else no
    7. no role at all → First OCR when on and this is the only possible opportunity ("only when
       there is exactly one possible Opportunity match"), else no.
    """
    rule = (
        "standard_ocr" if role_holder_on_activity else ("new_ocr" if opportunity_has_roles else "first_ocr")
    )
    if is_closed:
        return OcrVerdict(False, rule, "closed_opportunity")
    if already_a_role:
        return OcrVerdict(False, rule, "already_a_role")
    if not domain_matches:
        return OcrVerdict(False, rule, "domain_mismatch")
    if not contact_on_account:
        return OcrVerdict(False, rule, "contact_not_on_account")
    if opportunity_has_roles and not opportunity_has_manual_role and not first_ocr_enabled:
        return OcrVerdict(False, rule, "no_manual_role")
    if role_holder_on_activity:
        return OcrVerdict(True, rule, "created")
    if opportunity_has_roles:
        return OcrVerdict(new_ocr_enabled, rule, "created" if new_ocr_enabled else "no_role_in_activity")
    if not first_ocr_enabled:
        return OcrVerdict(False, rule, "first_ocr_off")
    if possible_opportunities != 1:
        return OcrVerdict(False, rule, "several_opportunities")
    return OcrVerdict(True, rule, "created")


def opportunities_to_act_on(
    *, open_ids: list[int], anchored_ids: set[int], multi_opportunity_matching: bool
) -> list[int] | None:
    """Which of the activity's open opportunities get contact roles; None when it is ambiguous.

    Seed: "When Multi-Opportunity Matching is enabled ..., Backstory will create OCRs across all
    matched Opportunities when an activity matches more than one." Without it, one opportunity:
    the only one, or the only one where a participant already holds a contact role. Two or more
    candidates with no way to choose is ambiguous, and nothing is added.
    """
    if multi_opportunity_matching or len(open_ids) <= 1:
        return list(open_ids)
    anchored = [opp_id for opp_id in open_ids if opp_id in anchored_ids]
    return anchored if len(anchored) == 1 else None
