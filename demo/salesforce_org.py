"""The local demo org as a Salesforce stand-in state file, so the demo's stand-in holds the same org
as the database and a pull finds nothing to change.

The demo database is seeded with Salesforce ids already (demo.ids); this writes those
records, with those ids, in the state format `run_salesforce_standin --state-file` loads: users,
accounts (Website and the secondary domains field), account teams, contacts with the Backstory
fields, leads, opportunities with their stage history, contact roles, and tasks, plus the demo's
stage table. Two things are aligned in the database on the way, because Salesforce holds them so:
a record owned by someone who is not a Salesforce user (or by nobody) belongs to the integration
user, and every account team member gets a Salesforce id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q

from accounts.models import Account, AccountDomain, AccountTeamMember
from backstory import clock
from contacts.models import DEPARTMENT_CHOICES, PERSONA_CHOICES, SENIORITY_CHOICES, Contact, Lead
from opportunities.models import NextStep, Opportunity, OpportunityContactRole, OpportunityStageHistory
from opportunities.stages import STAGES
from salesforce_standin.ids import KEY_PREFIXES, make_id
from salesforce_standin.values import format_datetime
from users.models import User

FINGERPRINT_SUFFIX = ".source"
OWNED = (Account, Opportunity, Contact, Lead, NextStep)


class DemoOrgMissing(Exception):
    """There is no demo org to write (seed it first)."""


@dataclass
class DemoOrgExport:
    """What `demo_org_write_standin_state` did."""

    written: bool
    counts: dict[str, int] = field(default_factory=dict)
    owners_moved: int = 0
    team_ids_given: int = 0


def _dt(value: dt.datetime | None) -> str | None:
    return format_datetime(value) if value else None


def _money(value: Any) -> float | None:
    return float(value) if value is not None else None


def _label(choices: list[tuple[str, str]], key: str) -> str | None:
    return dict(choices).get(key) if key else None


def demo_org_fingerprint() -> str:
    """Identifies this database's org: a re-seeded database gets a new one."""
    first_user = User.objects.aggregate(first=Min("date_joined"))["first"]
    counts = [model.objects.count() for model in (User, Account, Contact, Opportunity)]
    return hashlib.sha256(f"{first_user}|{counts}".encode()).hexdigest()[:16]


def demo_org_write_standin_state(*, state_file: Path, force: bool = False) -> DemoOrgExport:
    """Write the local org to `state_file` for the stand-in (skipped when the file already holds
    this database's org, unless `force`). Run it while the stand-in is stopped."""
    fingerprint = demo_org_fingerprint()
    marker = state_file.with_name(state_file.name + FINGERPRINT_SUFFIX)
    if not force and state_file.exists() and marker.exists() and marker.read_text().strip() == fingerprint:
        return DemoOrgExport(written=False)
    with transaction.atomic():
        export = DemoOrgExport(written=True)
        state = _build_state(export)
    state_file.parent.mkdir(parents=True, exist_ok=True)
    temporary = state_file.with_name(state_file.name + ".tmp")
    temporary.write_text(json.dumps(state, indent=1), encoding="utf-8")
    temporary.replace(state_file)
    marker.write_text(fingerprint, encoding="utf-8")
    export.counts = {name: len(rows) for name, rows in state.items() if name != "_standin"}
    return export


def _build_state(export: DemoOrgExport) -> dict[str, Any]:
    integration = User.objects.filter(is_integration_user=True, crm_id__isnull=False).order_by("id").first()
    if integration is None:
        raise DemoOrgMissing(
            "No integration user with a Salesforce id: seed the demo org first (manage.py seed_demo)."
        )
    # Salesforce records always have an owner who is a Salesforce user.
    for model in OWNED:
        export.owners_moved += (
            model.objects.filter(crm_id__isnull=False)
            .filter(Q(owner__isnull=True) | Q(owner__crm_id__isnull=True))
            .update(owner=integration)
        )
    export.team_ids_given = _give_team_ids()
    # Everything is stamped as last modified a little before now, before the first pull's window ends.
    stamp = (clock.now() - dt.timedelta(minutes=10)).replace(microsecond=0)
    for model in (Account, Contact, Lead, Opportunity):
        model.objects.filter(crm_id__isnull=False).update(crm_last_modified=stamp)
    modified = {"LastModifiedDate": _dt(stamp), "SystemModstamp": _dt(stamp)}
    return {
        "_standin": {
            "api_user": integration.crm_id,
            "stages": [
                {
                    "name": s.name,
                    "probability": s.probability,
                    "is_closed": s.is_closed,
                    "is_won": s.is_won,
                    "forecast_category": "Closed" if s.is_won else ("Omitted" if s.is_closed else "Pipeline"),
                }
                for s in STAGES
            ],
        },
        "User": _users(modified),
        "Account": _accounts(modified),
        "AccountTeamMember": [
            {
                "Id": m.crm_id,
                "AccountId": m.account.crm_id,
                "UserId": m.user.crm_id,
                "TeamMemberRole": m.role or None,
                **modified,
            }
            for m in AccountTeamMember.objects.filter(crm_id__isnull=False).select_related("account", "user")
        ],
        "Contact": _contacts(modified),
        "Lead": _leads(modified),
        "Opportunity": _opportunities(modified),
        "OpportunityHistory": [
            {
                "Id": h.crm_id,
                "OpportunityId": h.opportunity.crm_id,
                "StageName": h.stage,
                "Amount": _money(h.amount),
                "CloseDate": h.close_date.isoformat() if h.close_date else None,
                "Probability": float(h.probability) if h.probability is not None else None,
                "CreatedDate": _dt(h.changed_at),
                "LastModifiedDate": _dt(h.changed_at),
                "SystemModstamp": _dt(h.changed_at),
            }
            for h in OpportunityStageHistory.objects.filter(
                crm_id__isnull=False, opportunity__crm_id__isnull=False
            )
            .select_related("opportunity")
            .order_by("opportunity_id", "changed_at", "id")
        ],
        "OpportunityContactRole": [
            {
                "Id": r.crm_id,
                "OpportunityId": r.opportunity.crm_id,
                "ContactId": r.contact.crm_id,
                "Role": r.role or None,
                "IsPrimary": r.is_primary,
                settings.SALESFORCE_FIELD_BACKSTORY_ID: str(r.backstory_id)
                if r.created_by_backstory
                else None,
                **modified,
            }
            for r in OpportunityContactRole.objects.filter(
                crm_id__isnull=False, contact__crm_id__isnull=False, opportunity__crm_id__isnull=False
            ).select_related("opportunity", "contact")
        ],
        "Task": [
            {
                "Id": t.crm_id,
                "Subject": t.subject,
                "Description": t.description or None,
                "ActivityDate": t.due_date.isoformat() if t.due_date else None,
                "Status": "Completed" if t.status == NextStep.Status.COMPLETED else "Not Started",
                "OwnerId": t.owner.crm_id if t.owner else None,
                "WhatId": (t.opportunity.crm_id if t.opportunity else None)
                or (t.account.crm_id if t.account else None),
                "WhoId": t.contact.crm_id if t.contact else None,
                **modified,
            }
            for t in NextStep.objects.filter(crm_id__isnull=False).select_related(
                "owner", "opportunity", "account", "contact"
            )
        ],
    }


def _give_team_ids() -> int:
    members = list(
        AccountTeamMember.objects.filter(
            crm_id__isnull=True, user__crm_id__isnull=False, account__crm_id__isnull=False
        ).order_by("id")
    )
    taken = set(AccountTeamMember.objects.filter(crm_id__isnull=False).values_list("crm_id", flat=True))
    number = 0
    for member in members:
        while True:
            number += 1
            candidate = make_id(KEY_PREFIXES["AccountTeamMember"], 7_000_000 + number)
            if candidate not in taken:
                break
        member.crm_id = candidate
    AccountTeamMember.objects.bulk_update(members, ["crm_id"])
    return len(members)


def _users(modified: dict) -> list[dict]:
    return [
        {
            "Id": u.crm_id,
            "FirstName": u.first_name or None,
            "LastName": u.last_name or u.username,
            "Email": u.email,
            "Username": u.email or f"{u.username}@{settings.BACKSTORY_INTERNAL_DOMAINS[0]}",
            "Title": u.title or None,
            "IsActive": u.is_active,
            "ManagerId": u.manager.crm_id if u.manager and u.manager.crm_id else None,
            "TimeZoneSidKey": u.time_zone,
            "CreatedDate": _dt(u.date_joined),
            **modified,
        }
        for u in User.objects.filter(crm_id__isnull=False).select_related("manager").order_by("id")
    ]


def _accounts(modified: dict) -> list[dict]:
    secondary: dict[int, list[str]] = {}
    for account_id, domain in (
        AccountDomain.objects.filter(is_primary=False).order_by("domain").values_list("account_id", "domain")
    ):
        secondary.setdefault(account_id, []).append(domain)
    return [
        {
            "Id": a.crm_id,
            "Name": a.name,
            "Website": a.website or None,
            "Industry": a.industry or None,
            "NumberOfEmployees": a.company_size,
            "AnnualRevenue": _money(a.annual_revenue),
            "Type": a.account_type or None,
            "OwnerId": a.owner.crm_id if a.owner else None,
            settings.SALESFORCE_FIELD_ACCOUNT_TIER: a.tier or None,
            settings.SALESFORCE_FIELD_SECONDARY_DOMAINS: ";".join(secondary.get(a.pk, [])) or None,
            "CreatedDate": _dt(a.created_at),
            **modified,
        }
        for a in Account.objects.filter(crm_id__isnull=False).select_related("owner").order_by("id")
    ]


def _contacts(modified: dict) -> list[dict]:
    return [
        {
            "Id": c.crm_id,
            "FirstName": c.first_name or None,
            "LastName": c.last_name,
            "Email": c.email or None,
            "Title": c.title or None,
            "Phone": c.phone or None,
            "Department": _label(DEPARTMENT_CHOICES, c.department),
            "MailingCountry": c.mailing_country or None,
            "MailingState": c.mailing_state or None,
            "AccountId": c.account.crm_id if c.account else None,
            "OwnerId": c.owner.crm_id if c.owner else None,
            "LeadSource": c.lead_source or None,
            settings.SALESFORCE_FIELD_BACKSTORY_ID: str(c.backstory_id) if c.created_by_backstory else None,
            settings.SALESFORCE_FIELD_CREATED_BY_BACKSTORY: c.created_by_backstory,
            settings.SALESFORCE_FIELD_DEPARTMENT: _label(DEPARTMENT_CHOICES, c.department),
            settings.SALESFORCE_FIELD_SENIORITY: _label(SENIORITY_CHOICES, c.seniority),
            settings.SALESFORCE_FIELD_PERSONA: _label(PERSONA_CHOICES, c.persona),
            "CreatedDate": _dt(c.crm_created_at or c.created_at),
            **modified,
        }
        for c in Contact.objects.filter(crm_id__isnull=False)
        .select_related("account", "owner")
        .order_by("id")
    ]


def _leads(modified: dict) -> list[dict]:
    return [
        {
            "Id": lead.crm_id,
            "FirstName": lead.first_name or None,
            "LastName": lead.last_name,
            "Email": lead.email or None,
            "Company": lead.company or lead.last_name,
            "Title": lead.title or None,
            "Status": lead.status or None,
            "IsConverted": lead.is_converted,
            "ConvertedContactId": lead.converted_contact.crm_id if lead.converted_contact else None,
            "ConvertedAccountId": lead.converted_account.crm_id if lead.converted_account else None,
            "OwnerId": lead.owner.crm_id if lead.owner else None,
            "CreatedDate": _dt(lead.created_at),
            **modified,
        }
        for lead in Lead.objects.filter(crm_id__isnull=False)
        .select_related("converted_contact", "converted_account", "owner")
        .order_by("id")
    ]


def _opportunities(modified: dict) -> list[dict]:
    return [
        {
            "Id": o.crm_id,
            "Name": o.name,
            "AccountId": o.account.crm_id,
            "OwnerId": o.owner.crm_id if o.owner else None,
            "Amount": _money(o.amount),
            "StageName": o.stage,
            "Probability": float(o.probability),
            "CloseDate": (o.close_date or clock.today()).isoformat(),
            "Type": o.opportunity_type or None,
            "LeadSource": o.lead_source or None,
            "CreatedDate": _dt(o.created_date or o.created_at),
            **modified,
        }
        for o in Opportunity.objects.filter(crm_id__isnull=False, account__crm_id__isnull=False)
        .select_related("account", "owner")
        .order_by("id")
    ]
