import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import AccountFactory
from assistant.models import Conversation, Message
from users.tests.factories import UserFactory

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


class ConversationFactory(DjangoModelFactory):
    class Meta:
        model = Conversation

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    created_at = NOW
    updated_at = NOW

    class Params:
        about_opportunity = factory.Trait(
            account=None, opportunity=factory.SubFactory("opportunities.tests.factories.OpportunityFactory")
        )
        about_help = factory.Trait(account=None)


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    role = Message.Role.USER
    text = "Who are the decision makers?"
    created_at = NOW

    class Params:
        answer = factory.Trait(
            role=Message.Role.ASSISTANT,
            text="Chloe Rossi is the decision maker [1].",
            intent="decision_makers",
            citations=[
                {
                    "n": 1,
                    "kind": "contact",
                    "id": 1,
                    "label": "Chloe Rossi",
                    "url": "/accounts/1/#person-1",
                    "detail": "",
                }
            ],
        )
