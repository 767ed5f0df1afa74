"""Opportunity contact roles: standard OCR, First OCR, New OCR and Multi-Opportunity Matching, each
with the seed's negative cases (closed opportunity, two possible opportunities, mismatched domain)."""

import pytest

from accounts.tests.factories import AccountFactory
from activities.models import Participant
from activities.tests.factories import ActivityOpportunityFactory
from contacts.models import Contact, ContactDecision
from contacts.services import contact_engine_process_activities, contact_roles_create_for_activity
from contacts.tests.conftest import jane
from contacts.tests.factories import ContactFactory
from crm.models import OutboxEntry
from opportunities.models import OpportunityContactRole
from opportunities.tests.factories import OpportunityContactRoleFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def run(activity):
    return contact_engine_process_activities(activity_ids=[activity.pk])


def roles_on(opportunity):
    return set(
        OpportunityContactRole.objects.filter(opportunity=opportunity).values_list(
            "contact__email", flat=True
        )
    )


def ocr_decision(email, opportunity=None):
    filters = {"email": email, "action__in": ["ocr_created", "ocr_skipped"]}
    if opportunity is not None:
        filters["opportunity"] = opportunity
    return ContactDecision.objects.get(**filters)


@pytest.fixture
def champion(account):
    return ContactFactory(account=account, email="chris@acme.com", first_name="Chris", last_name="Champion")


@pytest.fixture
def deal(account, champion):
    opportunity = OpportunityFactory(account=account, name="Acme - Platform", stage="Discovery")
    OpportunityContactRoleFactory(opportunity=opportunity, contact=champion)
    return opportunity


def chris(**overrides):
    return {"email": "chris@acme.com", "first_name": "Chris", "last_name": "Champion", **overrides}


def test_standard_ocr_adds_the_other_participants(email_with, deal, champion):
    # Seed: "At least one participant exists as a contact on an account and also exists as a Contact
    # Role on an open Opportunity associated with that Account."
    existing = ContactFactory(account=deal.account, email="sam@acme.com", first_name="Sam", last_name="Smith")

    run(email_with(chris(), {"email": "sam@acme.com", "first_name": "Sam", "last_name": "Smith"}))

    assert roles_on(deal) == {"chris@acme.com", "sam@acme.com"}
    role = OpportunityContactRole.objects.get(opportunity=deal, contact=existing)
    assert role.created_by_backstory and role.role == "Business User" and not role.is_primary
    decision = ocr_decision("sam@acme.com")
    assert (decision.action, decision.rule, decision.reason) == ("ocr_created", "standard_ocr", "created")
    assert decision.opportunity == deal


def test_standard_ocr_creates_the_contact_first_when_needed(email_with, deal):
    # Seed: "If they do not exist as contacts on the Account, Backstory will first create contacts on
    # the Account and then create Contact Roles on the open Opportunity."
    run(email_with(chris(), jane()))

    contact = Contact.objects.get(email="jane.doe@acme.com")
    assert contact.created_by_backstory and contact.account == deal.account
    assert roles_on(deal) == {"chris@acme.com", "jane.doe@acme.com"}


def test_role_given_comes_from_the_profile(email_with, deal, profile):
    profile.ocr_role = "Evaluator"
    profile.save()

    run(email_with(chris(), jane()))

    assert OpportunityContactRole.objects.get(contact__email="jane.doe@acme.com").role == "Evaluator"


def test_existing_role_is_not_added_twice(email_with, deal):
    # Seed: "The other participants do not already exist as Contact Roles on that Opportunity."
    run(email_with(chris(), jane()))
    run(email_with(chris(), jane()))

    assert OpportunityContactRole.objects.filter(opportunity=deal).count() == 2
    assert ContactDecision.objects.filter(email="chris@acme.com", reason="already_a_role").count() == 2


def test_never_on_a_closed_opportunity(email_with, account, champion):
    # Seed: "Backstory will not add participants as Contact Roles on a closed Opportunity."
    closed = OpportunityFactory(account=account, won=True)
    OpportunityContactRoleFactory(opportunity=closed, contact=champion)
    activity = email_with(chris(), jane())
    ActivityOpportunityFactory(activity=activity, opportunity=closed)

    run(activity)

    assert roles_on(closed) == {"chris@acme.com"}
    assert ocr_decision("jane.doe@acme.com", closed).reason == "closed_opportunity"


def test_closed_opportunities_are_not_candidates_without_a_match(email_with, account, champion):
    closed = OpportunityFactory(account=account, lost=True)
    OpportunityContactRoleFactory(opportunity=closed, contact=champion)

    run(email_with(chris(), jane()))

    assert roles_on(closed) == {"chris@acme.com"}
    assert ocr_decision("jane.doe@acme.com").reason == "no_open_opportunity"


def test_never_across_non_matching_domains(email_with, deal, rep):
    # Seed: "will not add participants to the same Opportunity as Contact Roles if their domains do not match."
    partner = AccountFactory(name="Partner", domain="acmepartners.com", owner=rep)
    outsider = ContactFactory(
        account=partner, email="pat@acmepartners.com", first_name="Pat", last_name="Partner"
    )
    activity = email_with(
        chris(), {"email": "pat@acmepartners.com", "first_name": "Pat", "last_name": "Partner"}
    )
    ActivityOpportunityFactory(activity=activity, opportunity=deal)

    run(activity)

    assert roles_on(deal) == {"chris@acme.com"}
    assert ocr_decision(outsider.email, deal).reason == "domain_mismatch"


def test_contact_on_another_account_is_not_added(email_with, deal, rep):
    elsewhere = AccountFactory(name="Other", domain="other.com", owner=rep)
    ContactFactory(account=elsewhere, email="sam@acme.com", first_name="Sam", last_name="Smith")
    activity = email_with(chris(), {"email": "sam@acme.com", "first_name": "Sam", "last_name": "Smith"})
    ActivityOpportunityFactory(activity=activity, opportunity=deal)

    run(activity)

    assert ocr_decision("sam@acme.com", deal).reason == "contact_not_on_account"


def test_without_a_role_holder_and_new_ocr_off_nothing_is_added(email_with, deal):
    # Seed: "the Opportunity must have at least one manually created Opportunity Contact Role" and one
    # of its holders must be on the activity, unless New OCR is on.
    run(email_with(jane()))

    assert roles_on(deal) == {"chris@acme.com"}
    assert ocr_decision("jane.doe@acme.com", deal).reason == "no_role_in_activity"


def test_new_ocr_adds_roles_when_no_role_holder_took_part(email_with, deal, profile):
    # Seed: "New OCR allows Backstory to create additional contact roles on an Opportunity regardless
    # of whether an existing OCR is involved in the activity."
    profile.new_ocr_enabled = True
    profile.save()

    run(email_with(jane()))

    assert roles_on(deal) == {"chris@acme.com", "jane.doe@acme.com"}
    assert ocr_decision("jane.doe@acme.com").rule == "new_ocr"


def test_first_ocr_off_leaves_an_opportunity_without_roles_alone(email_with, account):
    opportunity = OpportunityFactory(account=account)

    run(email_with(jane()))

    assert roles_on(opportunity) == set()
    decision = ocr_decision("jane.doe@acme.com", opportunity)
    assert (decision.reason, decision.rule) == ("first_ocr_off", "first_ocr")


def test_first_ocr_creates_the_very_first_role(email_with, account, profile):
    # Seed: "First OCR allows Backstory to create the very first Opportunity Contact Role on an
    # Opportunity, even when none exist yet."
    profile.first_ocr_enabled = True
    profile.save()
    opportunity = OpportunityFactory(account=account)

    run(email_with(jane(), jane(email="john@acme.com", first_name="John")))

    assert roles_on(opportunity) == {"jane.doe@acme.com", "john@acme.com"}
    assert ocr_decision("jane.doe@acme.com").rule == "first_ocr"
    # Once Jane holds a role, John joins her by the standard rule.
    assert ocr_decision("john@acme.com").rule == "standard_ocr"


def test_first_ocr_skipped_when_two_opportunities_match(email_with, account, profile):
    # Seed: "If multiple Opportunities could match, Backstory will not create a First OCR."
    profile.first_ocr_enabled = profile.multi_opportunity_matching = True
    profile.save()
    first, second = OpportunityFactory(account=account), OpportunityFactory(account=account)

    run(email_with(jane()))

    assert roles_on(first) == roles_on(second) == set()
    assert ocr_decision("jane.doe@acme.com", first).reason == "several_opportunities"
    assert ocr_decision("jane.doe@acme.com", second).reason == "several_opportunities"


def test_first_ocr_uses_the_single_matched_opportunity(email_with, account, profile):
    profile.first_ocr_enabled = True
    profile.save()
    matched, _other = OpportunityFactory(account=account), OpportunityFactory(account=account)
    activity = email_with(jane())
    ActivityOpportunityFactory(activity=activity, opportunity=matched)

    run(activity)

    assert roles_on(matched) == {"jane.doe@acme.com"}


def test_a_closed_match_is_not_a_possible_opportunity_for_first_ocr(email_with, account, profile):
    # Seed: First OCR needs "exactly one possible Opportunity match"; a closed one is not possible.
    profile.first_ocr_enabled = True
    profile.save()
    open_one, closed = OpportunityFactory(account=account), OpportunityFactory(account=account, lost=True)
    activity = email_with(jane())
    for opportunity in (open_one, closed):
        ActivityOpportunityFactory(activity=activity, opportunity=opportunity)

    run(activity)

    assert roles_on(open_one) == {"jane.doe@acme.com"} and roles_on(closed) == set()
    assert ocr_decision("jane.doe@acme.com", closed).reason == "closed_opportunity"


def test_two_opportunities_without_multi_matching_is_ambiguous(email_with, account, champion, profile):
    profile.new_ocr_enabled = True
    profile.save()
    first, second = OpportunityFactory(account=account), OpportunityFactory(account=account)
    for opportunity in (first, second):
        OpportunityContactRoleFactory(opportunity=opportunity, contact=champion)

    run(email_with(chris(), jane()))

    assert roles_on(first) == roles_on(second) == {"chris@acme.com"}
    decision = ocr_decision("jane.doe@acme.com")
    assert (decision.reason, decision.rule) == ("ambiguous_opportunity", "multi_opportunity_matching")


def test_one_anchored_opportunity_among_several_is_chosen(email_with, account, champion):
    anchored, other = OpportunityFactory(account=account), OpportunityFactory(account=account)
    OpportunityContactRoleFactory(opportunity=anchored, contact=champion)

    run(email_with(chris(), jane()))

    assert roles_on(anchored) == {"chris@acme.com", "jane.doe@acme.com"}
    assert roles_on(other) == set()


def test_multi_opportunity_matching_adds_roles_on_every_matched_opportunity(
    email_with, account, champion, profile
):
    # Seed: "Backstory will create OCRs across all matched Opportunities when an activity matches more than one."
    profile.multi_opportunity_matching = True
    profile.save()
    first, second = OpportunityFactory(account=account), OpportunityFactory(account=account)
    for opportunity in (first, second):
        OpportunityContactRoleFactory(opportunity=opportunity, contact=champion)

    run(email_with(chris(), jane()))

    assert roles_on(first) == roles_on(second) == {"chris@acme.com", "jane.doe@acme.com"}


def test_ocr_off_adds_no_role(email_with, deal, profile):
    profile.ocr_enabled = False
    profile.save()

    run(email_with(chris(), jane()))

    assert roles_on(deal) == {"chris@acme.com"}
    assert ocr_decision("jane.doe@acme.com").reason == "ocr_off"


def test_first_and_new_ocr_need_ocr_on(email_with, account, profile):
    profile.ocr_enabled = False
    profile.first_ocr_enabled = profile.new_ocr_enabled = True
    profile.save()
    opportunity = OpportunityFactory(account=account)

    run(email_with(jane()))

    assert roles_on(opportunity) == set()


def test_role_is_queued_with_the_contacts_backstory_id_until_it_has_a_crm_id(email_with, deal):
    run(email_with(chris(), jane()))

    contact = Contact.objects.get(email="jane.doe@acme.com")
    role = OpportunityContactRole.objects.get(contact=contact)
    entry = OutboxEntry.objects.get(object_name="OpportunityContactRole")
    assert (entry.operation, entry.external_id) == ("upsert", str(role.backstory_id))
    assert entry.payload == {
        "OpportunityId": deal.crm_id,
        "ContactBackstoryId": str(contact.backstory_id),
        "Role": "Business User",
        "IsPrimary": False,
    }
    # The contact is queued first, so the pusher can resolve the reference.
    assert OutboxEntry.objects.order_by("id").first().object_name == "Contact"


def test_role_for_a_crm_contact_is_queued_with_its_crm_id(email_with, deal):
    sam = ContactFactory(account=deal.account, email="sam@acme.com", first_name="Sam", last_name="Smith")

    run(email_with(chris(), {"email": "sam@acme.com", "first_name": "Sam", "last_name": "Smith"}))

    assert OutboxEntry.objects.get(object_name="OpportunityContactRole").payload["ContactId"] == sam.crm_id


def test_filtered_and_role_addresses_get_no_role(email_with, deal):
    ContactFactory(account=deal.account, email="info@acme.com", first_name="Info", last_name="Desk")

    run(email_with(chris(), {"email": "info@acme.com", "first_name": "Info", "last_name": "Desk"}))

    assert roles_on(deal) == {"chris@acme.com"}


def test_lead_participant_gets_no_role(email_with, deal):
    from contacts.tests.factories import LeadFactory

    LeadFactory(email="jane.doe@acme.com")

    run(email_with(chris(), jane()))

    assert roles_on(deal) == {"chris@acme.com"}


def test_role_service_for_one_activity(email_with, deal):
    sam = ContactFactory(account=deal.account, email="sam@acme.com", first_name="Sam", last_name="Smith")
    activity = email_with(chris(), {"email": "sam@acme.com", "first_name": "Sam", "last_name": "Smith"})

    decisions = contact_roles_create_for_activity(activity=activity)

    assert [d.action for d in decisions if d.contact_id == sam.pk] == ["ocr_created"]
    assert roles_on(deal) == {"chris@acme.com", "sam@acme.com"}
    assert not Participant.objects.filter(activity=activity, email="jane.doe@acme.com").exists()


def test_a_role_backstory_created_is_not_the_manually_created_one_standard_ocr_needs(
    email_with, account, champion
):
    # Seed: "the Opportunity must have at least one manually created Opportunity Contact Role, or your
    # organization can choose to enable First OCR instead." Issue 14: Backstory's own role counted.
    opportunity = OpportunityFactory(account=account, name="Acme - Platform", stage="Discovery")
    OpportunityContactRoleFactory(opportunity=opportunity, contact=champion, created_by_backstory=True)

    run(email_with(chris(), {"email": "sam@acme.com", "first_name": "Sam", "last_name": "Smith"}))

    assert roles_on(opportunity) == {"chris@acme.com"}
    decision = ocr_decision("sam@acme.com")
    assert decision.reason == "no_manual_role" and "manually created" in decision.message
