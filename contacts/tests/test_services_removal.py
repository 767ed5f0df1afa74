"""Removing a contact Backstory created (FAQ: "You can use the Engagement Log to remove it.")."""

import pytest

from contacts.models import Contact, ContactDecision, LocalFilter
from contacts.services import ContactNotRemovable, contact_engine_process_activities, contact_remove
from contacts.tests.conftest import jane
from contacts.tests.factories import ContactFactory
from crm.models import OutboxEntry

pytestmark = pytest.mark.django_db


def test_removed_contact_is_deleted_queued_recorded_and_filtered(email_with, account, rep):
    contact_engine_process_activities(activity_ids=[email_with(jane()).pk])
    contact = Contact.objects.get(email="jane.doe@acme.com")

    decision = contact_remove(contact=contact, removed_by=rep)

    assert not Contact.objects.exists()
    delete = OutboxEntry.objects.get(operation="delete")
    assert (delete.object_name, delete.external_id) == ("Contact", str(contact.backstory_id))
    assert (decision.action, decision.reason, decision.user) == ("contact_removed", "removed_by_admin", rep)
    assert LocalFilter.objects.filter(kind="address", value="jane.doe@acme.com").exists()
    # FAQ: "Keeping your Local Filters up-to-date can also help prevent unwanted contacts from syncing."
    contact_engine_process_activities(activity_ids=[email_with(jane()).pk])
    assert not Contact.objects.exists()
    assert ContactDecision.objects.filter(email="jane.doe@acme.com", reason="filtered").exists()


def test_removal_without_a_filter_lets_the_engine_create_it_again(email_with, account, rep):
    contact = ContactFactory(account=account, email="jane.doe@acme.com", by_backstory=True)

    contact_remove(contact=contact, removed_by=rep, add_local_filter=False)
    contact_engine_process_activities(activity_ids=[email_with(jane()).pk])

    assert Contact.objects.filter(email="jane.doe@acme.com").exists()


def test_a_contact_created_by_hand_is_never_removed(account, rep):
    manual = ContactFactory(account=account)

    with pytest.raises(ContactNotRemovable):
        contact_remove(contact=manual, removed_by=rep)

    assert Contact.objects.filter(pk=manual.pk).exists() and not OutboxEntry.objects.exists()
