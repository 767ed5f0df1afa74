"""Figures for ``manage.py benchmark_insights``, and the stand-in matching the benchmark needs.

Activities seeded with ``seed_demo --raw`` are unmatched (matching is capture's job).
``match_activities_by_contacts`` matches them roughly the way capture would have when they happened,
so the engine has something to read: the account of their contact participants (the lowest account
id when they differ), and the opportunity of that account that was open at the time (the only one,
else the ones where a participant holds a contact role). It only touches activities that are still
unmatched, and is meant for benchmark and test databases.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

from accounts.models import Account
from activities.models import Activity, ActivityOpportunity, Participant
from backstory import clock
from contacts.models import Contact
from insights.services.engagement import engagement_levels, people_engagement_levels, person_engagement_levels
from insights.services.people import people_facts
from insights.services.summaries import summaries_refresh_all
from opportunities.models import Opportunity, OpportunityContactRole

Progress = Callable[[str, int], None]


def match_activities_by_contacts(*, progress: Progress | None = None) -> dict[str, int]:
    """Match every unmatched activity to the account of its contact participants (one bulk UPDATE),
    then link it to the opportunities of that account that were open when it happened.
    Returns how many activities got an account and how many opportunity links were written."""
    activity, participant, contact = (m._meta.db_table for m in (Activity, Participant, Contact))
    # One grouped UPDATE ... FROM (PostgreSQL, SQLite 3.33+): the lowest account id among the
    # activity's contacts, so the choice is the same on every run.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {activity} SET account_id = m.account_id, account_match = %s, match_explanation = %s, matched_at = %s
            FROM (
                SELECT p.activity_id, MIN(c.account_id) AS account_id
                FROM {participant} p JOIN {contact} c ON c.id = p.contact_id
                WHERE c.account_id IS NOT NULL
                GROUP BY p.activity_id
            ) m
            WHERE m.activity_id = {activity}.id AND {activity}.account_id IS NULL
            """,
            [
                Activity.AccountMatch.CONTACT,
                "Matched for a benchmark: a participant is a contact of the account.",
                clock.now(),
            ],
        )
        matched = cursor.rowcount
    if progress:
        progress("accounts matched", matched)

    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    windows: dict[int, list[tuple[int, dt.datetime, dt.datetime]]] = {}
    for (
        opportunity_id,
        account_id,
        created_date,
        created_at,
        is_closed,
        changed_at,
        close_date,
    ) in Opportunity.objects.values_list(
        "id", "account_id", "created_date", "created_at", "is_closed", "stage_changed_at", "close_date"
    ):
        end = far
        if is_closed:
            end = changed_at or dt.datetime.combine(close_date or dt.date.max, dt.time.max, tzinfo=dt.UTC)
        windows.setdefault(account_id, []).append((opportunity_id, created_date or created_at, end))
    roles: dict[int, set[int]] = {}
    for opportunity_id, contact_id in OpportunityContactRole.objects.values_list(
        "opportunity_id", "contact_id"
    ):
        roles.setdefault(contact_id, set()).add(opportunity_id)
    contacts: dict[int, set[int]] = {}
    linked = set(ActivityOpportunity.objects.values_list("activity_id", flat=True).distinct())
    rows = Activity.objects.filter(account__isnull=False).values_list("id", "account_id", "occurred_at")
    buffer: list[ActivityOpportunity] = []
    written = 0
    chunk: list[tuple[int, int, dt.datetime]] = []

    def flush_chunk() -> None:
        nonlocal written
        contacts.clear()
        for activity_id, contact_id in Participant.objects.filter(
            activity_id__in=[c[0] for c in chunk], contact_id__isnull=False
        ).values_list("activity_id", "contact_id"):
            contacts.setdefault(activity_id, set()).add(contact_id)
        for activity_id, account_id, occurred_at in chunk:
            if activity_id in linked:
                continue
            open_then = [
                o for o, start, end in windows.get(account_id, ()) if start and start <= occurred_at <= end
            ]
            if len(open_then) == 1:
                chosen, how = open_then, Activity.OpportunityMatch.SINGLE_OPEN
            else:
                held = set().union(*(roles.get(c, set()) for c in contacts.get(activity_id, ())))
                chosen, how = [o for o in open_then if o in held], Activity.OpportunityMatch.CONTACT_ROLE
            buffer.extend(
                ActivityOpportunity(activity_id=activity_id, opportunity_id=o, match=how) for o in chosen
            )
        ActivityOpportunity.objects.bulk_create(buffer, batch_size=5_000, ignore_conflicts=True)
        written += len(buffer)
        buffer.clear()
        chunk.clear()

    for row in rows.iterator(chunk_size=10_000):
        chunk.append(row)
        if len(chunk) == 10_000:
            flush_chunk()
            if progress:
                progress("opportunity links", written)
    if chunk:
        flush_chunk()
    return {"activities matched to an account": matched, "opportunity links": written}


@dataclass
class BenchmarkFigures:
    database: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    details: dict[str, float] = field(default_factory=dict)


def _timed(figures: BenchmarkFigures, name: str, work: Callable):
    started = time.perf_counter()
    result = work()
    figures.seconds[name] = round(time.perf_counter() - started, 2)
    return result


def run_benchmark(*, summaries: bool = True, progress: Progress | None = None) -> BenchmarkFigures:
    """Time the engagement levels of every account, opportunity and person, then (optionally) every
    summary, on whatever database is configured."""
    figures = BenchmarkFigures(database=connection.vendor)
    figures.counts = {
        "accounts": Account.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "activities": Activity.objects.count(),
        "matched activities": Activity.objects.filter(account__isnull=False).count(),
        "opportunity links": ActivityOpportunity.objects.count(),
        "participants": Participant.objects.count(),
    }
    now = clock.now()
    levels = {
        "engagement: all accounts": lambda: engagement_levels(kind="account", as_of=now),
        "engagement: all opportunities": lambda: engagement_levels(kind="opportunity", as_of=now),
        "engagement: every person on every account": lambda: person_engagement_levels(
            kind="account", as_of=now
        ),
        "engagement: every person on every opportunity": lambda: person_engagement_levels(
            kind="opportunity", as_of=now
        ),
        "engagement: every contact (snapshot)": lambda: people_engagement_levels(
            subject="contact", as_of=now
        ),
        "engagement: every user (snapshot)": lambda: people_engagement_levels(subject="user", as_of=now),
    }
    results = {name: _timed(figures, name, work) for name, work in levels.items()}
    figures.seconds["engagement: all levels"] = round(sum(figures.seconds[name] for name in levels), 2)
    people = _timed(
        figures,
        "people metrics (12 months) on every account",
        lambda: people_facts(kind="account", record_ids=None, now=now),
    )
    _timed(
        figures,
        "people metrics (12 months) on every opportunity",
        lambda: people_facts(kind="opportunity", record_ids=None, now=now),
    )
    figures.counts["accounts scored"] = len(results["engagement: all accounts"])
    figures.counts["opportunities scored"] = len(results["engagement: all opportunities"])
    figures.counts["people scored on accounts"] = len(results["engagement: every person on every account"])
    figures.counts["people scored on opportunities"] = len(
        results["engagement: every person on every opportunity"]
    )
    figures.counts["people rows on accounts (12 months)"] = len(people)
    if summaries:
        report = _timed(
            figures,
            "summaries: refresh all",
            lambda: summaries_refresh_all(progress=progress, backfill_weeks=0),
        )
        figures.counts["summaries written"] = report.accounts + report.opportunities
        figures.counts["people rows written"] = report.people
        figures.details = {
            name: round(seconds, 2) for name, seconds in sorted(report.timings.items(), key=lambda kv: -kv[1])
        }
    return figures
