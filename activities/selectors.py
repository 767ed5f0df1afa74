"""Read-side queries over activities. One selector decides what a user may see (privacy)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import Account, AccountDomain
from backstory.backlog import Backlog
from contacts.models import Contact, ContactDecision
from opportunities.models import Opportunity

from .counting import counted
from .models import Activity, ActivityOpportunity, EngineWork, Participant


def activities_in_sync(queryset: QuerySet[Activity] | None = None) -> QuerySet[Activity]:
    """Activities that count: everything captured except what an admin removed from sync."""
    return counted(queryset)


def activities_visible_to(*, user, queryset: QuerySet[Activity] | None = None) -> QuerySet[Activity]:
    """What ``user`` may see. Design: "A private activity is counted in every score but shown only
    to its owner and admins." Scores use ``activities_in_sync``; every list a person reads uses this."""
    queryset = activities_in_sync(queryset)
    if user.is_admin:
        return queryset
    return queryset.filter(Q(is_private=False) | Q(owner_id=user.pk))


def activity_is_visible_to(*, user, activity: Activity) -> bool:
    if activity.removed_from_sync_at is not None:
        return False
    return not activity.is_private or user.is_admin or activity.owner_id == user.pk


# --- the Engagement Log -----------------------------------------------------------------------

LOG_OUTCOMES = {
    "contact": "Matched through a contact",
    "lead": "Matched to a lead",
    "domain": "Matched by domain",
    "manual": "Matched by hand",
    "none": "Not matched",
    "no_opportunity": "Matched to an account, no opportunity",
}


@dataclass(frozen=True)
class LogFilters:
    """The Engagement Log's filters, already validated (see ``activities.forms.LogFilterForm``)."""

    kind: str = ""
    outcome: str = ""
    account_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    search: str = ""
    removed: bool = False
    # Issue 16: "N activities on this account may belong here — review" from an opportunity's page.
    review_for: Opportunity | None = None


def engagement_log_activities(*, user, filters: LogFilters = LogFilters()) -> QuerySet[Activity]:
    """Activities for the Engagement Log, newest first, with what the page shows in a row.

    Privacy comes from ``activities_visible_to``; ``removed`` (admins only) lists what was removed
    from sync instead, for the audit.
    """
    if filters.removed and user.is_admin:
        queryset = Activity.objects.filter(removed_from_sync_at__isnull=False)
    else:
        queryset = activities_visible_to(user=user)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.outcome == "no_opportunity":
        queryset = queryset.filter(account__isnull=False, opportunity_links__isnull=True)
    elif filters.outcome:
        queryset = queryset.filter(account_match=filters.outcome)
    if filters.account_id:
        queryset = queryset.filter(account_id=filters.account_id)
    if filters.review_for is not None:
        queryset = opportunity_review_candidates(opportunity=filters.review_for, queryset=queryset)
    if filters.date_from:
        queryset = queryset.filter(occurred_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(occurred_at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    if filters.search:
        term = filters.search
        people = Participant.objects.filter(activity=OuterRef("pk")).filter(
            Q(email__icontains=term) | Q(name__icontains=term)
        )
        queryset = queryset.filter(
            Q(subject__icontains=term)
            | Q(account__name__icontains=term)
            | Q(lead__last_name__icontains=term)
            | Exists(people)
        )
    decisions = (
        ContactDecision.objects.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        queryset.select_related("owner", "account", "lead", "removed_by")
        .prefetch_related(
            Prefetch("opportunity_links", queryset=ActivityOpportunity.objects.select_related("opportunity"))
        )
        .annotate(decision_count=Coalesce(Subquery(decisions), 0))
        .order_by("-occurred_at", "-id")
    )


def opportunity_review_candidates(
    *, opportunity: Opportunity, queryset: QuerySet[Activity] | None = None
) -> QuerySet[Activity]:
    """Activities on the opportunity's account in its lifetime that are not matched to it: what may
    belong there. The lifetime is matching's candidate window: from 14 days before it was opened to
    14 days after it closed (or today)."""
    from .services.matching_deals import NEAR

    queryset = activities_in_sync() if queryset is None else queryset
    queryset = queryset.filter(account_id=opportunity.account_id).exclude(
        opportunity_links__opportunity_id=opportunity.pk
    )
    opened = opportunity.created_date or opportunity.created_at
    if opened is not None:
        queryset = queryset.filter(occurred_at__gte=opened - NEAR)
    if opportunity.is_closed:
        closed = opportunity.actual_close_date or opportunity.close_date
        if closed is not None:
            queryset = queryset.filter(occurred_at__lt=_start_of(closed + dt.timedelta(days=1)) + NEAR)
    return queryset


@dataclass(frozen=True)
class OpportunityReview:
    """An opportunity with no matched activity, and how many of its account's may belong there."""

    count: int
    opportunity_id: int


def opportunity_review(*, user, opportunity: Opportunity) -> OpportunityReview | None:
    """Issue 16: "An opportunity page with no matched activity but with account activity in its
    lifetime says so and offers 'N activities on this account may belong here — review'". None when
    something is matched to it or nothing the reader may see is on its account in its lifetime."""
    if activities_in_sync().filter(opportunity_links__opportunity_id=opportunity.pk).exists():
        return None
    count = opportunity_review_candidates(
        opportunity=opportunity, queryset=activities_visible_to(user=user)
    ).count()
    return OpportunityReview(count=count, opportunity_id=opportunity.pk) if count else None


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def activity_get_for_user(*, user, pk: int) -> Activity:
    """One activity for the Engagement Log drawer, or Http404 when the user may not see it.

    Admins also see activities removed from sync (for the audit).
    """
    queryset = Activity.objects.select_related("owner", "account", "lead", "removed_by")
    if not user.is_admin:
        queryset = activities_visible_to(user=user, queryset=queryset)
    activity = queryset.filter(pk=pk).first()
    if activity is None:
        raise Http404("No activity you can see has this id.")
    return activity


def activity_participants(*, activity: Activity) -> QuerySet[Participant]:
    return activity.participants.select_related("user", "contact", "contact__account", "lead").order_by("id")


def activity_decisions(*, activity: Activity) -> QuerySet[ContactDecision]:
    """The contact engine's decisions recorded for this activity (read-only here)."""
    return (
        ContactDecision.objects.filter(activity=activity)
        .select_related("contact", "opportunity")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class MatchAlternatives:
    """What Edit Match recommends: accounts sharing a participant's domain (or where a participant is a
    contact), and the open opportunities of the account being chosen."""

    accounts: list[tuple[Account, str]]
    opportunities: list[Opportunity]


def match_alternatives(*, activity: Activity, account: Account | None = None) -> MatchAlternatives:
    """Recommended accounts for ``activity`` and the open opportunities of ``account`` (default: its own)."""
    from accounts.domains import is_free_mail_domain, registrable_domain

    account = account if account is not None else activity.account
    external = [p for p in activity.participants.all() if not p.is_internal]
    reasons: dict[int, str] = {}
    domains = {}
    for participant in external:
        domain = registrable_domain(participant.email)
        if domain and not is_free_mail_domain(domain):
            domains.setdefault(domain, participant.email)
    for account_id, domain in AccountDomain.objects.filter(domain__in=list(domains)).values_list(
        "account_id", "domain"
    ):
        reasons.setdefault(account_id, f"has the domain {domain} ({domains[domain]})")
    contact_accounts = Contact.objects.filter(
        pk__in=[p.contact_id for p in external if p.contact_id], account__isnull=False
    ).values_list("account_id", "email")
    for account_id, email in contact_accounts:
        reasons.setdefault(account_id, f"{email} is a contact there")
    if activity.account_id:
        reasons.setdefault(activity.account_id, "the current match")
    accounts = Account.objects.filter(pk__in=list(reasons)).order_by("name")
    opportunities = []
    if account is not None:
        opportunities = list(
            Opportunity.objects.filter(account=account, is_closed=False)
            .select_related("owner")
            .order_by("name", "id")
        )
    return MatchAlternatives(accounts=[(a, reasons[a.pk]) for a in accounts], opportunities=opportunities)


def records_matched_to(*, activity_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """The ids of the accounts and of the opportunities the given activities are matched to now."""
    ids = list(activity_ids)
    accounts, opportunities = set(), set()
    for start in range(0, len(ids), 2_000):  # bounded IN lists (SQLite's variable limit)
        chunk = ids[start : start + 2_000]
        accounts |= set(
            Activity.objects.filter(id__in=chunk, account_id__isnull=False).values_list(
                "account_id", flat=True
            )
        )
        opportunities |= set(
            ActivityOpportunity.objects.filter(activity_id__in=chunk).values_list("opportunity_id", flat=True)
        )
    return accounts, opportunities


def engine_work_backlog() -> Backlog:
    """The hand-offs to the contact engine and the summaries that have not finished yet."""
    return Backlog.of(EngineWork.objects.filter(done_at__isnull=True), "created_at")
