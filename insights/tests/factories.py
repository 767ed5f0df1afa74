import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import AccountFactory
from insights.models import EngagementSnapshot, PersonEngagement, Summary

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


class SummaryFactory(DjangoModelFactory):
    class Meta:
        model = Summary

    account = factory.SubFactory(AccountFactory)
    generated_at = NOW
    engagement_level = 55


class EngagementSnapshotFactory(DjangoModelFactory):
    class Meta:
        model = EngagementSnapshot

    subject_type = EngagementSnapshot.Subject.ACCOUNT
    subject_id = 1
    week_start = dt.date(2026, 11, 16)
    score = 50


class PersonEngagementFactory(DjangoModelFactory):
    class Meta:
        model = PersonEngagement

    account = factory.SubFactory(AccountFactory)
    email = factory.Sequence(lambda n: f"person{n}@acme.com")
    name = "Pat Buyer"
    engagement_score = 40
    computed_at = NOW


def activity_on(
    *,
    account=None,
    opportunity=None,
    kind: str = "email",
    direction: str = "outbound",
    occurred_at: dt.datetime | None = None,
    contacts=(),
    users=(),
    declined=(),
    **fields,
):
    """An activity matched by hand to ``account`` (default: the opportunity's) and ``opportunity``,
    with ``contacts`` and ``users`` as participants (the first user sends emails and organises
    meetings, contacts receive; inbound emails come from the first contact)."""
    from activities.models import Activity, ActivityOpportunity, Participant
    from activities.tests.factories import ActivityFactory

    account = account or (opportunity.account if opportunity else None)
    defaults = {"subject": "", "body": "", "duration_minutes": None}
    if kind == "meeting":
        defaults["duration_minutes"] = 60
    if kind == "call":
        defaults["duration_minutes"] = 15
    defaults.update(fields)
    owner = defaults.pop("owner", users[0] if users else None)
    activity = ActivityFactory(
        kind=kind,
        direction=direction,
        occurred_at=occurred_at or NOW - dt.timedelta(days=1),
        account=account,
        owner=owner,
        **defaults,
    )
    if opportunity is not None:
        ActivityOpportunity.objects.create(
            activity=activity, opportunity=opportunity, match=Activity.OpportunityMatch.MANUAL
        )
    inbound = kind == "email" and direction == "inbound"
    for n, user in enumerate(users):
        role = ("to" if inbound else "from") if kind == "email" else ("organizer" if n == 0 else "attendee")
        Participant.objects.create(
            activity=activity,
            email=user.email,
            name=user.get_full_name(),
            first_name=user.first_name,
            last_name=user.last_name,
            role=role,
            is_internal=True,
            user=user,
        )
    for n, contact in enumerate(contacts):
        if kind == "email":
            role = "from" if inbound and n == 0 else "to"
        else:
            role = "attendee"
        Participant.objects.create(
            activity=activity,
            email=contact.email,
            name=contact.name,
            first_name=contact.first_name,
            last_name=contact.last_name,
            role=role,
            contact=contact,
            response="declined" if contact in declined else ("accepted" if kind == "meeting" else ""),
        )
    return activity
