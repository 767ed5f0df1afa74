"""The pull, through simple-salesforce over HTTPS against the stand-in's small org."""

import datetime as dt

import pytest
from django.db import transaction

from accounts.models import Account, AccountDomain, AccountTeamMember
from activities.models import Activity, Participant
from activities.tests.factories import ActivityFactory, ParticipantFactory
from contacts.models import Contact, Lead
from contacts.services import outbox as contact_outbox
from contacts.tests.factories import LocalFilterFactory
from crm.models import SyncCursor
from crm.sync import salesforce_pull
from crm.tests.sync_fixtures import Writes
from opportunities.models import NextStep, Opportunity, OpportunityContactRole
from users.models import User

pytestmark = pytest.mark.django_db


def pull_all(org):
    """A first pull, then the next window: the fixture's records stamped at load time arrive in it."""
    first = salesforce_pull()
    org.advance(minutes=5)
    second = salesforce_pull()
    return first, second


def test_first_pull_brings_the_org_in(org):
    priya = User.objects.create_user(username="priya", email="Priya.Raman@lumen-analytics.com", password="pw")
    first, second = pull_all(org)
    assert not first.errors and not second.errors
    assert first.get("Account").created == 6 and first.get("Account").full_reason == "first pull"

    priya.refresh_from_db()
    # Matched by email: the same local user, who keeps their login.
    assert priya.crm_id == org.ref("ae1") and priya.first_name == "Priya" and priya.check_password("pw")
    assert User.objects.count() == 7
    dana = User.objects.get(crm_id=org.ref("vp"))
    assert dana.email == "dana.whitfield@lumen-analytics.com" and not dana.has_usable_password()
    assert User.objects.get(crm_id=org.ref("mgr")).manager == dana
    assert User.objects.get(crm_id=org.ref("former")).is_active is False

    acme = Account.objects.get(crm_id=org.ref("acme"))
    assert acme.owner == priya and acme.company_size == 5200 and str(acme.annual_revenue) == "1250000000.00"
    assert list(acme.domains.values_list("domain", "is_primary")) == [
        ("acme.com", True),
        ("acme-labs.io", False),
        ("acme.co.uk", False),
    ]
    assert not Account.objects.get(crm_id=org.ref("soylent")).domains.exists()

    cfo = Contact.objects.get(crm_id=org.ref("acme_cfo"))
    assert (cfo.email, cfo.department, cfo.account, cfo.owner) == (
        "rita.moreno@acme.com",
        "finance",
        acme,
        priya,
    )
    assert cfo.crm_created_at == dt.datetime(2024, 8, 12, 15, 30, tzinfo=dt.UTC)
    analyst = Contact.objects.get(crm_id=org.ref("acme_analyst"))
    assert analyst.created_by_backstory is True and cfo.created_by_backstory is False
    converted = Lead.objects.get(crm_id=org.ref("lead_converted"))
    assert converted.is_converted and converted.converted_contact.crm_id == org.ref("initech_dev")
    assert Lead.objects.get(crm_id=org.ref("lead_wayne")).converted_contact is None

    renewal = Opportunity.objects.get(crm_id=org.ref("acme_renewal"))
    assert (renewal.stage, renewal.probability, renewal.is_closed, renewal.amount) == (
        "Negotiation/Review",
        90,
        False,
        480000,
    )
    won = Opportunity.objects.get(crm_id=org.ref("initech_won"))
    assert won.is_closed and won.is_won and won.actual_close_date == dt.date(2025, 6, 30)
    assert list(renewal.stage_history.values_list("stage", flat=True)) == ["Negotiation/Review"]
    assert renewal.stage_changed_at == dt.datetime(2025, 8, 4, 13, tzinfo=dt.UTC)

    assert AccountTeamMember.objects.filter(account=acme).count() == 2
    roles = OpportunityContactRole.objects.filter(opportunity=renewal).order_by("-is_primary")
    assert [(r.contact.email, r.role, r.is_primary) for r in roles] == [
        ("rita.moreno@acme.com", "Economic Buyer", True),
        ("james.oconnor@acme.com", "Technical Buyer", False),
    ]
    # Open tasks are next steps; the completed one was never a next step.
    assert (
        NextStep.objects.count() == 5 and not NextStep.objects.filter(subject="Schedule EMEA demo").exists()
    )
    send = NextStep.objects.get(subject="Send MSA redlines to Rita")
    assert (send.opportunity, send.account, send.contact, send.status) == (renewal, acme, cfo, "open")

    meeting = Activity.objects.get(subject="Acme renewal negotiation")
    assert (meeting.kind, meeting.source, meeting.source_id) == (
        "meeting",
        "crm",
        f"sf-event:{meeting.crm_id}",
    )
    assert meeting.duration_minutes == 60 and meeting.owner == priya
    assert sorted(meeting.participants.values_list("email", "role", "is_internal")) == [
        ("priya.raman@lumen-analytics.com", "organizer", True),
        ("rita.moreno@acme.com", "attendee", False),
    ]
    assert meeting.participants.get(role="attendee").contact == cfo
    assert meeting.account == acme  # matched by capture's rules after the pull


def test_a_second_pull_writes_nothing(org):
    pull_all(org)
    org.advance(minutes=5)
    with Writes() as writes:
        again = salesforce_pull()
    assert writes.statements == [] and again.written == 0
    org.advance(minutes=5)
    with Writes() as writes:
        full = salesforce_pull(full=True)
    assert writes.statements == [] and full.written == 0
    assert full.get("Contact").fetched == 14 and full.get("Contact").full_reason == "--full"


def test_changes_arrive_in_the_next_window(org):
    pull_all(org)
    sf = org.sf
    sf.Contact.update(
        org.ref("acme_cfo"), {"Title": "CFO & COO", "Department__c": "Operations", "Seniority__c": "C-Level"}
    )
    sf.Account.update(org.ref("acme"), {"Secondary_Domains__c": "acme-labs.io acme.de"})
    sf.Opportunity.update(org.ref("acme_expansion"), {"StageName": "Proposal/Price Quote"})
    sf.Opportunity.update(org.ref("acme_expansion"), {"Amount": 250000})  # a history row, not a stage change
    sf.OpportunityContactRole.create(
        {
            "OpportunityId": org.ref("acme_renewal"),
            "ContactId": org.ref("acme_analyst"),
            "Role": "Champion",
            "IsPrimary": True,
        }
    )
    org.advance(minutes=3)
    report = salesforce_pull()
    assert not report.errors

    cfo = Contact.objects.get(crm_id=org.ref("acme_cfo"))
    assert (cfo.title, cfo.department, cfo.seniority) == ("CFO & COO", "operations", "c_level")
    assert sorted(
        AccountDomain.objects.filter(account__crm_id=org.ref("acme")).values_list("domain", "is_primary")
    ) == [("acme-labs.io", False), ("acme.com", True), ("acme.de", False)]
    expansion = Opportunity.objects.get(crm_id=org.ref("acme_expansion"))
    assert (expansion.stage, expansion.probability, expansion.amount) == ("Proposal/Price Quote", 75, 250000)
    history = list(expansion.stage_history.order_by("changed_at").values_list("stage", "changed_at"))
    assert [stage for stage, _ in history] == ["Value Proposition", "Proposal/Price Quote"]
    assert expansion.stage_changed_at == history[-1][1] == org.clock.now - dt.timedelta(minutes=3)
    # The new primary role took "primary" from the old one, as in Salesforce.
    renewal_roles = dict(
        OpportunityContactRole.objects.filter(opportunity__crm_id=org.ref("acme_renewal")).values_list(
            "role", "is_primary"
        )
    )
    assert renewal_roles["Economic Buyer"] is False and renewal_roles["Champion"] is True


def test_deletes_in_salesforce_remove_local_rows(org):
    pull_all(org)
    sf = org.sf
    sf.Contact.delete(org.ref("gmail_guy"))
    sf.OpportunityContactRole.delete(
        OpportunityContactRole.objects.get(contact__crm_id=org.ref("globex_eng")).crm_id
    )
    sf.Account.delete(org.ref("stark"))  # cascades to its contact and opportunity in Salesforce
    org.advance(minutes=3)
    report = salesforce_pull()
    assert not report.errors
    assert report.get("Contact").deleted == 2 and report.get("Account").deleted == 1
    assert not Contact.objects.filter(crm_id__in=[org.ref("gmail_guy"), org.ref("stark_md")]).exists()
    assert not Account.objects.filter(crm_id=org.ref("stark")).exists()
    assert not Opportunity.objects.filter(crm_id=org.ref("stark_lost")).exists()
    assert not OpportunityContactRole.objects.filter(contact__crm_id=org.ref("globex_eng")).exists()
    assert Contact.objects.filter(crm_id=org.ref("globex_eng")).exists()


def test_a_checkpoint_the_delete_log_no_longer_covers_means_a_full_resync(org):
    pull_all(org)
    org.sf.Contact.delete(org.ref("noaccount"))
    org.advance(days=31)
    report = salesforce_pull()
    contacts = report.get("Contact")
    assert "delete log" in contacts.full_reason and contacts.fetched == 13
    assert contacts.deleted == 1 and not Contact.objects.filter(crm_id=org.ref("noaccount")).exists()
    cursor = SyncCursor.objects.get(object_name="Contact")
    assert cursor.last_full_sync_at == org.clock.now and cursor.window_end == org.clock.now - dt.timedelta(
        minutes=2
    )


def test_a_full_resync_against_another_org_removes_nothing(org, org_factory):
    pull_all(org)
    org.advance(days=31)
    other = org_factory(
        fixtures={
            "User": [{"LastName": "Solo", "Email": "solo@elsewhere.com"}],
            "Account": [{"Name": f"Other {n}"} for n in range(3)],
        }
    )
    other.advance(days=31)
    report = salesforce_pull(objects=["Contact"])
    assert "None of the 14 local Contact CRM ids exist in this org" in report.errors[0]
    assert Contact.objects.count() == 14


def test_query_pages_are_followed(org_factory):
    org = org_factory(page_size=4)
    pull_all(org)
    assert Contact.objects.count() == 14 and Activity.objects.filter(source="crm").count() == 5


def test_local_changes_waiting_in_the_outbox_are_not_overwritten(org):
    pull_all(org)
    cfo = Contact.objects.get(crm_id=org.ref("acme_cfo"))
    with transaction.atomic():
        cfo.title = "Chief Financial Officer and Treasurer"
        cfo.save()
        contact_outbox.enqueue_contact_updated(cfo, ["title"])
    org.sf.Contact.update(org.ref("acme_cfo"), {"Phone": "+1 312 555 0199"})
    org.advance(minutes=3)
    report = salesforce_pull(objects=["Contact"])
    assert report.get("Contact").deferred == 1
    cfo.refresh_from_db()
    assert cfo.title == "Chief Financial Officer and Treasurer"


def test_pull_only_some_objects(org):
    report = salesforce_pull(objects=["contact", "account"])
    assert [o.object_name for o in report.objects] == ["Account", "Contact"]
    assert set(SyncCursor.objects.values_list("object_name", flat=True)) == {"Account", "Contact"}
    assert Contact.objects.get(crm_id=org.ref("acme_cfo")).owner is None  # users were not pulled


def test_an_opportunity_without_an_account_is_reported_not_synced(org):
    pull_all(org)
    lonely = org.sf.Opportunity.create(
        {"Name": "No account", "StageName": "Prospecting", "CloseDate": "2027-01-01"}
    )
    org.advance(minutes=3)
    report = salesforce_pull(objects=["Opportunity"])
    assert report.get("Opportunity").errors == [
        f"Opportunity {lonely['id']}: no account in Backstory (none in Salesforce); not synced."
    ]
    assert not Opportunity.objects.filter(crm_id=lonely["id"]).exists()


def test_a_custom_field_the_org_lacks_is_a_warning(org, settings):
    settings.SALESFORCE_FIELD_SECONDARY_DOMAINS = "Other_Domains__c"
    report = salesforce_pull(objects=["Account"])
    assert report.warnings == [
        "SALESFORCE_FIELD_SECONDARY_DOMAINS names Account.Other_Domains__c, which this org "
        "does not have: that value is not synced."
    ]
    assert list(
        AccountDomain.objects.filter(account__crm_id=org.ref("acme")).values_list("domain", flat=True)
    ) == ["acme.com"]


def test_an_expired_session_is_refreshed_once(org):
    org.faults.next("INVALID_SESSION_ID", path="query")
    report = salesforce_pull(objects=["Account"])
    assert report.get("Account").created == 6
    assert org.faults.rules()[0].fired == 1


def test_passing_server_errors_are_retried_within_the_run(org):
    org.faults.next("SERVER_ERROR", times=2, path="query")
    report = salesforce_pull(objects=["User"])
    assert not report.errors and report.get("User").created == 7


def test_the_api_limit_stops_the_run_and_pauses_the_outbox(org):
    from crm.selectors import outbox_paused_until

    org.faults.next("REQUEST_LIMIT_EXCEEDED", path="query")
    report = salesforce_pull()
    assert report.stopped.startswith("User: Salesforce's API limit is used up") and report.objects == []
    assert outbox_paused_until(now=org.clock.now) == org.clock.now + dt.timedelta(minutes=15)
    assert SyncCursor.objects.get(object_name="User").window_end is None


def test_crm_changes_rematch_captured_activities(org, django_capture_on_commit_callbacks):
    rep = User.objects.create(username="priya", email="priya.raman@lumen-analytics.com")
    email = ActivityFactory(owner=rep, subject="Hello from the UK team")
    ParticipantFactory(
        activity=email, email=rep.email, role=Participant.Role.FROM, is_internal=True, user=rep
    )
    ParticipantFactory(activity=email, email="someone@acme.co.uk", role=Participant.Role.TO)
    with django_capture_on_commit_callbacks(execute=True):
        salesforce_pull(objects=["User", "Account"])
    email.refresh_from_db()
    assert email.account.crm_id == org.ref("acme") and email.account_match == Activity.AccountMatch.DOMAIN


def test_a_full_resync_completes_next_steps_whose_task_closed(org):
    pull_all(org)
    send = NextStep.objects.get(subject="Send MSA redlines to Rita")
    org.sf.Task.update(send.crm_id, {"Status": "Completed"})
    org.advance(days=31)  # past the delete log: the task is read again with every other one
    report = salesforce_pull(objects=["Task"])
    assert "delete log" in report.get("Task").full_reason and report.get("Task").updated == 1
    send.refresh_from_db()
    assert send.status == NextStep.Status.COMPLETED and send.completed_at == org.clock.now - dt.timedelta(
        days=31
    )


def test_crm_events_go_through_capture_local_filters_and_privacy(org):
    # docs/salesforce.md: "local filters and privacy apply to every captured activity", CRM events too.
    LocalFilterFactory(kind="subject_keyword", value="EMEA")
    User.objects.create_user(
        username="priya", email="priya.raman@lumen-analytics.com", password="pw", private_by_default=True
    )
    first, second = pull_all(org)
    assert not Activity.objects.filter(subject="EMEA operations demo").exists()
    assert first.get("Event").excluded + second.get("Event").excluded == 1
    renewal = Activity.objects.get(subject="Acme renewal negotiation")
    assert renewal.owner.username == "priya" and renewal.is_private
    # A filter added later does not remove what was captured, as for emails and meetings.
    LocalFilterFactory(kind="subject_keyword", value="renewal")
    org.advance(minutes=5)
    salesforce_pull(full=True)
    assert Activity.objects.filter(subject="Acme renewal negotiation").exists()
