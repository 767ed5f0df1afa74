"""What the home page lists, search as you type, and opening a record by its Salesforce id."""

import re

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
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


# --- Search: accounts and opportunities by words in any order -------------------------------------
SEARCH_PREVIEW = 8
SEARCH_PAGE_LIMIT = 200


def search_words(query: str) -> list[str]:
    """The words of a search, lower-cased, each once: "Wayne  analytics" -> ["wayne", "analytics"]."""
    return list(dict.fromkeys(word.removeprefix("www.") for word in (query or "").lower().split() if word))


def _match_rank(name: str, query: str, words: list[str]) -> int:
    """0 the exact name, 1 a name that starts with the query, 2 every word starts a word of the name,
    3 the words appear inside the name or elsewhere (the account's name, a domain)."""
    name = name.lower()
    if name == query:
        return 0
    if name.startswith(query):
        return 1
    starts = re.split(r"[\s\-–—/,.()]+", name)
    if all(any(part.startswith(word) for part in starts) for word in words):
        return 2
    return 3


def search_records(*, query: str, user=None, limit: int | None = SEARCH_PREVIEW) -> dict:
    """Accounts and opportunities matching every word of ``query``, in any order, in their name, their
    account's name or a domain ("wayne analytics" finds "Wayne Financial - Analytics Expansion").

    Ranked: exact and prefix matches first, then the user's own records and open deals before closed
    ones, then by name. ``limit`` caps the as-you-type preview (accounts take at most half of it
    when deals match too); None gives every result, up to SEARCH_PAGE_LIMIT of each kind. ``total``
    counts them all, for "See all N results"."""
    query = " ".join((query or "").split())
    words = search_words(query)
    empty = {"accounts": [], "opportunities": [], "query": query, "words": words, "total": 0, "shown": 0}
    if len(query) < 2 or not words:
        return empty
    account_filter, opportunity_filter = Q(), Q()
    for word in words:
        account_filter &= Q(name__icontains=word) | Q(domains__domain__istartswith=word)
        opportunity_filter &= (
            Q(name__icontains=word)
            | Q(account__name__icontains=word)
            | Q(account__domains__domain__istartswith=word)
        )
    if user is not None:
        my_accounts = Account.objects.filter(Q(owner=user) | Q(team_members__user=user), pk=OuterRef("pk"))
        my_deals = Opportunity.objects.filter(
            Q(owner=user) | Q(account__owner=user) | Q(account__team_members__user=user), pk=OuterRef("pk")
        )
        mine_account, mine_deal = Exists(my_accounts), Exists(my_deals)
    else:
        mine_account = mine_deal = Value(False)
    account_ids = Account.objects.filter(account_filter).values("pk")
    accounts = list(
        Account.objects.filter(pk__in=account_ids)
        .annotate(is_mine=mine_account)
        .prefetch_related("domains")
        .order_by("name")[:SEARCH_PAGE_LIMIT]
    )
    deal_ids = Opportunity.objects.filter(opportunity_filter).values("pk")
    opportunities = list(
        Opportunity.objects.filter(pk__in=deal_ids)
        .annotate(is_mine=mine_deal)
        .select_related("account")
        .order_by("name")[:SEARCH_PAGE_LIMIT]
    )
    lowered = query.lower()

    def account_rank(account) -> tuple:
        names = [account.name] + [d.domain for d in account.domains.all()]
        return (min(_match_rank(n, lowered, words) for n in names), not account.is_mine, account.name.lower())

    def opportunity_rank(opportunity) -> tuple:
        match = _match_rank(opportunity.name, lowered, words)
        return (match, opportunity.is_closed, not opportunity.is_mine, opportunity.name.lower())

    accounts.sort(key=account_rank)
    opportunities.sort(key=opportunity_rank)
    total = len(accounts) + len(opportunities)
    if limit is not None:
        keep_accounts = min(len(accounts), max(limit - len(opportunities), limit // 2))
        accounts, opportunities = accounts[:keep_accounts], opportunities[: limit - keep_accounts]
    return {
        "accounts": accounts,
        "opportunities": opportunities,
        "query": query,
        "words": words,
        "total": total,
        "shown": len(accounts) + len(opportunities),
    }


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
