"""Contact enrichment: manual contacts per the field rules, contacts Backstory created kept current,
the owner never changed, only newer observations written."""

import datetime as dt

import pytest

from activities.models import Participant
from contacts.models import Contact, ContactDecision, ContactFieldRule
from contacts.services import contact_engine_process_activities, contact_enrich_from_participant
from contacts.tests.conftest import WHEN, jane
from contacts.tests.factories import ContactFactory, ContactFieldRuleFactory
from crm.models import OutboxEntry
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LATER = WHEN + dt.timedelta(days=30)
EARLIER = WHEN - dt.timedelta(days=30)


def run(*activities):
    return contact_engine_process_activities(activity_ids=[a.pk for a in activities])


@pytest.fixture
def manual(account):
    """Jane, created by hand in the CRM a while ago."""
    return ContactFactory(
        account=account,
        email="jane.doe@acme.com",
        first_name="Jane",
        last_name="Doe",
        title="Director of Engineering",
        phone="",
        department="engineering",
        seniority="director",
        persona="technical_buyer",
        crm_last_modified=WHEN - dt.timedelta(days=90),
    )


def rule(profile, field, policy):
    return ContactFieldRuleFactory(profile=profile, field=field, enrichment_policy=policy)


def enable(profile, **switches):
    for name, value in {"contact_enrichment_enabled": True, **switches}.items():
        setattr(profile, name, value)
    profile.save()


def test_manual_contact_is_not_enriched_by_default(email_with, manual):
    # Seed: "By default, Backstory does not update the standard fields of contact records that were
    # created manually in your CRM."
    run(email_with(jane()))

    manual.refresh_from_db()
    assert (manual.title, manual.phone) == ("Director of Engineering", "")
    decision = ContactDecision.objects.get(email="jane.doe@acme.com", action="enrichment_skipped")
    assert decision.reason == "enrichment_off" and "title" in decision.details["fields"]


def test_always_update_overwrites_the_value(email_with, manual, profile):
    # Seed: "Always update: Backstory overwrites the existing value whenever new information for the
    # field is observed."
    enable(profile)
    rule(profile, ContactFieldRule.Field.TITLE, "always")

    run(email_with(jane()))

    manual.refresh_from_db()
    assert manual.title == "VP of Engineering"
    decision = ContactDecision.objects.get(email="jane.doe@acme.com", action="contact_enriched")
    assert decision.details["changes"] == {"title": ["Director of Engineering", "VP of Engineering"]}
    assert decision.rule == "contact_enrichment"


def test_only_if_empty_fills_a_blank_field(email_with, manual, profile):
    # Seed: "Update only if empty: Backstory writes a value only when the field is currently blank."
    enable(profile)
    rule(profile, ContactFieldRule.Field.PHONE, "only_if_empty")

    run(email_with(jane()))

    manual.refresh_from_db()
    assert manual.phone == "+1 415 555 0100"


def test_only_if_empty_keeps_a_manual_value(email_with, manual, profile):
    # Seed: "If a value already exists, the field is left unchanged."
    enable(profile)
    rule(profile, ContactFieldRule.Field.TITLE, "only_if_empty")

    run(email_with(jane()))

    manual.refresh_from_db()
    assert manual.title == "Director of Engineering"
    decision = ContactDecision.objects.get(email="jane.doe@acme.com", reason="policy_only_if_empty")
    assert decision.action == "enrichment_skipped" and decision.details["fields"] == ["title"]
    # Fields with no rule are never updated, and say so.
    never = ContactDecision.objects.get(email="jane.doe@acme.com", reason="policy_never")
    assert "phone" in never.details["fields"]


def test_never_update_ignores_the_field(email_with, manual, profile):
    # Seed: "Never update: Backstory ignores the field and never modifies it."
    enable(profile)
    rule(profile, ContactFieldRule.Field.TITLE, "never")

    run(email_with(jane()))

    manual.refresh_from_db()
    assert manual.title == "Director of Engineering"


def test_the_seeds_example_title_and_phone_always_department_only_if_empty(email_with, manual, profile):
    # Seed: "you might choose to always update Title and Phone as people change roles, but only
    # populate Department when it's blank to preserve manual overrides."
    enable(profile)
    rule(profile, ContactFieldRule.Field.TITLE, "always")
    rule(profile, ContactFieldRule.Field.PHONE, "always")
    rule(profile, ContactFieldRule.Field.DEPARTMENT, "only_if_empty")
    manual.department = "it"  # a manual override: Backstory would infer engineering
    manual.phone = "+1 415 555 0000"
    manual.save()

    run(email_with(jane()))

    manual.refresh_from_db()
    assert (manual.title, manual.phone, manual.department) == ("VP of Engineering", "+1 415 555 0100", "it")


def test_field_without_a_rule_is_never_updated(email_with, manual, profile):
    enable(profile)
    rule(profile, ContactFieldRule.Field.TITLE, "always")

    run(email_with(jane()))

    manual.refresh_from_db()
    assert manual.phone == "" and manual.mailing_state == ""


def test_owner_is_never_enriched(email_with, manual, profile, account):
    # Seed: "Contact Owner is not updated by Contact Enrichment."
    enable(profile)
    for field in ContactFieldRule.Field.values:
        rule(profile, field, "always")
    someone_else = UserFactory(username="sam")
    account.owner = someone_else
    account.save()
    original_owner = manual.owner

    run(email_with(jane(), owner=someone_else))

    manual.refresh_from_db()
    assert manual.owner == original_owner
    assert manual.title == "VP of Engineering"


def test_field_rules_apply_only_when_contact_enrichment_is_on(email_with, manual, profile):
    rule(profile, ContactFieldRule.Field.TITLE, "always")

    run(email_with(jane()))

    manual.refresh_from_db()
    assert manual.title == "Director of Engineering"


def test_separate_seniority_setting_updates_it_without_contact_enrichment(email_with, manual, profile):
    # Seed: "If either Contact Enrichment or those separate settings is configured to update one of
    # these fields, Backstory will update it."
    profile.update_seniority = True
    profile.save()

    run(email_with(jane()))

    manual.refresh_from_db()
    assert manual.seniority == "vp"
    assert (manual.department, manual.persona, manual.title) == (
        "engineering",
        "technical_buyer",
        "Director of Engineering",
    )


def test_contact_enrichment_alone_updates_persona(email_with, manual, profile):
    enable(profile)
    rule(profile, ContactFieldRule.Field.PERSONA, "always")

    run(email_with(jane()))

    manual.refresh_from_db()
    assert manual.persona == "decision_maker"


def test_separate_setting_overrides_a_never_policy(email_with, manual, profile):
    enable(profile, update_persona=True)
    rule(profile, ContactFieldRule.Field.PERSONA, "never")

    run(email_with(jane()))

    manual.refresh_from_db()
    assert manual.persona == "decision_maker"


def test_neither_setting_leaves_persona_alone(email_with, manual, profile):
    enable(profile)
    rule(profile, ContactFieldRule.Field.TITLE, "always")

    run(email_with(jane()))

    manual.refresh_from_db()
    assert manual.persona == "technical_buyer"


def test_enrichment_is_queued_with_only_the_changed_fields(email_with, manual, profile):
    enable(profile)
    rule(profile, ContactFieldRule.Field.TITLE, "always")
    rule(profile, ContactFieldRule.Field.FIRST_NAME, "always")

    run(email_with(jane()))

    entry = OutboxEntry.objects.get(object_name="Contact")
    assert (entry.operation, entry.crm_id) == ("update", manual.crm_id)
    assert entry.payload == {"Title": "VP of Engineering"}


def test_older_observation_does_not_overwrite_a_newer_crm_value(email_with, manual, profile):
    enable(profile)
    rule(profile, ContactFieldRule.Field.TITLE, "always")
    manual.crm_last_modified = LATER
    manual.save()

    run(email_with(jane()))

    manual.refresh_from_db()
    assert manual.title == "Director of Engineering"
    assert ContactDecision.objects.filter(email="jane.doe@acme.com", reason="older_observation").exists()


def test_old_email_does_not_overwrite_a_newer_title(email_with, account):
    """An old email processed after a newer one (a backlog import) leaves the newer title."""
    newer = email_with(jane(title="Chief Technology Officer"), when=LATER)
    older = email_with(jane(title="Engineer"), when=EARLIER)
    run(newer)

    run(older)

    contact = Contact.objects.get(email="jane.doe@acme.com")
    assert contact.title == "Chief Technology Officer" and contact.seniority == "c_level"
    assert (
        ContactDecision.objects.get(activity=older, action="enrichment_skipped").reason == "older_observation"
    )


def test_engine_applies_a_batch_in_the_order_things_happened(email_with, account):
    older = email_with(jane(title="Engineer"), when=EARLIER)
    newer = email_with(jane(title="Chief Technology Officer"), when=LATER)

    run(newer, older)

    assert Contact.objects.get(email="jane.doe@acme.com").title == "Chief Technology Officer"


def test_confirmed_value_blocks_an_older_different_one(email_with, account):
    run(email_with(jane(title="Engineer"), when=EARLIER))
    run(email_with(jane(title="Engineer"), when=LATER))

    run(email_with(jane(title="Manager"), when=WHEN))

    assert Contact.objects.get(email="jane.doe@acme.com").title == "Engineer"


def test_backstory_contact_keeps_being_enriched_without_contact_enrichment(email_with, account, profile):
    # FAQ: "Backstory continues to enrich contacts it has created over time as details like title,
    # phone number, email address, or last name change."
    assert not profile.contact_enrichment_enabled
    run(email_with(jane(), when=EARLIER))

    run(
        email_with(
            jane(title="Chief Technology Officer", phone="+1 415 555 0199", last_name="Doe-Smith"), when=LATER
        )
    )

    contact = Contact.objects.get(email="jane.doe@acme.com")
    assert (contact.title, contact.phone, contact.last_name) == (
        "Chief Technology Officer",
        "+1 415 555 0199",
        "Doe-Smith",
    )
    assert (contact.seniority, contact.department, contact.persona) == (
        "c_level",
        "engineering",
        "decision_maker",
    )
    decision = ContactDecision.objects.get(action="contact_enriched")
    assert decision.rule == "backstory_enrichment"
    # Not in the CRM yet: the whole create goes again with the change folded in (issue 14: a partial
    # upsert would create a record with no email or account if the create has not gone through).
    entry = OutboxEntry.objects.filter(object_name="Contact").order_by("id").last()
    assert entry.operation == "upsert" and entry.payload["Title"] == "Chief Technology Officer"
    assert (entry.payload["FirstName"], entry.payload["Email"], entry.payload["Created_By_Backstory__c"]) == (
        "Jane",
        "jane.doe@acme.com",
        True,
    )


def test_backstory_contact_email_change_is_followed(email_with, account):
    run(email_with(jane(), when=EARLIER))
    contact = Contact.objects.get(email="jane.doe@acme.com")
    activity = email_with(jane(email="jane.doe@eu.acme.com"), when=LATER)
    Participant.objects.filter(activity=activity, email="jane.doe@eu.acme.com").update(contact=contact)

    run(activity)

    contact.refresh_from_db()
    assert contact.email == "jane.doe@eu.acme.com"


def test_backstory_contact_email_never_moves_to_free_mail(email_with, account):
    run(email_with(jane(), when=EARLIER))
    contact = Contact.objects.get(email="jane.doe@acme.com")
    activity = email_with(jane(email="jane.doe@acmepartners.com"), when=LATER)
    Participant.objects.filter(activity=activity).exclude(user__isnull=False).update(contact=contact)

    run(activity)

    contact.refresh_from_db()
    assert contact.email == "jane.doe@acme.com"


def test_backstory_contact_first_name_and_location_are_left_alone(email_with, account):
    run(email_with(jane(), when=EARLIER))

    run(email_with(jane(first_name="Janet", mailing_state="NY"), when=LATER))

    contact = Contact.objects.get(email="jane.doe@acme.com")
    assert (contact.first_name, contact.mailing_state) == ("Jane", "CA")


def test_reformatted_phone_is_not_a_change(email_with, account):
    run(email_with(jane(phone="(415) 555-0100"), when=EARLIER))

    run(email_with(jane(phone="+1 415.555.0100"), when=LATER))

    assert OutboxEntry.objects.filter(object_name="Contact").count() == 1  # the creation only
    assert not ContactDecision.objects.filter(action="contact_enriched").exists()


def test_one_participant_enrichment_service(email_with, manual, profile):
    enable(profile)
    rule(profile, ContactFieldRule.Field.TITLE, "always")
    participant = Participant.objects.get(activity=email_with(jane()), email="jane.doe@acme.com")

    decisions = contact_enrich_from_participant(participant=participant)

    assert [d.action for d in decisions if d.action != "enrichment_skipped"] == ["contact_enriched"]
    manual.refresh_from_db()
    assert manual.title == "VP of Engineering"


@pytest.mark.parametrize("initial", ["D.", "D"])
def test_an_initial_never_overwrites_a_full_surname(email_with, account, initial):
    # Issue 14: "Jane D." signing a later email is not a new last name.
    run(email_with(jane(), when=EARLIER))

    run(email_with(jane(last_name=initial, name=f"Jane {initial}", title="CTO"), when=LATER))

    contact = Contact.objects.get(email="jane.doe@acme.com")
    assert (contact.last_name, contact.title) == ("Doe", "CTO")
