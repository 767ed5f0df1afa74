"""The database refuses what would corrupt the org: duplicates the CRM would not allow."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import AccountDomain
from accounts.tests.factories import AccountFactory, AccountTeamMemberFactory
from activities.tests.factories import ActivityFactory, ParticipantFactory
from contacts.tests.factories import ConfigurationProfileFactory, ContactFactory
from opportunities.models import Opportunity, OpportunityContactRole
from opportunities.tests.factories import OpportunityContactRoleFactory, OpportunityFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_duplicate_crm_ids_are_refused():
    account = AccountFactory(crm_id="001000000000001AAA")
    refused(lambda: AccountFactory(crm_id=account.crm_id))
    user = UserFactory(crm_id="005000000000001AAA")
    refused(lambda: UserFactory(crm_id=user.crm_id))
    contact = ContactFactory(crm_id="003000000000001AAA")
    refused(lambda: ContactFactory(crm_id=contact.crm_id))
    opportunity = OpportunityFactory(crm_id="006000000000001AAA")
    refused(lambda: OpportunityFactory(crm_id=opportunity.crm_id))


def test_records_not_yet_in_the_crm_may_share_an_empty_crm_id():
    ContactFactory(crm_id=None)
    ContactFactory(crm_id=None)


def test_user_emails_are_unique_whatever_their_case():
    UserFactory(username="a", email="Dana.Rivera@lumen-analytics.com")
    refused(lambda: UserFactory(username="b", email="dana.rivera@LUMEN-analytics.com"))


def test_an_account_has_one_primary_domain():
    account = AccountFactory(domain="acme.com")
    AccountDomain.objects.create(account=account, domain="acme.io", is_primary=False)
    refused(lambda: AccountDomain.objects.create(account=account, domain="acme.net", is_primary=True))


def test_the_same_domain_is_listed_once_per_account_and_stored_lower_case():
    account = AccountFactory(domain="Acme.COM")
    assert account.primary_domain == "acme.com"
    refused(lambda: AccountDomain.objects.create(account=account, domain="acme.com"))


def test_one_contact_role_per_contact_per_opportunity():
    role = OpportunityContactRoleFactory()
    refused(
        lambda: OpportunityContactRole.objects.create(
            opportunity=role.opportunity, contact=role.contact, role="Champion"
        )
    )


def test_one_primary_contact_role_per_opportunity():
    role = OpportunityContactRoleFactory(is_primary=True)
    other = ContactFactory(account=role.opportunity.account)
    refused(
        lambda: OpportunityContactRole.objects.create(
            opportunity=role.opportunity, contact=other, is_primary=True
        )
    )


def test_a_won_opportunity_is_closed():
    refused(lambda: OpportunityFactory(stage="Discovery", is_won=True, is_closed=False))
    assert OpportunityFactory(won=True).is_closed


def test_a_person_is_on_the_account_team_once():
    member = AccountTeamMemberFactory()
    refused(lambda: AccountTeamMemberFactory(account=member.account, user=member.user))


def test_an_activity_is_stored_once_by_source_id():
    activity = ActivityFactory()
    refused(lambda: ActivityFactory(source_id=activity.source_id))


def test_a_participant_appears_once_per_activity():
    participant = ParticipantFactory(email="pat@acme.com")
    refused(lambda: ParticipantFactory(activity=participant.activity, email="PAT@acme.com"))


def test_only_one_default_configuration_profile():
    ConfigurationProfileFactory(is_default=True)
    refused(lambda: ConfigurationProfileFactory(is_default=True))


def test_emails_are_stored_lower_case():
    contact = ContactFactory(email=" Pat.Buyer@ACME.com ")
    assert contact.email == "pat.buyer@acme.com"


def test_stage_fields_follow_the_stage():
    assert not Opportunity._meta.get_field("is_won").default
    opp = OpportunityFactory(lost=True)
    assert opp.is_closed and not opp.is_won and opp.probability == 0
