"""Read-side queries over opportunities that pages share."""

from django.db.models import F, QuerySet

from accounts.selectors import record_version_get, user_may_open_records

from .models import Opportunity, OpportunityContactRole


def opportunity_get_for_user(*, user, pk: int) -> Opportunity | None:
    """The opportunity ``pk`` with its account and owner, if ``user`` may open it (the same rule as
    accounts: ``accounts.selectors.user_may_open_records``)."""
    if not user_may_open_records(user):
        return None
    return Opportunity.objects.select_related("account", "owner").filter(pk=pk).first()


def opportunity_version_get_for_user(*, user, pk: int) -> Opportunity | None:
    """What a Backstory page needs before its cached sections: the opportunity's id, name, account
    and creation time, and which version of its summary exists; ``None`` if ``user`` may not open it."""
    if not user_may_open_records(user):
        return None
    return record_version_get(Opportunity, pk=pk, fields=("id", "name", "created_at", "account_id"))


def contact_roles_for_opportunity(*, opportunity: Opportunity) -> QuerySet[OpportunityContactRole]:
    """The opportunity's contact roles with their contacts, the primary one first."""
    return (
        OpportunityContactRole.objects.filter(opportunity=opportunity)
        .select_related("contact")
        .order_by("-is_primary", "contact__last_name", "contact__first_name", "pk")
    )


def opportunities_open_for_account(*, account, limit: int = 5) -> list[Opportunity]:
    """The account's open opportunities, the next to close first (at most ``limit``)."""
    return list(
        Opportunity.objects.filter(account=account, is_closed=False)
        .select_related("owner")
        .order_by(F("close_date").asc(nulls_last=True), "name", "pk")[:limit]
    )
