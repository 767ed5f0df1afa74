import datetime as dt

import factory
from factory.django import DjangoModelFactory

from activities.models import Activity, ActivityOpportunity, Participant
from users.tests.factories import UserFactory


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    kind = Activity.Kind.EMAIL
    source_id = factory.Sequence(lambda n: f"message-{n}@lumen-analytics.com")
    subject = "Pricing proposal"
    body = "Attached is the pricing proposal we discussed."
    occurred_at = factory.LazyFunction(lambda: dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC))
    direction = Activity.Direction.OUTBOUND
    owner = factory.SubFactory(UserFactory)

    class Params:
        meeting = factory.Trait(kind=Activity.Kind.MEETING, duration_minutes=60, subject="Discovery call")
        call = factory.Trait(kind=Activity.Kind.CALL, duration_minutes=15, subject="Call about pricing")
        private = factory.Trait(is_private=True)


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    activity = factory.SubFactory(ActivityFactory)
    email = factory.Sequence(lambda n: f"person{n}@acme.com")
    name = "Pat Buyer"
    first_name = "Pat"
    last_name = "Buyer"
    role = Participant.Role.TO


class ActivityOpportunityFactory(DjangoModelFactory):
    class Meta:
        model = ActivityOpportunity

    activity = factory.SubFactory(ActivityFactory)
    opportunity = factory.SubFactory("opportunities.tests.factories.OpportunityFactory")
    match = Activity.OpportunityMatch.SINGLE_OPEN


def api_item(**overrides) -> dict:
    """One ``POST /api/v1/activities`` item (a call from the demo rep to Jane at Acme), with overrides."""
    item = {
        "kind": "call",
        "source_id": "call-1",
        "occurred_at": "2026-11-20T15:00:00Z",
        "subject": "Renewal call",
        "duration_minutes": 20,
        "participants": [
            {"email": "dana.rivera@lumen-analytics.com", "name": "Dana Rivera", "role": "from"},
            {"email": "jane.doe@acme.com", "name": "Jane Doe", "role": "to"},
        ],
    }
    item.update(overrides)
    return item


def parsed_item(**overrides):
    """``api_item`` through the real parser: a ParsedActivity."""
    from activities.parsing import parse_api_item

    return parse_api_item(api_item(**overrides), 0)
