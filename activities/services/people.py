"""Who is on an activity: every participant resolved to an internal user, a contact or a lead.

Resolution works on a whole batch at once: all the addresses of a batch are looked up with one
query per table (users, contacts, leads), never one query per participant.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models.functions import Lower

from accounts.domains import is_internal_domain
from contacts.models import Contact, Lead
from users.models import User

from .bulk import among, in_chunk_size


@dataclass(frozen=True)
class KnownContact:
    id: int
    account_id: int | None


@dataclass(frozen=True)
class Resolution:
    """What an address is: ``user_id`` for a colleague, else ``contact`` or ``lead_id``."""

    is_internal: bool
    user_id: int | None = None
    contact: KnownContact | None = None
    lead_id: int | None = None

    @property
    def contact_id(self) -> int | None:
        return self.contact.id if self.contact else None


@functools.lru_cache(maxsize=8192)
def _is_internal_host(host: str, internal_domains: tuple[str, ...]) -> bool:
    # Every participant of every activity is checked: decide each host once.
    return is_internal_domain(host, internal_domains)


def _chunks(values: list[str]) -> Iterable[list[str]]:
    size = in_chunk_size()
    for start in range(0, len(values), size):
        yield values[start : start + size]


class PeopleDirectory:
    """The users, contacts and leads behind a set of addresses, loaded in three queries."""

    def __init__(self, *, users: dict[str, int], contacts: dict[str, KnownContact], leads: dict[str, int]):
        self.users = users
        self.contacts = contacts
        self.leads = leads

    @classmethod
    def load(cls, emails: Iterable[str]) -> PeopleDirectory:
        wanted = sorted({e.lower() for e in emails if e})
        users: dict[str, int] = {}
        contacts: dict[str, KnownContact] = {}
        leads: dict[str, int] = {}
        for chunk in _chunks(wanted):
            # Seed: "any User with that exact email" is one of us, whatever the domain.
            for user_id, email in (
                User.objects.annotate(email_ci=Lower("email"))
                .filter(among("email_ci", chunk))
                .values_list("id", "email_ci")
            ):
                users[email] = user_id
            # The CRM allows two contacts with one email: prefer one on an account, then the oldest.
            rows = (
                Contact.objects.annotate(email_ci=Lower("email"))
                .filter(among("email_ci", chunk))
                .values_list("id", "account_id", "created_at", "email_ci")
            )
            ranked = sorted(rows, key=lambda row: (row[1] is None, row[2], row[0]))
            for contact_id, account_id, _created, email in ranked:
                contacts.setdefault(email, KnownContact(contact_id, account_id))
            # A converted lead is a contact now: only open leads match.
            for lead_id, email in (
                Lead.objects.annotate(email_ci=Lower("email"))
                .filter(among("email_ci", chunk), is_converted=False)
                .order_by("created_at", "id")
                .values_list("id", "email_ci")
            ):
                leads.setdefault(email, lead_id)
        return cls(users=users, contacts=contacts, leads=leads)

    def resolve(self, email: str, internal_domains: Iterable[str] | None = None) -> Resolution:
        """Resolve one address: a user first, then a contact, then a lead (case-insensitive)."""
        email = email.lower()
        user_id = self.users.get(email)
        if user_id is not None:
            return Resolution(is_internal=True, user_id=user_id)
        # Seed: company domains from settings.BACKSTORY_INTERNAL_DOMAINS are internal.
        domains = tuple(settings.BACKSTORY_INTERNAL_DOMAINS if internal_domains is None else internal_domains)
        if _is_internal_host(email.rsplit("@", 1)[-1], domains):
            return Resolution(is_internal=True)
        contact = self.contacts.get(email)
        if contact is not None:
            return Resolution(is_internal=False, contact=contact)
        return Resolution(is_internal=False, lead_id=self.leads.get(email))
