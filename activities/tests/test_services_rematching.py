"""Matching stored activities again: in bulk (the demo), after CRM changes, and never a manual match."""

import pytest

from accounts.tests.factories import AccountDomainFactory, AccountFactory
from activities.models import Activity, ActivityOpportunity, EngineWork
from activities.services import (
    activities_ingest,
    activities_rematch_after_crm_change,
    activity_match_manually,
    match_activities,
    rematch_activities_for_account,
    rematch_activities_for_contact,
    rematch_activities_for_domain,
    rematch_activities_for_emails,
    rematch_activities_for_lead,
)
from activities.tests.factories import ActivityFactory, ParticipantFactory, parsed_item
from contacts.tests.factories import ContactFactory, LeadFactory
from opportunities.tests.factories import OpportunityContactRoleFactory

A = Activity.AccountMatch
OM = Activity.OpportunityMatch


def capture(*emails, source_id="call-1", owner=None):
    people = [{"email": "dana.rivera@lumen-analytics.com", "role": "from"}] + [
        {"email": e, "role": "to"} for e in emails
    ]
    report = activities_ingest(
        items=[parsed_item(source_id=source_id, participants=people)], source="api", owner=owner
    )
    return Activity.objects.get(pk=report.created_ids[0])


def demo_style_activity(org, *, email, contact=None, lead=None, source_id):
    """Written as the demo writes them: participants resolved, nothing matched."""
    activity = ActivityFactory(owner=org.dana, source_id=source_id, source=Activity.Source.DEMO)
    ParticipantFactory(activity=activity, email=org.dana.email, role="from", is_internal=True, user=org.dana)
    ParticipantFactory(activity=activity, email=email, role="to", contact=contact, lead=lead)
    return activity


def test_match_activities_matches_what_the_demo_wrote(org):
    by_contact = demo_style_activity(org, email=org.jane.email, contact=org.jane, source_id="d1")
    by_lead = demo_style_activity(org, email=org.lee.email, lead=org.lee, source_id="d2")
    by_domain = demo_style_activity(org, email="new.person@acme.com", source_id="d3")
    report = match_activities(batch_size=2)
    assert report.examined == 3 and report.changed == 3
    assert report.account_matches == {A.CONTACT: 1, A.LEAD: 1, A.DOMAIN: 1}
    for activity in (by_contact, by_lead, by_domain):
        activity.refresh_from_db()
        assert activity.match_explanation and activity.matched_at
    assert by_contact.account == org.acme and list(by_contact.opportunities.all()) == [org.expansion]
    assert by_lead.lead == org.lee and by_lead.account is None
    assert by_domain.account == org.acme and by_domain.account_match == A.DOMAIN
    # Matching again changes nothing.
    assert match_activities().changed == 0


def test_a_new_secondary_domain_rematches_the_unmatched_activities(org):
    activity = capture("ann@acme-europe.eu")
    assert activity.account is None
    AccountDomainFactory(account=org.acme, domain="acme-europe.eu")
    report = rematch_activities_for_account(account_id=org.acme.pk)
    activity.refresh_from_db()
    assert report.changed_ids == [activity.pk]
    assert activity.account == org.acme and activity.account_match == A.DOMAIN


def test_rematch_for_a_domain(org):
    activity = capture("ann@sub.newco.com")
    AccountFactory(name="NewCo", domain="newco.com")
    rematch_activities_for_domain(domain="newco.com")
    activity.refresh_from_db()
    assert activity.account.name == "NewCo"


def test_a_new_contact_role_moves_the_activity_to_that_opportunity(org):
    bob = ContactFactory(account=org.acme, email="bob@acme.com")
    activity = capture("bob@acme.com")
    assert activity.opportunity_match == OM.NONE  # two open opportunities, no role
    OpportunityContactRoleFactory(opportunity=org.pilot, contact=bob)
    rematch_activities_for_account(account_id=org.acme.pk)
    activity.refresh_from_db()
    assert list(activity.opportunities.all()) == [org.pilot]
    assert activity.opportunity_match == OM.CONTACT_ROLE


def test_a_new_contact_is_resolved_on_the_participant_and_matches(org):
    other = AccountFactory(name="Other", domain="other.com")
    activity = capture("kim@freelance.io")
    contact = ContactFactory(account=other, email="Kim@Freelance.io")
    report = rematch_activities_for_contact(contact_id=contact.pk)
    activity.refresh_from_db()
    assert report.people_updated == 1
    assert activity.participants.get(email="kim@freelance.io").contact == contact
    assert activity.account == other and activity.account_match == A.CONTACT


def test_a_new_lead_by_email(org):
    activity = capture("lou@startup.io")
    lead = LeadFactory(email="lou@startup.io")
    rematch_activities_for_emails(emails=["LOU@startup.io"])
    activity.refresh_from_db()
    assert activity.lead == lead and activity.account_match == A.LEAD
    assert rematch_activities_for_lead(lead_id=lead.pk).changed == 0


def test_a_manual_match_never_changes(org):
    globex = AccountFactory(name="Globex", domain="globex.com")
    activity = capture("bob@acme.com")
    activity_match_manually(activity=activity, user=org.dana, account=globex, opportunities=[])
    AccountDomainFactory(account=org.acme, domain="acme-europe.eu")
    assert rematch_activities_for_account(account_id=org.acme.pk).examined == 0
    assert match_activities().examined == 0
    activity.refresh_from_db()
    assert activity.account == globex and activity.is_manually_matched


def test_removed_activities_are_not_rematched(org):
    activity = capture("bob@acme.com")
    Activity.objects.filter(pk=activity.pk).update(removed_from_sync_at=org.acme.created_at)
    assert match_activities(activity_ids=[activity.pk]).examined == 0


def test_crm_change_service_records_one_rematch_and_sends_it_after_commit(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        "activities.services.engine_work.engine_work_send", lambda *, work: sent.append(work.payload) or True
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        activities_rematch_after_crm_change(
            account_ids=[org.acme.pk], emails=["A@x.com"], domains=["mail.newco.com"]
        )
    # Recorded in the caller's transaction (a broker outage cannot lose it), sent only after commit.
    owed = EngineWork.objects.get()
    assert owed.task_name == "rematch_after_crm_change" and sent == []
    for callback in callbacks:
        callback()
    assert sent == [
        {"account_ids": [org.acme.pk], "emails": ["a@x.com"], "domains": ["newco.com"], "contact_ids": []}
    ]


def test_crm_change_task_rematches_end_to_end(org, django_capture_on_commit_callbacks):
    activity = capture("ann@acme-europe.eu")
    with django_capture_on_commit_callbacks(execute=True):
        AccountDomainFactory(account=org.acme, domain="acme-europe.eu")
        activities_rematch_after_crm_change(domains=["acme-europe.eu"])
    activity.refresh_from_db()
    assert activity.account == org.acme


def test_nothing_to_rematch_queues_nothing(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        activities_rematch_after_crm_change()
    assert callbacks == []


@pytest.mark.parametrize("size", [1, 1000])
def test_rematch_replaces_opportunity_links_when_an_opportunity_closes(org, size):
    activity = capture("jane.doe@acme.com")
    assert ActivityOpportunity.objects.filter(activity=activity).count() == 1
    org.expansion.is_closed = True
    org.expansion.stage = "Closed Lost"
    org.expansion.save()
    match_activities(activity_ids=[activity.pk], batch_size=size)
    activity.refresh_from_db()
    # Jane's opportunity closed: the account's only open opportunity left is the pilot.
    assert list(
        ActivityOpportunity.objects.filter(activity=activity).values_list("opportunity", "match")
    ) == [(org.pilot.pk, OM.SINGLE_OPEN)]
    assert activity.opportunity_match == OM.SINGLE_OPEN
