"""The contact engine: what capture calls after it stores and matches activities.

For each activity, in the order they happened: every external participant is screened, created
as a contact when the creation rules hold (or linked to the contact or lead that exists), its
contact enriched from what the activity showed, and then the activity's contact roles added.
Every decision is recorded (ContactDecision, with the activity and the participant).

Work goes in batches: one transaction per batch, a fixed number of reads per batch, skip
decisions and links written with one insert/update each. One bad activity is reported in the
`EngineReport` and does not fail its batch. Running the engine twice on the same activities
changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from activities.models import Activity
from backstory.database import DATABASE_UNAVAILABLE
from contacts.models import ConfigurationProfile, ContactDecision

from .activity_sync import enqueue_activity_synced
from .context import EngineContext, activities_for_engine, activity_ids_in_order, users_on_activity
from .creation import contact_create, creation_decide, record_verdict
from .decisions import Action, DecisionLog
from .enrichment import enrich_from_participant
from .ocr import Person, roles_for_activity

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500


@dataclass
class EngineReport:
    """What one run of the engine did."""

    activities: int = 0
    contacts_created: list[int] = field(default_factory=list)
    contacts_enriched: list[int] = field(default_factory=list)
    roles_created: list[int] = field(default_factory=list)
    participants_linked: int = 0
    leads_matched: int = 0
    decisions_recorded: int = 0
    reasons: Counter = field(default_factory=Counter)  # "action:reason" -> how many decisions
    errors: list[str] = field(default_factory=list)
    decisions: list[ContactDecision] = field(default_factory=list)  # kept only when asked (preview)

    def merge_decisions(self, decisions: list[ContactDecision], *, keep: bool) -> None:
        for decision in decisions:
            self.reasons[f"{decision.action}:{decision.reason}"] += 1
            if decision.action == Action.CONTACT_CREATED:
                self.contacts_created.append(decision.contact_id)
            elif decision.action == Action.CONTACT_ENRICHED:
                self.contacts_enriched.append(decision.contact_id)
            elif decision.action == Action.OCR_CREATED:
                self.roles_created.append(decision.details.get("role_id"))
            elif decision.action == Action.LEAD_MATCHED:
                self.leads_matched += 1
        self.decisions_recorded += len(decisions)
        if keep:
            self.decisions.extend(decisions)

    def as_dict(self) -> dict:
        return {
            "activities": self.activities,
            "contacts_created": len(self.contacts_created),
            "contacts_enriched": len(set(self.contacts_enriched)),
            "roles_created": len(self.roles_created),
            "participants_linked": self.participants_linked,
            "leads_matched": self.leads_matched,
            "decisions_recorded": self.decisions_recorded,
            "errors": len(self.errors),
        }


def process_activity(*, activity: Activity, ctx: EngineContext) -> None:
    """Everything the engine does for one activity (participants prefetched, context loaded)."""
    users = users_on_activity(activity)
    # The profile of the user on the activity (whose mailbox or calendar captured it); the default
    # profile when that user has none.
    profile = ctx.profile_for(users[0] if users else None)
    people: list[Person] = []
    for participant in activity.participants.all():
        if participant.user_id:
            continue  # one of our users: the "user on the activity", not a contact candidate
        verdict = creation_decide(
            participant=participant, activity=activity, profile=profile, users=users, ctx=ctx
        )
        if verdict.create:
            decision = contact_create(
                verdict=verdict, participant=participant, activity=activity, profile=profile, ctx=ctx
            )
            contact = ctx.contacts_by_id.get(decision.contact_id) if decision else None
        else:
            record_verdict(
                verdict=verdict, participant=participant, activity=activity, profile=profile, ctx=ctx
            )
            contact = verdict.contact
            if contact is not None and verdict.eligible:
                enrich_from_participant(
                    contact=contact, participant=participant, activity=activity, profile=profile, ctx=ctx
                )
        if contact is not None and verdict.eligible:
            people.append((participant, contact))
    roles_for_activity(activity=activity, people=people, profile=profile, ctx=ctx)
    # After the contacts it created, so the push finds them first; whether or not any was created:
    # "contact creation is independent of activity sync".
    what_id, lead_crm_id = ctx.activity_crm_links(activity)
    enqueue_activity_synced(
        activity,
        contacts=[c for _, c in people],
        sync_kinds=profile.sync_kinds,
        what_id=what_id,
        lead_crm_id=lead_crm_id,
        queued=ctx.activity_sync_queued.get(activity.pk),
        sink=ctx.enqueue,
    )


def _run_batch(activities: list[Activity], ctx: EngineContext, report: EngineReport, *, keep: bool) -> None:
    written_before = len(ctx.log.written)
    with transaction.atomic():
        ctx.load(activities)
        for position, activity in enumerate(activities):
            checkpoint = ctx.begin_activity()
            try:
                process_activity(activity=activity, ctx=ctx)
                ctx.end_activity()
            except Exception as error:
                if isinstance(error, DATABASE_UNAVAILABLE):
                    raise  # not this activity's fault: the whole run is retried (contacts.process_activities)
                logger.exception("contact engine failed on activity %s", activity.pk)
                ctx.rollback_activity(activity, checkpoint)
                report.errors.append(f"activity {activity.pk}: {type(error).__name__}: {error}")
                # What was loaded may describe writes that were just undone: read it again.
                ctx.load(activities[position + 1 :])
        linked = sum(1 for p in ctx.participant_updates.values() if p.contact_id)
        ctx.flush()
    report.participants_linked += linked
    report.merge_decisions(ctx.log.written[written_before:], keep=keep)
    report.activities += len(activities)
    if not keep:
        ctx.log.written.clear()


def contact_engine_process_activities(
    *,
    activity_ids: list[int],
    profile: ConfigurationProfile | None = None,
    preview: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> EngineReport:
    """Run the contact engine over these activities: create contacts, match leads, enrich contacts,
    add contact roles, and record every decision. Idempotent; safe to call again with the same ids.

    Capture calls this after it stores and matches activities. `profile` applies one profile to
    every activity instead of each user's own; with `preview=True` that profile is tried as if
    contact creation and contact role creation were on, and nothing is kept: the whole run is
    rolled back and the report lists what would have happened (`report.decisions`).
    """
    report = EngineReport()
    ids = list(dict.fromkeys(activity_ids))
    if not ids:
        return report
    if preview:
        with transaction.atomic():
            _run(ids, report, profile=profile, force_on=True, batch_size=batch_size, keep=True)
            transaction.set_rollback(True)
        return report
    _run(ids, report, profile=profile, force_on=False, batch_size=batch_size, keep=False)
    return report


def _run(
    ids: list[int], report: EngineReport, *, profile, force_on: bool, batch_size: int, keep: bool
) -> None:
    ctx = EngineContext(profile_override=profile, force_on=force_on, log=DecisionLog(buffered=True))
    ordered = activity_ids_in_order(ids)
    for start in range(0, len(ordered), batch_size):
        batch = activities_for_engine(ordered[start : start + batch_size])
        if not batch:
            continue
        try:
            _run_batch(batch, ctx, report, keep=keep)
        except Exception as error:
            if isinstance(error, DATABASE_UNAVAILABLE):
                # Issue 15: "0 lost ... contacts across ... database restart": reported as a failed
                # batch, the hand-off would count as done and these people would never be created.
                raise
            logger.exception("contact engine failed on a batch of %s activities", len(batch))
            ctx.discard_buffers()
            report.errors.append(
                f"activities {batch[0].pk}..{batch[-1].pk} ({len(batch)}): {type(error).__name__}: {error}"
            )
