"""The daily de-duplication of contacts Backstory created.

FAQ: "Backstory automatically removes duplicate contacts via an automated daily de-duplication
process. Only contacts created by Backstory are eligible for deletion. When duplicates are found,
Backstory deletes the extra records and remaps their activities to the earliest valid contact."

Duplicates are contacts with the same email (case-insensitive) on the same account. The contact
that stays is the earliest valid one (Design: "the oldest by creation time among the duplicates
that still exist and have an email; a manual contact, if one is among them, always survives"):
the oldest contact created by hand when there is one, else the oldest. Creation time is when the
CRM created the record, else when it was stored here.

Everything is set-based: one window query finds every (duplicate → survivor) pair into a
temporary table, and a fixed number of statements re-point every relation to a contact (hidden
ones such as the people metrics too) to the survivor, drop contact roles that would duplicate one
the survivor holds, queue the CRM changes, record the decisions and delete the duplicates,
whatever their number. If the database refuses that pass, each survivor's group merges in its own
savepoint, so one pair that cannot merge is reported and the others still merge.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db import DatabaseError, connection, transaction
from django.db.models.expressions import RawSQL

from activities.models import Participant
from backstory import clock
from contacts.models import Contact, ContactDecision, Lead
from crm.models import OutboxEntry
from crm.outbox import outbox_enqueue_deletes, outbox_enqueue_many, outbox_entry_build
from opportunities.models import NextStep, Opportunity, OpportunityContactRole

from .decisions import Action, Reason, Rule

MAP_TABLE = "contacts_dedup_map"
DROPPED_TABLE = "contacts_dedup_dropped_roles"
PAIR_TABLE = "contacts_dedup_pair"

logger = logging.getLogger(__name__)


@dataclass
class DedupReport:
    """What one run of the de-duplication did; `failures` names each pair that could not merge."""

    contacts_deleted: int = 0
    survivors: int = 0
    participants_remapped: int = 0
    roles_remapped: int = 0
    roles_dropped: int = 0
    next_steps_remapped: int = 0
    leads_remapped: int = 0
    relations_remapped: dict[str, int] = dataclass_field(default_factory=dict)
    outbox_rows: int = 0
    failures: list[dict] = dataclass_field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        """The counts (the failures' details are in `failures`)."""
        counts = {name: value for name, value in self.__dict__.items() if isinstance(value, int)}
        return {**counts, "pairs_not_merged": len(self.failures)}

    def add(self, other: DedupReport) -> None:
        for name, value in other.__dict__.items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)
        for label, count in other.relations_remapped.items():
            self.relations_remapped[label] = self.relations_remapped.get(label, 0) + count
        self.failures.extend(other.failures)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _uuid(value) -> str:
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _losers(mapping: str) -> RawSQL:
    """The duplicates to delete, as a subquery on the mapping table."""
    return RawSQL(f"SELECT loser_id FROM {mapping}", [])


def _json(sql: str) -> str:
    return f"CAST({sql} AS jsonb)" if connection.vendor == "postgresql" else sql


def _contact_relations() -> list:
    """Every relation pointing at a contact, hidden ones (`related_name="+"`) included, except the
    contact roles (merged on their own) and the decision log (never rewritten: it keeps the
    duplicate's id, which the merge decision names)."""
    return [
        relation.field
        for relation in Contact._meta.get_fields(include_hidden=True)
        if relation.auto_created
        and not relation.concrete
        and (relation.one_to_many or relation.one_to_one)
        and relation.related_model not in (OpportunityContactRole, ContactDecision)
    ]


@transaction.atomic
def contacts_deduplicate() -> DedupReport:
    """Merge duplicate contacts Backstory created into the earliest valid contact of their email on
    their account: re-point everything that refers to them (activities, contact roles, people
    metrics, ...), delete them, queue the changes for the CRM, and record one decision per
    surviving contact. A contact made by hand is never deleted.

    All pairs merge in one set-based pass; if the database refuses it, each survivor's group
    merges in its own savepoint, so one pair that cannot merge is reported in `failures` and
    every other pair still merges.
    """
    report = DedupReport()
    contact_t = _q(Contact._meta.db_table)
    candidates, pair = _q(MAP_TABLE), _q(PAIR_TABLE)
    with connection.cursor() as cursor:
        for table in (candidates, pair, _q(DROPPED_TABLE)):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {candidates} (loser_id bigint PRIMARY KEY, survivor_id bigint NOT NULL)"
        )
        # FAQ: "Only contacts created by Backstory are eligible for deletion." / Design: "a manual
        # contact, if one is among them, always survives": manual contacts sort first, then by age.
        cursor.execute(
            f"""
            INSERT INTO {candidates} (loser_id, survivor_id)
            SELECT ranked.id, ranked.survivor_id FROM (
                SELECT c.id AS id, c.created_by_backstory AS by_backstory,
                       FIRST_VALUE(c.id) OVER (
                           PARTITION BY c.account_id, LOWER(c.email)
                           ORDER BY c.created_by_backstory, COALESCE(c.crm_created_at, c.created_at), c.id
                       ) AS survivor_id
                FROM {contact_t} c
                WHERE c.account_id IS NOT NULL AND c.email <> ''
                  AND EXISTS (SELECT 1 FROM {contact_t} d
                              WHERE d.account_id = c.account_id AND LOWER(d.email) = LOWER(c.email) AND d.id <> c.id)
            ) ranked
            WHERE ranked.by_backstory = %s AND ranked.id <> ranked.survivor_id
            """,
            [True],
        )
        cursor.execute(f"SELECT COUNT(*) FROM {candidates}")
        if cursor.fetchone()[0]:
            cursor.execute(f"CREATE INDEX contacts_dedup_map_survivor ON {candidates} (survivor_id)")
            cursor.execute(f"ANALYZE {candidates}")  # temporary tables are never analyzed automatically
            try:
                report.add(_merge_in_savepoint(cursor, candidates))
            except DatabaseError:
                logger.warning("de-duplication: merging every pair at once failed; merging pair by pair")
                report.add(_merge_pair_by_pair(cursor, candidates, pair))
        cursor.execute(f"DROP TABLE {candidates}")
    return report


def _merge_pair_by_pair(cursor, candidates: str, pair: str) -> DedupReport:
    """Merge each survivor's duplicates in a savepoint of their own; report the ones refused."""
    report = DedupReport()
    cursor.execute(
        f"CREATE TEMPORARY TABLE {pair} (loser_id bigint PRIMARY KEY, survivor_id bigint NOT NULL)"
    )
    cursor.execute(f"SELECT survivor_id, loser_id FROM {candidates} ORDER BY survivor_id, loser_id")
    groups: dict[int, list[int]] = {}
    for survivor_id, loser_id in cursor.fetchall():
        groups.setdefault(survivor_id, []).append(loser_id)
    for survivor_id, loser_ids in groups.items():
        cursor.execute(f"DELETE FROM {pair}")
        cursor.execute(
            f"INSERT INTO {pair} (loser_id, survivor_id) SELECT loser_id, survivor_id FROM {candidates} "
            "WHERE survivor_id = %s",
            [survivor_id],
        )
        try:
            report.add(_merge_in_savepoint(cursor, pair))
        except DatabaseError as error:
            logger.error(
                "de-duplication: contact %s and its duplicates %s not merged: %s",
                survivor_id,
                loser_ids,
                error,
            )
            report.failures.append(
                {"survivor_id": survivor_id, "duplicate_ids": loser_ids, "error": str(error)}
            )
    cursor.execute(f"DROP TABLE {pair}")
    return report


def _merge_in_savepoint(cursor, mapping: str) -> DedupReport:
    """Merge the (duplicate -> survivor) pairs of `mapping` in one savepoint: all or nothing, with
    deferred foreign keys checked before the savepoint is released."""
    report = DedupReport()
    dropped = _q(DROPPED_TABLE)
    relations = _contact_relations()
    with transaction.atomic():
        cursor.execute(f"SELECT COUNT(*), COUNT(DISTINCT survivor_id) FROM {mapping}")
        report.contacts_deleted, report.survivors = cursor.fetchone()
        role_rows = _merge_roles(cursor, mapping, dropped, report)
        for relation in relations:
            report.relations_remapped[relation.model._meta.label_lower] = _remap(
                cursor, mapping, relation.model, relation.column
            )
        report.participants_remapped = report.relations_remapped.get(Participant._meta.label_lower, 0)
        report.next_steps_remapped = report.relations_remapped.get(NextStep._meta.label_lower, 0)
        report.leads_remapped = report.relations_remapped.get(Lead._meta.label_lower, 0)
        # Roles first (re-pointed before their old contact goes), then the contacts.
        report.outbox_rows = outbox_enqueue_many(role_rows) + outbox_enqueue_deletes(
            object_name="Contact", records=Contact.objects.filter(pk__in=_losers(mapping))
        )
        _record_merges(cursor, mapping)
        cursor.execute(
            f"DELETE FROM {_q(Contact._meta.db_table)} WHERE id IN (SELECT loser_id FROM {mapping})"
        )
        cursor.execute(f"DROP TABLE {dropped}")
        # Django's foreign keys are deferred: check them now, while this savepoint can still go.
        connection.check_constraints(
            table_names=[Contact._meta.db_table] + sorted({r.model._meta.db_table for r in relations})
        )
    return report


def _merge_roles(cursor, mapping: str, dropped: str, report: DedupReport) -> list[OutboxEntry]:
    """Move the duplicates' contact roles to the survivor; drop the ones that would duplicate a role
    on the same opportunity (held by the survivor, or by an earlier duplicate), passing "primary" on.
    Returns the outbox rows for the CRM."""
    role_t, contact_t = _q(OpportunityContactRole._meta.db_table), _q(Contact._meta.db_table)
    opportunity_t = _q(Opportunity._meta.db_table)
    label = OpportunityContactRole._meta.label_lower
    # Seed FAQ: "remaps their activities to the earliest valid contact"; a role that would duplicate
    # one on the same opportunity is dropped instead.
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {dropped} AS
        SELECT r.id AS role_id, r.opportunity_id AS opportunity_id, m.survivor_id AS survivor_id,
               r.is_primary AS is_primary, r.crm_id AS crm_id, r.backstory_id AS backstory_id
        FROM {role_t} r JOIN {mapping} m ON m.loser_id = r.contact_id
        WHERE EXISTS (SELECT 1 FROM {role_t} s WHERE s.opportunity_id = r.opportunity_id AND s.contact_id = m.survivor_id)
           OR EXISTS (SELECT 1 FROM {role_t} r2 JOIN {mapping} m2 ON m2.loser_id = r2.contact_id
                      WHERE r2.opportunity_id = r.opportunity_id AND m2.survivor_id = m.survivor_id AND r2.id < r.id)
        """
    )
    cursor.execute(f"ANALYZE {dropped}")
    cursor.execute(f"SELECT role_id, crm_id, backstory_id FROM {dropped} ORDER BY role_id")
    dropped_rows = cursor.fetchall()
    cursor.execute(f"DELETE FROM {role_t} WHERE id IN (SELECT role_id FROM {dropped})")
    report.roles_dropped = cursor.rowcount

    cursor.execute(
        f"""
        SELECT r.id, r.crm_id, r.backstory_id, r.role, r.is_primary, o.crm_id, s.crm_id, s.backstory_id
        FROM {role_t} r JOIN {mapping} m ON m.loser_id = r.contact_id
             JOIN {opportunity_t} o ON o.id = r.opportunity_id JOIN {contact_t} s ON s.id = m.survivor_id
        ORDER BY r.id
        """
    )
    remapped_rows = cursor.fetchall()
    report.roles_remapped = _remap(cursor, mapping, OpportunityContactRole, "contact_id")
    promote_condition = f"""
        id IN (SELECT k.id FROM {role_t} k JOIN {dropped} d ON d.opportunity_id = k.opportunity_id AND k.contact_id = d.survivor_id
               WHERE d.is_primary = %s)
        AND NOT EXISTS (SELECT 1 FROM {role_t} p WHERE p.opportunity_id = {role_t}.opportunity_id AND p.is_primary = %s)
    """
    cursor.execute(f"SELECT id, crm_id, backstory_id FROM {role_t} WHERE {promote_condition}", [True, True])
    promoted_rows = cursor.fetchall()
    cursor.execute(f"UPDATE {role_t} SET is_primary = %s WHERE {promote_condition}", [True, True, True])

    rows: list[OutboxEntry] = []
    for (
        role_id,
        crm_id,
        backstory_id,
        role,
        is_primary,
        opportunity_crm_id,
        survivor_crm_id,
        survivor_bid,
    ) in remapped_rows:
        reference = (
            {"ContactId": survivor_crm_id} if survivor_crm_id else {"ContactBackstoryId": _uuid(survivor_bid)}
        )
        if crm_id:
            rows.append(
                outbox_entry_build(
                    object_name="OpportunityContactRole",
                    operation=OutboxEntry.Operation.UPDATE,
                    record_type=label,
                    record_id=role_id,
                    crm_id=crm_id,
                    external_id=_uuid(backstory_id),
                    payload=reference,
                )
            )
        else:
            rows.append(
                outbox_entry_build(
                    object_name="OpportunityContactRole",
                    operation=OutboxEntry.Operation.UPSERT,
                    record_type=label,
                    record_id=role_id,
                    external_id=_uuid(backstory_id),
                    payload={
                        "OpportunityId": opportunity_crm_id,
                        **reference,
                        "Role": role or None,
                        "IsPrimary": bool(is_primary),
                    },
                )
            )
    for role_id, crm_id, backstory_id in promoted_rows:
        rows.append(
            outbox_entry_build(
                object_name="OpportunityContactRole",
                operation=OutboxEntry.Operation.UPDATE,
                record_type=label,
                record_id=role_id,
                crm_id=crm_id or "",
                external_id=_uuid(backstory_id),
                payload={"IsPrimary": True},
            )
        )
    for role_id, crm_id, backstory_id in dropped_rows:
        rows.append(
            outbox_entry_build(
                object_name="OpportunityContactRole",
                operation=OutboxEntry.Operation.DELETE,
                record_type=label,
                record_id=role_id,
                crm_id=crm_id or "",
                external_id=_uuid(backstory_id),
            )
        )
    return rows


def _remap(cursor, mapping: str, model, column: str) -> int:
    """Point `model.column` from each duplicate to its survivor, in one statement."""
    table = _q(model._meta.db_table)
    if connection.vendor == "postgresql":
        cursor.execute(
            f"UPDATE {table} SET {column} = m.survivor_id FROM {mapping} m WHERE {table}.{column} = m.loser_id"
        )
    else:
        cursor.execute(
            f"""
            UPDATE {table} SET {column} = (SELECT m.survivor_id FROM {mapping} m WHERE m.loser_id = {table}.{column})
            WHERE {column} IN (SELECT loser_id FROM {mapping})
            """
        )
    return cursor.rowcount


def _record_merges(cursor, mapping: str) -> None:
    """One `contact_merged` decision per surviving contact, naming the duplicates it absorbed."""
    contact_t, decision_t = _q(Contact._meta.db_table), _q(ContactDecision._meta.db_table)
    ids = (
        "string_agg(CAST(m.loser_id AS text), ', ')"
        if connection.vendor == "postgresql"
        else "group_concat(m.loser_id, ', ')"
    )
    details = _json(
        f"'{{\"survivor_id\": ' || m.survivor_id || ', \"deleted_contact_ids\": [' || {ids} || ']}}'"
    )
    cursor.execute(
        f"""
        INSERT INTO {decision_t} (created_at, action, rule, reason, message, email, contact_id, account_id, details)
        SELECT %s, %s, %s, %s,
               'Deleted ' || COUNT(*) || ' duplicate(s) of ' || s.email || ' created by Backstory on this account; '
               || 'their activities and contact roles now belong to this contact, the earliest valid one.',
               s.email, m.survivor_id, s.account_id, {details}
        FROM {mapping} m JOIN {contact_t} s ON s.id = m.survivor_id
        GROUP BY m.survivor_id, s.email, s.account_id
        """,
        [clock.now(), Action.CONTACT_MERGED, Rule.DEDUPLICATION, Reason.DUPLICATE_EMAIL],
    )
