"""Matching an activity to an account (or a lead) and to opportunities, and saying how.

The order, as the product does it:

1. a participant who is a known contact matches the contact's account;
2. otherwise a participant who is a lead with this exact email matches the lead;
3. otherwise an external participant's registrable domain matches the account holding it
   (primary or secondary); free-mail domains never match an account.

Then, on the matched account, every candidate deal is scored on evidence (``matching_deals``):
the primary match is the one that clearly leads; with multi-opportunity matching on in the owner's
configuration profile, every candidate over the threshold is linked too.

``match_one`` is pure: it reads a ``MatchContext`` that was loaded for a whole batch with a fixed
number of queries, so matching never queries per participant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from accounts.domains import is_free_mail_domain, registrable_domain
from accounts.models import Account, AccountDomain
from backstory import clock
from contacts.models import ConfigurationProfile, Contact
from opportunities.models import Opportunity, OpportunityContactRole
from users.models import User

from ..models import Activity, ActivityOpportunity
from .bulk import among, in_chunk_size
from .matching_deals import NEAR, ActivityFacts, Deal, DealTerms, Link, choose_deals, deal_terms


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


def _chunks(values: Sequence) -> Iterable[Sequence]:
    size = in_chunk_size()
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- what matching reads ----------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A participant as matching sees it."""

    email: str
    name: str = ""
    role: str = ""
    is_internal: bool = False
    contact_id: int | None = None
    lead_id: int | None = None
    user_id: int | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.email})" if self.name and self.name != self.email else self.email


@dataclass(frozen=True)
class AccountFacts:
    id: int
    name: str
    created_at: dt.datetime


@dataclass(frozen=True)
class DomainHolder:
    """One account holding a domain, with the facts the shared-domain rule looks at."""

    account_id: int
    name: str
    is_primary: bool
    has_open_opportunity: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class MatchProfile:
    """The part of the owner's configuration profile that matching reads."""

    name: str | None = None
    multi_opportunity_matching: bool = False


@dataclass
class MatchContext:
    """Everything matching needs for one batch of activities, loaded with a fixed number of queries."""

    contact_accounts: dict[int, int] = field(default_factory=dict)
    domain_holders: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)
    accounts: dict[int, AccountFacts] = field(default_factory=dict)
    deals: dict[int, list[Deal]] = field(default_factory=dict)
    role_holders: dict[int, set[int]] = field(default_factory=dict)
    # thread id -> [(occurred_at, activity id, opportunity id)] of activities already matched
    thread_links: dict[str, list[tuple[dt.datetime, int, int]]] = field(default_factory=dict)
    _terms: dict[int, DealTerms] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        *,
        people: Iterable[Person],
        contact_accounts: dict[int, int | None] | None = None,
        activities: Sequence[ActivityFacts] = (),
    ) -> MatchContext:
        """Load the context for these participants and activities.

        ``contact_accounts`` (contact id → account id) may be passed when the caller already read
        it while resolving people; otherwise it is queried. ``activities`` gives the earliest time
        (deals closed since then are candidates) and the threads whose earlier matches count.
        """
        contact_ids: set[int] = set()
        domains: set[str] = set()
        for person in people:
            if person.is_internal:
                continue
            if person.contact_id:
                contact_ids.add(person.contact_id)
            domain = registrable_domain(person.email)
            if domain and not is_free_mail_domain(domain):
                domains.add(domain)
        ctx = cls()
        if contact_accounts is None:
            contact_accounts = {}
            ids = sorted(contact_ids)
            for chunk in _chunks(ids):
                contact_accounts.update(
                    Contact.objects.filter(among("id", chunk)).values_list("id", "account_id")
                )
        ctx.contact_accounts = {c: a for c, a in contact_accounts.items() if c in contact_ids and a}
        for chunk in _chunks(sorted(domains)):
            for domain, account_id, is_primary in AccountDomain.objects.filter(
                among("domain", chunk)
            ).values_list("domain", "account_id", "is_primary"):
                ctx.domain_holders.setdefault(domain, []).append((account_id, is_primary))
        account_ids = set(ctx.contact_accounts.values())
        for holders in ctx.domain_holders.values():
            account_ids.update(account_id for account_id, _ in holders)
        times = [a.occurred_at for a in activities if a.occurred_at is not None]
        since = min(times) - NEAR if times else None
        ctx.add_accounts(account_ids, contact_ids, closed_since=since)
        ctx.add_threads({a.thread_id for a in activities if a.thread_id})
        return ctx

    def add_accounts(
        self,
        account_ids: Iterable[int],
        contact_ids: Iterable[int],
        *,
        closed_since: dt.datetime | None = None,
    ) -> None:
        """Load names, candidate deals (open, or closed since ``closed_since``) and participants'
        contact roles of these accounts."""
        ids = sorted(set(account_ids) - set(self.accounts))
        opportunity_ids: list[int] = []
        now = clock.now()
        for chunk in _chunks(ids):
            for account_id, name, created_at in Account.objects.filter(among("id", chunk)).values_list(
                "id", "name", "created_at"
            ):
                self.accounts[account_id] = AccountFacts(account_id, name, created_at)
            wanted = Q(is_closed=False)
            if closed_since is not None:
                since = closed_since.date()
                wanted |= Q(is_closed=True, actual_close_date__gte=since) | Q(
                    is_closed=True, actual_close_date__isnull=True, close_date__gte=since
                )
            for row in (
                Opportunity.objects.filter(among("account_id", chunk))
                .filter(wanted)
                .order_by("name", "id")
                .values_list(
                    "id",
                    "account_id",
                    "name",
                    "owner_id",
                    "owner__first_name",
                    "owner__last_name",
                    "created_date",
                    "is_closed",
                    "actual_close_date",
                    "close_date",
                    "stage",
                )
            ):
                opp_id, account_id, name, owner_id, first, last, opened, closed, actual, planned, stage = row
                closed_at = _end_of(actual or planned) if closed and (actual or planned) else None
                if closed and (closed_at is None or closed_at > now):
                    continue  # closed, but when is not known: never a candidate
                self.deals.setdefault(account_id, []).append(
                    Deal(
                        id=opp_id,
                        name=name,
                        owner_id=owner_id,
                        owner_name=f"{first} {last}".strip(),
                        opened_at=opened,
                        closed_at=closed_at,
                        is_closed=closed,
                        stage=stage,
                    )
                )
                opportunity_ids.append(opp_id)
        contacts = sorted(set(contact_ids))
        if not contacts or not opportunity_ids:
            return
        for opp_chunk in _chunks(opportunity_ids):
            for contact_chunk in _chunks(contacts):
                for opp_id, contact_id in OpportunityContactRole.objects.filter(
                    among("opportunity_id", opp_chunk), among("contact_id", contact_chunk)
                ).values_list("opportunity_id", "contact_id"):
                    self.role_holders.setdefault(opp_id, set()).add(contact_id)

    def add_threads(self, thread_ids: Iterable[str]) -> None:
        """Load the opportunities earlier activities of these threads were matched to."""
        for chunk in _chunks(sorted(set(thread_ids) - set(self.thread_links))):
            for thread_id in chunk:
                self.thread_links.setdefault(thread_id, [])
            for thread_id, occurred_at, activity_id, opp_id in ActivityOpportunity.objects.filter(
                among("activity__thread_id", chunk), activity__removed_from_sync_at__isnull=True
            ).values_list("activity__thread_id", "activity__occurred_at", "activity_id", "opportunity_id"):
                self.thread_links[thread_id].append((occurred_at, activity_id, opp_id))

    def note_match(self, *, activity: ActivityFacts, opportunity_ids: Iterable[int]) -> None:
        """Record a match made in this batch, so later activities of its thread see it."""
        if not activity.thread_id:
            return
        links = [
            link for link in self.thread_links.get(activity.thread_id, []) if link[1] != activity.activity_id
        ]
        if activity.occurred_at is not None:
            links += [(activity.occurred_at, activity.activity_id, opp_id) for opp_id in opportunity_ids]
        self.thread_links[activity.thread_id] = links

    def thread_deal_ids(self, activity: ActivityFacts) -> set[int]:
        """Opportunities an earlier activity of the same thread is matched to."""
        if not activity.thread_id:
            return set()
        return {
            opp_id
            for occurred_at, activity_id, opp_id in self.thread_links.get(activity.thread_id, ())
            if activity_id != activity.activity_id
            and (activity.occurred_at is None or occurred_at < activity.occurred_at)
        }

    def terms_of(self, deal: Deal, account_name: str) -> DealTerms:
        terms = self._terms.get(deal.id)
        if terms is None:
            terms = self._terms[deal.id] = deal_terms(deal=deal, account_name=account_name)
        return terms

    def holders_of(self, domain: str) -> list[DomainHolder]:
        return [
            DomainHolder(
                account_id=account_id,
                name=self.accounts[account_id].name,
                is_primary=is_primary,
                has_open_opportunity=any(not d.is_closed for d in self.deals.get(account_id, ())),
                created_at=self.accounts[account_id].created_at,
            )
            for account_id, is_primary in self.domain_holders.get(domain, [])
            if account_id in self.accounts
        ]


class ProfileBook:
    """Activity owners' configuration profiles (the user's own, else the default) and privacy setting."""

    def __init__(self, *, profiles: dict[int, MatchProfile], default_id: int | None):
        self.profiles = profiles
        self.default_id = default_id
        self.user_profiles: dict[int, int | None] = {}
        self.private_by_default: dict[int, bool] = {}

    @classmethod
    def load(cls, user_ids: Iterable[int | None] = ()) -> ProfileBook:
        profiles: dict[int, MatchProfile] = {}
        default_id = None
        for pk, name, multi, is_default in ConfigurationProfile.objects.values_list(
            "id", "name", "multi_opportunity_matching", "is_default"
        ):
            profiles[pk] = MatchProfile(name, multi)
            if is_default:
                default_id = pk
        book = cls(profiles=profiles, default_id=default_id)
        book.add_users(user_ids)
        return book

    def add_users(self, user_ids: Iterable[int | None]) -> None:
        wanted = sorted({u for u in user_ids if u and u not in self.user_profiles})
        for chunk in _chunks(wanted):
            for pk, profile_id, private in User.objects.filter(among("id", chunk)).values_list(
                "id", "configuration_profile_id", "private_by_default"
            ):
                self.user_profiles[pk] = profile_id
                self.private_by_default[pk] = private

    def is_private(self, owner_id: int | None, *, marked_private: bool = False) -> bool:
        """Whether a new activity of this owner is private: marked so where it came from, or the
        owner keeps every activity private by default."""
        # Design: "A private activity is counted in every score but shown only to its owner and admins."
        return marked_private or bool(owner_id and self.private_by_default.get(owner_id))

    def profile_id_for(self, user_id: int | None) -> int | None:
        """Seed: the profile of the activity's owner: user.configuration_profile or the default."""
        own = self.user_profiles.get(user_id) if user_id else None
        return own or self.default_id

    def for_user(self, user_id: int | None) -> MatchProfile:
        profile_id = self.profile_id_for(user_id)
        return self.profiles.get(profile_id, MatchProfile()) if profile_id else MatchProfile()


# --- the rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchOutcome:
    account_id: int | None = None
    lead_id: int | None = None
    account_match: str = Activity.AccountMatch.NONE
    opportunity_match: str = Activity.OpportunityMatch.NONE
    opportunities: tuple[Link, ...] = ()
    explanation: str = ""

    @property
    def confidence(self) -> int | None:
        """The primary match's confidence (the best link's when none leads); None without a link."""
        primary = [link.confidence for link in self.opportunities if link.is_primary]
        return (primary or [max((link.confidence for link in self.opportunities), default=None)])[0]

    def same_as(self, *, account_id, lead_id, account_match, opportunity_match, explanation, links) -> bool:
        return (
            self.account_id,
            self.lead_id,
            self.account_match,
            self.opportunity_match,
            self.explanation,
        ) == (account_id, lead_id, account_match, opportunity_match, explanation) and set(
            self.opportunities
        ) == set(links)


def choose_domain_holder(holders: Sequence[DomainHolder]) -> tuple[DomainHolder, str]:
    """The account a shared domain matches, and why (empty when only one account holds it).

    AccountDomain: "Capture then prefers the account that holds it as its primary domain, then the
    one with an open opportunity, then the oldest account."
    """
    ranked = sorted(
        holders, key=lambda h: (not h.is_primary, not h.has_open_opportunity, h.created_at, h.account_id)
    )
    chosen = ranked[0]
    if len(ranked) == 1:
        return chosen, ""
    others = ", ".join(h.name for h in ranked[1:])
    runner_up = ranked[1]
    if chosen.is_primary and not runner_up.is_primary:
        why = "it is its primary domain"
    elif chosen.has_open_opportunity and not runner_up.has_open_opportunity:
        why = "it has an open opportunity"
    else:
        why = "it is the oldest account"
    return chosen, f"The domain is shared with {others}; {chosen.name} was chosen because {why}."


def _most_common_first(groups: dict) -> object:
    """The key with the longest list; on a tie, the one seen first (participants' order)."""
    best, best_size = None, -1
    for key, members in groups.items():
        if len(members) > best_size:
            best, best_size = key, len(members)
    return best


def match_opportunities(
    *,
    account_id: int,
    people: Sequence[Person],
    profile: MatchProfile,
    ctx: MatchContext,
    activity: ActivityFacts,
) -> tuple[str, tuple[Link, ...], str]:
    """(opportunity_match, links, explanation) on the matched account, from the evidence."""
    account = ctx.accounts[account_id]
    deals = ctx.deals.get(account_id, [])
    profile_words = f"the owner's profile “{profile.name}”" if profile.name else "the owner's profile"
    choice = choose_deals(
        account_name=account.name,
        deals=deals,
        terms={d.id: ctx.terms_of(d, account.name) for d in deals},
        activity=activity,
        people=people,
        role_holders=ctx.role_holders,
        thread_deal_ids=ctx.thread_deal_ids(activity),
        multi=profile.multi_opportunity_matching,
        profile_words=profile_words,
    )
    return choice.match, choice.links, choice.explanation


def match_one(
    *,
    people: Sequence[Person],
    profile: MatchProfile,
    ctx: MatchContext,
    activity: ActivityFacts = ActivityFacts(),
) -> MatchOutcome:
    """Match one activity from its participants, subject, body, time and thread. Pure: reads only ``ctx``."""
    A = Activity.AccountMatch
    external = [p for p in people if not p.is_internal]
    if not external:
        return MatchOutcome(explanation="No match: everyone on it is a colleague (an internal activity).")

    # 1. Seed: "a participant who is a known contact matches the contact's account".
    by_account: dict[int, list[Person]] = {}
    for person in external:
        account_id = ctx.contact_accounts.get(person.contact_id) if person.contact_id else None
        if account_id and account_id in ctx.accounts:
            by_account.setdefault(account_id, []).append(person)
    if by_account:
        account_id = _most_common_first(by_account)
        account = ctx.accounts[account_id]
        who = by_account[account_id]
        text = f"Matched to {account.name}: {who[0].label} is a contact of {account.name}"
        if len(who) > 1:
            text += f" (and {len(who) - 1} more participant{'s' if len(who) > 2 else ''})"
        text += "."
        if len(by_account) > 1:
            others = ", ".join(ctx.accounts[a].name for a in by_account if a != account_id)
            text += f" Other participants are contacts of {others}; the account with the most contacts on it wins."
        return _with_opportunities(account_id, A.CONTACT, text, people, profile, ctx, activity)

    # 2. Seed: "If a lead with a matching email address is found, the activity is matched to the lead."
    for person in external:
        if person.lead_id:
            return MatchOutcome(
                lead_id=person.lead_id,
                account_match=A.LEAD,
                explanation=f"Matched to the lead {person.label}: a lead with this exact email, "
                "so the activity is matched to the lead rather than to an account.",
            )

    # 3. Design: "Domains match exactly on the registrable domain ... free-mail domains match no account."
    by_domain: dict[str, list[Person]] = {}
    free_mail: list[str] = []
    unknown: list[str] = []
    for person in external:
        domain = registrable_domain(person.email)
        if domain is None:
            unknown.append(person.email.rsplit("@", 1)[-1])
        elif is_free_mail_domain(domain):
            free_mail.append(domain)
        elif ctx.holders_of(domain):
            by_domain.setdefault(domain, []).append(person)
        else:
            unknown.append(domain)
    if by_domain:
        domain = _most_common_first(by_domain)
        holder, shared = choose_domain_holder(ctx.holders_of(domain))
        person = by_domain[domain][0]
        kind = "the primary" if holder.is_primary else "a secondary"
        text = f"Matched to {holder.name} by domain: {person.label} is at {domain}, {kind} domain of {holder.name}."
        if shared:
            text += " " + shared
        return _with_opportunities(holder.account_id, A.DOMAIN, text, people, profile, ctx, activity)

    reasons = []
    if free_mail:
        reasons.append(f"free-mail domains never match an account ({', '.join(sorted(set(free_mail)))})")
    if unknown:
        reasons.append(f"no account has the domain {', '.join(sorted(set(unknown)))}")
    return MatchOutcome(
        explanation="No match: no participant is a contact or a lead"
        + (", " + "; ".join(reasons) if reasons else "")
        + "."
    )


def _with_opportunities(account_id, account_match, text, people, profile, ctx, activity) -> MatchOutcome:
    opportunity_match, links, opp_text = match_opportunities(
        account_id=account_id, people=people, profile=profile, ctx=ctx, activity=activity
    )
    return MatchOutcome(
        account_id=account_id,
        account_match=account_match,
        opportunity_match=opportunity_match,
        opportunities=links,
        explanation=f"{text} {opp_text}",
    )
