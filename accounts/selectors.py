"""Read-side queries over accounts: whose they are, who may open them, their team."""

import functools

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from backstory.compiled_queries import CompiledGet

from .models import Account, AccountDomain, AccountTeamMember


def accounts_for_user(*, user) -> QuerySet[Account]:
    """Accounts the user works: owned, on the account team, or owning an opportunity there."""
    return (
        Account.objects.filter(Q(owner=user) | Q(team_members__user=user) | Q(opportunities__owner=user))
        .distinct()
        .order_by("name")
    )


def account_team(*, account: Account) -> list[AccountTeamMember]:
    """The account team (the owner is shown apart), in name order."""
    return list(
        AccountTeamMember.objects.filter(account=account)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )


# --- Opening a record: one helper fetches and checks together -------------------------------------


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
    (``summary_pk``, ``summary_version``, ``summary_generated_at``, ``summary_is_stale``,
    ``summary_stale_since``, and whether it holds any data: ``summary_latest_activity_at``,
    ``summary_engagement_level``) and when the record itself was last written (``record_updated_at``):
    a page and its sections are cached by them, and the summary's large JSON content loads only when
    a section is rendered (``pages.record.Record.with_full_summary``)."""
    return queryset.annotate(
        record_updated_at=F("updated_at"),
        summary_pk=F("summary__id"),
        summary_version=F("summary__version"),
        summary_generated_at=F("summary__generated_at"),
        summary_is_stale=F("summary__is_stale"),
        summary_stale_since=F("summary__stale_since"),
        summary_latest_activity_at=F("summary__latest_activity_at"),
        summary_engagement_level=F("summary__engagement_level"),
    )


def accounts_with_details() -> QuerySet[Account]:
    """Accounts with their owner and primary domain (``primary_domain_name``)."""
    primary = AccountDomain.objects.filter(account=OuterRef("pk"), is_primary=True).values("domain")[:1]
    return Account.objects.select_related("owner").annotate(primary_domain_name=Subquery(primary))


def account_get_for_user(*, user, pk: int) -> Account | None:
    """The account ``pk`` with its owner and primary domain (``primary_domain_name``), if ``user``
    may open it."""
    if not user_may_open_records(user):
        return None
    return accounts_with_details().filter(pk=pk).first()


def account_version_get_for_user(*, user, pk: int) -> Account | None:
    """What a Backstory page needs before its cached sections: the account's id, name and creation
    time, and which version of its summary exists; ``None`` if ``user`` may not open it."""
    if not user_may_open_records(user):
        return None
    return record_version_get(Account, pk=pk, fields=("id", "name", "created_at"))


@functools.cache
def _version_get(model, fields: tuple[str, ...]) -> CompiledGet:
    # Compiled once per process: building and compiling this query cost a page load more CPU than
    # the database takes to answer it.
    return CompiledGet(lambda: with_summary_version(model.objects.only(*fields)))


def record_version_get(model, *, pk: int, fields: tuple[str, ...]):
    """The account or opportunity ``pk`` with only ``fields`` and its summary version
    (``with_summary_version``), or None: a page load's one query about its record."""
    return _version_get(model, fields).get(pk)
