"""A small world for the contact engine's tests: a rep, a default profile that creates contacts and
contact roles, and an account (acme.com) the rep owns; `email_with` builds one captured email."""

import datetime as dt

import pytest

from accounts.tests.factories import AccountFactory
from activities.models import Participant
from activities.tests.factories import ActivityFactory, ParticipantFactory
from contacts.tests.factories import ConfigurationProfileFactory
from users.tests.factories import UserFactory

WHEN = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def rep(db):
    return UserFactory(
        username="dana", first_name="Dana", last_name="Rivera", email="dana@lumen-analytics.com"
    )


@pytest.fixture
def profile(db):
    return ConfigurationProfileFactory(
        name="Sales", is_default=True, contact_creation_enabled=True, ocr_enabled=True
    )


@pytest.fixture
def account(rep):
    return AccountFactory(name="Acme", domain="acme.com", owner=rep)


@pytest.fixture
def email_with(rep, profile):
    """`email_with(person, ..., owner=rep, when=WHEN, subject=...)`: a captured email from the rep to
    these external people (dicts of Participant fields, or plain addresses)."""

    def build(*people, owner="rep", when=WHEN, subject="Pricing proposal", internal=(), **activity_fields):
        sender = rep if owner == "rep" else owner
        activity = ActivityFactory(owner=sender, occurred_at=when, subject=subject, **activity_fields)
        if sender is not None:
            ParticipantFactory(
                activity=activity,
                email=sender.email,
                first_name=sender.first_name,
                last_name=sender.last_name,
                name=str(sender),
                role=Participant.Role.FROM,
                is_internal=True,
                user=sender,
            )
        for user in internal:
            ParticipantFactory(
                activity=activity,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                role=Participant.Role.CC,
                is_internal=True,
                user=user,
            )
        for person in people:
            fields = {"email": person} if isinstance(person, str) else dict(person)
            fields.setdefault("role", Participant.Role.TO)
            ParticipantFactory(activity=activity, **fields)
        return activity

    return build


def jane(**overrides):
    """A complete external person at acme.com, as a participant's fields."""
    return {
        "email": "jane.doe@acme.com",
        "first_name": "Jane",
        "last_name": "Doe",
        "name": "Jane Doe",
        "title": "VP of Engineering",
        "phone": "+1 415 555 0100",
        "mailing_country": "US",
        "mailing_state": "CA",
        **overrides,
    }
