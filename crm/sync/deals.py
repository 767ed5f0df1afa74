"""Opportunities, their stage history and contact roles, and open tasks (next steps)."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import Account
from contacts.models import Contact
from opportunities.models import NextStep, Opportunity, OpportunityContactRole, OpportunityStageHistory
from opportunities.services import (
    contact_role_demote_other_primaries,
    contact_role_save,
    contact_roles_delete,
    next_steps_delete,
    next_steps_write,
    opportunities_delete,
    opportunities_write,
    stage_history_create,
    stage_history_delete,
    stage_history_save,
)
from opportunities.stages import stage_info
from users.models import User

from .base import ObjectReport, ObjectSync, PullContext, Record, crm_map
from .people import pending_outbox_ids
from .values import as_uuid, assign, parse_date, parse_datetime, soql_quote, text, to_decimal

HISTORY_IDS_PER_QUERY = 200


def _percent(value: object) -> int | None:
    if value is None or value == "":
        return None
    return max(0, min(100, int(round(float(value)))))


class OpportunitySync(ObjectSync):
    """Opportunities. IsClosed and IsWon come from Salesforce, which derives them from the stage."""

    object_name = "Opportunity"
    model = Opportunity
    fields = (
        "Name",
        "AccountId",
        "OwnerId",
        "Amount",
        "StageName",
        "Probability",
        "CloseDate",
        "IsClosed",
        "IsWon",
        "Type",
        "LeadSource",
        "CreatedDate",
    )

    def apply(self, records: list[Record], ctx: PullContext, report: ObjectReport) -> None:
        accounts = crm_map(Account, (r.get("AccountId") for r in records))
        owners = crm_map(User, (r.get("OwnerId") for r in records))
        by_crm = {o.crm_id: o for o in Opportunity.objects.filter(crm_id__in=[r["Id"] for r in records])}
        created = []
        changes: list[tuple[Opportunity, list[str]]] = []
        for record in records:
            account_id = accounts.get(record.get("AccountId"))
            if account_id is None:
                report.error(
                    f"Opportunity {record['Id']}: no account in Backstory "
                    f"({record.get('AccountId') or 'none in Salesforce'}); not synced."
                )
                continue
            stage = text(Opportunity, "stage", record.get("StageName"))
            is_closed = bool(record.get("IsClosed"))
            probability = _percent(record.get("Probability"))
            close_date = parse_date(record.get("CloseDate"))
            values = {
                "name": text(Opportunity, "name", record.get("Name")),
                "account_id": account_id,
                "owner_id": owners.get(record.get("OwnerId")),
                "amount": to_decimal(record.get("Amount")),
                "stage": stage,
                "probability": probability if probability is not None else stage_info(stage).probability,
                "is_closed": is_closed,
                "is_won": bool(record.get("IsWon")) and is_closed,
                "close_date": close_date,
                "actual_close_date": close_date if is_closed else None,
                "created_date": parse_datetime(record.get("CreatedDate")),
                "opportunity_type": text(Opportunity, "opportunity_type", record.get("Type")),
                "lead_source": text(Opportunity, "lead_source", record.get("LeadSource")),
                "crm_last_modified": parse_datetime(record.get("SystemModstamp")),
            }
            opportunity = by_crm.get(record["Id"])
            if opportunity is None:
                created.append(Opportunity(crm_id=record["Id"], **values))
                ctx.rematch_account_ids.add(account_id)
                continue
            before = (opportunity.account_id, opportunity.is_closed)
            changed = assign(opportunity, values)
            if changed:
                changes.append((opportunity, changed))
                report.updated += 1
                if before != (opportunity.account_id, opportunity.is_closed):
                    # Which opportunities are open decides how activities match.
                    ctx.rematch_account_ids.update({before[0], account_id})
        opportunities_write(created=created, changed=changes)
        report.created += len(created)

    def before_remove(self, rows, ctx: PullContext) -> None:
        ctx.rematch_account_ids.update(rows.values_list("account_id", flat=True))

    def delete_rows(self, rows) -> None:
        opportunities_delete(opportunities=rows)


def stage_changes(rows: list[Record]) -> list[Record]:
    """The history rows where the stage changed, oldest first. Salesforce writes a row whenever
    the stage, amount, close date or probability changes; the first row is the stage the
    opportunity was created in."""
    changes, previous = [], None
    for row in sorted(rows, key=lambda r: (parse_datetime(r.get("CreatedDate")), r["Id"])):
        if row.get("StageName") != previous:
            changes.append(row)
        previous = row.get("StageName")
    return changes


class OpportunityHistorySync(ObjectSync):
    """Stage history. A window only says which opportunities have new history rows; their whole
    history is then read again so each new row can be compared with the one before it."""

    object_name = "OpportunityHistory"
    model = OpportunityStageHistory
    fields = ("OpportunityId",)
    tracks_deletes = False  # history goes with its opportunity

    def __init__(self) -> None:
        self.touched: set[str] = set()

    def apply(self, records: list[Record], ctx: PullContext, report: ObjectReport) -> None:
        self.touched.update(r["OpportunityId"] for r in records if r.get("OpportunityId"))

    def finish(self, ctx: PullContext, report: ObjectReport) -> None:
        ids = sorted(self.touched)
        self.touched = set()
        for start in range(0, len(ids), HISTORY_IDS_PER_QUERY):
            chunk = ids[start : start + HISTORY_IDS_PER_QUERY]
            rows = ctx.query(
                "SELECT Id, OpportunityId, StageName, Amount, CloseDate, Probability, CreatedDate "
                f"FROM OpportunityHistory WHERE OpportunityId IN ({', '.join(map(soql_quote, chunk))}) "
                "ORDER BY OpportunityId, CreatedDate, Id"
            )
            with transaction.atomic():
                self._rebuild(rows, report)

    def _rebuild(self, rows: list[Record], report: ObjectReport) -> None:
        grouped: dict[str, list[Record]] = defaultdict(list)
        for row in rows:
            grouped[row["OpportunityId"]].append(row)
        opportunities = {o.crm_id: o for o in Opportunity.objects.filter(crm_id__in=list(grouped))}
        existing: dict[int, dict[str, OpportunityStageHistory]] = defaultdict(dict)
        for row in OpportunityStageHistory.objects.filter(
            opportunity__in=opportunities.values(), crm_id__isnull=False
        ):
            existing[row.opportunity_id][row.crm_id] = row
        for crm_id, history in grouped.items():
            opportunity = opportunities.get(crm_id)
            if opportunity is None:
                continue  # an opportunity that was not synced (no account)
            have = existing.get(opportunity.pk, {})
            changes = stage_changes(history)
            for row in changes:
                values = {
                    "stage": text(OpportunityStageHistory, "stage", row.get("StageName")),
                    "amount": to_decimal(row.get("Amount")),
                    "probability": _percent(row.get("Probability")),
                    "close_date": parse_date(row.get("CloseDate")),
                    "changed_at": parse_datetime(row.get("CreatedDate")),
                }
                local = have.pop(row["Id"], None)
                if local is None:
                    stage_history_create(opportunity=opportunity, crm_id=row["Id"], **values)
                    report.created += 1
                elif assign(local, values):
                    stage_history_save(entry=local)
                    report.updated += 1
            if have:  # rows that no longer mark a stage change
                report.deleted += stage_history_delete(pks=[r.pk for r in have.values()])
            # The opportunity's own bookkeeping: when it entered its current stage.
            if changes and assign(
                opportunity, {"stage_changed_at": parse_datetime(changes[-1].get("CreatedDate"))}
            ):
                opportunities_write(changed=[(opportunity, ["stage_changed_at"])])


class OpportunityContactRoleSync(ObjectSync):
    """Contact roles. A role Backstory pushed is recognised by its Backstory id; one primary role
    per opportunity, as in Salesforce (the new primary demotes the old one)."""

    object_name = "OpportunityContactRole"
    model = OpportunityContactRole
    fields = ("OpportunityId", "ContactId", "Role", "IsPrimary")

    def select(self, ctx: PullContext) -> list[str]:
        self.backstory_field = ctx.optional_field(
            "OpportunityContactRole", settings.SALESFORCE_FIELD_BACKSTORY_ID, "SALESFORCE_FIELD_BACKSTORY_ID"
        )
        return [
            "Id",
            *self.fields,
            *([self.backstory_field] if self.backstory_field else []),
            "SystemModstamp",
        ]

    def apply(self, records: list[Record], ctx: PullContext, report: ObjectReport) -> None:
        opportunities = crm_map(Opportunity, (r.get("OpportunityId") for r in records), "account_id")
        contacts = crm_map(Contact, (r.get("ContactId") for r in records))
        by_crm = {
            r.crm_id: r for r in OpportunityContactRole.objects.filter(crm_id__in=[r["Id"] for r in records])
        }
        backstory_ids = {}
        if self.backstory_field:
            backstory_ids = {r["Id"]: as_uuid(r.get(self.backstory_field)) for r in records}
        by_backstory_id = {
            r.backstory_id: r
            for r in OpportunityContactRole.objects.filter(
                backstory_id__in=[u for u in backstory_ids.values() if u], crm_id__isnull=True
            )
        }
        deferred = pending_outbox_ids(
            OpportunityContactRole, [r.pk for r in [*by_crm.values(), *by_backstory_id.values()]]
        )
        for record in records:
            opportunity = opportunities.get(record.get("OpportunityId"))
            contact_id = contacts.get(record.get("ContactId"))
            if opportunity is None or contact_id is None:
                report.error(
                    f"OpportunityContactRole {record['Id']}: its opportunity or contact is not in Backstory."
                )
                continue
            backstory_id = backstory_ids.get(record["Id"])
            role = by_crm.get(record["Id"]) or (by_backstory_id.get(backstory_id) if backstory_id else None)
            if role is not None and role.pk in deferred:
                report.deferred += 1
                continue
            values = {
                "opportunity_id": opportunity["pk"],
                "contact_id": contact_id,
                "crm_id": record["Id"],
                "role": text(OpportunityContactRole, "role", record.get("Role")),
                "is_primary": bool(record.get("IsPrimary")),
            }
            if role is None:
                role = OpportunityContactRole(created_by_backstory=bool(backstory_id), **values)
                if (
                    backstory_id
                    and not OpportunityContactRole.objects.filter(backstory_id=backstory_id).exists()
                ):
                    role.backstory_id = backstory_id
                changed = ["*"]
            else:
                changed = assign(role, values)
            if not changed:
                continue
            if role.is_primary:
                report.updated += contact_role_demote_other_primaries(role=role)
            try:
                contact_role_save(role=role)
            except IntegrityError:
                report.error(
                    f"OpportunityContactRole {record['Id']}: this contact already has a role on the "
                    "opportunity in Backstory."
                )
                continue
            if changed == ["*"]:
                report.created += 1
            else:
                report.updated += 1
            ctx.rematch_account_ids.add(opportunity["account_id"])

    def before_remove(self, rows, ctx: PullContext) -> None:
        ctx.rematch_account_ids.update(rows.values_list("opportunity__account_id", flat=True))

    def delete_rows(self, rows) -> None:
        contact_roles_delete(roles=rows)


class TaskSync(ObjectSync):
    """Open tasks are next steps. A first pull reads open tasks only (an org logs years of closed
    ones); later, a known task that closes is marked completed, and a closed one never seen is
    ignored."""

    object_name = "Task"
    model = NextStep
    fields = ("Subject", "Description", "ActivityDate", "Status", "IsClosed", "OwnerId", "WhatId", "WhoId")
    first_pull_filter = "IsClosed = false"
    IDS_PER_QUERY = 300

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def finish(self, ctx: PullContext, report: ObjectReport) -> None:
        """After reading every open task: next steps still open here whose task was not among them
        closed meanwhile (or were deleted, which the resync handles); read them to complete them."""
        if not self.reading_everything:
            return
        stale = list(
            NextStep.objects.filter(status=NextStep.Status.OPEN, crm_id__isnull=False)
            .exclude(crm_id__in=self.seen)
            .values_list("crm_id", flat=True)
        )
        for start in range(0, len(stale), self.IDS_PER_QUERY):
            chunk = stale[start : start + self.IDS_PER_QUERY]
            records = ctx.query(
                f"SELECT {', '.join(self.select(ctx))} FROM Task "
                f"WHERE Id IN ({', '.join(map(soql_quote, chunk))})"
            )
            with transaction.atomic():
                self.apply(records, ctx, report)
        self.seen = set()

    def apply(self, records: list[Record], ctx: PullContext, report: ObjectReport) -> None:
        self.seen.update(r["Id"] for r in records)
        what = [r.get("WhatId") or "" for r in records]
        accounts = crm_map(Account, (i for i in what if i.startswith("001")))
        opportunities = crm_map(Opportunity, (i for i in what if i.startswith("006")), "account_id")
        contacts = crm_map(
            Contact, ((r.get("WhoId") or "") for r in records if (r.get("WhoId") or "").startswith("003"))
        )
        owners = crm_map(User, (r.get("OwnerId") for r in records))
        by_crm = {s.crm_id: s for s in NextStep.objects.filter(crm_id__in=[r["Id"] for r in records])}
        created = []
        changes: list[tuple[NextStep, list[str]]] = []
        for record in records:
            step = by_crm.get(record["Id"])
            closed = bool(record.get("IsClosed"))
            if step is None and closed:
                continue
            what_id = record.get("WhatId") or ""
            opportunity = opportunities.get(what_id)
            values = {
                "subject": text(NextStep, "subject", record.get("Subject")),
                "description": record.get("Description") or "",
                "due_date": parse_date(record.get("ActivityDate")),
                "owner_id": owners.get(record.get("OwnerId")),
                "status": NextStep.Status.COMPLETED if closed else NextStep.Status.OPEN,
                "account_id": opportunity["account_id"] if opportunity else accounts.get(what_id),
                "opportunity_id": opportunity["pk"] if opportunity else None,
                "contact_id": contacts.get(record.get("WhoId")),
                "completed_at": (
                    (step.completed_at if step else None) or parse_datetime(record.get("SystemModstamp"))
                )
                if closed
                else None,
            }
            if step is None:
                created.append(NextStep(crm_id=record["Id"], **values))
                continue
            changed = assign(step, values)
            if changed:
                changes.append((step, changed))
                report.updated += 1
        next_steps_write(created=created, changed=changes)
        report.created += len(created)

    def delete_rows(self, rows) -> None:
        next_steps_delete(steps=rows)
