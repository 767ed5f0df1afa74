"""Writes to accounts' tables for the apps above it: the CRM pull (crm/sync/accounts.py) maps
Salesforce records to values, and writes them here.

Set-based where the pull is: new rows with one insert, domains with one statement per kind of
change, so a pull of thousands of accounts stays fast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import QuerySet

from .models import Account, AccountDomain, AccountTeamMember


def accounts_write(
    *, created: Sequence[Account] = (), changed: Iterable[tuple[Account, list[str]]] = ()
) -> list[Account]:
    """Save the changed fields of existing accounts, then insert the new ones with one statement."""
    for account, fields in changed:
        account.save(update_fields=[*fields, "updated_at"])
    return Account.objects.bulk_create(created) if created else []


def accounts_delete(*, accounts: QuerySet[Account]) -> None:
    """Delete accounts (deleted in the CRM): their opportunities go with them, as in Salesforce."""
    accounts.delete()


def account_domains_set(*, desired: dict[int, list[tuple[str, bool]]]) -> set[int]:
    """Make each account's domain rows exactly `desired` ((domain, is_primary) pairs); return the
    accounts whose domains changed."""
    current: dict[int, dict[str, AccountDomain]] = defaultdict(dict)
    for row in AccountDomain.objects.filter(account_id__in=list(desired)):
        current[row.account_id][row.domain] = row
    remove, demote, promote, add = [], [], [], []
    changed: set[int] = set()
    for account_id, pairs in desired.items():
        want = dict(pairs)
        have = current.get(account_id, {})
        for domain, row in have.items():
            if domain not in want:
                remove.append(row.pk)
            elif row.is_primary and not want[domain]:
                demote.append(row.pk)
            elif not row.is_primary and want[domain]:
                promote.append(row.pk)
            else:
                continue
            changed.add(account_id)
        for domain, is_primary in want.items():
            if domain not in have:
                add.append(AccountDomain(account_id=account_id, domain=domain, is_primary=is_primary))
                changed.add(account_id)
    # Removals and demotions first: an account has one primary domain at a time.
    AccountDomain.objects.filter(pk__in=remove).delete()
    AccountDomain.objects.filter(pk__in=demote).update(is_primary=False)
    AccountDomain.objects.filter(pk__in=promote).update(is_primary=True)
    AccountDomain.objects.bulk_create(add)
    return changed


def account_team_member_create(
    *, account_id: int, user_id: int, role: str, crm_id: str | None = None
) -> AccountTeamMember:
    """Put a user on an account's team."""
    return AccountTeamMember.objects.create(account_id=account_id, user_id=user_id, role=role, crm_id=crm_id)


def account_team_member_save(*, member: AccountTeamMember, fields: list[str]) -> None:
    """Save the changed fields of a team member."""
    member.save(update_fields=fields)


def account_team_members_delete(*, members: QuerySet[AccountTeamMember]) -> None:
    """Take members off their accounts' teams (deleted in the CRM)."""
    members.delete()
