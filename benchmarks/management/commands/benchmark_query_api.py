"""manage.py benchmark_query_api: time the Query API on a big org, next to hand-written SQL.

Build the org first, in a database of its own. ``seed_demo`` runs the real pipeline (matching,
summaries); with ``--raw`` it writes captured activities only, and ``--prepare`` then stands in for
capture's matching and the insights engine, so the metrics have something to count::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstory_bench_query
    manage.py seed_demo --reset --raw --accounts 2000 --activities 200000
    manage.py benchmark_query_api --prepare

``--prepare``: an activity goes to the account of its first participant who is a contact, and to
that account's oldest open opportunity; every account and opportunity without a summary gets one,
with scores derived from its id, and 26 weekly engagement snapshots. It refuses to run where
activities are already matched.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Min

from accounts.models import Account
from activities.models import Activity, ActivityOpportunity
from backstory import clock
from insights.models import EngagementSnapshot, Summary
from opportunities.models import Opportunity
from query_api.query import get_query_runner, parse_query
from query_api.registry import load_catalog
from query_api.services import query_run
from query_api.timeframes import window_for

# Ten metric columns, a filter on two of them and a sort on a third.
BENCHMARK_QUERY = {
    "object": "account",
    "columns": [
        {"slug": "ootb_account_name"},
        {"slug": "ootb_emails_sent", "variation_id": "ootb_emails_sent_last_30_days"},
        {"slug": "ootb_emails_received", "variation_id": "ootb_emails_received_last_30_days"},
        {"slug": "ootb_meetings_held", "variation_id": "ootb_meetings_held_current_quarter"},
        {"slug": "ootb_calls_made", "variation_id": "ootb_calls_made_current_year"},
        {"slug": "ootb_last_activity_days"},
        {"slug": "ootb_open_pipeline_value"},
        {"slug": "ootb_won_pipeline_value", "variation_id": "ootb_won_pipeline_value_current_year"},
        {"slug": "ootb_opportunity_count", "variation_id": "ootb_opportunity_count_open"},
        {"slug": "ootb_relationship_strength"},
        {
            "slug": "ootb_account_engagement_level",
            "variation_id": "ootb_account_engagement_level_last_90_days",
        },
    ],
    "filter": {
        "$and": [
            {
                "attribute": {"slug": "ootb_emails_sent", "variation_id": "ootb_emails_sent_current_year"},
                "clause": {"$gte": 10},
            },
            {"attribute": {"slug": "account_tier"}, "clause": {"$in": ["Enterprise", "Mid-Market"]}},
        ]
    },
    "sort": [{"attribute": {"slug": "ootb_open_pipeline_value"}, "direction": "desc"}],
    "limit": 100,
}


class Command(BaseCommand):
    help = "Time a 10-metric Query API query (filter + sort) against hand-written SQL for the same answer."

    def add_arguments(self, parser):
        parser.add_argument(
            "--runs", type=int, default=30, help="Timed runs of each (default 30), after 3 warm-ups."
        )
        parser.add_argument(
            "--prepare",
            action="store_true",
            help="Fill matching and summaries on a freshly seeded org (see the module docstring).",
        )
        parser.add_argument("--show-sql", action="store_true", help="Print the SQL the Query API runs.")

    def handle(self, *args, **options):
        if options["prepare"]:
            self.prepare()
        if not Account.objects.exists():
            raise CommandError(
                "No org here: run manage.py seed_demo --reset --accounts 2000 --activities 200000 first."
            )
        runs = max(1, options["runs"])
        self.stdout.write(
            f"Org: {Account.objects.count():,} accounts, {Opportunity.objects.count():,} opportunities, "
            f"{Activity.objects.count():,} activities ({Activity.objects.filter(account__isnull=False).count():,} matched), "
            f"database {connection.vendor}."
        )
        api_result = query_run(body=BENCHMARK_QUERY)
        params = hand_written_params()
        sql_rows, sql_total = hand_written(params)
        api_rows = [list(row.values()) for row in api_result.rows]
        same = api_total_matches = api_result.total == sql_total
        same = same and _normalise(api_rows) == _normalise(sql_rows)
        self.stdout.write(
            f"Same answer as the hand-written SQL: {'yes' if same else 'NO'} (total {api_result.total} vs {sql_total})."
        )
        if not same:
            self.stdout.write(
                f"  first API row: {api_rows[:1]}\n  first SQL row: {sql_rows[:1]}; totals equal: {api_total_matches}"
            )
        if options["show_sql"]:
            self.show_sql()
        api = _timed(lambda: query_run(body=BENCHMARK_QUERY), runs)
        sql = _timed(lambda: hand_written(params), runs)
        self.stdout.write(_line("Query API (parse + SQL + count + rows)", api))
        self.stdout.write(_line("Hand-written SQL (rows + count)", sql))
        ratio = statistics.median(api) / statistics.median(sql)
        self.stdout.write(
            f"Ratio of medians: {ratio:.2f}x (target within 2x); p95 target < 250 ms: {'met' if _p95(api) < 250 else 'NOT met'}."
        )
        self.stdout.write(
            f"Machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} during the run."
        )

    def show_sql(self):
        query = parse_query(BENCHMARK_QUERY, catalog=load_catalog())
        runner = get_query_runner(query.object)

        def show(execute, sql, params, many, context):
            self.stdout.write(f"{sql}\n{params}\n")
            return execute(sql, params, many, context)

        with connection.execute_wrapper(show):
            runner.run(query)

    # --- the stand-in for matching and insights on a freshly seeded org --------------------
    def prepare(self):
        if connection.vendor != "postgresql":
            raise CommandError(
                "--prepare writes with PostgreSQL SQL: run it with DATABASE_URL on PostgreSQL."
            )
        if Activity.objects.filter(account__isnull=False).exists():
            raise CommandError(
                "Activities here are already matched (by capture or an earlier --prepare); nothing to prepare."
            )
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(STAND_IN_ACCOUNT_MATCH)
                matched = cursor.rowcount
            oldest_open = dict(
                Opportunity.objects.filter(is_closed=False)
                .values("account")
                .annotate(first=Min("pk"))
                .values_list("account", "first")
            )
            linked = set(ActivityOpportunity.objects.values_list("activity_id", flat=True))
            links = [
                ActivityOpportunity(
                    activity_id=activity_id,
                    opportunity_id=oldest_open[account_id],
                    match=Activity.OpportunityMatch.SINGLE_OPEN,
                )
                for activity_id, account_id in Activity.objects.filter(account__isnull=False)
                .values_list("pk", "account_id")
                .iterator()
                if account_id in oldest_open and activity_id not in linked
            ]
            ActivityOpportunity.objects.bulk_create(links, batch_size=5_000)
            now = clock.now()
            summaries = []
            have_account = set(
                Summary.objects.filter(account__isnull=False).values_list("account_id", flat=True)
            )
            for account_id in Account.objects.values_list("pk", flat=True):
                if account_id not in have_account:
                    summaries.append(Summary(account_id=account_id, generated_at=now, **_scores(account_id)))
            have_opportunity = set(
                Summary.objects.filter(opportunity__isnull=False).values_list("opportunity_id", flat=True)
            )
            for opportunity_id in Opportunity.objects.values_list("pk", flat=True):
                if opportunity_id not in have_opportunity:
                    summaries.append(
                        Summary(opportunity_id=opportunity_id, generated_at=now, **_scores(opportunity_id))
                    )
            Summary.objects.bulk_create(summaries, batch_size=2_000)
            monday = clock.today() - dt.timedelta(days=clock.today().weekday())
            have_snapshots = set(
                EngagementSnapshot.objects.filter(subject_type="account")
                .values_list("subject_id", flat=True)
                .distinct()
            )
            snapshots = [
                EngagementSnapshot(
                    subject_type=EngagementSnapshot.Subject.ACCOUNT,
                    subject_id=account_id,
                    week_start=monday - dt.timedelta(weeks=week),
                    score=(account_id * 7 + week * 13) % 101,
                )
                for account_id in Account.objects.values_list("pk", flat=True)
                if account_id not in have_snapshots
                for week in range(26)
            ]
            EngagementSnapshot.objects.bulk_create(snapshots, batch_size=5_000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Prepared in {time.perf_counter() - started:.1f} s: {matched:,} activities looked at for an account, "
            f"{len(links):,} opportunity links, {len(summaries):,} summaries, {len(snapshots):,} snapshots."
        )


def _scores(record_id: int) -> dict:
    def score(salt: int) -> int:
        return (record_id * 37 + salt * 101) % 101

    return {
        "engagement_level": score(1),
        "relationship_strength": score(2),
        "buying_intent": score(3),
        "churn_risk": score(4),
        "win_probability": score(5),
        "deal_velocity": score(6),
        "competition_risk": score(7),
        "budget_confirmed": score(8),
        "engagement_trend": ["increasing", "stable", "declining"][record_id % 3],
        "activity_frequency": ["high", "medium", "low"][record_id % 3],
        "multi_threading": record_id % 9,
        "stakeholder_count": record_id % 7,
        "executive_engagement": record_id % 4 == 0,
        "champion_identified": record_id % 5 == 0,
    }


def hand_written_params() -> dict:
    """The windows of BENCHMARK_QUERY, computed the same way (``query_api.timeframes``)."""
    today, now = clock.today(), clock.now()
    return {
        "today": today,
        "now": now,
        "last_30_start": window_for("last_30_days", today=today).starts_at,
        "last_30_end": window_for("last_30_days", today=today).ends_at,
        "quarter_start": window_for("current_quarter", today=today).starts_at,
        "quarter_end": window_for("current_quarter", today=today).ends_at,
        "year_start": window_for("current_year", today=today).starts_at,
        "year_end": window_for("current_year", today=today).ends_at,
        "year_first": window_for("current_year", today=today).first_day,
        "year_last": window_for("current_year", today=today).last_day,
        "last_90_first": window_for("last_90_days", today=today).first_day,
        "last_90_last": window_for("last_90_days", today=today).last_day,
    }


# An activity goes to the account of its first participant who is a contact of one.
STAND_IN_ACCOUNT_MATCH = """
UPDATE activities_activity AS a SET account_id = m.account_id, account_match = 'contact'
FROM (
    SELECT DISTINCT ON (p.activity_id) p.activity_id, c.account_id
    FROM activities_participant p JOIN contacts_contact c ON c.id = p.contact_id
    WHERE c.account_id IS NOT NULL
    ORDER BY p.activity_id, p.id
) AS m
WHERE m.activity_id = a.id AND a.account_id IS NULL
"""

# The same answer, written by hand for PostgreSQL: one pass over activities with FILTER clauses,
# one over opportunities, one over snapshots, joined to accounts.
HAND_WRITTEN_SQL = """
WITH act AS (
    SELECT a.account_id,
        COUNT(*) FILTER (WHERE a.kind = 'email' AND a.direction = 'outbound' AND a.occurred_at >= %(last_30_start)s AND a.occurred_at < %(last_30_end)s) AS sent_30,
        COUNT(*) FILTER (WHERE a.kind = 'email' AND a.direction = 'inbound' AND a.occurred_at >= %(last_30_start)s AND a.occurred_at < %(last_30_end)s) AS received_30,
        COUNT(*) FILTER (WHERE a.kind = 'meeting' AND NOT a.is_cancelled AND a.occurred_at <= %(now)s AND a.occurred_at >= %(quarter_start)s AND a.occurred_at < %(quarter_end)s) AS meetings_q,
        COUNT(*) FILTER (WHERE a.kind = 'call' AND a.direction <> 'inbound' AND a.occurred_at >= %(year_start)s AND a.occurred_at < %(year_end)s) AS calls_y,
        COUNT(*) FILTER (WHERE a.kind = 'email' AND a.direction = 'outbound' AND a.occurred_at >= %(year_start)s AND a.occurred_at < %(year_end)s) AS sent_y,
        MAX(a.occurred_at) FILTER (WHERE a.occurred_at <= %(now)s AND ((a.kind IN ('email', 'call') AND a.direction <> 'internal') OR (a.kind = 'meeting' AND NOT a.is_cancelled))) AS last_at
    FROM activities_activity a
    WHERE a.account_id IS NOT NULL AND a.removed_from_sync_at IS NULL
    GROUP BY a.account_id
), opp AS (
    SELECT o.account_id,
        SUM(o.amount) FILTER (WHERE NOT o.is_closed) AS open_value,
        SUM(o.amount) FILTER (WHERE o.is_won AND COALESCE(o.actual_close_date, o.close_date) BETWEEN %(year_first)s AND %(year_last)s) AS won_y,
        COUNT(*) FILTER (WHERE NOT o.is_closed) AS open_count
    FROM opportunities_opportunity o
    GROUP BY o.account_id
), snap AS (
    SELECT s.subject_id AS account_id, AVG(s.score::float) AS level_90
    FROM insights_engagementsnapshot s
    WHERE s.subject_type = 'account' AND s.week_start BETWEEN %(last_90_first)s AND %(last_90_last)s
    GROUP BY s.subject_id
), answer AS (
    SELECT acc.id, acc.name,
        COALESCE(act.sent_30, 0) AS sent_30, COALESCE(act.received_30, 0) AS received_30,
        COALESCE(act.meetings_q, 0) AS meetings_q, COALESCE(act.calls_y, 0) AS calls_y,
        (%(today)s::date - (act.last_at AT TIME ZONE 'UTC')::date) AS last_days,
        COALESCE(opp.open_value, 0) AS open_value, COALESCE(opp.won_y, 0) AS won_y, COALESCE(opp.open_count, 0) AS open_count,
        summ.relationship_strength, snap.level_90
    FROM accounts_account acc
    LEFT JOIN act ON act.account_id = acc.id
    LEFT JOIN opp ON opp.account_id = acc.id
    LEFT JOIN snap ON snap.account_id = acc.id
    LEFT JOIN insights_summary summ ON summ.account_id = acc.id
    WHERE COALESCE(act.sent_y, 0) >= 10 AND acc.tier IN ('Enterprise', 'Mid-Market')
)
SELECT *, COUNT(*) OVER () AS total FROM answer ORDER BY open_value DESC NULLS LAST, id LIMIT 100
"""


def hand_written(params: dict) -> tuple[list[list], int]:
    if connection.vendor != "postgresql":
        raise CommandError(
            "The hand-written SQL is PostgreSQL's: run the benchmark with DATABASE_URL on PostgreSQL."
        )
    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN_SQL, params)
        rows = cursor.fetchall()
    total = rows[0][-1] if rows else 0
    return [list(row[1:-1]) for row in rows], total


def _normalise(rows: list[list]) -> list[list]:
    def value(v):
        if v is None:
            return None
        if isinstance(v, (int, float)) or hasattr(v, "as_tuple"):
            return round(float(v), 6)
        return str(v)

    return [[value(v) for v in row] for row in rows]


def _timed(run, runs: int) -> list[float]:
    for _ in range(3):
        run()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _line(label: str, timings: list[float]) -> str:
    return f"{label:<42} p50 {statistics.median(timings):7.1f} ms   p95 {_p95(timings):7.1f} ms   min {min(timings):7.1f} ms   ({len(timings)} runs)"
