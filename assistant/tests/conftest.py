"""The demo org is seeded once per test module and rolled back at its end: each test runs in its
own savepoint inside that transaction, so tests stay independent and the suite stays fast."""

import datetime as dt

import pytest
from django.db import transaction
from django.test.utils import override_settings

from accounts.tests.factories import AccountFactory
from activities.tests.factories import ActivityFactory, ParticipantFactory
from support.services import help_center_seed

from .demo_world import build_demo_world


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(BACKSTORY_NOW="2026-11-23T12:00:00+00:00"):
        with transaction.atomic():
            help_center_seed()
            world = build_demo_world()
            yield world
            transaction.set_rollback(True)


@pytest.fixture
def help_articles(db):
    """The shipped help center articles (the data migration loads them; a flushed database may not have them)."""
    help_center_seed()


@pytest.fixture
def llm_stand_in(settings):
    """A local OpenAI-compatible endpoint; point settings.ASSISTANT_LLM_BASE_URL at ``.url`` to use it."""
    from .llm_stand_in import LlmStandIn

    settings.ASSISTANT_LLM_API_KEY = "test-key"
    settings.ASSISTANT_LLM_MODEL = "stand-in-model"
    settings.ASSISTANT_LLM_TIMEOUT = 0.3
    with LlmStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def account(frozen_now):
    """Globex, owned by its rep, with one email about pricing (its subject holds markup, to show
    activity text is escaped)."""
    account = AccountFactory(name="Globex Corporation")
    email = ActivityFactory(
        account=account,
        owner=account.owner,
        subject="Pricing proposal for Globex <b>now</b>",
        body="Attached is the pricing proposal: $40,000 per year.",
        occurred_at=frozen_now - dt.timedelta(days=1),
    )
    ParticipantFactory(activity=email, email="ana@globex.com", name="Ana Buyer")
    return account
