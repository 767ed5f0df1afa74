"""An org to capture into: Lumen Analytics (internal) sells to Acme; Jane is a contact there."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from accounts.models import Account
from accounts.tests.factories import AccountFactory
from contacts.models import Contact, Lead
from contacts.tests.factories import ContactFactory, LeadFactory, LocalFilterFactory
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityContactRoleFactory, OpportunityFactory
from tests.fixtures import ENRON_SAMPLE
from users.models import User
from users.tests.factories import UserFactory

from .brokers import RedisServer

DATA = Path(__file__).resolve().parent / "data"
INGEST_DATA = DATA / "ingest"
ENRON = ENRON_SAMPLE


@dataclass
class Org:
    dana: User
    chris: User
    admin: User
    acme: Account
    jane: Contact
    lee: Lead
    expansion: Opportunity
    pilot: Opportunity


@pytest.fixture
def org(db, frozen_now) -> Org:
    dana = UserFactory(
        username="dana", email="dana.rivera@lumen-analytics.com", first_name="Dana", last_name="Rivera"
    )
    chris = UserFactory(
        username="chris",
        email="chris.colleague@lumen-analytics.com",
        first_name="Chris",
        last_name="Colleague",
    )
    admin = UserFactory(username="admin", email="admin@lumen-analytics.com", admin=True)
    acme = AccountFactory(name="Acme", domain="acme.com", owner=dana)
    jane = ContactFactory(account=acme, first_name="Jane", last_name="Doe", email="jane.doe@acme.com")
    lee = LeadFactory(first_name="Lee", last_name="Lead", email="lee.lead@prospect.io")
    expansion = OpportunityFactory(account=acme, name="Acme Expansion")
    pilot = OpportunityFactory(account=acme, name="Acme Pilot")
    OpportunityContactRoleFactory(opportunity=expansion, contact=jane)
    LocalFilterFactory(kind="domain", value="linkedin.com")
    LocalFilterFactory(kind="subject_keyword", value="out of office")
    return Org(dana, chris, admin, acme, jane, lee, expansion, pilot)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()
