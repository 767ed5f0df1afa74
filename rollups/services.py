"""Keep the daily rollups equal to the raw activities.

Every service that changes which activities count where (capture, matching and re-matching, Edit
Match, removal from sync) calls one of these in its own transaction:

* ``rollups_owed(activity_ids=...)`` after capture stores new activities: they are recorded as
  pending (``PendingActivity``) and the ``rollups.apply_pending`` task, sent after commit, adds
  them with ``rollups_refresh`` within seconds (Celery beat sends it every
  ``APPLY_PENDING_EVERY_SECONDS`` too, in case the broker lost one). Capture no longer pays for the
  rollups in its transaction; a metric read from the rollups may miss an activity for those seconds;
* ``rollups_refresh(activity_ids=...)`` after storing one activity by hand (the admin);
* ``with rollups_kept_current(activity_ids=...):`` around a change to existing ones (the buckets
  they counted in before and after are both recomputed).

Every recount leaves pending activities out (they are added once, by the task), and every writer
takes one lock (``_rollups_lock``): a recount and the task's additions never interleave, and two
captures never insert the same day row at once.

Newly stored activities are added to their buckets (a record and a day): their counters, grouped
in a few statements per chunk of activities, are summed into the day and month rows, so the
refresh must run exactly once per activity (the task deletes the pending rows it adds). Every other bucket that
changes is recomputed from the raw rows, never adjusted by a delta: the buckets of a change to
existing activities, and those of the older sent emails a new activity answers (their "replied"
count may change). Month rows (``is_month``,
dated the 1st) hold the sum of their days, so long windows read a dozen rows per record.

The accounts each user engaged (``UserAccount``, and ``UserAccountMonth`` per month) follow the
same path: new activities are added, the (user, account) pairs of changed ones recomputed.
"""

from __future__ import annotations

import datetime as dt
import logging
import operator
import time
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from functools import reduce

from celery import current_app
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, PositiveIntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

import activities.counting as counted
from activities.counting import prefixed
from activities.models import Activity, ActivityOpportunity, Participant
from backstory.backlog import Backlog
from backstory.celery import PUBLISH_RETRY_FAST

from .models import AccountDay, OpportunityDay, PendingActivity, UserAccount, UserAccountMonth, UserDay

logger = logging.getLogger(__name__)
CHUNK = 500
# The task adds this many pending activities per transaction.
APPLY_BATCH = 1_000
APPLY_PENDING_TASK = "rollups.apply_pending"
# Celery beat sends the task this often too: the bound when the message after a capture was lost.
APPLY_PENDING_EVERY_SECONDS = 10.0
# pg_advisory_xact_lock's key for every write to the rollups ("rollups" in ASCII).
_ROLLUPS_LOCK = 0x726F6C6C757073

Keys = dict[str, dict[int, set[dt.date]]]  # "account" / "opportunity" / "user" → record id → days


class RefreshClock:
    """What ``rollups_refresh`` cost while ``rollups_timed()`` was open (for ``benchmark_capture``)."""

    def __init__(self, *, enabled: bool = True):
        self.enabled, self.seconds, self.calls = enabled, 0.0, 0


_clock: RefreshClock | None = None


@contextmanager
def rollups_timed(*, enabled: bool = True):
    """For ``benchmark_capture``: inside the block capture records what it owes the rollups but sends
    no task (the benchmark adds them afterwards, timed), and every refresh is timed. ``enabled=False``
    records nothing: capture without the rollups (then stale: only for benchmarks, which delete after)."""
    global _clock
    outer, _clock = _clock, RefreshClock(enabled=enabled)
    try:
        yield _clock
    finally:
        _clock = outer


def activity_counters(prefix: str = "") -> dict:
    """The day counters of AccountDay / OpportunityDay as aggregates over activity rows."""

    def on(condition: Q) -> Q:
        return _prefixed(condition, prefix)

    def minutes(condition: Q):
        return Coalesce(Sum(f"{prefix}duration_minutes", filter=on(condition)), Value(0))

    return {
        "activities": Count("pk"),
        "emails_sent": Count("pk", filter=on(counted.EMAILS_SENT)),
        "emails_received": Count("pk", filter=on(counted.EMAILS_RECEIVED)),
        "emails_replied": Count("pk", filter=on(counted.EMAILS_SENT) & counted.replied(prefix)),
        "meetings": Count("pk", filter=on(counted.MEETINGS)),
        "meeting_minutes": minutes(counted.MEETINGS),
        "calls": Count("pk", filter=on(counted.CALLS_MADE)),
        "call_minutes": minutes(counted.CALLS_MADE),
        "meaningful": Count("pk", filter=on(counted.MEANINGFUL)),
    }


def user_counters() -> dict:
    """The day counters of UserDay over the user's participation rows (distinct activities)."""
    FROM, ORGANIZER = Participant.Role.FROM, Participant.Role.ORGANIZER

    def took_part(roles, condition: Q, also: Q = Q()):
        on = Q(role__in=roles) & _prefixed(condition, "activity__") & also
        return Count("activity", distinct=True, filter=on)

    return {
        "emails_sent": took_part([FROM], counted.EMAILS_SENT),
        "emails_received": took_part(counted.RECIPIENT_ROLES, counted.EMAILS_RECEIVED),
        "emails_replied": took_part([FROM], counted.EMAILS_SENT, counted.replied("activity__")),
        "meetings_booked": took_part([ORGANIZER], counted.MEETINGS),
        "calls_made": took_part([FROM], counted.CALLS_MADE),
    }


# --- the write side: one call per change ---------------------------------------------------------
def rollups_owed(*, activity_ids: Iterable[int]) -> None:
    """Capture's part, in its transaction: the new activities are owed to the rollups; the task sent
    after commit adds them (issue 19: rollups "kept current by capture ... in the same transaction
    (or within seconds by a task, with a documented bound)")."""
    ids = sorted(set(activity_ids))
    if not ids or (_clock is not None and not _clock.enabled):
        return
    _add_and_insert(PendingActivity, [], [], ["activity_id"], [[pk] for pk in ids])
    if _clock is None:
        transaction.on_commit(rollups_apply_pending_send)


def rollups_apply_pending_send() -> bool:
    """Send the task that adds pending activities; False when the broker did not take it (Celery
    beat sends it again within ``APPLY_PENDING_EVERY_SECONDS``)."""
    try:
        current_app.signature(APPLY_PENDING_TASK).apply_async(retry=True, retry_policy=PUBLISH_RETRY_FAST)
    except Exception as error:  # the broker's errors depend on the transport
        logger.warning("rollups.apply_pending not sent; Celery beat sends it again: %s", error)
        return False
    return True


def rollups_apply_pending(*, limit: int | None = None) -> int:
    """Add the activities capture left pending to the rollups, ``APPLY_BATCH`` per transaction, each
    exactly once (its pending row goes in the transaction that adds it). Returns how many."""
    applied = 0
    while limit is None or applied < limit:
        with transaction.atomic():
            _rollups_lock()
            batch = PendingActivity.objects.select_for_update(skip_locked=True).order_by("activity_id")
            ids = list(batch.values_list("activity_id", flat=True)[:APPLY_BATCH])
            if not ids:
                break
            PendingActivity.objects.filter(activity_id__in=ids).delete()
            rollups_refresh(activity_ids=ids)
        applied += len(ids)
    return applied


def rollups_pending_count() -> int:
    """Captured activities not yet in the rollups."""
    return PendingActivity.objects.count()


def rollups_backlog() -> Backlog:
    """Captured activities not yet in the rollups, the oldest by when it was captured."""
    return Backlog.of(PendingActivity.objects.all(), "activity__captured_at")


def rollups_refresh(*, activity_ids: Iterable[int]) -> None:
    """Count newly stored activities in the rollups, once: in the task's transaction that deletes
    their pending rows, or in the one that stored an activity by hand.

    Their own buckets get the new activities' counters added (grouped statements per chunk of
    activities, not per record); only the buckets of older sent emails that the new ones answer
    are recomputed from the raw rows, because their "replied" count may change."""
    started = time.perf_counter()
    ids = sorted(set(activity_ids))
    if ids:
        _rollups_lock()
        answered_before = _answered_by(set(ids)) - set(ids)
        recompute = rollup_keys(activity_ids=answered_before)
        for kind in _SOURCES:
            _add_new(kind, ids, skip=recompute[kind])
        _recompute(recompute)
        _add_user_accounts(ids)
    if _clock is not None:
        _clock.seconds += time.perf_counter() - started
        _clock.calls += 1


def _rollups_recount(*, activity_ids: Iterable[int], also: Keys) -> None:
    """Recompute every bucket the activities (and the sent emails they answer) count in now,
    plus the buckets in ``also``."""
    _rollups_lock()
    keys = rollup_keys(activity_ids=activity_ids)
    for kind, records in also.items():
        for record_id, days in records.items():
            keys[kind][record_id] |= days
    _recompute(keys)


@contextmanager
def rollups_kept_current(*, activity_ids: Iterable[int]):
    """Around a change to existing activities: the buckets they counted in before the change and
    after it are recomputed (in the caller's transaction)."""
    ids = list(activity_ids)
    before = rollup_keys(activity_ids=ids)
    pairs_before = _user_accounts_of(ids)
    yield
    _rollups_recount(activity_ids=ids, also=before)
    _recount_user_accounts(pairs_before | _user_accounts_of(ids))


def rollups_rebuild(
    *, kinds: Iterable[str] = ("account", "opportunity", "user", "user_account"), progress=None
) -> dict[str, int]:
    """Recompute the rollups of ``kinds`` from the raw rows (``manage.py rollups_rebuild``).
    Returns the rows written per kind."""
    written = {}
    for kind in kinds:
        if kind == "user_account":
            with transaction.atomic():
                _rollups_lock()
                UserAccount.objects.all().delete()
                UserAccountMonth.objects.all().delete()
                _write_user_accounts(*_user_account_counts(Q()))
            written[kind] = UserAccount.objects.count() + UserAccountMonth.objects.count()
            continue
        model, field, source = _SOURCES[kind]
        with transaction.atomic():
            _rollups_lock()
            model.objects.all().delete()
            ids = list(source().values_list(field, flat=True).distinct().order_by())
            ids = sorted(i for i in ids if i is not None)
            for start in range(0, len(ids), CHUNK):
                _recompute_kind(kind, dict.fromkeys(ids[start : start + CHUNK]))
                if progress:
                    progress(kind, min(start + CHUNK, len(ids)), len(ids))
        written[kind] = model.objects.count()
    return written


def rollup_keys(*, activity_ids: Iterable[int]) -> Keys:
    """The buckets the activities, and the sent emails they answer, count in right now."""
    ids = set(activity_ids)
    keys: Keys = {"account": defaultdict(set), "opportunity": defaultdict(set), "user": defaultdict(set)}
    if not ids:
        return keys
    ids |= _answered_by(ids)
    tz = timezone.get_default_timezone()
    for chunk in _chunks(sorted(ids)):
        for account_id, at in Activity.objects.filter(pk__in=chunk, account__isnull=False).values_list(
            "account_id", "occurred_at"
        ):
            keys["account"][account_id].add(at.astimezone(tz).date())
        for opportunity_id, at in ActivityOpportunity.objects.filter(activity_id__in=chunk).values_list(
            "opportunity_id", "activity__occurred_at"
        ):
            keys["opportunity"][opportunity_id].add(at.astimezone(tz).date())
        for user_id, at in Participant.objects.filter(activity_id__in=chunk, user__isnull=False).values_list(
            "user_id", "activity__occurred_at"
        ):
            keys["user"][user_id].add(at.astimezone(tz).date())
    return keys


def _answered_by(ids: set[int]) -> set[int]:
    """Sent emails that the inbound emails among ``ids`` answer (by In-Reply-To, or later in the thread)."""
    answered: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        answers = Activity.objects.filter(pk__in=chunk, kind=counted.EMAIL, direction=counted.INBOUND)
        headers = {h for h in answers.values_list("in_reply_to", flat=True) if h}
        latest_in_thread: dict[str, dt.datetime] = {}
        for thread, at in answers.exclude(thread_id="").values_list("thread_id", "occurred_at"):
            latest_in_thread[thread] = max(at, latest_in_thread.get(thread, at))
        if not headers and not latest_in_thread:
            continue
        sent = Activity.objects.filter(kind=counted.EMAIL, direction=counted.OUTBOUND).filter(
            Q(source_id__in=list(headers)) | Q(thread_id__in=list(latest_in_thread))
        )
        for pk, source_id, thread, at in sent.values_list("pk", "source_id", "thread_id", "occurred_at"):
            if source_id in headers or (thread in latest_in_thread and at < latest_in_thread[thread]):
                answered.add(pk)
    return answered


def _recompute(keys: Keys) -> None:
    for kind, records in keys.items():
        if records:
            _recompute_kind(kind, records)


def _recompute_kind(kind: str, records: dict[int, set[dt.date] | None]) -> None:
    """Delete and write again the day rows of ``records`` (on the given days, or every day when
    None), then their months' rows. Only the (record, day) pairs asked for are read and written."""
    model, field, _source = _SOURCES[kind]
    tz = timezone.get_default_timezone()
    if any(days is None for days in records.values()):
        for chunk_ids in _chunks(sorted(records)):
            rows = _day_rows(kind, Q(**{f"{field}__in": chunk_ids}), None, tz)
            model.objects.filter(**{f"{field}__in": chunk_ids}, is_month=False).delete()
            _write_days(model, field, rows)
            _recompute_months(model, field, Q(**{f"{field}__in": chunk_ids}), None)
        return
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    by_month: dict[dt.date, set[int]] = defaultdict(set)
    for record_id, days in records.items():
        for day in days:
            by_day[day].append(record_id)
            by_month[day.replace(day=1)].add(record_id)
    for chunk_days in _chunks(sorted(by_day), 60):
        terms = {day: sorted(by_day[day]) for day in chunk_days}
        prefix = "" if kind == "account" else "activity__"
        scope = _any(
            Q(**{f"{field}__in": ids}) & _on_day(day, f"{prefix}occurred_at", tz)
            for day, ids in terms.items()
        )
        keys = {(record_id, day) for day, ids in terms.items() for record_id in ids}
        rows = _day_rows(kind, scope, keys, tz, organizers=terms)
        model.objects.filter(
            _any(Q(day=day, **{f"{field}__in": ids}) for day, ids in terms.items()), is_month=False
        ).delete()
        _write_days(model, field, rows)
    for chunk_months in _chunks(sorted(by_month), 60):
        terms = {month: sorted(by_month[month]) for month in chunk_months}
        _recompute_months(
            model,
            field,
            _any(
                Q(day__gte=month, day__lt=_next_month(month), **{f"{field}__in": ids})
                for month, ids in terms.items()
            ),
            _any(Q(day=month, **{f"{field}__in": ids}) for month, ids in terms.items()),
        )


def _add_new(kind: str, ids: list[int], *, skip: dict[int, set[dt.date]]) -> None:
    """Add the counters of the new activities ``ids`` to their day rows and month rows, except in
    the buckets in ``skip`` (recomputed from the raw rows afterwards, months included)."""
    model, field, source = _SOURCES[kind]
    tz = timezone.get_default_timezone()
    scope = "pk__in" if kind == "account" else "activity_id__in"
    added: dict[tuple[int, dt.date], dict] = {}
    for chunk in _chunks(ids):
        for row in _day_rows(kind, Q(**{scope: chunk}), None, tz, new_activities=chunk):
            key = (row.pop("record_id"), row.pop("day"))
            if key[1] not in skip.get(key[0], ()):
                _add_to(added.setdefault(key, {}), row)
    if not added:
        return
    months: dict[tuple[int, dt.date], dict] = {}
    for (record_id, day), row in added.items():
        _add_to(months.setdefault((record_id, day.replace(day=1)), {}), row)
    _add_to_rows(model, field, added, is_month=False)
    _add_to_rows(model, field, months, is_month=True)


def _add_to(total: dict, row: dict) -> None:
    for name, value in row.items():
        total[name] = total.get(name, 0) + (value or 0)


def _add_to_rows(model, field: str, added: dict[tuple[int, dt.date], dict], *, is_month: bool) -> None:
    """Rows (record, day) += ``added``: one ``UPDATE ... FROM (VALUES ...)`` for the existing rows
    and one multi-row INSERT for the missing ones, per batch of rows (building model instances for
    ``bulk_create`` cost more than the database did; ``executemany`` a round trip per row)."""
    counters = [f.attname for f in model._meta.concrete_fields if isinstance(f, PositiveIntegerField)]
    by_record: dict[int, list[dt.date]] = defaultdict(list)
    for record_id, day in added:
        by_record[record_id].append(day)
    found: dict[tuple[int, dt.date], int] = {}
    for chunk in _chunks(sorted(by_record)):
        days = [day for record_id in chunk for day in by_record[record_id]]
        for pk, record_id, day in model.objects.filter(
            **{f"{field}__in": chunk}, is_month=is_month, day__gte=min(days), day__lte=max(days)
        ).values_list("pk", field, "day"):
            if (record_id, day) in added:
                found[(record_id, day)] = pk
    column = model._meta.get_field(field.removesuffix("_id")).column
    day_value = connection.ops.adapt_datefield_value
    updates, inserts = [], []
    for key, totals in added.items():
        values = [totals.get(name, 0) for name in counters]
        if key in found:
            updates.append([*values, found[key]])
        else:
            inserts.append([key[0], day_value(key[1]), is_month, *values])
    _add_and_insert(model, counters, updates, [column, "day", "is_month", *counters], inserts)


def _add_and_insert(model, counters: list[str], updates: list, columns: list[str], inserts: list) -> None:
    """``counters += values`` on the rows of ``updates`` (each the values, then the row's id) with
    ``UPDATE ... FROM (VALUES ...)``, and multi-row INSERTs of ``inserts`` into ``columns``."""
    quote, table = connection.ops.quote_name, connection.ops.quote_name(model._meta.db_table)
    width = max(len(columns), 1 + len(counters))
    per_statement = max(1, 900 // width)  # within SQLite's 999 parameters per statement
    with connection.cursor() as cursor:
        for start in range(0, len(updates), per_statement):
            batch = updates[start : start + per_statement]
            # VALUES columns are column1, column2, ... in both SQLite and PostgreSQL.
            assignments = ", ".join(
                f"{quote(name)} = {table}.{quote(name)} + v.column{n + 2}" for n, name in enumerate(counters)
            )
            values = ", ".join(["(" + ", ".join(["%s"] * (1 + len(counters))) + ")"] * len(batch))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v "
                f"WHERE {table}.{quote('id')} = v.column1",
                [value for row in batch for value in (row[-1], *row[:-1])],
            )
        names = ", ".join(quote(name) for name in columns)
        for start in range(0, len(inserts), per_statement):
            batch = inserts[start : start + per_statement]
            values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {values}", [value for row in batch for value in row]
            )


# --- accounts engaged per user (UserAccount, UserAccountMonth) ------------------------------------
Pair = tuple[int, int]  # (user id, account id)


def _user_account_counts(scope: Q) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """Distinct in-sync activities matched to an account per (user, account), and per (user,
    account, month), of the participations in ``scope``."""
    month = TruncMonth("activity__occurred_at", tzinfo=timezone.get_default_timezone())
    rows = (
        Participant.objects.filter(
            scope,
            _not_pending("activity_id"),
            user__isnull=False,
            activity__removed_from_sync_at__isnull=True,
            activity__account__isnull=False,
        )
        .annotate(month=month)
        .values_list("user_id", "activity__account_id", "month")
        .annotate(n=Count("activity", distinct=True))
        .order_by()
    )
    monthly = {(u, a, _as_date(m)): n for u, a, m, n in rows}
    # An activity falls in one month: the months' distinct counts add up to the pair's.
    every: dict[tuple, int] = defaultdict(int)
    for (u, a, _month), n in monthly.items():
        every[(u, a)] += n
    return dict(every), monthly


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(timezone.get_default_timezone()).date()
    return value


def _user_accounts_of(ids: list[int]) -> set[Pair]:
    """The (user, account) pairs the activities count in now (in sync or not: a superset is safe)."""
    pairs: set[Pair] = set()
    for chunk in _chunks(sorted(set(ids))):
        pairs |= set(
            Participant.objects.filter(
                activity_id__in=chunk, user__isnull=False, activity__account__isnull=False
            ).values_list("user_id", "activity__account_id")
        )
    return pairs


def _write_user_accounts(every: dict[tuple, int], monthly: dict[tuple, int]) -> None:
    UserAccount.objects.bulk_create(
        [UserAccount(user_id=u, account_id=a, activities=n) for (u, a), n in every.items() if n],
        batch_size=2_000,
    )
    UserAccountMonth.objects.bulk_create(
        [
            UserAccountMonth(user_id=u, account_id=a, month=m, activities=n)
            for (u, a, m), n in monthly.items()
            if n
        ],
        batch_size=2_000,
    )


def _add_user_accounts(ids: list[int]) -> None:
    """Add newly stored activities to their (user, account) rows and month rows (each activity is
    in one chunk, so the distinct counts per chunk add up)."""
    every: dict[tuple, int] = defaultdict(int)
    monthly: dict[tuple, int] = defaultdict(int)
    for chunk in _chunks(ids):
        chunk_every, chunk_monthly = _user_account_counts(Q(activity_id__in=chunk))
        for key, n in chunk_every.items():
            every[key] += n
        for key, n in chunk_monthly.items():
            monthly[key] += n
    for model, added in ((UserAccount, every), (UserAccountMonth, monthly)):
        if not added:
            continue
        extra = ["month"] if model is UserAccountMonth else []
        by_user: dict[int, set[int]] = defaultdict(set)
        for key in added:
            by_user[key[0]].add(key[1])
        found: dict[tuple, int] = {}
        for user_id, accounts in by_user.items():
            for chunk in _chunks(sorted(accounts)):
                rows = model.objects.filter(user_id=user_id, account_id__in=chunk)
                for pk, *key in rows.values_list("pk", "user_id", "account_id", *extra):
                    found[tuple(key)] = pk
        updates = [[n, found[key]] for key, n in added.items() if key in found]
        day_value = connection.ops.adapt_datefield_value
        inserts = [
            [*key[:2], *(day_value(value) for value in key[2:]), n]
            for key, n in added.items()
            if key not in found
        ]
        columns = ["user_id", "account_id", *extra, "activities"]
        _add_and_insert(model, ["activities"], updates, columns, inserts)


def _recount_user_accounts(pairs: set[Pair]) -> None:
    """Recompute the rows of ``pairs`` (all time and every month) from the raw rows."""
    by_user: dict[int, list[int]] = defaultdict(list)
    for user_id, account_id in pairs:
        by_user[user_id].append(account_id)
    for user_id, accounts in by_user.items():
        for chunk in _chunks(sorted(accounts)):
            counts = _user_account_counts(Q(user_id=user_id, activity__account_id__in=chunk))
            UserAccount.objects.filter(user_id=user_id, account_id__in=chunk).delete()
            UserAccountMonth.objects.filter(user_id=user_id, account_id__in=chunk).delete()
            _write_user_accounts(*counts)


def _write_days(model, field: str, rows: list[dict]) -> None:
    model.objects.bulk_create(
        [model(**{field: row.pop("record_id")}, is_month=False, **row) for row in rows], batch_size=2_000
    )


def _on_day(day: dt.date, column: str, tz) -> Q:
    starts = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return Q(**{f"{column}__gte": starts, f"{column}__lt": starts + dt.timedelta(days=1)})


def _any(conditions) -> Q:
    return reduce(operator.or_, conditions)


def _day_rows(
    kind: str,
    scope: Q,
    keys: set | None,
    tz,
    organizers: dict | None = None,
    new_activities: list[int] | None = None,
) -> list[dict]:
    """The day counters of the records and days in ``scope`` (only ``keys`` kept, when given);
    with ``new_activities``, the invitations counted are those of these activities only."""
    model, field, source = _SOURCES[kind]
    prefix = "" if kind == "account" else "activity__"
    grouped = (
        source().filter(scope).annotate(day=TruncDate(f"{prefix}occurred_at", tzinfo=tz)).values(field, "day")
    )
    counters = user_counters() if kind == "user" else activity_counters(prefix)
    found: dict[tuple[int, dt.date], dict] = {}
    for row in grouped.annotate(**counters).order_by():
        key = (row.pop(field), row.pop("day"))
        if keys is None or key in keys:
            found[key] = {"record_id": key[0], "day": key[1], **row}
    if kind == "user":
        if new_activities is not None:
            organizer_scope = Q(activity_id__in=new_activities)
        elif organizers is None:
            organizer_scope = Q(activity__participants__user_id__in=sorted({k[0] for k in found}))
        else:
            organizer_scope = _any(
                Q(activity__participants__user_id__in=ids) & _on_day(day, "activity__occurred_at", tz)
                for day, ids in organizers.items()
            )
        for row in _invitation_rows(organizer_scope, tz):
            key = (row["organizer_id"], row["day"])
            if key[0] is None:
                continue
            if keys is None or key in keys:
                target = found.setdefault(key, {"record_id": key[0], "day": key[1]})
                target["invitations"] = row["invitations"]
                target["invitations_accepted"] = row["accepted"]
    return list(found.values())


def _invitation_rows(organizer_scope: Q, tz):
    """External invitations to the meetings each user organized, by day, and how many were accepted."""
    invitations = Participant.objects.filter(
        Q(activity__participants__role=Participant.Role.ORGANIZER) & organizer_scope,
        _not_pending("activity_id"),
        role=Participant.Role.ATTENDEE,
        is_internal=False,
        activity__kind=counted.MEETING,
        activity__is_cancelled=False,
        activity__removed_from_sync_at__isnull=True,
    )
    return (
        invitations.annotate(
            organizer_id=F("activity__participants__user_id"),
            day=TruncDate("activity__occurred_at", tzinfo=tz),
        )
        .values("organizer_id", "day")
        .annotate(
            invitations=Count("pk", distinct=True),
            accepted=Count("pk", distinct=True, filter=Q(response=Participant.Response.ACCEPTED)),
        )
        .order_by()
    )


def _recompute_months(model, field: str, days_scope: Q, months_scope: Q | None) -> None:
    """Month rows = the sum of their day rows, for the day rows in ``days_scope``; the month rows
    replaced are those in ``months_scope`` (every month of the records when None)."""
    if months_scope is None:
        model.objects.filter(days_scope, is_month=True).delete()
    else:
        model.objects.filter(months_scope, is_month=True).delete()
    counters = [f.attname for f in model._meta.concrete_fields if isinstance(f, PositiveIntegerField)]
    rows = (
        model.objects.filter(days_scope, is_month=False)
        .annotate(month=TruncMonth("day"))
        .values(field, "month")
        .annotate(**{f"total_{name}": Sum(name) for name in counters})
        .order_by()
    )
    model.objects.bulk_create(
        [
            model(
                **{field: row[field]},
                day=row["month"],
                is_month=True,
                **{name: row[f"total_{name}"] or 0 for name in counters},
            )
            for row in rows
        ],
        batch_size=2_000,
    )


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _rollups_lock() -> None:
    """Held by every write to the rollups until its transaction ends (PostgreSQL; SQLite has one
    writer at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROLLUPS_LOCK])


def _not_pending(activity: str) -> Exists:
    # A pending activity is added by the task, once: every count until then leaves it out.
    return ~Exists(PendingActivity.objects.filter(activity_id=OuterRef(activity)))


def _in_sync_activities():
    return counted.counted().filter(_not_pending("pk"), account__isnull=False)


def _in_sync_links():
    return ActivityOpportunity.objects.filter(
        _not_pending("activity_id"), activity__removed_from_sync_at__isnull=True
    )


def _in_sync_participations():
    return Participant.objects.filter(
        _not_pending("activity_id"), user__isnull=False, activity__removed_from_sync_at__isnull=True
    )


# kind → (rollup model, its record field, the raw rows it sums)
_SOURCES = {
    "account": (AccountDay, "account_id", _in_sync_activities),
    "opportunity": (OpportunityDay, "opportunity_id", _in_sync_links),
    "user": (UserDay, "user_id", _in_sync_participations),
}


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _prefixed(condition: Q, prefix: str) -> Q:
    return prefixed(condition, prefix) if prefix else condition
