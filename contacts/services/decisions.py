"""The contact engine's audit trail: every decision with a stable reason code and plain words.

Design: "Every decision the contact engine takes (created, skipped because a lead matched, missing
a required field, domain not on an account, ...) is recorded with its reason, so an admin can
answer "why was this contact (not) created?"."

Reason codes are stable (admins filter on them, the Engagement Log shows them); the message is
for people. `DecisionLog` buffers the decisions of a batch and writes them with one insert, and
never records the same decision twice for one activity, so re-running the engine is idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from contacts.models import ContactDecision

Action = ContactDecision.Action


class Rule:
    """Which rule of the seed took the decision (ContactDecision.rule)."""

    CONTACT_CREATION = "contact_creation"
    LEAD_MATCH = "lead_match"
    LOCAL_FILTER = "local_filter"
    STANDARD_OCR = "standard_ocr"
    FIRST_OCR = "first_ocr"
    NEW_OCR = "new_ocr"
    MULTI_OPPORTUNITY = "multi_opportunity_matching"
    CONTACT_ENRICHMENT = "contact_enrichment"
    BACKSTORY_ENRICHMENT = "backstory_enrichment"
    DEDUPLICATION = "deduplication"
    REMOVAL = "engagement_log_removal"
    REMOVAL_FROM_SYNC = "remove_from_sync"


class Reason:
    """Stable reason codes (ContactDecision.reason) and what each means, in plain words."""

    # Contact creation
    CREATED = "created"
    INTERNAL = "internal"
    EMAIL_MISSING = "email_missing"
    ROLE_ADDRESS = "role_address"
    FREE_MAIL = "free_mail"
    FILTERED = "filtered"
    CONTACT_EXISTS = "contact_exists"
    EMAIL_CHANGED = "email_changed"
    LEAD_EXISTS = "lead_exists"
    PROFILE_OFF = "profile_off"
    NAME_MISSING = "name_missing"
    REQUIRED_FIELD_MISSING = "required_field_missing"
    DOMAIN_NOT_ON_ACCOUNT = "domain_not_on_account"
    USER_NOT_ON_ACCOUNT_TEAM = "user_not_on_account_team"
    # Contact roles
    CLOSED_OPPORTUNITY = "closed_opportunity"
    ALREADY_A_ROLE = "already_a_role"
    DOMAIN_MISMATCH = "domain_mismatch"
    CONTACT_NOT_ON_ACCOUNT = "contact_not_on_account"
    NO_ROLE_IN_ACTIVITY = "no_role_in_activity"
    FIRST_OCR_OFF = "first_ocr_off"
    NO_MANUAL_ROLE = "no_manual_role"
    SEVERAL_OPPORTUNITIES = "several_opportunities"
    AMBIGUOUS_OPPORTUNITY = "ambiguous_opportunity"
    NO_OPEN_OPPORTUNITY = "no_open_opportunity"
    OCR_OFF = "ocr_off"
    # Enrichment
    NEWER_OBSERVATION = "newer_observation"
    ENRICHMENT_OFF = "enrichment_off"
    OLDER_OBSERVATION = "older_observation"
    POLICY_NEVER = "policy_never"
    POLICY_ONLY_IF_EMPTY = "policy_only_if_empty"
    # De-duplication and removal
    DUPLICATE_EMAIL = "duplicate_email"
    REMOVED_BY_ADMIN = "removed_by_admin"
    ACTIVITY_REMOVED_FROM_SYNC = "activity_removed_from_sync"
    CONTACT_ROLE_REMOVED = "contact_role_removed"

    LABELS: dict[str, str] = {
        CREATED: "all rules met",
        INTERNAL: "an internal person",
        EMAIL_MISSING: "no valid email address",
        ROLE_ADDRESS: "an automated or shared (role) address",
        FREE_MAIL: "a free-mail domain",
        FILTERED: "excluded by a local filter",
        CONTACT_EXISTS: "a contact with this email exists",
        EMAIL_CHANGED: "the new address of a contact Backstory created (same name on the same account)",
        LEAD_EXISTS: "a lead with this exact email exists",
        PROFILE_OFF: "contact creation is off in the configuration profile",
        NAME_MISSING: "first or last name missing",
        REQUIRED_FIELD_MISSING: "a field the admin requires is missing",
        DOMAIN_NOT_ON_ACCOUNT: "the email domain is not an account's domain",
        USER_NOT_ON_ACCOUNT_TEAM: "no user on the activity owns or works the account",
        CLOSED_OPPORTUNITY: "the opportunity is closed",
        ALREADY_A_ROLE: "already a contact role on the opportunity",
        DOMAIN_MISMATCH: "the email domain does not match the opportunity's account",
        CONTACT_NOT_ON_ACCOUNT: "the contact belongs to another account",
        NO_ROLE_IN_ACTIVITY: "no one on the activity holds a contact role, and New OCR is off",
        FIRST_OCR_OFF: "the opportunity has no contact role yet, and First OCR is off",
        NO_MANUAL_ROLE: "the opportunity's contact roles were all created by Backstory, and First OCR is off",
        SEVERAL_OPPORTUNITIES: "First OCR needs exactly one possible opportunity",
        AMBIGUOUS_OPPORTUNITY: "several opportunities match, and Multi-Opportunity Matching is off",
        NO_OPEN_OPPORTUNITY: "the account has no open opportunity",
        OCR_OFF: "contact role creation (OCR) is off in the configuration profile",
        NEWER_OBSERVATION: "a newer value was observed",
        ENRICHMENT_OFF: "Contact Enrichment is off for contacts created by hand",
        OLDER_OBSERVATION: "the observation is older than the value already stored",
        POLICY_NEVER: "the field is set to never update",
        POLICY_ONLY_IF_EMPTY: "the field is set to update only if empty, and it has a value",
        DUPLICATE_EMAIL: "a duplicate of an earlier contact with the same email on the same account",
        REMOVED_BY_ADMIN: "removed through the Engagement Log",
        ACTIVITY_REMOVED_FROM_SYNC: "created from an activity an admin removed from sync",
        CONTACT_ROLE_REMOVED: "a contact role created from an activity an admin removed from sync",
    }


# A decision that makes another one redundant on a re-run: the contact created from this
# participant now "exists", the role created now is "already a role".
_IMPLIED = {
    (Action.CONTACT_CREATED, Reason.CREATED): (Action.CONTACT_SKIPPED, Reason.CONTACT_EXISTS),
    (Action.CONTACT_SKIPPED, Reason.EMAIL_CHANGED): (Action.CONTACT_SKIPPED, Reason.CONTACT_EXISTS),
    (Action.OCR_CREATED, Reason.CREATED): (Action.OCR_SKIPPED, Reason.ALREADY_A_ROLE),
}


def _key(decision: ContactDecision) -> tuple:
    return (
        decision.activity_id,
        decision.participant_id,
        decision.action,
        decision.reason,
        decision.opportunity_id,
    )


class DecisionLog:
    """Collects decisions and writes them; duplicates of decisions already stored are dropped.

    `buffered=True` (the engine) keeps decisions in memory until `flush()`: one insert per batch,
    in the batch's transaction, so a decision is stored exactly when the change it explains is.
    """

    def __init__(self, *, buffered: bool = False):
        self.buffered = buffered
        self.pending: list[ContactDecision] = []
        self.written: list[ContactDecision] = []
        self._seen: set[tuple] = set()
        self._loaded_activities: set[int] = set()

    def start_batch(self) -> None:
        """Forget the keys of earlier batches: a run sees each activity in one batch only."""
        self._seen.clear()
        self._loaded_activities.clear()

    def load_existing(self, activity_ids: Iterable[int]) -> None:
        """Remember what is already recorded for these activities, so a re-run adds nothing."""
        wanted = [pk for pk in set(activity_ids) if pk not in self._loaded_activities]
        if not wanted:
            return
        rows = ContactDecision.objects.filter(activity_id__in=wanted).values_list(
            "activity_id", "participant_id", "action", "reason", "opportunity_id"
        )
        for activity_id, participant_id, action, reason, opportunity_id in rows:
            self._seen.add((activity_id, participant_id, action, reason, opportunity_id))
            implied = _IMPLIED.get((action, reason))
            if implied:
                self._seen.add((activity_id, participant_id, *implied, opportunity_id))
        self._loaded_activities.update(wanted)

    def _is_new(self, decision: ContactDecision) -> bool:
        if decision.activity_id is None:
            return True
        key = _key(decision)
        if key in self._seen:
            return False
        self._seen.add(key)
        implied = _IMPLIED.get((decision.action, decision.reason))
        if implied:
            self._seen.add((decision.activity_id, decision.participant_id, *implied, decision.opportunity_id))
        return True

    def record(self, **fields) -> ContactDecision | None:
        """Record one decision (buffered when the log is); None when it was already recorded."""
        decision = build_decision(**fields)
        if not self._is_new(decision):
            return None
        if self.buffered:
            self.pending.append(decision)
        else:
            decision.save()
            self.written.append(decision)
        return decision

    def flush(self) -> int:
        """Write the buffered decisions with one bulk insert; returns how many."""
        if not self.pending:
            return 0
        pending, self.pending = self.pending, []
        ContactDecision.objects.bulk_create(pending, batch_size=1_000)
        self.written.extend(pending)
        return len(pending)


def build_decision(
    *,
    action: str,
    reason: str,
    rule: str,
    message: str,
    email: str = "",
    activity=None,
    participant=None,
    profile=None,
    user=None,
    contact=None,
    lead=None,
    account_id: int | None = None,
    opportunity_id: int | None = None,
    details: dict | None = None,
) -> ContactDecision:
    """An unsaved ContactDecision with its ids set (no extra queries)."""
    return ContactDecision(
        action=action,
        reason=reason,
        rule=rule,
        message=message,
        email=(email or "")[:254],
        activity_id=getattr(activity, "pk", activity),
        participant_id=getattr(participant, "pk", participant),
        profile_id=getattr(profile, "pk", profile),
        user_id=getattr(user, "pk", user),
        contact_id=getattr(contact, "pk", contact),
        lead_id=getattr(lead, "pk", lead),
        account_id=account_id,
        opportunity_id=opportunity_id,
        details=details or {},
    )


@transaction.atomic
def decision_record(**fields) -> ContactDecision:
    """Record one decision of the contact engine now and return it (see `build_decision`)."""
    decision = build_decision(**fields)
    decision.save()
    return decision
