"""The one ingest service every way in feeds: the API, ``import_activities`` and the benchmark.

Parsed activities arrive one by one and are stored in batches. Per batch, with a fixed number of
queries whatever its size: the source ids already stored, the users, contacts and leads behind
every address, the accounts holding every domain, their open opportunities and contact roles;
then one bulk insert each for activities, participants and opportunity links, in one transaction.
After commit the new activities go to the contact engine and the insights engine (a Celery task).
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction

from activities.parsing.results import ParsedActivity, ParseError
from activities.parsing.text import describe_surrogate, first_surrogate
from backstory import clock
from backstory.database import DATABASE_UNAVAILABLE
from rollups.services import rollups_owed
from users.models import User

from ..handoff import hand_off_after_capture
from ..models import Activity, ActivityAttachment, ActivityOpportunity, Participant
from .bulk import among, insert_rows
from .filters import LocalFilterSet
from .matching import MatchContext, Person, ProfileBook, match_one
from .matching_deals import ActivityFacts
from .meetings import meetings_update_from_calendar
from .people import PeopleDirectory

DEFAULT_BATCH_SIZE = 1_000
MAX_DURATION_MINUTES = 60 * 24 * 14  # the activity_duration_at_most_two_weeks constraint
_AUTHOR_ROLES = (Participant.Role.FROM, Participant.Role.ORGANIZER)


class Status:
    CREATED = "created"
    DUPLICATE = "duplicate"
    EXCLUDED = "excluded"
    ERROR = "error"
    FORBIDDEN = "forbidden"


@dataclass
class ItemOutcome:
    """What happened to one item. ``key`` is the caller's: an API index, or a file position."""

    key: object
    status: str
    source_id: str = ""
    activity_id: int | None = None
    reason: str = ""
    order: int = field(default=0, repr=False, compare=False)


@dataclass
class IngestReport:
    """Counts and per-item outcomes of one ingest, for the closing report and the API response."""

    outcomes: list[ItemOutcome] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    # Meetings captured before that their calendar has changed since (moved, re-titled, cancelled).
    updated_ids: list[int] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    account_matches: Counter = field(default_factory=Counter)
    opportunity_matched: int = 0
    private: int = 0
    # Stored activities whose hand-off to the engines waits for the broker (the sweeper sends it).
    deferred: int = 0
    warnings: int = 0
    excluded_by: Counter = field(default_factory=Counter)
    errors: list[ParseError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=lambda: {"matching": 0.0, "storing": 0.0})

    @property
    def created(self) -> int:
        return self.counts[Status.CREATED]

    @property
    def updated(self) -> int:
        return len(self.updated_ids)

    @property
    def duplicates(self) -> int:
        return self.counts[Status.DUPLICATE]

    @property
    def excluded(self) -> int:
        return self.counts[Status.EXCLUDED]

    @property
    def forbidden(self) -> int:
        return self.counts[Status.FORBIDDEN]

    @property
    def read(self) -> int:
        """Items that could be read (stored, already stored, or excluded by a filter)."""
        return self.created + self.duplicates + self.excluded


@dataclass
class _Pending:
    key: object
    source: str
    parsed: ParsedActivity
    source_id: str
    order: int


def fit_source_id(source_id: str) -> str:
    """The source id as stored: ids longer than the column keep their start and a hash of the whole."""
    source_id = _text(source_id).strip()
    limit = Activity._meta.get_field("source_id").max_length
    if len(source_id) <= limit:
        return source_id
    digest = hashlib.sha256(source_id.encode()).hexdigest()
    return f"{source_id[: limit - len(digest) - 8]}#sha256:{digest}"


def _text(value: str | None) -> str:
    # A NUL character cannot be stored in PostgreSQL text; broken mail sometimes carries one.
    return (value or "").replace("\x00", "")


@functools.cache
def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _cut(value: str | None, model, name: str) -> str:
    return _text(value).strip()[: _max_length(model, name)]


class IngestSession:
    """Collects parsed items and stores them in batches; ``finish()`` returns the report.

    ``owner`` is whose mailbox or calendar the items come from; without it each activity belongs to
    the internal participant who sent or organised it (else the first colleague on it).
    ``capturer`` is the person capturing when they may capture only their own activities (not an
    admin, not a service key): an item another colleague sent or organised, or one they are not on,
    is refused. ``hand_off`` sends the new activities to the contact and insights engines after commit.
    """

    def __init__(
        self,
        *,
        owner: User | None = None,
        capturer: User | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        hand_off: bool = True,
    ):
        self.owner = owner
        self.capturer = capturer
        self.batch_size = batch_size
        self.hand_off = hand_off
        self.report = IngestReport()
        self._pending: list[_Pending] = []
        self._seen: set[str] = set()
        self._added = 0
        self._filters = LocalFilterSet.load()
        self._profiles = ProfileBook.load([owner.pk] if owner else [])
        self._internal_domains = list(settings.BACKSTORY_INTERNAL_DOMAINS)

    # --- intake ---------------------------------------------------------------------------
    def add(self, item: ParsedActivity | ParseError, *, source: str, key: object = None) -> None:
        """Queue one parsed item (a ParseError is recorded as a bad item)."""
        order = self._added
        self._added += 1
        if key is None:
            key = order
        if isinstance(item, ParseError):
            self.report.errors.append(item)
            self._record(ItemOutcome(key, Status.ERROR, reason=item.reason, order=order))
            return
        source_id = fit_source_id(item.source_id)
        if not source_id:
            error = ParseError(source=item.origin or source, position="", reason="no source id")
            self.report.errors.append(error)
            self._record(ItemOutcome(key, Status.ERROR, reason=error.reason, order=order))
            return
        # Design: "An activity is stored once: its source id ... is unique."
        if source_id in self._seen:
            self._record(
                ItemOutcome(
                    key, Status.DUPLICATE, source_id, reason="appears twice in this import", order=order
                )
            )
            return
        self._seen.add(source_id)
        self._pending.append(_Pending(key, source, item, source_id, order))
        if len(self._pending) >= self.batch_size:
            self.flush()

    def finish(self) -> IngestReport:
        self.flush()
        self.report.outcomes.sort(key=lambda outcome: outcome.order)
        return self.report

    def _record(self, outcome: ItemOutcome) -> None:
        self.report.outcomes.append(outcome)
        self.report.counts[outcome.status] += 1

    # --- one batch ------------------------------------------------------------------------
    def flush(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        started = time.perf_counter()
        existing = set(
            Activity.objects.filter(among("source_id", [p.source_id for p in batch])).values_list(
                "source_id", flat=True
            )
        )
        fresh = []
        again = [pending for pending in batch if pending.source_id in existing]
        # A meeting captured before comes back with what its calendar says now.
        updated = meetings_update_from_calendar(
            parsed={p.source_id: p.parsed for p in again if p.parsed.kind == Activity.Kind.MEETING},
            hand_off=self.hand_off,
        )
        self.report.updated_ids.extend(updated.values())
        for pending in batch:
            if pending.source_id in existing:
                self._record(
                    ItemOutcome(
                        pending.key,
                        Status.DUPLICATE,
                        pending.source_id,
                        updated.get(pending.source_id),
                        reason=(
                            "already captured; updated from its calendar"
                            if pending.source_id in updated
                            else "already captured"
                        ),
                        order=pending.order,
                    )
                )
            else:
                fresh.append(pending)
        if not fresh:
            self.report.timings["matching"] += time.perf_counter() - started
            return
        rows = self._prepare(fresh)
        self.report.timings["matching"] += time.perf_counter() - started
        started = time.perf_counter()
        self._store(rows)
        self.report.timings["storing"] += time.perf_counter() - started

    def _prepare(self, fresh: list[_Pending]) -> list[_Row]:
        """Resolve people, pick owners, apply local filters and match, all in memory."""
        emails = {p.email for pending in fresh for p in pending.parsed.participants}
        directory = PeopleDirectory.load(emails)
        self._profiles.add_users(directory.users.values())
        now = clock.now()
        staged = []
        for pending in fresh:
            parsed = pending.parsed
            participants, people = self._participants(parsed, directory)
            owner_id = self._owner_id(participants)
            if self.capturer is not None:
                refusal = _not_theirs(participants, self.capturer)
                if refusal:
                    self._record(
                        ItemOutcome(
                            pending.key,
                            Status.FORBIDDEN,
                            pending.source_id,
                            reason=refusal,
                            order=pending.order,
                        )
                    )
                    continue
                owner_id = self.capturer.pk
            profile_id = self._profiles.profile_id_for(owner_id)
            # Seed (LocalFilter): "Something never to capture: a domain, an address, or a subject keyword."
            hit = self._filters.hit(
                profile_id=profile_id, subject=parsed.subject, emails=[p.email for p in people]
            )
            if hit is not None:
                self.report.excluded_by[hit.rule.describe()] += 1
                self._record(
                    ItemOutcome(
                        pending.key,
                        Status.EXCLUDED,
                        pending.source_id,
                        reason=hit.reason,
                        order=pending.order,
                    )
                )
                continue
            staged.append((pending, participants, people, owner_id))
        facts = [
            ActivityFacts(
                subject=pending.parsed.subject or "",
                body=pending.parsed.body or "",
                occurred_at=pending.parsed.occurred_at,
                owner_id=owner_id,
                thread_id=_cut(pending.parsed.thread_id, Activity, "thread_id"),
                activity_id=-pending.order - 1,
            )
            for pending, _, _, owner_id in staged
        ]
        ctx = MatchContext.load(
            people=[person for _, _, people, _ in staged for person in people],
            contact_accounts={c.id: c.account_id for c in directory.contacts.values()},
            activities=facts,
        )
        # Earlier messages first, so a reply sees what its thread's first message was matched to.
        outcomes = {}
        for index in sorted(
            range(len(staged)), key=lambda i: (facts[i].occurred_at is None, facts[i].occurred_at or 0)
        ):
            _, _, people, owner_id = staged[index]
            outcome = match_one(
                people=people, profile=self._profiles.for_user(owner_id), ctx=ctx, activity=facts[index]
            )
            ctx.note_match(
                activity=facts[index], opportunity_ids=[link.opportunity_id for link in outcome.opportunities]
            )
            outcomes[index] = outcome
        rows = []
        for index, (pending, participants, people, owner_id) in enumerate(staged):
            parsed = pending.parsed
            outcome = outcomes[index]
            self.report.warnings += len(parsed.warnings)
            duration = parsed.duration_minutes
            if duration is not None and not 0 <= duration <= MAX_DURATION_MINUTES:
                duration = None
            activity = {
                "kind": parsed.kind,
                "source": pending.source,
                "source_id": pending.source_id,
                "subject": _cut(parsed.subject, Activity, "subject"),
                "body": _text(parsed.body),
                "quoted_text": _text(parsed.quoted_text),
                "signature": _text(parsed.signature),
                "occurred_at": parsed.occurred_at,
                "duration_minutes": duration,
                "direction": _direction(people),
                "owner_id": owner_id,
                "is_private": self._profiles.is_private(owner_id, marked_private=parsed.is_private),
                "thread_id": _cut(parsed.thread_id, Activity, "thread_id"),
                "in_reply_to": _cut(parsed.in_reply_to, Activity, "in_reply_to"),
                "location": _cut(parsed.location, Activity, "location"),
                "is_cancelled": parsed.is_cancelled,
                "account_id": outcome.account_id,
                "lead_id": outcome.lead_id,
                "account_match": outcome.account_match,
                "opportunity_match": outcome.opportunity_match,
                "opportunity_confidence": outcome.confidence,
                "match_explanation": outcome.explanation,
                "matched_at": now,
            }
            not_text = _unstorable_text(activity, participants)
            if not_text:
                self._fail(pending, not_text)
                continue
            rows.append(_Row(pending, activity, participants, outcome.opportunities))
        return rows

    def _participants(
        self, parsed: ParsedActivity, directory: PeopleDirectory
    ) -> tuple[list[dict], list[Person]]:
        """Participant rows (one per address) and the people matching reads."""
        rows: list[dict] = []
        people: list[Person] = []
        seen: set[str] = set()
        author = parsed.author
        details = parsed.signature_details
        for parsed_person in parsed.participants:
            email = (parsed_person.email or "").strip().lower()
            if not email or email in seen or len(email) > 254:
                continue
            seen.add(email)
            resolved = directory.resolve(email, self._internal_domains)
            row = {
                "email": email,
                "name": _cut(parsed_person.name, Participant, "name"),
                "first_name": _cut(parsed_person.first_name, Participant, "first_name"),
                "last_name": _cut(parsed_person.last_name, Participant, "last_name"),
                "role": parsed_person.role,
                "response": parsed_person.response or "",
                "is_internal": resolved.is_internal,
                "user_id": resolved.user_id,
                "contact_id": resolved.contact_id,
                "lead_id": resolved.lead_id,
            }
            # The signature is kept for the contact engine: what it says goes on the author's row.
            if author is not None and email == author.email and details is not None:
                row["title"] = _cut(details.title, Participant, "title")
                row["phone"] = _cut(details.phone, Participant, "phone")
                row["mailing_country"] = _cut(details.country, Participant, "mailing_country")
                row["mailing_state"] = _cut(details.state, Participant, "mailing_state")
            rows.append(row)
            people.append(
                Person(
                    email=email,
                    name=row["name"],
                    role=row["role"],
                    is_internal=resolved.is_internal,
                    contact_id=resolved.contact_id,
                    lead_id=resolved.lead_id,
                    user_id=resolved.user_id,
                )
            )
        return rows, people

    def _owner_id(self, participants: list[dict]) -> int | None:
        """Whose mailbox or calendar: the --owner given, else the colleague who sent or organised it."""
        if self.owner is not None:
            return self.owner.pk
        for participant in participants:
            if participant["role"] in _AUTHOR_ROLES and participant["user_id"]:
                return participant["user_id"]
        # Received mail: the first colleague it was sent to.
        for participant in participants:
            if participant["user_id"]:
                return participant["user_id"]
        return None

    def _store(self, rows: list[_Row]) -> None:
        """Store the batch in one transaction; if the database refuses it, store row by row so one
        bad item is reported and every good one is kept. A database that is unavailable
        (``DATABASE_UNAVAILABLE``) refuses nothing: its error is raised, for the caller to retry."""
        if not rows:
            return
        recorded = len(self.report.outcomes)
        try:
            with transaction.atomic():
                stored = self._store_rows(rows)
        except (DatabaseError, ValueError) as error:  # ValueError: text the driver cannot encode
            if isinstance(error, DATABASE_UNAVAILABLE):
                raise  # no item's fault: the capture fails as a whole (the API's 503), to retry
            self._forget_outcomes_since(recorded)
            if len(rows) == 1:
                self._fail(rows[0].pending, f"could not be stored: {_first_line(error)}")
                return
            stored = []
            for row in rows:
                try:
                    with transaction.atomic():
                        stored.extend(self._store_rows([row]))
                except (DatabaseError, ValueError) as row_error:
                    if isinstance(row_error, DATABASE_UNAVAILABLE):
                        raise
                    self._forget_outcomes_since(recorded)
                    self._fail(row.pending, f"could not be stored: {_first_line(row_error)}")
                recorded = len(self.report.outcomes)
        for row in stored:
            pending = row.pending
            self._record(
                ItemOutcome(
                    pending.key, Status.CREATED, pending.source_id, row.activity_id, order=pending.order
                )
            )
            self.report.created_ids.append(row.activity_id)
            self.report.account_matches[row.activity["account_match"]] += 1
            self.report.opportunity_matched += bool(row.opportunities)
            self.report.private += row.activity["is_private"]

    def _forget_outcomes_since(self, recorded: int) -> None:
        # What a rolled-back attempt recorded (duplicates found on the way) is recorded again on retry.
        for outcome in self.report.outcomes[recorded:]:
            self.report.counts[outcome.status] -= 1
        del self.report.outcomes[recorded:]

    def _fail(self, pending: _Pending, reason: str) -> None:
        """One item could not be stored: reported with its key (index or file position), never fatal."""
        error = ParseError(source=pending.parsed.origin or pending.source, position="", reason=reason)
        self.report.errors.append(error)
        self._record(
            ItemOutcome(pending.key, Status.ERROR, pending.source_id, reason=reason, order=pending.order)
        )

    def _store_rows(self, rows: list[_Row]) -> list[_Row]:
        """Insert activities, participants and opportunity links (inside the caller's transaction);
        the engines get them after commit."""
        rows = self._insert_activities(rows)
        participants: list[dict] = []
        links: list[dict] = []
        for row in rows:
            for participant in row.participants:
                participant["activity_id"] = row.activity_id
                participants.append(participant)
            links.extend(link.as_row(row.activity_id) for link in row.opportunities)
        insert_rows(Participant, participants)
        insert_rows(ActivityOpportunity, links)
        insert_rows(
            ActivityAttachment,
            [
                {
                    "activity_id": row.activity_id,
                    "name": _cut(attachment.name, ActivityAttachment, "name"),
                    "content_type": _cut(attachment.content_type, ActivityAttachment, "content_type"),
                    "size": attachment.size,
                }
                for row in rows
                for attachment in row.pending.parsed.attachments
            ],
        )
        created_ids = [row.activity_id for row in rows]
        # Owed in this transaction; a task adds them to the rollups within seconds of the commit.
        rollups_owed(activity_ids=created_ids)
        if self.hand_off and created_ids:
            hand_off_after_capture(created_ids, on_sent=functools.partial(self._handed_off, len(created_ids)))
        return rows

    def _handed_off(self, count: int, sent: bool) -> None:
        if not sent:
            self.report.deferred += count

    def _insert_activities(self, rows: list[_Row]) -> list[_Row]:
        """Bulk insert; if another import stored some of the same source ids meanwhile, skip those."""
        try:
            with transaction.atomic():
                ids = insert_rows(Activity, [row.activity for row in rows])
        except IntegrityError:
            taken = set(
                Activity.objects.filter(source_id__in=[row.pending.source_id for row in rows]).values_list(
                    "source_id", flat=True
                )
            )
            if not taken:
                raise
            kept = []
            for row in rows:
                pending = row.pending
                if pending.source_id in taken:
                    self._record(
                        ItemOutcome(
                            pending.key,
                            Status.DUPLICATE,
                            pending.source_id,
                            reason="already captured",
                            order=pending.order,
                        )
                    )
                else:
                    kept.append(row)
            rows = kept
            ids = insert_rows(Activity, [row.activity for row in rows])
        for row, pk in zip(rows, ids, strict=True):
            row.activity_id = pk
        return rows


@dataclass
class _Row:
    """One activity ready to store: its row, its participants' rows, and its opportunity links."""

    pending: _Pending
    activity: dict
    participants: list[dict]
    opportunities: tuple  # of matching_deals.Link
    activity_id: int | None = None


def _not_theirs(participants: list[dict], capturer: User) -> str | None:
    """Why ``capturer`` may not capture this item (it is a colleague's), or None.

    Issue 15: "a non-admin caller can capture only activities they own; capturing for others needs
    an admin or a service API key with that scope."
    """
    how = (
        "you can capture only your own emails, meetings and calls; capturing for a colleague needs an "
        "admin or an API key with the capture scope"
    )
    for participant in participants:
        if participant["role"] in _AUTHOR_ROLES and participant["user_id"] not in (None, capturer.pk):
            return f"participants: {participant['email']} sent or organised this, not you: {how}"
    if not any(participant["user_id"] == capturer.pk for participant in participants):
        return f"participants: you ({capturer.email}) are not on this activity: {how}"
    return None


def _unstorable_text(activity: dict, participants: list[dict]) -> str | None:
    """Why a row cannot be written (a lone surrogate in a text field, named), or None.

    Checked before the insert: inside COPY or a bulk insert, one such string fails the whole batch.
    """
    fields = list(activity.items())
    for position, participant in enumerate(participants):
        fields.extend((f"participants[{position}].{name}", value) for name, value in participant.items())
    for name, value in fields:
        if isinstance(value, str):
            character = first_surrogate(value)
            if character:
                return f"{name}: holds {describe_surrogate(character)}; it cannot be stored"
    return None


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def _direction(people: list[Person]) -> str:
    """Outbound when a colleague sent or organised it and someone external is on it; inbound when
    an external person sent it; internal when everyone is internal."""
    D = Activity.Direction
    if all(p.is_internal for p in people):
        return D.INTERNAL
    author = next((p for p in people if p.role in _AUTHOR_ROLES), None)
    if author is None:
        # A call or meeting with no organiser on record was captured from a colleague's calendar.
        return D.OUTBOUND if any(p.is_internal for p in people) else D.INBOUND
    return D.OUTBOUND if author.is_internal else D.INBOUND


def activities_ingest(
    *,
    items: Iterable[ParsedActivity | ParseError],
    source: str,
    owner: User | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    hand_off: bool = True,
) -> IngestReport:
    """Store parsed activities once each, resolved, filtered and matched; report what happened.

    ``items`` are the parsing layer's results (a ParseError is reported, never fatal); each item's
    outcome is keyed by its position in ``items``. Re-ingesting the same items adds nothing.
    """
    session = IngestSession(owner=owner, batch_size=batch_size, hand_off=hand_off)
    for index, item in enumerate(items):
        session.add(item, source=source, key=index)
    return session.finish()
