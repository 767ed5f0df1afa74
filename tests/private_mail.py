"""A colleague's private mail, captured through the public path, for the privacy-of-people probes
(issue 15): Dana, Northwind's account owner, mails and meets Morgan Quiet, the CFO, privately, so
Morgan is known only from Dana's private activities. Jane Doe (a CRM contact) is on one public
email with Chris and on Dana's private meetings too, her next public meeting later than the private
one. Chris, another rep, is the attacker; admins and Dana may see everything.
"""

from __future__ import annotations

import re

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

MORGAN = {"email": "morgan.quiet@northwind.com", "name": "Morgan Quiet"}
JANE = {"email": "jane.doe@northwind.com", "name": "Jane Doe"}
# Anything of Morgan or of the private activities that Chris must never be shown.
SECRETS = (
    "Morgan",
    "Quiet",
    "morgan.quiet",
    "Chief Financial Officer",
    "CFO",
    "budget freeze",
    "40% discount",
    "Board prep",
    "Economic Buyer",
)
PRIVATE_NEXT_MEETING_DATES = ("26 Nov 2026", "Nov 26", "2026-11-26")


class PrivateMailWorld:
    """The people and records; ``capture()`` sends Dana's private mail and Chris's public email."""

    def __init__(self):
        from accounts.tests.factories import AccountFactory
        from contacts.tests.factories import ContactFactory
        from opportunities.tests.factories import OpportunityFactory
        from users.tests.factories import UserFactory

        self.dana = UserFactory(
            username="dana",
            email="dana.rivera@lumen-analytics.com",
            first_name="Dana",
            last_name="Rivera",
            private_by_default=True,
        )
        self.chris = UserFactory(
            username="chris",
            email="chris.colleague@lumen-analytics.com",
            first_name="Chris",
            last_name="Colleague",
        )
        self.admin = UserFactory(username="admin", email="admin@lumen-analytics.com", admin=True)
        self.northwind = AccountFactory(name="Northwind", domain="northwind.com", owner=self.dana)
        self.renewal = OpportunityFactory(account=self.northwind, name="Northwind Renewal", owner=self.dana)
        self.jane = ContactFactory(
            account=self.northwind, first_name="Jane", last_name="Doe", email=JANE["email"]
        )

    def capture(self, *, private: bool = True, public: bool = True) -> None:
        """Through ``POST /api/v1/activities``, Dana's private mail and Chris's public email (or only
        one of them); then the nightly summaries."""
        from insights.tasks import refresh_all_summaries

        signature = "\n\n--\nMorgan Quiet\nChief Financial Officer\nNorthwind\n+1 555 0100"
        dana = {"email": self.dana.email, "name": "Dana Rivera"}
        chris = {"email": self.chris.email, "name": "Chris Colleague"}
        dana_items = [
            {
                "kind": "email",
                "source_id": "budget-freeze@northwind.com",
                "occurred_at": "2026-11-20T15:00:00Z",
                "subject": "Confidential: budget freeze",
                "body": "Dana, between us: the board froze the budget; we would sign at a 40% discount."
                + signature,
                "private": True,
                "participants": [{**MORGAN, "role": "from"}, {**dana, "role": "to"}],
            },
            {
                "kind": "email",
                "source_id": "re-budget-freeze@lumen-analytics.com",
                "occurred_at": "2026-11-21T09:00:00Z",
                "subject": "Re: Confidential: budget freeze",
                "body": "Understood, Morgan. Let us talk about the 40% discount on Thursday.",
                "in_reply_to": "budget-freeze@northwind.com",
                "private": True,
                "participants": [{**dana, "role": "from"}, {**MORGAN, "role": "to"}],
            },
            {
                "kind": "meeting",
                "source_id": "cfo-call@lumen-analytics.com",
                "occurred_at": "2026-11-22T16:00:00Z",
                "duration_minutes": 45,
                "subject": "Budget freeze with the CFO",
                "private": True,
                "participants": [
                    {**dana, "role": "organizer"},
                    {**MORGAN, "role": "attendee", "response": "accepted"},
                    {**JANE, "role": "attendee", "response": "accepted"},
                ],
            },
            {
                "kind": "meeting",
                "source_id": "board-prep@lumen-analytics.com",
                "occurred_at": "2026-11-26T16:00:00Z",
                "duration_minutes": 30,
                "subject": "Board prep with Morgan",
                "private": True,
                "participants": [
                    {**dana, "role": "organizer"},
                    {**MORGAN, "role": "attendee", "response": "accepted"},
                    {**JANE, "role": "attendee", "response": "accepted"},
                ],
            },
        ]
        chris_items = [
            {
                "kind": "email",
                "source_id": "hello-jane@lumen-analytics.com",
                "occurred_at": "2026-11-19T10:00:00Z",
                "subject": "Renewal timeline",
                "body": "Hi Jane, here is the renewal timeline we discussed.",
                "participants": [{**chris, "role": "from"}, {**JANE, "role": "to"}],
            },
            {
                "kind": "meeting",
                "source_id": "quarterly-review@lumen-analytics.com",
                "occurred_at": "2026-12-02T15:00:00Z",
                "duration_minutes": 30,
                "subject": "Quarterly review",
                "participants": [
                    {**chris, "role": "organizer"},
                    {**JANE, "role": "attendee", "response": "accepted"},
                ],
            },
        ]
        sent = [(self.dana, dana_items)] if private else []
        sent += [(self.chris, chris_items)] if public else []
        for user, items in sent:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
            response = client.post("/api/v1/activities", {"activities": items}, format="json")
            assert response.status_code == 201, response.content
        refresh_all_summaries.delay()


def secrets_in(text: str) -> list[str]:
    """Which of the secrets the text gives away: whole words, any case ("CFO" only in capitals, so a
    random CSRF or embed token never matches it)."""
    found = []
    for secret in SECRETS:
        flags = 0 if secret.isupper() else re.IGNORECASE
        if re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", text, flags):
            found.append(secret)
    return found
