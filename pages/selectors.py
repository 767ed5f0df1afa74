"""What the home page lists, search as you type, and opening a record by its Salesforce id."""

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Account
from accounts.selectors import accounts_for_user, user_may_open_records, with_summary_version
from crm.ids import ACCOUNT_KEY_PREFIX, OPPORTUNITY_KEY_PREFIX, salesforce_id_forms
from insights.services.engagement import engagement_band
from opportunities.models import Opportunity


def accounts_for_home(*, user) -> dict:
    """What the home page lists: the user's accounts and open opportunities (admins see the biggest ones)."""
    mine = accounts_for_user(user=user)
    if not mine.exists() and user.is_admin:
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
