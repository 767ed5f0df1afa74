"""The demo org written into the stand-in: the stand-in serves the same org as the database, so a
pull changes nothing; what the contact engine queued during seeding is then pushed."""

import io

import pytest
from django.core.management import call_command

from accounts.models import AccountTeamMember
from contacts.models import Contact
from crm.models import OutboxEntry
from crm.push import outbox_drain
from crm.sync import salesforce_pull
from crm.tests.sync_fixtures import Writes, start_org
from opportunities.models import Opportunity
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_standin(frozen_now, tmp_path, salesforce_standin_factory, settings, monkeypatch):
    call_command("seed_demo", "--accounts", "6", "--activities", "120", "--no-progress", stdout=io.StringIO())
    state = tmp_path / "state.json"
    out = io.StringIO()
    call_command("salesforce_load_demo_org", "--state-file", str(state), stdout=out)
    assert "Wrote the demo org" in out.getvalue()
    return start_org(salesforce_standin_factory, settings, monkeypatch, fixtures=state), state


def test_a_pull_from_the_demo_standin_changes_nothing(demo_standin):
    org, _ = demo_standin
    assert (
        org.store.count("Account") == 6
        and org.store.count("Contact") == Contact.objects.filter(crm_id__isnull=False).count()
    )
    with Writes() as writes:
        report = salesforce_pull()
    assert not report.errors and not report.warnings
    assert writes.statements == []
    assert report.get("Opportunity").fetched == Opportunity.objects.count()
    # A team member who is not a Salesforce user stays a Backstory-only member.
    assert (
        report.get("AccountTeamMember").fetched
        == AccountTeamMember.objects.filter(user__crm_id__isnull=False).count()
    )


def test_the_demo_owners_are_salesforce_users(demo_standin):
    integration = User.objects.get(is_integration_user=True)
    for model in (Contact, Opportunity):
        assert not model.objects.filter(crm_id__isnull=False, owner__crm_id__isnull=True).exists()
    assert integration.crm_id == demo_standin[0].store.api_user_id


def test_what_the_engine_queued_while_seeding_is_pushed_and_comes_back_unchanged(demo_standin):
    org, _ = demo_standin
    pending = OutboxEntry.objects.filter(status=OutboxEntry.Status.PENDING).count()
    assert pending, "the demo's contact engine queues new contacts and roles"
    report = outbox_drain()
    assert (report.done, report.failed) == (pending, 0)
    assert not Contact.objects.filter(crm_id__isnull=True).exists()
    org.advance(minutes=5)
    salesforce_pull()
    org.advance(minutes=5)
    with Writes() as writes:
        salesforce_pull()
    assert writes.statements == []


def test_loading_again_keeps_the_state_file(demo_standin):
    _, state = demo_standin
    before = state.read_text()
    out = io.StringIO()
    call_command("salesforce_load_demo_org", "--state-file", str(state), stdout=out)
    assert "already holds this database's org" in out.getvalue() and state.read_text() == before
