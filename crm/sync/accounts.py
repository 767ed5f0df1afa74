"""Accounts, their domains, and account teams."""

from __future__ import annotations

import re

from django.conf import settings

from accounts.domains import is_free_mail_domain, website_to_domain
from accounts.models import Account, AccountDomain, AccountTeamMember
from accounts.services import (
    account_domains_set,
    account_team_member_create,
    account_team_member_save,
    account_team_members_delete,
    accounts_delete,
    accounts_write,
)
from users.models import User

from .base import ObjectReport, ObjectSync, PullContext, Record, crm_map
from .values import assign, choice_key, parse_datetime, text, to_decimal

_SEPARATORS = re.compile(r"[,;\s]+")


def account_domains(website: str | None, secondary: str | None) -> list[tuple[str, bool]]:
    """The (domain, is_primary) pairs an account's CRM fields give.

    The primary domain is the registrable domain of Website (`https://www.acme.com/` → `acme.com`);
    the secondary domains field lists more, separated by commas, semicolons or spaces, each written
    as a domain or a URL. Free-mail domains are dropped: they identify no company.
    """
    pairs: dict[str, bool] = {}
    primary = website_to_domain(website)
    if primary and not is_free_mail_domain(primary):
        pairs[primary] = True
    for part in _SEPARATORS.split(secondary or ""):
        domain = website_to_domain(part)
        if domain and domain not in pairs and not is_free_mail_domain(domain):
            pairs[domain] = False
    return list(pairs.items())


class AccountSync(ObjectSync):
    """Accounts. The account's AccountDomain rows mirror Website and the secondary domains field:
    a domain removed in the CRM is removed here."""

    object_name = "Account"
    model = Account
    fields = ("Name", "Website", "Industry", "NumberOfEmployees", "AnnualRevenue", "Type", "OwnerId")

    def select(self, ctx: PullContext) -> list[str]:
        self.secondary_field = ctx.optional_field(
            "Account", settings.SALESFORCE_FIELD_SECONDARY_DOMAINS, "SALESFORCE_FIELD_SECONDARY_DOMAINS"
        )
        self.tier_field = ctx.optional_field(
            "Account", settings.SALESFORCE_FIELD_ACCOUNT_TIER, "SALESFORCE_FIELD_ACCOUNT_TIER"
        )
        extra = [f for f in (self.secondary_field, self.tier_field) if f]
        return ["Id", *self.fields, *extra, "SystemModstamp"]

    def apply(self, records: list[Record], ctx: PullContext, report: ObjectReport) -> None:
        owners = crm_map(User, (r.get("OwnerId") for r in records))
        by_crm = {a.crm_id: a for a in Account.objects.filter(crm_id__in=[r["Id"] for r in records])}
        created: list[Account] = []
        changes: list[tuple[Account, list[str]]] = []
        touched: set[str] = set()  # CRM ids of accounts updated here
        for record in records:
            values = {
                "name": text(Account, "name", record.get("Name")),
                "website": text(Account, "website", record.get("Website")),
                "industry": text(Account, "industry", record.get("Industry")),
                "company_size": record.get("NumberOfEmployees"),
                "annual_revenue": to_decimal(record.get("AnnualRevenue")),
                "account_type": text(Account, "account_type", record.get("Type")),
                "owner_id": owners.get(record.get("OwnerId")),
                "crm_last_modified": parse_datetime(record.get("SystemModstamp")),
            }
            if self.tier_field:
                values["tier"] = choice_key(Account.Tier.choices, record.get(self.tier_field))
            account = by_crm.get(record["Id"])
            if account is None:
                created.append(Account(crm_id=record["Id"], **values))
                continue
            changed = assign(account, values)
            if changed:
                changes.append((account, changed))
                touched.add(record["Id"])
        accounts_write(created=created, changed=changes)
        report.created += len(created)
        pks = {a.crm_id: a.pk for a in [*by_crm.values(), *created]}
        desired = {
            pks[r["Id"]]: account_domains(
                r.get("Website"), r.get(self.secondary_field) if self.secondary_field else None
            )
            for r in records
        }
        domains_changed = account_domains_set(desired=desired)
        ctx.rematch_account_ids.update(domains_changed)
        new_pks = {a.pk for a in created}
        report.updated += len({pks[i] for i in touched} | (domains_changed - new_pks))

    def before_remove(self, rows, ctx: PullContext) -> None:
        ctx.rematch_domains.update(
            AccountDomain.objects.filter(account__in=rows).values_list("domain", flat=True)
        )

    def delete_rows(self, rows) -> None:
        accounts_delete(accounts=rows)


class AccountTeamMemberSync(ObjectSync):
    """Account team members; a local member without a CRM id is matched on (account, user)."""

    object_name = "AccountTeamMember"
    model = AccountTeamMember
    fields = ("AccountId", "UserId", "TeamMemberRole")

    def apply(self, records: list[Record], ctx: PullContext, report: ObjectReport) -> None:
        accounts = crm_map(Account, (r.get("AccountId") for r in records))
        users = crm_map(User, (r.get("UserId") for r in records))
        by_crm = {
            m.crm_id: m for m in AccountTeamMember.objects.filter(crm_id__in=[r["Id"] for r in records])
        }
        pairs = {(accounts.get(r.get("AccountId")), users.get(r.get("UserId"))) for r in records}
        by_pair = {
            (m.account_id, m.user_id): m
            for m in AccountTeamMember.objects.filter(
                account_id__in={a for a, _ in pairs if a}, user_id__in={u for _, u in pairs if u}
            )
        }
        for record in records:
            account_id, user_id = accounts.get(record.get("AccountId")), users.get(record.get("UserId"))
            if account_id is None or user_id is None:
                report.error(f"AccountTeamMember {record['Id']}: its account or user is not in Backstory.")
                continue
            member = by_crm.get(record["Id"])
            holder = by_pair.get((account_id, user_id))
            if member is None and holder is not None and not holder.crm_id:
                member = holder
            elif holder is not None and (member is None or holder.pk != member.pk):
                report.error(
                    f"AccountTeamMember {record['Id']}: the user is already on this account's team "
                    f"as {holder.crm_id}."
                )
                continue
            values = {
                "account_id": account_id,
                "user_id": user_id,
                "role": text(AccountTeamMember, "role", record.get("TeamMemberRole")),
                "crm_id": record["Id"],
            }
            if member is None:
                member = account_team_member_create(**values)
                by_pair[(account_id, user_id)] = member
                report.created += 1
                continue
            changed = assign(member, values)
            if changed:
                account_team_member_save(member=member, fields=changed)
                report.updated += 1

    def delete_rows(self, rows) -> None:
        account_team_members_delete(members=rows)
