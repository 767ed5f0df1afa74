"""seed_demo writes a consistent, believable org, the same one for the same seed."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from accounts.models import Account, AccountDomain
from activities.models import Activity, Participant
from contacts.models import Contact, Lead
from opportunities.models import Opportunity, OpportunityStageHistory
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_org(frozen_now):
    out = io.StringIO()
    # Raw: the org as captured, before the contact engine turns new people into contacts.
    call_command("seed_demo", "--raw", "--accounts", "12", "--activities", "600", "--no-progress", stdout=out)
    return out.getvalue()


def test_seed_reports_what_it_wrote_and_the_logins(demo_org):
    assert "accounts" in demo_org and "12" in demo_org
    assert "rep / backstory-demo" in demo_org and "admin / backstory-demo" in demo_org


def test_the_demo_logins_work(demo_org, client):
    assert client.login(username="rep", password="backstory-demo")
    assert client.login(username="admin", password="backstory-demo")
    assert User.objects.get(username="admin").is_superuser


def test_every_account_has_exactly_one_primary_domain(demo_org):
    counts = AccountDomain.objects.filter(is_primary=True).values("account").annotate(n=Count("id"))
    assert Account.objects.count() == 12
    assert {row["n"] for row in counts} == {1}
    assert counts.count() == 12


def test_every_opportunity_belongs_to_an_existing_account_and_has_ordered_history(demo_org):
    assert Opportunity.objects.count() > 0
    assert not Opportunity.objects.filter(account__isnull=True).exists()
    for opportunity in Opportunity.objects.prefetch_related("stage_history"):
        history = list(opportunity.stage_history.order_by("id"))
        assert history, f"{opportunity} has no stage history"
        times = [h.changed_at for h in history]
        assert times == sorted(times), f"{opportunity} history is out of order"
        assert history[-1].stage == opportunity.stage
    assert Opportunity.objects.filter(is_won=True).exists()
    assert Opportunity.objects.filter(is_closed=True, is_won=False).exists()
    assert OpportunityStageHistory.objects.count() >= Opportunity.objects.count()


def test_every_participant_resolves_or_is_external(demo_org):
    assert Activity.objects.count() == 600
    unresolved_internal = Participant.objects.filter(is_internal=True, user__isnull=True)
    assert not unresolved_internal.exists()
    for participant in Participant.objects.filter(is_internal=False).select_related("contact", "lead")[:500]:
        if participant.contact:
            assert participant.contact.email == participant.email
        if participant.lead:
            assert participant.lead.email == participant.email
    # Some people are not in the CRM yet: the contact engine has work to do.
    assert Participant.objects.filter(is_internal=False, contact__isnull=True, lead__isnull=True).exists()


def test_the_org_has_what_the_rules_need(demo_org):
    assert User.objects.filter(crm_id__isnull=True, is_superuser=False, is_integration_user=False).exists()
    assert User.objects.filter(is_integration_user=True).count() == 1
    assert Lead.objects.filter(is_converted=True, converted_contact__isnull=False).exists()
    assert Contact.objects.exclude(title="").filter(seniority="c_level").exists() or Contact.objects.exists()
    assert Activity.objects.filter(kind="meeting").exists() and Activity.objects.filter(kind="call").exists()
    assert Activity.objects.filter(Q(in_reply_to__gt="")).exists()


def test_the_competitors_its_mail_names_are_listed_as_an_admin_would(demo_org):
    from demo.content import COMPETITORS
    from insights.selectors import insights_configuration_get

    assert set(insights_configuration_get().competitor_names) == set(COMPETITORS)


# --reset flushes the database; on PostgreSQL TRUNCATE cannot run inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_org(frozen_now):
    call_command("seed_demo", "--accounts", "5", "--activities", "80", "--no-progress", stdout=io.StringIO())
    first = list(Activity.objects.order_by("source_id").values_list("source_id", "subject", "occurred_at"))
    call_command(
        "seed_demo", "--reset", "--accounts", "5", "--activities", "80", "--no-progress", stdout=io.StringIO()
    )
    second = list(Activity.objects.order_by("source_id").values_list("source_id", "subject", "occurred_at"))
    assert first == second


def test_seeding_twice_is_refused_with_a_clear_message_unless_if_empty(demo_org):
    with pytest.raises(CommandError, match="already holds an org"):
        call_command(
            "seed_demo", "--accounts", "2", "--activities", "1", "--no-progress", stdout=io.StringIO()
        )
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", "--no-progress", stdout=out)
    assert "already seeded" in out.getvalue()


def test_the_pipeline_matches_activities_creates_contacts_and_builds_summaries(frozen_now):
    from contacts.models import ContactDecision
    from insights.models import Summary

    out = io.StringIO()
    call_command("seed_demo", "--accounts", "8", "--activities", "400", "--no-progress", stdout=out)
    assert "contacts created" in out.getvalue()
    matched = Activity.objects.filter(account__isnull=False).count()
    assert matched > 0.8 * Activity.objects.count()
    assert not Activity.objects.filter(account_match="none").exclude(match_explanation__gt="").exists()
    assert Contact.objects.filter(created_by_backstory=True).exists()
    assert (
        ContactDecision.objects.filter(action="contact_created").count()
        == Contact.objects.filter(created_by_backstory=True).count()
    )
    assert Summary.objects.filter(account__isnull=False).count() == Account.objects.count()
