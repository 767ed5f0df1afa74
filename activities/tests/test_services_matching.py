"""The matching rules: pure tables first, then each rule through the ingest service."""

import datetime as dt

import pytest

from accounts.models import Account
from accounts.tests.factories import AccountDomainFactory, AccountFactory
from activities.models import Activity
from activities.services import activities_ingest
from activities.services.matching import (
    AccountFacts,
    DomainHolder,
    MatchContext,
    MatchProfile,
    Person,
    choose_domain_holder,
    match_one,
)
from activities.services.matching_deals import ActivityFacts, Deal
from activities.tests.factories import parsed_item
from contacts.tests.factories import ConfigurationProfileFactory, ContactFactory
from opportunities.tests.factories import OpportunityContactRoleFactory, OpportunityFactory

A = Activity.AccountMatch
OM = Activity.OpportunityMatch
OLD = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
NEW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def holder(account_id, *, primary=False, open_opp=False, created=NEW):
    return DomainHolder(account_id, f"Account {account_id}", primary, open_opp, created)


@pytest.mark.parametrize(
    "holders, chosen, why",
    [
        ([holder(1)], 1, ""),
        ([holder(1), holder(2, primary=True)], 2, "it is its primary domain"),
        ([holder(1, open_opp=True, created=NEW), holder(2, created=OLD)], 1, "it has an open opportunity"),
        ([holder(1, created=NEW), holder(2, created=OLD)], 2, "it is the oldest account"),
        # The primary holder wins even over an older account with an open opportunity.
        ([holder(1, open_opp=True, created=OLD), holder(2, primary=True, created=NEW)], 2, "primary domain"),
        # Equal in everything: the lower id is the older record.
        ([holder(2, created=OLD), holder(1, created=OLD)], 1, "oldest"),
    ],
)
def test_shared_domain_rule(holders, chosen, why):
    picked, explanation = choose_domain_holder(holders)
    assert picked.account_id == chosen
    assert why in explanation


def context(**overrides) -> MatchContext:
    ctx = MatchContext(
        contact_accounts={10: 1},
        domain_holders={"acme.com": [(1, True)], "globex.com": [(2, True)]},
        accounts={1: AccountFacts(1, "Acme", OLD), 2: AccountFacts(2, "Globex", OLD)},
        deals={
            1: [Deal(100, "Acme - Expansion"), Deal(101, "Acme - Pilot")],
            2: [Deal(200, "Globex - Deal")],
        },
        role_holders={100: {10}},
    )
    for key, value in overrides.items():
        setattr(ctx, key, value)
    return ctx


REP = Person("rep@lumen-analytics.com", "Rep", "from", is_internal=True)
JANE = Person("jane@acme.com", "Jane", "to", contact_id=10)
BOB = Person("bob@eu.acme.com", "Bob", "to")
GLOBEX = Person("gil@globex.com", "Gil", "to")
LEAD = Person("lee@prospect.io", "Lee", "to", lead_id=7)
GMAIL = Person("sam@gmail.com", "Sam", "to")


@pytest.mark.parametrize(
    "people, account, account_match, opportunities, opportunity_match",
    [
        ([REP, JANE], 1, A.CONTACT, [100], OM.CONTACT_ROLE),
        ([REP, BOB], 1, A.DOMAIN, [], OM.NONE),  # two open, no role, multi off
        ([REP, GLOBEX], 2, A.DOMAIN, [200], OM.SINGLE_OPEN),
        ([REP, GLOBEX, JANE], 1, A.CONTACT, [100], OM.CONTACT_ROLE),  # a contact beats a domain
        ([REP, LEAD, BOB], None, A.LEAD, [], OM.NONE),  # a lead beats a domain
        ([REP, JANE, LEAD], 1, A.CONTACT, [100], OM.CONTACT_ROLE),  # a contact beats a lead
        ([REP, GMAIL], None, A.NONE, [], OM.NONE),
        ([REP], None, A.NONE, [], OM.NONE),
    ],
)
def test_match_one_rules(people, account, account_match, opportunities, opportunity_match):
    outcome = match_one(people=people, profile=MatchProfile("Sales", False), ctx=context())
    assert outcome.account_id == account
    assert outcome.account_match == account_match
    assert [link.opportunity_id for link in outcome.opportunities] == opportunities
    assert outcome.opportunity_match == opportunity_match
    assert outcome.explanation


def test_without_evidence_multi_opportunity_matching_links_nothing():
    outcome = match_one(people=[REP, BOB], profile=MatchProfile("Multi", True), ctx=context())
    assert outcome.opportunity_match == OM.NONE and outcome.opportunities == ()
    assert "nothing on the activity points to one of Acme's 2 opportunities" in outcome.explanation


def test_contact_roles_on_two_opportunities_need_multi_matching():
    ctx = context(role_holders={100: {10}, 101: {10}})
    single = match_one(people=[REP, JANE], profile=MatchProfile("Sales", False), ctx=ctx)
    assert single.opportunity_match == OM.NONE and single.account_id == 1
    assert "no candidate clearly leads" in single.explanation
    assert "multi-opportunity matching is off in the owner's profile “Sales”" in single.explanation
    multi = match_one(people=[REP, JANE], profile=MatchProfile("Multi", True), ctx=ctx)
    assert [(link.opportunity_id, link.match) for link in multi.opportunities] == [
        (100, OM.CONTACT_ROLE),
        (101, OM.CONTACT_ROLE),
    ]
    assert not any(link.is_primary for link in multi.opportunities)


def test_the_subject_naming_a_deal_decides_between_two_with_the_same_contact():
    ctx = context(role_holders={100: {10}, 101: {10}})
    activity = ActivityFacts(subject="Pilot success criteria", occurred_at=NEW)
    outcome = match_one(people=[REP, JANE], profile=MatchProfile(), ctx=ctx, activity=activity)
    [link] = outcome.opportunities
    assert link.opportunity_id == 101 and link.is_primary and link.match == OM.NAME
    assert "the subject names “Pilot”" in link.reasons


def test_the_account_with_most_contacts_on_it_wins():
    ctx = context(contact_accounts={10: 1, 11: 2, 12: 2})
    people = [REP, JANE, Person("a@globex.com", contact_id=11), Person("b@globex.com", contact_id=12)]
    outcome = match_one(people=people, profile=MatchProfile(), ctx=ctx)
    assert outcome.account_id == 2
    assert "Other participants are contacts of Acme" in outcome.explanation


# --- the same rules against the database ------------------------------------------------------


def ingest(*items, owner=None):
    report = activities_ingest(items=list(items), source="api", owner=owner)
    assert report.errors == []
    return Activity.objects.get(pk=report.created_ids[-1])


def call_with(*emails, source_id="call-1"):
    people = [{"email": "dana.rivera@lumen-analytics.com", "role": "from"}] + [
        {"email": e, "role": "to"} for e in emails
    ]
    return parsed_item(source_id=source_id, participants=people)


def test_single_open_opportunity_ignores_closed_ones(org):
    globex = AccountFactory(name="Globex", domain="globex.com")
    deal = OpportunityFactory(account=globex, name="Globex Deal")
    OpportunityFactory(
        account=globex, name="Globex Old Deal", won=True, actual_close_date=dt.date(2026, 9, 1)
    )
    activity = ingest(call_with("gil@globex.com"))
    assert activity.account == globex
    assert activity.opportunity_match == OM.SINGLE_OPEN
    assert list(activity.opportunities.all()) == [deal]
    assert "it is the only opportunity of Globex open at the time" in activity.match_explanation


def test_a_contact_role_on_a_closed_opportunity_does_not_match_it(org):
    globex = AccountFactory(name="Globex", domain="globex.com")
    closed = OpportunityFactory(account=globex, name="Globex Lost", lost=True)
    gil = ContactFactory(account=globex, email="gil@globex.com")
    OpportunityContactRoleFactory(opportunity=closed, contact=gil)
    activity = ingest(call_with("gil@globex.com"))
    assert activity.account == globex and activity.account_match == A.CONTACT
    assert not activity.opportunities.exists()
    assert "Globex has no open opportunity" in activity.match_explanation


def test_multi_matching_comes_from_the_owners_profile_or_the_default(org):
    OpportunityContactRoleFactory(opportunity=org.pilot, contact=org.jane)
    multi = ConfigurationProfileFactory(multi_opportunity_matching=True)
    org.chris.configuration_profile = multi
    org.chris.save()
    by_chris = ingest(call_with("jane.doe@acme.com", source_id="a"), owner=org.chris)
    assert set(by_chris.opportunities.all()) == {org.expansion, org.pilot}
    by_dana = ingest(call_with("jane.doe@acme.com", source_id="b"), owner=org.dana)
    assert not by_dana.opportunities.exists()
    ConfigurationProfileFactory(is_default=True, multi_opportunity_matching=True)
    default = ingest(call_with("jane.doe@acme.com", source_id="c"), owner=org.dana)
    assert default.opportunities.count() == 2


def test_secondary_domains_match_and_the_primary_holder_wins_a_shared_domain(org):
    AccountDomainFactory(account=org.acme, domain="acme.co.uk", is_primary=False)
    assert ingest(call_with("ian@sales.acme.co.uk", source_id="a")).account == org.acme
    subsidiary = AccountFactory(name="Acme UK", domain="acme.co.uk")
    shared = ingest(call_with("ian@acme.co.uk", source_id="b"))
    assert shared.account == subsidiary
    assert "shared with Acme; Acme UK was chosen because it is its primary domain" in shared.match_explanation


def test_shared_secondary_domain_prefers_the_account_with_an_open_opportunity_then_the_oldest(org):
    older = AccountFactory(name="Older", domain=False)
    newer = AccountFactory(name="Newer", domain=False)
    Account.objects.filter(pk=older.pk).update(created_at=OLD)
    for account in (older, newer):
        AccountDomainFactory(account=account, domain="shared.com")
    assert ingest(call_with("x@shared.com", source_id="a")).account == older
    OpportunityFactory(account=newer)
    assert ingest(call_with("x@shared.com", source_id="b")).account == newer


def test_a_contact_with_a_free_mail_address_still_matches_through_the_contact(org):
    ContactFactory(account=org.acme, email="ceo.acme@gmail.com")
    activity = ingest(call_with("ceo.acme@gmail.com"))
    assert activity.account == org.acme and activity.account_match == A.CONTACT


def test_a_free_mail_domain_on_an_account_never_matches(org):
    AccountDomainFactory(account=org.acme, domain="gmail.com")
    activity = ingest(call_with("someone@gmail.com"))
    assert activity.account is None
    assert "free-mail" in activity.match_explanation


def test_internal_domain_and_users_are_colleagues_never_accounts(org, settings):
    AccountFactory(name="Ourselves", domain="lumen-analytics.com")
    outside = AccountFactory(name="Partner", domain="partner.com")
    from users.tests.factories import UserFactory

    UserFactory(username="contractor", email="pat@partner.com")
    activity = ingest(call_with("chris.colleague@lumen-analytics.com", "pat@partner.com"))
    assert activity.direction == Activity.Direction.INTERNAL
    assert activity.account is None
    assert outside.activities.count() == 0
