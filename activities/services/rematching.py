"""Matching stored activities again: in bulk (the demo, a backlog) and after CRM changes.

A manual match never changes: every query here skips ``is_manually_matched`` activities, and the
write re-checks it under a row lock so an Edit Match made meanwhile wins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from accounts.domains import registrable_domain
from accounts.models import AccountDomain
from backstory import clock
from contacts.models import Contact, Lead
from rollups.services import rollups_kept_current

from ..handoff import hand_off_after_capture, hand_off_rematch_after_crm_change, summaries_stale_where_matched
from ..models import Activity, ActivityOpportunity, Participant
from ..selectors import activities_in_sync
from .bulk import among, insert_rows, update_rows
from .matching import MatchContext, Person, ProfileBook, match_one
from .matching_deals import ActivityFacts, Link
from .people import PeopleDirectory

DEFAULT_MATCH_BATCH = 2_000


@dataclass
class MatchReport:
    """What a bulk (re)match did: how many it looked at, which changed, and the outcomes."""

    examined: int = 0
    changed_ids: list[int] = field(default_factory=list)
    people_updated: int = 0
    account_matches: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        return len(self.changed_ids)


def _id_batches(activity_ids: Iterable[int] | None, batch_size: int) -> Iterator[list[int]]:
    """Ids of in-sync, automatically matched activities, in batches (all of them when None)."""
    automatic = activities_in_sync().filter(is_manually_matched=False)
    if activity_ids is None:
        last = 0
        while True:
            chunk = list(
                automatic.filter(id__gt=last).order_by("id").values_list("id", flat=True)[:batch_size]
            )
            if not chunk:
                return
            yield chunk
            last = chunk[-1]
    ids = sorted(set(activity_ids))
    for start in range(0, len(ids), batch_size):
        chunk = list(
            automatic.filter(among("id", ids[start : start + batch_size]))
            .order_by("id")
            .values_list("id", flat=True)
        )
        if chunk:
            yield chunk


def match_activities(
    *,
    activity_ids: Iterable[int] | None = None,
    batch_size: int = DEFAULT_MATCH_BATCH,
    resolve_people: bool = False,
    hand_off: bool = False,
    progress: Callable[[int], object] | None = None,
) -> MatchReport:
    """(Re)match stored activities in bulk; manual matches and removed activities are left alone.

    ``activity_ids=None`` matches every automatically matched activity. With ``resolve_people`` the
    participants are first resolved again to users, contacts and leads (after CRM changes).
    ``hand_off`` sends the activities whose match changed to the contact and insights engines.
    Running it twice changes nothing the second time. ``progress`` is called with each batch's size.
    """
    report = MatchReport()
    profiles = ProfileBook.load()
    for chunk in _id_batches(activity_ids, batch_size):
        _match_batch(chunk, profiles, report, resolve_people=resolve_people, hand_off=hand_off)
        if progress is not None:
            progress(len(chunk))
    return report


def activities_to_match_count() -> int:
    """How many activities a full re-association looks at (for a progress bar)."""
    return activities_in_sync().filter(is_manually_matched=False).count()


def _match_batch(
    ids: list[int], profiles: ProfileBook, report: MatchReport, *, resolve_people: bool, hand_off: bool
) -> None:
    activities = {
        row["id"]: row
        for row in Activity.objects.filter(among("id", ids)).values(
            "id",
            "owner_id",
            "account_id",
            "lead_id",
            "account_match",
            "opportunity_match",
            "opportunity_confidence",
            "match_explanation",
            "subject",
            "body",
            "occurred_at",
            "thread_id",
        )
    }
    participant_rows = list(
        Participant.objects.filter(among("activity_id", ids))
        .order_by("activity_id", "id")
        .values(
            "id", "activity_id", "email", "name", "role", "is_internal", "user_id", "contact_id", "lead_id"
        )
    )
    if resolve_people:
        report.people_updated += _resolve_again(participant_rows)
    people: dict[int, list[Person]] = {pk: [] for pk in activities}
    for row in participant_rows:
        people[row["activity_id"]].append(
            Person(
                email=row["email"].lower(),
                name=row["name"],
                role=row["role"],
                is_internal=row["is_internal"],
                contact_id=row["contact_id"],
                lead_id=row["lead_id"],
                user_id=row["user_id"],
            )
        )
    links: dict[int, set[Link]] = {pk: set() for pk in activities}
    for (
        activity_id,
        opportunity_id,
        match,
        confidence,
        is_primary,
        reasons,
    ) in ActivityOpportunity.objects.filter(among("activity_id", ids)).values_list(
        "activity_id", "opportunity_id", "match", "confidence", "is_primary", "reasons"
    ):
        links[activity_id].add(Link(opportunity_id, match, confidence, is_primary, tuple(reasons or ())))
    profiles.add_users(row["owner_id"] for row in activities.values())
    facts = {
        pk: ActivityFacts(
            subject=row["subject"],
            body=row["body"],
            occurred_at=row["occurred_at"],
            owner_id=row["owner_id"],
            thread_id=row["thread_id"],
            activity_id=pk,
        )
        for pk, row in activities.items()
    }
    ctx = MatchContext.load(
        people=[p for group in people.values() for p in group], activities=list(facts.values())
    )
    changed = {}
    # Earlier messages first, so a reply sees what its thread's first message is matched to now.
    for pk in sorted(activities, key=lambda pk: (activities[pk]["occurred_at"], pk)):
        row = activities[pk]
        outcome = match_one(
            people=people[pk], profile=profiles.for_user(row["owner_id"]), ctx=ctx, activity=facts[pk]
        )
        ctx.note_match(
            activity=facts[pk], opportunity_ids=[link.opportunity_id for link in outcome.opportunities]
        )
        report.examined += 1
        report.account_matches[outcome.account_match] += 1
        if not outcome.same_as(
            account_id=row["account_id"],
            lead_id=row["lead_id"],
            account_match=row["account_match"],
            opportunity_match=row["opportunity_match"],
            explanation=row["match_explanation"],
            links=links[pk],
        ):
            changed[pk] = outcome
    if not changed:
        return
    now = clock.now()
    with transaction.atomic():
        # An Edit Match or a removal made since the read wins: lock and re-check.
        writable = set(
            Activity.objects.select_for_update()
            .filter(among("id", list(changed)), is_manually_matched=False, removed_from_sync_at__isnull=True)
            .values_list("id", flat=True)
        )
        if hand_off and writable:
            summaries_stale_where_matched(sorted(writable))
        updates = []
        new_links = []
        for pk in sorted(writable):
            outcome = changed[pk]
            updates.append(
                {
                    "id": pk,
                    "account_id": outcome.account_id,
                    "lead_id": outcome.lead_id,
                    "account_match": outcome.account_match,
                    "opportunity_match": outcome.opportunity_match,
                    "opportunity_confidence": outcome.confidence,
                    "match_explanation": outcome.explanation,
                    "matched_at": now,
                }
            )
            new_links.extend(link.as_row(pk) for link in outcome.opportunities)
        with rollups_kept_current(activity_ids=sorted(writable)):
            update_rows(
                Activity,
                updates,
                [
                    "account_id",
                    "lead_id",
                    "account_match",
                    "opportunity_match",
                    "opportunity_confidence",
                    "match_explanation",
                    "matched_at",
                ],
            )
            ActivityOpportunity.objects.filter(among("activity_id", sorted(writable))).delete()
            insert_rows(ActivityOpportunity, new_links)
        changed_ids = sorted(writable)
        if hand_off and changed_ids:
            hand_off_after_capture(changed_ids)
    report.changed_ids.extend(changed_ids)


def _resolve_again(rows: list[dict]) -> int:
    """Resolve participants again (a new contact, lead or user since capture); returns how many changed."""
    directory = PeopleDirectory.load(row["email"] for row in rows)
    updated = []
    for row in rows:
        resolved = directory.resolve(row["email"])
        new = (resolved.is_internal, resolved.user_id, resolved.contact_id, resolved.lead_id)
        if new != (row["is_internal"], row["user_id"], row["contact_id"], row["lead_id"]):
            row["is_internal"], row["user_id"], row["contact_id"], row["lead_id"] = new
            updated.append(
                {
                    "id": row["id"],
                    "is_internal": new[0],
                    "user_id": new[1],
                    "contact_id": new[2],
                    "lead_id": new[3],
                }
            )
    update_rows(Participant, updated, ["is_internal", "user_id", "contact_id", "lead_id"])
    return len(updated)


# --- what a CRM change affects ----------------------------------------------------------------


def _domain_filter(domains: Iterable[str]) -> Q:
    query = Q()
    for domain in {d.strip().lower().lstrip("@") for d in domains if d and d.strip()}:
        query |= Q(email__endswith="@" + domain) | Q(email__endswith="." + domain)
    return query


def _activity_ids_with_participants(query: Q) -> set[int]:
    if not query:
        return set()
    return set(Participant.objects.filter(query).values_list("activity_id", flat=True).distinct())


def rematch_activities_for_domain(*, domain: str, hand_off: bool = True) -> MatchReport:
    """Match again the automatically matched activities with a participant at ``domain`` (or under it)."""
    ids = _activity_ids_with_participants(_domain_filter([domain]))
    return match_activities(activity_ids=ids, resolve_people=True, hand_off=hand_off)


def rematch_activities_for_account(*, account_id: int, hand_off: bool = True) -> MatchReport:
    """Match again what a change to one account can affect: activities already matched to it, with one
    of its contacts on them, or with a participant at one of its domains (a new secondary domain)."""
    domains = list(AccountDomain.objects.filter(account_id=account_id).values_list("domain", flat=True))
    ids = set(Activity.objects.filter(account_id=account_id).values_list("id", flat=True))
    ids |= _activity_ids_with_participants(Q(contact__account_id=account_id))
    emails = (
        Contact.objects.filter(account_id=account_id).exclude(email="").annotate(e=Lower("email")).values("e")
    )
    ids |= _activity_ids_with_participants(Q(email__in=emails))
    ids |= _activity_ids_with_participants(_domain_filter(domains))
    return match_activities(activity_ids=ids, resolve_people=True, hand_off=hand_off)


def rematch_activities_for_emails(*, emails: Sequence[str], hand_off: bool = True) -> MatchReport:
    """Match again the activities these people are on (a new contact or lead with these addresses)."""
    wanted = sorted({e.strip().lower() for e in emails if e and e.strip()})
    ids: set[int] = set()
    for start in range(0, len(wanted), 900):
        ids |= _activity_ids_with_participants(Q(email__in=wanted[start : start + 900]))
    return match_activities(activity_ids=ids, resolve_people=True, hand_off=hand_off)


def rematch_activities_for_contact(*, contact_id: int, hand_off: bool = True) -> MatchReport:
    """Match again the activities a contact is on, by its record or by its email (a new contact)."""
    contact = Contact.objects.filter(pk=contact_id).values("email", "account_id").first()
    ids = _activity_ids_with_participants(Q(contact_id=contact_id))
    if contact and contact["email"]:
        ids |= _activity_ids_with_participants(Q(email=contact["email"].lower()))
    return match_activities(activity_ids=ids, resolve_people=True, hand_off=hand_off)


def rematch_activities_for_lead(*, lead_id: int, hand_off: bool = True) -> MatchReport:
    """Match again the activities a lead is on, by its record or by its email."""
    lead = Lead.objects.filter(pk=lead_id).values("email").first()
    ids = _activity_ids_with_participants(Q(lead_id=lead_id))
    if lead and lead["email"]:
        ids |= _activity_ids_with_participants(Q(email=lead["email"].lower()))
    return match_activities(activity_ids=ids, resolve_people=True, hand_off=hand_off)


def activities_rematch_after_crm_change(
    *,
    account_ids: Iterable[int] = (),
    emails: Iterable[str] = (),
    domains: Iterable[str] = (),
    contact_ids: Iterable[int] = (),
) -> None:
    """Queue a re-match of what a CRM change affects, once the caller's transaction commits.

    Call it from the service that changed the CRM data: a new secondary domain (``account_ids`` or
    ``domains``), a new contact role (``account_ids``), a new contact or lead (``contact_ids`` or
    ``emails``). Manual matches never change.
    """
    payload = {
        "account_ids": sorted({int(a) for a in account_ids}),
        "emails": sorted({e.strip().lower() for e in emails if e and e.strip()}),
        "domains": sorted({registrable_domain(d) or d.strip().lower() for d in domains if d and d.strip()}),
        "contact_ids": sorted({int(c) for c in contact_ids}),
    }
    if not any(payload.values()):
        return
    hand_off_rematch_after_crm_change(payload)


def rematch_after_crm_change(
    *,
    account_ids: Sequence[int] = (),
    emails: Sequence[str] = (),
    domains: Sequence[str] = (),
    contact_ids: Sequence[int] = (),
) -> MatchReport:
    """Run the re-matches ``activities_rematch_after_crm_change`` queued; returns the combined report."""
    total = MatchReport()
    reports = [rematch_activities_for_account(account_id=a) for a in account_ids]
    reports += [rematch_activities_for_domain(domain=d) for d in domains]
    reports += [rematch_activities_for_contact(contact_id=c) for c in contact_ids]
    if emails:
        reports.append(rematch_activities_for_emails(emails=emails))
    for report in reports:
        total.examined += report.examined
        total.changed_ids.extend(report.changed_ids)
        total.people_updated += report.people_updated
        total.account_matches.update(report.account_matches)
    return total
