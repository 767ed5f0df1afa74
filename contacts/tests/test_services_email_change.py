"""A changed email address enriches the contact Backstory created instead of duplicating the person
(issue 14). Seed FAQ: Backstory "continues to enrich contacts it has created over time as details
like title, phone number, email address, or last name change"."""

import datetime as dt

from contacts.models import Contact, ContactDecision
from contacts.tests.conftest import WHEN, jane
from contacts.tests.test_services_enrichment import run

NEW = "jdoe@acme.com"
LATER = WHEN + dt.timedelta(days=60)


def test_a_new_address_after_the_old_one_went_quiet_updates_the_contact(email_with, account):
    run(email_with(jane(phone=""), when=WHEN))
    contact = Contact.objects.get()

    run(email_with(jane(email=NEW, phone="", title="CTO"), when=LATER))

    contact.refresh_from_db()
    assert Contact.objects.count() == 1
    assert (contact.email, contact.title) == (NEW, "CTO")
    why = ContactDecision.objects.get(email=NEW, action="contact_skipped")
    assert why.reason == "email_changed" and why.contact_id == contact.pk
    assert "jane.doe@acme.com has had no activity since 2026-11-20" in why.message
    assert ContactDecision.objects.filter(email=NEW, action="contact_enriched", contact=contact).exists()


def test_the_same_phone_in_the_signature_is_enough_while_the_old_address_is_still_active(email_with, account):
    run(email_with(jane(), when=WHEN), email_with(jane(), when=LATER - dt.timedelta(days=1)))

    run(email_with(jane(email=NEW, phone="(415) 555-0100"), when=LATER))

    assert list(Contact.objects.values_list("email", flat=True)) == [NEW]
    why = ContactDecision.objects.get(email=NEW, reason="email_changed")
    assert "the signature shows the same phone" in why.message


def test_a_namesake_with_an_active_address_and_another_phone_is_a_new_person(email_with, account):
    run(email_with(jane(), when=WHEN), email_with(jane(), when=LATER - dt.timedelta(days=1)))

    run(email_with(jane(email=NEW, phone="+1 212 555 0111"), when=LATER))

    assert sorted(Contact.objects.values_list("email", flat=True)) == ["jane.doe@acme.com", NEW]


def test_running_the_engine_again_changes_nothing(email_with, account):
    run(email_with(jane(phone=""), when=WHEN))
    moved = email_with(jane(email=NEW, phone=""), when=LATER)
    run(moved)
    decisions = ContactDecision.objects.count()

    run(moved)

    assert ContactDecision.objects.count() == decisions and Contact.objects.count() == 1
