"""Contact creation: every rule of the seed's "Contact Creation" section, each with its negative case."""

import pytest

from accounts.tests.factories import AccountFactory, AccountTeamMemberFactory
from activities.models import Activity, Participant
from contacts.models import Contact, ContactDecision, ContactFieldRule, Lead
from contacts.services import contact_create_from_participant, contact_engine_process_activities
from contacts.tests.conftest import jane
from contacts.tests.factories import (
    ConfigurationProfileFactory,
    ContactFactory,
    ContactFieldRuleFactory,
    LeadFactory,
    LocalFilterFactory,
)
from crm.models import OutboxEntry
from opportunities.tests.factories import OpportunityFactory
from users.models import User
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(activity):
    return contact_engine_process_activities(activity_ids=[activity.pk])


def decision_for(email, **filters):
    return ContactDecision.objects.get(
        email=email, action__in=["contact_created", "contact_skipped", "lead_matched"], **filters
    )


def test_creates_contact_with_every_field_the_seed_lists(email_with, account, rep):
    activity = email_with(jane())

    report = run(activity)

    contact = Contact.objects.get(email="jane.doe@acme.com")
    # Seed: "First Name, Last Name, Email / Title, Phone / Department, Seniority, Persona /
    # Mailing Address (Country, State) / Owner, Lead Source"
    assert (contact.first_name, contact.last_name, contact.email) == ("Jane", "Doe", "jane.doe@acme.com")
    assert (contact.title, contact.phone) == ("VP of Engineering", "+1 415 555 0100")
    assert (contact.department, contact.seniority, contact.persona) == ("engineering", "vp", "decision_maker")
    assert (contact.mailing_country, contact.mailing_state) == ("United States", "CA")
    assert contact.owner == rep and contact.lead_source == "Backstory"
    assert contact.created_by_backstory is True and contact.account == account
    assert Participant.objects.get(activity=activity, email="jane.doe@acme.com").contact == contact
    assert report.contacts_created == [contact.pk]
    decision = decision_for("jane.doe@acme.com")
    assert (decision.action, decision.reason, decision.rule) == (
        "contact_created",
        "created",
        "contact_creation",
    )
    assert decision.activity == activity and decision.participant.email == "jane.doe@acme.com"
    assert "owned by Dana Rivera (account owner)" in decision.message


def test_new_contact_is_queued_for_salesforce_in_the_same_transaction(email_with, account, rep, settings):
    # FAQ: "It can take up to 2 hours for a new contact to appear in Salesforce": the push starts
    # from the outbox row written with the contact, not from a later sweep.
    run(email_with(jane()))

    contact = Contact.objects.get(email="jane.doe@acme.com")
    entry = OutboxEntry.objects.get(object_name="Contact")
    assert (entry.operation, entry.external_id, entry.record_id) == (
        "upsert",
        str(contact.backstory_id),
        contact.pk,
    )
    assert entry.payload == {
        "FirstName": "Jane",
        "LastName": "Doe",
        "Email": "jane.doe@acme.com",
        "Title": "VP of Engineering",
        "Phone": "+1 415 555 0100",
        "MailingCountry": "United States",
        "MailingState": "CA",
        settings.SALESFORCE_FIELD_DEPARTMENT: "Engineering",
        settings.SALESFORCE_FIELD_SENIORITY: "VP",
        settings.SALESFORCE_FIELD_PERSONA: "Decision Maker",
        "LeadSource": "Backstory",
        "AccountId": account.crm_id,
        "OwnerId": rep.crm_id,
        settings.SALESFORCE_FIELD_CREATED_BY_BACKSTORY: True,
        settings.SALESFORCE_FIELD_BACKSTORY_ID: str(contact.backstory_id),
    }


def test_nothing_is_queued_when_no_crm_is_configured(email_with, account, settings):
    settings.SALESFORCE_MODE = "off"

    run(email_with(jane()))

    assert Contact.objects.filter(email="jane.doe@acme.com").exists()
    assert not OutboxEntry.objects.exists()


def test_skipped_when_contact_exists_and_participant_is_linked(email_with, account):
    existing = ContactFactory(account=account, email="jane.doe@acme.com", first_name="Jane", last_name="Doe")
    activity = email_with(jane())

    run(activity)

    assert Contact.objects.filter(email="jane.doe@acme.com").count() == 1
    assert decision_for("jane.doe@acme.com").reason == "contact_exists"
    assert Participant.objects.get(activity=activity, email="jane.doe@acme.com").contact == existing


def test_contact_exists_is_case_insensitive(email_with, account):
    ContactFactory(account=account, email="Jane.Doe@ACME.com")

    run(email_with(jane()))

    assert Contact.objects.filter(email__iexact="jane.doe@acme.com").count() == 1


def test_lead_with_exact_email_wins_and_the_activity_is_matched_to_it(email_with, account):
    # Seed: "If a lead with a matching email address is found, the activity is matched to the lead
    # and no contact is created."
    lead = LeadFactory(email="jane.doe@acme.com")
    activity = email_with(jane())

    run(activity)

    assert not Contact.objects.filter(email="jane.doe@acme.com").exists()
    decision = decision_for("jane.doe@acme.com")
    assert (decision.action, decision.reason, decision.lead) == ("lead_matched", "lead_exists", lead)
    activity.refresh_from_db()
    assert activity.lead == lead
    assert Participant.objects.get(activity=activity, email="jane.doe@acme.com").lead == lead


def test_lead_already_on_the_activity_is_kept(email_with, account):
    LeadFactory(email="jane.doe@acme.com")
    other = LeadFactory(email="someone@prospect.example.com")
    activity = email_with(jane())
    Activity.objects.filter(pk=activity.pk).update(lead=other)

    run(activity)

    activity.refresh_from_db()
    assert activity.lead == other


def test_converted_lead_does_not_block_creation(email_with, account):
    # A converted lead is a contact now: only open leads match (FAQ: "Contact creation only occurs
    # when neither a contact nor a Lead exists for the participant").
    LeadFactory(email="jane.doe@acme.com", is_converted=True)

    run(email_with(jane()))

    assert Contact.objects.filter(email="jane.doe@acme.com").exists()


def test_lead_with_a_different_email_does_not_match(email_with, account):
    LeadFactory(email="jane@acme.com")

    run(email_with(jane()))

    assert Contact.objects.filter(email="jane.doe@acme.com").exists()


@pytest.mark.parametrize("missing, label", [("first_name", "first name"), ("last_name", "last name")])
def test_not_created_without_a_first_or_last_name(email_with, account, missing, label):
    # FAQ: "What happens if a contact is missing a first name, last name, or email? Backstory will
    # not create the contact."
    run(email_with(jane(**{missing: ""})))

    assert not Contact.objects.exists()
    decision = decision_for("jane.doe@acme.com")
    assert decision.reason == "name_missing" and label in decision.message


def test_not_created_without_a_valid_email(email_with, account):
    run(email_with(jane(email="jane.doe@acme")))

    assert not Contact.objects.exists()
    assert decision_for("jane.doe@acme").reason == "email_missing"


def test_extra_required_field_blocks_creation_when_missing(email_with, account, profile):
    # FAQ: "Your administrator can configure additional required fields."
    ContactFieldRuleFactory(profile=profile, field=ContactFieldRule.Field.PHONE, required_for_creation=True)

    run(email_with(jane(phone="")))

    assert not Contact.objects.exists()
    decision = decision_for("jane.doe@acme.com")
    assert decision.reason == "required_field_missing" and "phone" in decision.message


def test_extra_required_field_present_allows_creation(email_with, account, profile):
    ContactFieldRuleFactory(profile=profile, field=ContactFieldRule.Field.TITLE, required_for_creation=True)

    run(email_with(jane()))

    assert Contact.objects.filter(email="jane.doe@acme.com").exists()


def test_required_department_needs_a_title_to_infer_it_from(email_with, account, profile):
    ContactFieldRuleFactory(
        profile=profile, field=ContactFieldRule.Field.DEPARTMENT, required_for_creation=True
    )

    run(email_with(jane(title="")))

    assert decision_for("jane.doe@acme.com").reason == "required_field_missing"


def test_secondary_domain_and_subdomain_match_the_account(email_with, rep):
    # Seed: "The contact's email domain matches an existing account's primary or secondary domain."
    AccountFactory(name="Globex", domain="globex.com", secondary_domains=["globex.io"], owner=rep)

    run(email_with(jane(email="jane@globex.io"), jane(email="john@eu.globex.com", first_name="John")))

    assert set(Contact.objects.values_list("email", flat=True)) == {"jane@globex.io", "john@eu.globex.com"}


def test_not_created_when_domain_is_on_no_account(email_with, account):
    # Design: "acmepartners.com is not acme.com".
    run(email_with(jane(email="jane@acmepartners.com")))

    assert not Contact.objects.exists()
    assert decision_for("jane@acmepartners.com").reason == "domain_not_on_account"


@pytest.mark.parametrize("how", ["opportunity owner", "account team member"])
def test_user_who_works_the_account_qualifies(email_with, rep, how):
    # Seed: "The user on the activity is the account owner, opportunity owner, or an account team member."
    account = AccountFactory(name="Acme", domain="acme.com")
    if how == "opportunity owner":
        OpportunityFactory(account=account, owner=rep)
    else:
        AccountTeamMemberFactory(account=account, user=rep)

    run(email_with(jane()))

    contact = Contact.objects.get(email="jane.doe@acme.com")
    assert contact.owner == rep
    assert how in decision_for("jane.doe@acme.com").message


def test_not_created_when_the_user_does_not_work_the_account(email_with):
    AccountFactory(name="Acme", domain="acme.com")

    run(email_with(jane()))

    assert not Contact.objects.exists()
    assert decision_for("jane.doe@acme.com").reason == "user_not_on_account_team"


def test_another_internal_participant_who_works_the_account_becomes_owner(email_with, rep):
    # Design: "the user on the activity" is any internal participant, starting with the one whose
    # mailbox captured it; the first who qualifies becomes the owner of the new contact.
    colleague = UserFactory(username="sam")
    AccountFactory(name="Acme", domain="acme.com", owner=colleague)

    run(email_with(jane(), internal=[colleague]))

    assert Contact.objects.get(email="jane.doe@acme.com").owner == colleague


def test_capturing_user_comes_first_when_several_qualify(email_with, rep):
    colleague = UserFactory(username="sam")
    account = AccountFactory(name="Acme", domain="acme.com", owner=colleague)
    AccountTeamMemberFactory(account=account, user=rep)

    run(email_with(jane(), internal=[colleague]))

    assert Contact.objects.get(email="jane.doe@acme.com").owner == rep


def test_non_crm_user_triggers_creation_owned_by_the_integration_user(email_with, profile):
    # FAQ: "If that person doesn't have a Salesforce user account, ownership defaults to the integration user."
    outsider = UserFactory(username="pat", not_in_crm=True)
    AccountFactory(name="Acme", domain="acme.com", owner=outsider)
    integration = UserFactory(integration=True)

    run(email_with(jane(), owner=outsider))

    contact = Contact.objects.get(email="jane.doe@acme.com")
    assert contact.owner == integration
    assert "integration user" in decision_for("jane.doe@acme.com").message
    assert OutboxEntry.objects.get(object_name="Contact").payload["OwnerId"] == integration.crm_id


def test_integration_user_is_created_on_demand(email_with, settings, profile):
    settings.BACKSTORY_INTEGRATION_USERNAME = "backstory-integration"
    outsider = UserFactory(username="pat", not_in_crm=True)
    AccountFactory(name="Acme", domain="acme.com", owner=outsider)

    run(email_with(jane(), owner=outsider))

    integration = User.objects.get(username="backstory-integration")
    assert integration.is_integration_user
    assert Contact.objects.get(email="jane.doe@acme.com").owner == integration
    # No CRM id to send: Salesforce gives the record to the API (integration) user.
    assert OutboxEntry.objects.get(object_name="Contact").payload["OwnerId"] is None


def test_crm_user_keeps_ownership_when_an_integration_user_exists(email_with, account, rep):
    UserFactory(integration=True)

    run(email_with(jane()))

    assert Contact.objects.get(email="jane.doe@acme.com").owner == rep


@pytest.mark.parametrize(
    "address, reason",
    [
        ("noreply@acme.com", "role_address"),
        ("support@acme.com", "role_address"),
        ("jane.doe@gmail.com", "free_mail"),
        ("colleague@lumen-analytics.com", "internal"),
    ],
)
def test_never_a_contact_from_role_free_mail_or_internal_addresses(email_with, account, address, reason):
    run(email_with(jane(email=address)))

    assert not Contact.objects.exists()
    assert decision_for(address).reason == reason


def test_participant_flagged_internal_is_never_a_contact(email_with, account):
    run(email_with(jane(is_internal=True)))

    assert not Contact.objects.exists()
    assert decision_for("jane.doe@acme.com").reason == "internal"


def test_users_on_the_activity_get_no_decision(email_with, account, rep):
    run(email_with(jane()))

    assert not ContactDecision.objects.filter(email=rep.email).exists()


@pytest.mark.parametrize(
    "kind, value",
    [("domain", "acme.com"), ("address", "jane.doe@acme.com"), ("subject_keyword", "pricing")],
)
def test_global_local_filters_apply(email_with, account, kind, value):
    LocalFilterFactory(kind=kind, value=value)

    run(email_with(jane(), subject="Pricing proposal"))

    assert not Contact.objects.exists()
    decision = decision_for("jane.doe@acme.com")
    assert (decision.reason, decision.rule) == ("filtered", "local_filter")


def test_subject_keyword_matches_whole_words_only(email_with, account):
    LocalFilterFactory(kind="subject_keyword", value="sale")

    run(email_with(jane(), subject="Wholesale pricing"))

    assert Contact.objects.exists()


def test_profile_local_filter_applies_only_to_its_profile(email_with, account, rep):
    other = ConfigurationProfileFactory()
    LocalFilterFactory(kind="domain", value="acme.com", profile=other)

    run(email_with(jane()))

    assert Contact.objects.exists()


def test_own_profile_local_filter_applies(email_with, account, profile):
    LocalFilterFactory(kind="domain", value="acme.com", profile=profile)

    run(email_with(jane()))

    assert not Contact.objects.exists()
    assert "profile Sales" in decision_for("jane.doe@acme.com").message


def test_not_created_when_contact_creation_is_off(email_with, account, profile):
    # Seed: "Your administrator must enable Contact Creation for the relevant Configuration Profile."
    profile.contact_creation_enabled = False
    profile.save()

    run(email_with(jane()))

    assert not Contact.objects.exists()
    assert decision_for("jane.doe@acme.com").reason == "profile_off"


def test_user_profile_wins_over_the_default(email_with, account, rep, profile):
    rep.configuration_profile = ConfigurationProfileFactory(name="Careful", contact_creation_enabled=False)
    rep.save()

    run(email_with(jane()))

    assert not Contact.objects.exists()
    assert "profile Careful" in decision_for("jane.doe@acme.com").message


def test_default_profile_applies_to_a_user_with_none(email_with, account, rep, profile):
    assert rep.configuration_profile is None

    run(email_with(jane()))

    assert decision_for("jane.doe@acme.com").profile == profile


def test_no_profile_at_all_creates_nothing(email_with, account, profile):
    profile.delete()

    run(email_with(jane()))

    assert not Contact.objects.exists()
    assert decision_for("jane.doe@acme.com").reason == "profile_off"


@pytest.mark.parametrize("sync", [True, False])
def test_creation_is_independent_of_activity_sync(email_with, account, profile, sync):
    # Seed: "Contact creation is independent of activity sync." FAQ: "Does contact creation require
    # activity sync to be enabled? No."
    profile.sync_emails = profile.sync_meetings = profile.sync_calls = sync
    profile.save()

    run(email_with(jane()))

    assert Contact.objects.filter(email="jane.doe@acme.com").exists()


def test_meeting_attendees_become_contacts_too(email_with, account):
    # Seed: "Backstory can create contacts from emails and meetings".
    run(email_with(jane(role=Participant.Role.ATTENDEE), kind=Activity.Kind.MEETING, duration_minutes=30))

    assert Contact.objects.filter(email="jane.doe@acme.com").exists()


def test_shared_domain_prefers_the_account_the_user_works(email_with, rep):
    AccountFactory(name="Acme Holdings", domain="acme.com")
    subsidiary = AccountFactory(name="Acme Labs", domain=False, owner=rep)
    subsidiary.domains.create(domain="acme.com", is_primary=False)

    run(email_with(jane()))

    assert Contact.objects.get(email="jane.doe@acme.com").account == subsidiary


def test_shared_domain_prefers_the_activitys_matched_account(email_with, rep):
    first = AccountFactory(name="Acme Holdings", domain="acme.com", owner=rep)
    second = AccountFactory(name="Acme Labs", domain=False, owner=rep)
    second.domains.create(domain="acme.com", is_primary=False)

    run(email_with(jane(), account=second))

    assert Contact.objects.get(email="jane.doe@acme.com").account == second
    assert first.contacts.count() == 0


def test_one_participant_service_creates_and_links(email_with, account):
    activity = email_with(jane())
    participant = Participant.objects.get(activity=activity, email="jane.doe@acme.com")

    decision = contact_create_from_participant(participant=participant)

    assert decision.action == "contact_created"
    assert participant.contact == Contact.objects.get(email="jane.doe@acme.com")
    participant.refresh_from_db()
    assert participant.contact_id == decision.contact_id


def test_one_participant_service_takes_a_profile(email_with, account):
    careful = ConfigurationProfileFactory(contact_creation_enabled=False)
    participant = Participant.objects.get(activity=email_with(jane()), email="jane.doe@acme.com")

    decision = contact_create_from_participant(participant=participant, profile=careful)

    assert decision.reason == "profile_off" and not Contact.objects.exists()


def test_the_same_person_twice_in_a_batch_is_created_once(email_with, account):
    first, second = email_with(jane()), email_with(jane())

    contact_engine_process_activities(activity_ids=[first.pk, second.pk])

    assert Contact.objects.filter(email="jane.doe@acme.com").count() == 1
    assert (
        ContactDecision.objects.get(
            activity=second, email="jane.doe@acme.com", action="contact_skipped"
        ).reason
        == "contact_exists"
    )
    assert Participant.objects.get(activity=second, email="jane.doe@acme.com").contact is not None


def test_lead_table_untouched_by_creation(email_with, account):
    run(email_with(jane()))

    assert not Lead.objects.exists()


def test_mailing_country_is_written_as_the_country_name_hand_made_contacts_hold(email_with, account):
    # Issue 14: "US" from a signature went to Salesforce as MailingCountry "US"; hand-made contacts
    # hold "United States", and orgs with State/Country picklists refuse the code.
    activity = email_with(jane(mailing_country="US"))
    contact_engine_process_activities(activity_ids=[activity.pk])

    contact = Contact.objects.get(email="jane.doe@acme.com")
    assert contact.mailing_country == "United States"
    entry = OutboxEntry.objects.get(object_name="Contact")
    assert entry.payload["MailingCountry"] == "United States" and entry.payload["MailingState"] == "CA"
