import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import AccountFactory
from contacts.tests.factories import ContactFactory
from opportunities.models import NextStep, Opportunity, OpportunityContactRole, OpportunityStageHistory
from opportunities.stages import stage_info


class OpportunityFactory(DjangoModelFactory):
    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"Opportunity {n}")
    crm_id = factory.Sequence(lambda n: f"006{n:015d}")
    account = factory.SubFactory(AccountFactory)
    owner = factory.SelfAttribute("account.owner")
    amount = 50_000
    stage = "Discovery"
    probability = factory.LazyAttribute(lambda o: stage_info(o.stage).probability)
    is_closed = factory.LazyAttribute(lambda o: stage_info(o.stage).is_closed)
    is_won = factory.LazyAttribute(lambda o: stage_info(o.stage).is_won)
    close_date = dt.date(2026, 12, 31)

    class Params:
        won = factory.Trait(stage="Closed Won")
        lost = factory.Trait(stage="Closed Lost")


class OpportunityStageHistoryFactory(DjangoModelFactory):
    class Meta:
        model = OpportunityStageHistory

    opportunity = factory.SubFactory(OpportunityFactory)
    stage = "Prospecting"
    changed_at = factory.LazyFunction(lambda: dt.datetime(2026, 9, 1, tzinfo=dt.UTC))


class OpportunityContactRoleFactory(DjangoModelFactory):
    class Meta:
        model = OpportunityContactRole

    opportunity = factory.SubFactory(OpportunityFactory)
    contact = factory.SubFactory(ContactFactory, account=factory.SelfAttribute("..opportunity.account"))
    role = OpportunityContactRole.Role.DECISION_MAKER


class NextStepFactory(DjangoModelFactory):
    class Meta:
        model = NextStep

    subject = "Send revised pricing proposal"
    opportunity = factory.SubFactory(OpportunityFactory)
    account = factory.SelfAttribute("opportunity.account")
    owner = factory.SelfAttribute("opportunity.owner")
    due_date = dt.date(2026, 11, 30)
