"""The outbox drain, through simple-salesforce over HTTPS against the stand-in: collections,
write-back, ordering, deletes, and the retry policy for each failure Salesforce reports."""

import datetime as dt

import pytest
from django.db import transaction

from accounts.models import Account
from contacts.models import Contact
from contacts.services import outbox as contact_outbox
from crm.connection import SalesforceConnection
from crm.models import OutboxEntry
from crm.outbox import outbox_enqueue
from crm.push import DrainReport, _Drainer, outbox_drain
from crm.selectors import outbox_paused_until, outbox_state_get
from crm.services import outbox_entries_retry, outbox_resume
from crm.sync import salesforce_pull
from crm.tasks import drain_outbox
from opportunities.models import Opportunity, OpportunityContactRole

pytestmark = pytest.mark.django_db

Status = OutboxEntry.Status


@pytest.fixture
def pulled(org):
    """The org, with its users, accounts, contacts and opportunities pulled into Backstory."""
    report = salesforce_pull(objects=["User", "Account", "Contact", "Opportunity"])
    assert not report.errors
    return org


def new_contact(email, *, first="Olivia", last="Park", account="acme", title="VP of Engineering", org):
    """A contact Backstory created, queued as the contact engine queues it."""
    account = Account.objects.get(crm_id=org.ref(account))
    with transaction.atomic():
        contact = Contact.objects.create(
            first_name=first,
            last_name=last,
            email=email,
            title=title,
            department="engineering",
            seniority="vp",
            persona="decision_maker",
            mailing_country="United States",
            account=account,
            owner=account.owner,
            lead_source="Backstory",
            created_by_backstory=True,
        )
        contact_outbox.enqueue_contact_created(contact)
    return contact


def new_role(contact, *, opportunity="acme_renewal", org):
    opportunity = Opportunity.objects.get(crm_id=org.ref(opportunity))
    with transaction.atomic():
        role = OpportunityContactRole.objects.create(
            opportunity=opportunity, contact=contact, role="Business User", created_by_backstory=True
        )
        contact_outbox.enqueue_role_created(role, opportunity_crm_id=opportunity.crm_id, contact=contact)
    return role


def entry_of(record):
    return OutboxEntry.objects.filter(record_type=record._meta.label_lower, record_id=record.pk).latest("id")


def test_new_contacts_and_their_roles_are_pushed_with_the_custom_fields(pulled):
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    new_contact("omar.haddad@acme.co.uk", first="Omar", last="Haddad", org=pulled)
    role = new_role(olivia, org=pulled)
    report = outbox_drain()
    assert (report.done, report.failed, report.retrying) == (3, 0, 0)
    # One upsert collection for the contacts, one query for their times, one upsert for the role.
    assert report.calls == 3

    olivia.refresh_from_db()
    role.refresh_from_db()
    [sf_olivia] = pulled.rows("Contact", Email="olivia.park@acme.com")
    assert (
        olivia.crm_id == sf_olivia["Id"] and len(pulled.rows("Contact", Email="omar.haddad@acme.co.uk")) == 1
    )
    assert (sf_olivia["Created_By_Backstory__c"], sf_olivia["Backstory_Id__c"]) == (
        True,
        str(olivia.backstory_id),
    )
    assert (sf_olivia["Department__c"], sf_olivia["Seniority__c"], sf_olivia["Persona__c"]) == (
        "Engineering",
        "VP",
        "Decision Maker",
    )
    assert sf_olivia["AccountId"] == pulled.ref("acme") and sf_olivia["OwnerId"] == pulled.ref("ae1")
    assert (
        olivia.crm_last_modified == sf_olivia["SystemModstamp"]
        and olivia.crm_created_at == sf_olivia["CreatedDate"]
    )
    [sf_role] = pulled.rows("OpportunityContactRole", ContactId=olivia.crm_id)
    assert role.crm_id == sf_role["Id"] and sf_role["OpportunityId"] == pulled.ref("acme_renewal")
    assert sf_role["Backstory_Id__c"] == str(role.backstory_id) and sf_role["Role"] == "Business User"
    assert set(OutboxEntry.objects.values_list("status", flat=True)) == {Status.DONE}
    assert entry_of(role).crm_id == role.crm_id
    assert outbox_drain().skipped == "nothing due"


def test_pushing_the_same_contact_twice_updates_it(pulled):
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    outbox_drain()
    with transaction.atomic():
        contact_outbox.enqueue_contact_created(olivia)  # a lost response, a drain that died: sent again
    assert outbox_drain().done == 1
    assert len(pulled.rows("Contact", Email="olivia.park@acme.com")) == 1


@pytest.mark.parametrize("version", ["59.0", "45.0"])
def test_pushing_the_same_role_twice_updates_it(pulled, settings, version):
    settings.SALESFORCE_API_VERSION = version
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    role = new_role(olivia, org=pulled)
    outbox_drain()
    role.refresh_from_db()
    with transaction.atomic():
        role.role = "Champion"
        role.save()
        contact_outbox.enqueue_role_created(role, opportunity_crm_id=role.opportunity.crm_id, contact=olivia)
    # The role exists: Salesforce refuses OpportunityId on an update, so it goes again without it.
    assert outbox_drain().done == 1
    again = entry_of(role)
    assert again.status == Status.DONE and again.crm_id == role.crm_id
    [sf_role] = pulled.rows("OpportunityContactRole", Backstory_Id__c=str(role.backstory_id))
    assert sf_role["Role"] == "Champion"


def test_a_role_waits_for_its_contact(pulled):
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    role = new_role(olivia, org=pulled)
    pulled.faults.next("UNABLE_TO_LOCK_ROW", path="composite/sobjects/Contact")
    report = outbox_drain()
    assert (report.retrying, report.waiting, report.done) == (1, 1, 0)
    assert entry_of(role).status == Status.PENDING and entry_of(role).attempts == 0
    pulled.advance(minutes=2)
    assert outbox_drain().done == 2
    role.refresh_from_db()
    assert (
        pulled.rows("OpportunityContactRole", Id=role.crm_id)[0]["ContactId"]
        == Contact.objects.get(pk=olivia.pk).crm_id
    )


def test_a_role_whose_contact_will_never_be_pushed_fails_with_the_reason(pulled):
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    role = new_role(olivia, org=pulled)
    entry_of(olivia).delete()  # as if the contact's own entry had been lost
    report = outbox_drain()
    entry = entry_of(role)
    assert report.failed == 1 and entry.status == Status.FAILED
    assert entry.last_error_code == "CONTACT_NOT_IN_SALESFORCE"


def test_enrichment_of_a_crm_contact_is_an_update_by_id(pulled):
    cfo = Contact.objects.get(crm_id=pulled.ref("acme_cfo"))
    with transaction.atomic():
        cfo.title = "Chief Financial & Operating Officer"
        cfo.save()
        contact_outbox.enqueue_contact_updated(cfo, ["title"])
    assert outbox_drain().done == 1
    assert pulled.sf.Contact.get(cfo.crm_id)["Title"] == "Chief Financial & Operating Officer"
    assert pulled.rows("Contact", Id=cfo.crm_id)[0]["Created_By_Backstory__c"] is False
    cfo.refresh_from_db()
    assert cfo.crm_last_modified == pulled.clock.now


def test_an_update_queued_before_the_contact_was_pushed_goes_after_it(pulled):
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    with transaction.atomic():
        olivia.title = "CTO"
        olivia.save()
        contact_outbox.enqueue_contact_updated(
            olivia, ["title"]
        )  # no crm id yet: an upsert on the Backstory id
    report = outbox_drain()
    assert report.done == 2
    assert pulled.rows("Contact", Email="olivia.park@acme.com")[0]["Title"] == "CTO"


def test_only_records_backstory_created_are_deleted(pulled):
    from contacts.services import contact_remove
    from users.models import User

    olivia = new_contact("olivia.park@acme.com", org=pulled)
    outbox_drain()
    olivia.refresh_from_db()
    crm_id = olivia.crm_id
    admin = User.objects.get(crm_id=pulled.ref("mgr"))
    contact_remove(contact=olivia, removed_by=admin)
    cfo = Contact.objects.get(crm_id=pulled.ref("acme_cfo"))
    with transaction.atomic():
        refused = outbox_enqueue(object_name="Contact", operation="delete", record=cfo, crm_id=cfo.crm_id)
    report = outbox_drain()
    assert (report.done, report.failed) == (1, 1)
    assert pulled.store.status_of("Contact", crm_id) == "deleted"
    assert pulled.store.status_of("Contact", cfo.crm_id) == "live"
    refused.refresh_from_db()
    assert refused.status == Status.FAILED and refused.last_error_code == "NOT_CREATED_BY_BACKSTORY"


def test_deleting_a_contact_that_never_reached_salesforce_needs_no_delete(pulled):
    from contacts.services import contact_remove
    from users.models import User

    olivia = new_contact("olivia.park@acme.com", org=pulled)
    contact_remove(contact=olivia, removed_by=User.objects.get(crm_id=pulled.ref("mgr")))
    pulled.faults.next("UNABLE_TO_LOCK_ROW", path="composite/sobjects/Contact")
    outbox_drain()  # the create fails for now; the delete waits behind it
    assert OutboxEntry.objects.get(operation="delete").status == Status.PENDING
    pulled.advance(minutes=2)
    outbox_drain()
    assert set(OutboxEntry.objects.values_list("status", flat=True)) == {Status.DONE}
    assert pulled.rows("Contact", Email="olivia.park@acme.com") == []


def test_a_contact_delete_waits_for_the_role_changes_written_before_it(pulled):
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    role = new_role(olivia, org=pulled)
    outbox_drain()
    olivia.refresh_from_db()
    role.refresh_from_db()
    cfo = Contact.objects.get(crm_id=pulled.ref("acme_cfo"))
    # What the de-duplication writes: re-point the role to the survivor, then delete the duplicate.
    with transaction.atomic():
        repoint = outbox_enqueue(
            object_name="OpportunityContactRole",
            operation="update",
            record=role,
            crm_id=role.crm_id,
            payload={"ContactId": cfo.crm_id},
        )
        delete = outbox_enqueue(
            object_name="Contact", operation="delete", record=olivia, crm_id=olivia.crm_id
        )
    pulled.faults.next("UNABLE_TO_LOCK_ROW", path="composite/sobjects$", method="PATCH")
    outbox_drain()
    repoint.refresh_from_db()
    delete.refresh_from_db()
    assert repoint.status == Status.PENDING and delete.status == Status.PENDING and delete.attempts == 0
    pulled.advance(minutes=2)
    outbox_drain()
    assert (
        pulled.rows("OpportunityContactRole", Id=role.crm_id)[0]["ContactId"] == cfo.crm_id
    )  # not cascaded away
    assert pulled.store.status_of("Contact", olivia.crm_id) == "deleted"


def test_a_locked_row_is_retried_after_a_backoff_with_jitter(pulled):
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    pulled.faults.next("UNABLE_TO_LOCK_ROW", path="composite")
    now = pulled.clock.now
    outbox_drain()
    entry = entry_of(olivia)
    assert (entry.status, entry.attempts, entry.last_error_code) == (Status.PENDING, 1, "UNABLE_TO_LOCK_ROW")
    assert now + dt.timedelta(seconds=15) <= entry.next_attempt_at <= now + dt.timedelta(seconds=30)
    assert outbox_drain().skipped == "nothing due"
    pulled.advance(seconds=31)
    assert outbox_drain().done == 1


def test_a_server_error_retries_the_whole_call(pulled):
    new_contact("olivia.park@acme.com", org=pulled)
    new_contact("omar.haddad@acme.com", first="Omar", last="Haddad", org=pulled)
    pulled.faults.next("SERVER_ERROR", status=503, path="composite")
    report = outbox_drain()
    assert report.retrying == 2
    assert set(OutboxEntry.objects.values_list("last_error_code", flat=True)) == {"SERVER_UNAVAILABLE"}


def test_the_api_limit_pauses_the_outbox(pulled):
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    pulled.faults.next("REQUEST_LIMIT_EXCEEDED", path="composite")
    report = outbox_drain()
    until = pulled.clock.now + dt.timedelta(minutes=15)
    assert report.paused_until == until and outbox_paused_until(now=pulled.clock.now) == until
    assert "REQUEST_LIMIT_EXCEEDED" in outbox_state_get().pause_reason
    entry = entry_of(olivia)
    assert (entry.status, entry.attempts, entry.next_attempt_at) == (Status.PENDING, 0, until)
    assert outbox_drain().skipped.startswith("paused until")
    pulled.advance(minutes=16)
    assert outbox_drain().done == 1


def test_resuming_ends_a_pause(pulled, django_capture_on_commit_callbacks):
    new_contact("olivia.park@acme.com", org=pulled)
    pulled.faults.next("REQUEST_LIMIT_EXCEEDED", path="composite")
    outbox_drain()
    OutboxEntry.objects.update(next_attempt_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_resume()  # drains right away (tasks run eagerly here)
    assert OutboxEntry.objects.get().status == Status.DONE


def test_an_expired_session_is_refreshed_once_and_the_call_sent_again(pulled):
    new_contact("olivia.park@acme.com", org=pulled)
    pulled.faults.next("INVALID_SESSION_ID", path="composite")
    assert outbox_drain().done == 1


def test_a_session_refused_after_the_refresh_backs_off(pulled):
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    pulled.faults.next("INVALID_SESSION_ID", times=2, path="composite")
    report = outbox_drain()
    assert report.retrying == 1 and "SALESFORCE_SESSION_ID" in entry_of(olivia).last_error
    assert entry_of(olivia).last_error_code == "INVALID_SESSION_ID"


def test_a_duplicate_of_the_same_person_is_linked_not_created(pulled):
    manual = pulled.sf.Contact.create(
        {
            "LastName": "Park",
            "FirstName": "Olivia",
            "Email": "Olivia.Park@acme.com",
            "AccountId": pulled.ref("acme"),
        }
    )["id"]
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    pulled.faults.next("DUPLICATES_DETECTED", path="composite")
    report = outbox_drain()
    assert (report.done, report.linked) == (1, 1)
    olivia.refresh_from_db()
    assert olivia.crm_id == manual and len(pulled.rows("Contact", Email="olivia.park@acme.com")) == 1
    entry = entry_of(olivia)
    assert (
        entry.status == Status.DONE
        and entry.last_error_code == "DUPLICATES_DETECTED"
        and manual in entry.last_error
    )


def test_a_duplicate_rule_matching_someone_else_is_retried_not_linked(pulled):
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    pulled.faults.next("DUPLICATES_DETECTED", path="composite", duplicate_of=pulled.ref("acme_cfo"))
    report = outbox_drain()
    assert report.retrying == 1 and "not the same record" in entry_of(olivia).last_error
    pulled.advance(minutes=1)
    outbox_drain()
    olivia.refresh_from_db()
    assert olivia.crm_id and olivia.crm_id != pulled.ref("acme_cfo")


def test_a_permanent_error_stays_failed_with_its_reason(pulled, settings):
    settings.SALESFORCE_FIELD_PERSONA = "Buyer_Persona__c"  # a field this org does not have
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    report = outbox_drain()
    entry = entry_of(olivia)
    assert report.failed == 1 and entry.status == Status.FAILED and entry.last_error_code == "INVALID_FIELD"
    assert "Buyer_Persona__c" in entry.last_error


def test_retries_end_after_the_last_attempt_and_the_admin_can_retry(pulled, settings):
    settings.SALESFORCE_OUTBOX_MAX_ATTEMPTS = 2
    settings.SALESFORCE_OUTBOX_SLOW_RETRY_DAYS = 0  # no slow retries past the horizon
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    rule = pulled.faults.at_rate("UNABLE_TO_LOCK_ROW", 1.0, path="composite")
    outbox_drain()
    pulled.advance(minutes=5)
    outbox_drain()
    entry = entry_of(olivia)
    assert entry.status == Status.FAILED and entry.last_error.startswith("Gave up after 2 attempts")
    pulled.faults.remove(rule)
    assert outbox_entries_retry(entries=OutboxEntry.objects.filter(pk=entry.pk)) == 1
    entry.refresh_from_db()
    assert (entry.status, entry.attempts) == (Status.PENDING, 0)
    assert outbox_drain().done == 1


def test_api_versions_before_46_upsert_one_record_at_a_time(pulled, settings):
    settings.SALESFORCE_API_VERSION = "45.0"
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    assert outbox_drain().done == 1
    olivia.refresh_from_db()
    with transaction.atomic():
        contact_outbox.enqueue_contact_created(olivia)  # an update: 204 No Content up to v45
    assert outbox_drain().done == 1
    assert entry_of(olivia).crm_id == olivia.crm_id
    assert len(pulled.rows("Contact", Email="olivia.park@acme.com")) == 1


def test_an_entry_claimed_by_one_drain_is_not_sent_by_another(pulled):
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    holder = _Drainer(SalesforceConnection.open(), DrainReport())
    assert [e.pk for e in holder.claim("Contact", "upsert")] == [entry_of(olivia).pk]
    assert outbox_drain().skipped == "nothing due"
    pulled.advance(minutes=6)  # the first drain died: its lease ran out
    assert outbox_drain().done == 1


def test_without_salesforce_settings_entries_wait(pulled, settings):
    settings.SALESFORCE_INSTANCE_URL = ""
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    report = outbox_drain()
    assert (
        report.skipped.startswith("Salesforce is not configured")
        and "SALESFORCE_INSTANCE_URL" in report.skipped
    )
    assert (entry_of(olivia).status, entry_of(olivia).attempts) == (Status.PENDING, 0)


def test_an_unreachable_salesforce_is_a_retry(pulled, settings):
    pulled.server.stop()
    olivia = new_contact("olivia.park@acme.com", org=pulled)
    report = outbox_drain()
    entry = entry_of(olivia)
    assert report.retrying == 1 and entry.last_error_code == "NETWORK_ERROR"
    assert "SALESFORCE_INSTANCE_URL" in entry.last_error


def test_the_drain_task_runs_after_the_change_commits(pulled, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        olivia = new_contact("olivia.park@acme.com", org=pulled)
    assert entry_of(olivia).status == Status.DONE
    assert drain_outbox.apply().get()["summary"] == "nothing sent: nothing due"


def test_the_drain_task_does_nothing_when_salesforce_is_off(pulled, settings):
    settings.SALESFORCE_MODE = "off"
    assert drain_outbox.apply().get() == {"skipped": "SALESFORCE_MODE is off"}
