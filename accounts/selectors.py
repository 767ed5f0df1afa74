"""Read-side queries over accounts that pages share."""

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from insights.services.engagement import engagement_band
from opportunities.models import Opportunity

from .models import Account, AccountDomain, AccountTeamMember


def accounts_for_user(*, user) -> QuerySet[Account]:
    """Accounts the user works: owned, on the account team, or owning an opportunity there."""
    return (
        Account.objects.filter(Q(owner=user) | Q(team_members__user=user) | Q(opportunities__owner=user))
        .distinct()
        .order_by("name")
    )


def accounts_for_home(*, user) -> dict:
    """What the home page lists: the user's accounts and open opportunities (admins see the biggest ones)."""
    mine = accounts_for_user(user=user)
    if not mine.exists() and (user.is_staff or user.is_superuser):
        mine = Account.objects.all()
    # A subquery, not Count(): `mine` joins team members and opportunities, which would count an
    # opportunity once per joined row.
    open_opportunities = (
        Opportunity.objects.filter(account=OuterRef("pk"), is_closed=False)
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # The most engaged first: where a rep's attention pays off; accounts with no summary yet last.
    accounts = mine.annotate(
        open_opportunity_count=Coalesce(Subquery(open_opportunities), 0),
        engagement_level=F("summary__engagement_level"),
        latest_activity_at=F("summary__latest_activity_at"),
    ).order_by(F("engagement_level").desc(nulls_last=True), "name")
    opportunities = (
        Opportunity.objects.filter(is_closed=False)
        .filter(Q(owner=user) | Q(account__in=mine.values("pk")))
        .select_related("account", "owner")
        .order_by("close_date", "name")
    )
    rows = list(accounts[:25])
    for account in rows:
        account.engagement_band = (
            engagement_band(account.engagement_level) if account.engagement_level is not None else ""
        )
    return {"accounts": rows, "opportunities": opportunities[:25]}


def search_records(*, query: str, limit: int = 8) -> dict:
    """Accounts and opportunities whose name contains the query, or whose account has the domain."""
    query = (query or "").strip()
    if len(query) < 2:
        return {"accounts": [], "opportunities": [], "query": query}
    domain_query = query.lower().removeprefix("www.")
    accounts = (
        Account.objects.filter(Q(name__icontains=query) | Q(domains__domain__istartswith=domain_query))
        .distinct()
        .prefetch_related("domains")
        .order_by("name")[:limit]
    )
    opportunities = (
        Opportunity.objects.filter(
            Q(name__icontains=query) | Q(account__domains__domain__istartswith=domain_query)
        )
        .distinct()
        .select_related("account")
        .order_by("is_closed", "name")[:limit]
    )
    return {"accounts": list(accounts), "opportunities": list(opportunities), "query": query}


def account_team(*, account: Account) -> list[AccountTeamMember]:
    """The account team (the owner is shown apart), in name order."""
    return list(
        AccountTeamMember.objects.filter(account=account)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )


# --- Opening a record: one helper fetches and checks together -------------------------------------

_SALESFORCE_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
ACCOUNT_KEY_PREFIX = "001"
OPPORTUNITY_KEY_PREFIX = "006"


def user_may_open_records(user) -> bool:
    """Every active person of the company may open any account or opportunity page: the org's
    records are shared read-only, as in Salesforce's default sharing. What differs from one user to
    the next is which activities they see (``activities.selectors.activities_visible_to``). The
    integration user owns records but is nobody's login."""
    return bool(
        user and user.is_authenticated and user.is_active and not getattr(user, "is_integration_user", False)
    )


def with_summary_version(queryset: QuerySet) -> QuerySet:
    """Annotate accounts or opportunities with which version of their cached summary exists
    (``summary_pk``, ``summary_generated_at``, ``summary_is_stale``, ``summary_stale_since``): a page's
    sections are cached by it, and its large JSON content loads only when a section is rendered
    (``page_selectors.Record.with_full_summary``)."""
    return queryset.annotate(
        summary_pk=F("summary__id"),
        summary_generated_at=F("summary__generated_at"),
        summary_is_stale=F("summary__is_stale"),
        summary_stale_since=F("summary__stale_since"),
    )


def _accounts_with_details():
    primary = AccountDomain.objects.filter(account=OuterRef("pk"), is_primary=True).values("domain")[:1]
    return Account.objects.select_related("owner").annotate(primary_domain_name=Subquery(primary))


def account_get_for_user(*, user, pk: int) -> Account | None:
    """The account ``pk`` with its owner and primary domain (``primary_domain_name``), if ``user``
    may open it."""
    if not user_may_open_records(user):
        return None
    return _accounts_with_details().filter(pk=pk).first()


def account_version_get_for_user(*, user, pk: int) -> Account | None:
    """What a Backstory page needs before its cached sections: the account's id, name and creation
    time, and which version of its summary exists; ``None`` if ``user`` may not open it."""
    if not user_may_open_records(user):
        return None
    return with_summary_version(Account.objects.only("id", "name", "created_at")).filter(pk=pk).first()


def salesforce_id_forms(value: str) -> list[str]:
    """The ways a Salesforce id may be stored: as given, its 15-character case-sensitive form, and
    its 18-character case-safe form (the 15 characters plus a checksum of where the capitals are)."""
    value = (value or "").strip()
    if len(value) not in (15, 18) or not value.isalnum() or not value.isascii():
        return []
    fifteen = value[:15]
    suffix = ""
    for start in (0, 5, 10):
        flags = sum(
            1 << position for position, char in enumerate(fifteen[start : start + 5]) if "A" <= char <= "Z"
        )
        suffix += _SALESFORCE_SUFFIX_ALPHABET[flags]
    return list(dict.fromkeys([value, fifteen, fifteen + suffix]))


def record_get_by_crm_id(*, user, crm_id: str) -> Account | Opportunity | None:
    """The account (key prefix 001) or opportunity (006) with this 15- or 18-character Salesforce id,
    if ``user`` may open it: what a Salesforce tab or Canvas app asks for (the page's first fetch,
    as ``account_version_get_for_user``)."""
    forms = salesforce_id_forms(crm_id)
    if not forms or not user_may_open_records(user):
        return None
    prefix = forms[0][:3]
    if prefix == ACCOUNT_KEY_PREFIX:
        queryset = Account.objects.only("id", "name", "created_at")
    elif prefix == OPPORTUNITY_KEY_PREFIX:
        queryset = Opportunity.objects.only("id", "name", "created_at", "account_id")
    else:
        return None
    return with_summary_version(queryset).filter(crm_id__in=forms).order_by("pk").first()
