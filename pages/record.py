"""The record a Backstory page is about: an account or an opportunity, with its cached summary.

The two kinds of record share one page. What differs between them is said once, in their
``RecordKind``: where the page lives (URL namespace, template with its side cards), which summary
sections it has, which activities and people are the record's, and how a reader opens one.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Account
from accounts.selectors import account_team, account_version_get_for_user, accounts_with_details
from activities.models import Activity, Participant
from activities.selectors import activities_visible_to
from insights.models import EngagementSnapshot, PersonEngagement, Summary
from opportunities.models import Opportunity, OpportunityContactRole
from opportunities.selectors import (
    contact_roles_for_opportunity,
    opportunities_open_for_account,
    opportunity_version_get_for_user,
)


class RecordKind(abc.ABC):
    """What differs between the account page and the opportunity page."""

    key: str  # "account" or "opportunity"; the assistant's record type too
    label: str
    namespace: str  # the URL namespace of the page's routes
    template: str  # the whole page: its facts and side cards differ between kinds
    sections: tuple[str, ...]  # the summary's sections, in page order
    snapshot_subject: str

    @abc.abstractmethod
    def version_get_for_user(self, *, user, pk: int) -> Account | Opportunity | None:
        """The record's id, name and summary version, if ``user`` may open it (the page's first fetch)."""

    @abc.abstractmethod
    def with_details(self, pk: int) -> Account | Opportunity:
        """The record with the fields its facts and side cards show."""

    @abc.abstractmethod
    def activities(self, pk: int) -> QuerySet[Activity]:
        """Every activity matched to the record (privacy not applied yet)."""

    @abc.abstractmethod
    def people(self, pk: int) -> QuerySet[PersonEngagement]:
        """The engine's people metrics of the record."""

    @abc.abstractmethod
    def side(self, obj, *, user, record_url: Callable[[Account | Opportunity], str]) -> dict:
        """What the side cards show ``user``; ``record_url`` links to another record's page."""

    def __repr__(self) -> str:
        return f"<RecordKind {self.key}>"


class AccountKind(RecordKind):
    key = "account"
    label = "Account"
    namespace = "accounts"
    template = "pages/account.html"
    sections = ("key_topics", "next_steps", "risks")
    snapshot_subject = EngagementSnapshot.Subject.ACCOUNT

    def version_get_for_user(self, *, user, pk: int) -> Account | None:
        return account_version_get_for_user(user=user, pk=pk)

    def with_details(self, pk: int) -> Account:
        return accounts_with_details().get(pk=pk)

    def activities(self, pk: int) -> QuerySet[Activity]:
        return Activity.objects.filter(account_id=pk)

    def people(self, pk: int) -> QuerySet[PersonEngagement]:
        return PersonEngagement.objects.filter(account_id=pk, opportunity__isnull=True)

    def side(self, obj: Account, *, user, record_url) -> dict:
        opportunities = opportunities_open_for_account(account=obj)
        for opportunity in opportunities:
            opportunity.page_url = record_url(opportunity)
        return {"open_opportunities": opportunities, "team": account_team(account=obj)}


class OpportunityKind(RecordKind):
    key = "opportunity"
    label = "Opportunity"
    namespace = "opportunities"
    template = "pages/opportunity.html"
    sections = ("key_topics", "next_steps", "risks", "warnings")
    snapshot_subject = EngagementSnapshot.Subject.OPPORTUNITY

    def version_get_for_user(self, *, user, pk: int) -> Opportunity | None:
        return opportunity_version_get_for_user(user=user, pk=pk)

    def with_details(self, pk: int) -> Opportunity:
        return Opportunity.objects.select_related("account", "owner").get(pk=pk)

    def activities(self, pk: int) -> QuerySet[Activity]:
        return Activity.objects.filter(opportunity_links__opportunity_id=pk)

    def people(self, pk: int) -> QuerySet[PersonEngagement]:
        return PersonEngagement.objects.filter(opportunity_id=pk)

    def side(self, obj: Opportunity, *, user, record_url) -> dict:
        return {
            "contact_roles": list(
                contact_roles_known_to(contact_roles_for_opportunity(opportunity=obj), user=user)
            )
        }


def contact_roles_known_to(
    roles: QuerySet[OpportunityContactRole], *, user
) -> QuerySet[OpportunityContactRole]:
    """The contact roles ``user`` may know of.

    Issue 15: "a person, contact role or next meeting known only from activities a reader may not
    see is not shown to that reader". A role from the CRM is shown; a role Backstory created from
    activities only when the reader can see one of the account's activities with that contact on it.
    """
    seen = Participant.objects.filter(
        activity__account_id=OuterRef("opportunity__account_id"),
        activity__in=activities_visible_to(user=user).values("pk"),
        email__iexact=OuterRef("contact__email"),
    )
    return roles.filter(Q(created_by_backstory=False) | Exists(seen))


ACCOUNT = AccountKind()
OPPORTUNITY = OpportunityKind()
KINDS: dict[str, RecordKind] = {kind.key: kind for kind in (ACCOUNT, OPPORTUNITY)}


def kind_of(obj: Account | Opportunity) -> RecordKind:
    """The kind of record ``obj`` is."""
    return OPPORTUNITY if isinstance(obj, Opportunity) else ACCOUNT


@dataclass(frozen=True)
class Record:
    """An account or an opportunity, with its cached summary (None before the engine has run)."""

    kind: RecordKind
    obj: Account | Opportunity
    summary: Summary | None

    @property
    def pk(self) -> int:
        return self.obj.pk

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def is_account(self) -> bool:
        return self.kind is ACCOUNT

    @property
    def is_opportunity(self) -> bool:
        return self.kind is OPPORTUNITY

    @property
    def kind_label(self) -> str:
        return self.kind.label

    def activities(self) -> QuerySet[Activity]:
        """Every activity matched to the record (privacy not applied yet)."""
        return self.kind.activities(self.pk)

    def people(self) -> QuerySet[PersonEngagement]:
        """The engine's people metrics of this record."""
        return self.kind.people(self.pk)

    def with_details(self) -> Record:
        """This record with the fields its facts and side cards show (owner, primary domain, the
        opportunity's account): pages fetch only its name and summary version first."""
        if not self.obj.get_deferred_fields():
            return self
        return Record(self.kind, self.kind.with_details(self.pk), self.summary)

    def with_full_summary(self) -> Record:
        """This record with every field of its summary loaded (the page helpers defer the large
        JSON fields until a section is rendered): one query, or none."""
        if self.summary is None or not self.summary.get_deferred_fields():
            return self
        return Record(self.kind, self.obj, Summary.objects.get(pk=self.summary.pk))

    @property
    def snapshot_subject(self) -> str:
        return self.kind.snapshot_subject


def _cached_summary(obj) -> Summary | None:
    """The record's summary: only its version (id, version, generated_at, is_stale, stale_since) when the
    record was fetched with ``accounts.selectors.with_summary_version``, the whole of it otherwise."""
    if hasattr(obj, "summary_pk"):
        if obj.summary_pk is None:
            return None
        loaded = {
            "id": obj.summary_pk,
            "version": obj.summary_version,
            "generated_at": obj.summary_generated_at,
            "is_stale": obj.summary_is_stale,
            "stale_since": obj.summary_stale_since,
            "latest_activity_at": obj.summary_latest_activity_at,
            "engagement_level": obj.summary_engagement_level,
        }
        # from_db takes the loaded values in the model's field order
        names = [f.attname for f in Summary._meta.concrete_fields if f.attname in loaded]
        return Summary.from_db(Summary.objects.db, names, [loaded[name] for name in names])
    try:
        return obj.summary
    except Summary.DoesNotExist:
        return None


def record_for(obj: Account | Opportunity) -> Record:
    """The page record of an account or an opportunity fetched by a permission-checked selector
    (``RecordKind.version_get_for_user``, ``pages.selectors.record_get_by_crm_id``)."""
    return Record(kind_of(obj), obj, _cached_summary(obj))
