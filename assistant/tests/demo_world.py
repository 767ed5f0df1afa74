"""A small demo org to ask questions about: seed_demo --raw (captured data only), then a simple
matching of our own (bulk updates: the external participants' contacts' account, the opportunities
where they hold a contact role), then hand-built summaries where questions need insights. The facts
the questions expect stay put while the capture and insights engines are tuned."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from accounts.models import Account, AccountDomain
from activities.models import Activity, ActivityOpportunity, Participant
from contacts.models import Contact
from demo.content import COMPETITORS
from demo.seed import DemoOptions, seed_demo_org
from insights.models import Summary
from insights.services.configuration import insights_configuration_update
from opportunities.models import Opportunity, OpportunityContactRole
from users.models import User

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
SECRET = "BLUEFALCON"


@dataclass
class DemoWorld:
    rep: User
    colleague: User
    admin: User
    accounts: dict[str, Account]
    opportunity: Opportunity
    private_meeting: Activity
    private_upcoming: Activity
    extra: dict = field(default_factory=dict)


def _match_activities() -> None:
    """Activity.account from the external participants' contacts (else their mail domain), and the
    account's opportunities where a participant holds a contact role or the account has one open deal."""
    contact_account = dict(Contact.objects.exclude(account=None).values_list("pk", "account_id"))
    domain_account = dict(AccountDomain.objects.values_list("domain", "account_id"))
    votes: dict[int, Counter] = {}
    participants_by_activity: dict[int, set[int]] = {}
    for activity_id, contact_id, email in Participant.objects.filter(is_internal=False).values_list(
        "activity_id", "contact_id", "email"
    ):
        account_id = contact_account.get(contact_id) or domain_account.get(email.rsplit("@", 1)[-1])
        if account_id:
            votes.setdefault(activity_id, Counter())[account_id] += 1
        if contact_id:
            participants_by_activity.setdefault(activity_id, set()).add(contact_id)
    activities = list(Activity.objects.filter(pk__in=votes, account__isnull=True))
    for activity in activities:
        activity.account_id = votes[activity.pk].most_common(1)[0][0]
        activity.account_match = Activity.AccountMatch.CONTACT
    Activity.objects.bulk_update(activities, ["account", "account_match"], batch_size=500)

    open_by_account: dict[int, list[int]] = {}
    for opp_id, account_id in Opportunity.objects.filter(is_closed=False).values_list("pk", "account_id"):
        open_by_account.setdefault(account_id, []).append(opp_id)
    roles: dict[int, set[int]] = {}
    for opp_id, contact_id in OpportunityContactRole.objects.filter(opportunity__is_closed=False).values_list(
        "opportunity_id", "contact_id"
    ):
        roles.setdefault(opp_id, set()).add(contact_id)
    links = []
    for activity in activities:
        candidates = open_by_account.get(activity.account_id, [])
        people = participants_by_activity.get(activity.pk, set())
        by_role = [o for o in candidates if roles.get(o, set()) & people]
        if by_role:
            links += [
                ActivityOpportunity(
                    activity=activity, opportunity_id=o, match=Activity.OpportunityMatch.CONTACT_ROLE
                )
                for o in by_role
            ]
        elif len(candidates) == 1:
            links.append(
                ActivityOpportunity(
                    activity=activity,
                    opportunity_id=candidates[0],
                    match=Activity.OpportunityMatch.SINGLE_OPEN,
                )
            )
    ActivityOpportunity.objects.bulk_create(links, batch_size=500, ignore_conflicts=True)


def _private_meeting(
    *, account: Account, owner: User, when: dt.datetime, source: str, subject: str, body: str
) -> Activity:
    contact = Contact.objects.filter(account=account).order_by("pk").first()
    activity = Activity.objects.create(
        kind=Activity.Kind.MEETING,
        source=Activity.Source.API,
        source_id=f"{source}@lumen-analytics.com",
        subject=subject,
        body=body,
        occurred_at=when,
        duration_minutes=45,
        owner=owner,
        is_private=True,
        account=account,
        account_match=Activity.AccountMatch.CONTACT,
        direction=Activity.Direction.OUTBOUND,
    )
    Participant.objects.create(
        activity=activity,
        email=owner.email,
        name=owner.get_full_name(),
        role="organizer",
        is_internal=True,
        user=owner,
    )
    Participant.objects.create(
        activity=activity, email=contact.email, name=contact.name, role="attendee", contact=contact
    )
    return activity


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


def build_demo_world() -> DemoWorld:
    """Seed and match the demo org (6 accounts, 600 activities), then add what the questions need."""
    # Captured data only (what `seed_demo --accounts 6 --activities 600` writes before any engine runs),
    # so the facts asked about do not move as the engines are tuned; test_with_engines.py asks over them.
    seed_demo_org(DemoOptions(accounts=6, activities=600))
    _match_activities()
    # The competitors the demo's emails name, as an admin lists them in the insights configuration.
    insights_configuration_update(competitors=COMPETITORS)
    rep = User.objects.get(username="rep")
    admin = User.objects.get(username="admin")
    northwind = Account.objects.get(name="Northwind Logistics")
    accounts = {a.name.split()[0].lower(): a for a in Account.objects.all()}
    colleague = northwind.team_members.exclude(user=rep).select_related("user").first().user

    # Another rep's private meetings (last week, and in three hours): never in rep's answers.
    private_meeting = _private_meeting(
        account=northwind,
        owner=colleague,
        when=NOW - dt.timedelta(days=5),
        source="assistant-private-1",
        subject=f"Confidential: {SECRET} restructuring and pricing freeze",
        body=f"Private notes: {SECRET}. Their CFO said the budget is frozen and Gong offered a 40% discount on pricing. "
        "Decision makers are reconsidering the SSO rollout.",
    )
    private_upcoming = _private_meeting(
        account=northwind,
        owner=colleague,
        when=NOW + dt.timedelta(hours=3),
        source="assistant-private-2",
        subject=f"{SECRET} board prep",
        body=f"{SECRET} board preparation with the CFO.",
    )
    # A Stark Industrial deal nobody else wrote about last week: only the colleague's private meeting
    # below is on it then (the demo's names and mail change with its data, so the week is cleared).
    opportunity = (
        Opportunity.objects.filter(account__name="Stark Industrial").order_by("is_closed", "pk").first()
    )
    ActivityOpportunity.objects.filter(
        opportunity=opportunity, activity__occurred_at__gte=NOW - dt.timedelta(days=9)
    ).delete()
    # The decision-maker questions need one on Northwind's and Initech's deals.
    for name in ("Northwind Logistics", "Initech"):
        deal = Opportunity.objects.filter(account__name=name).order_by("is_closed", "pk").first()
        if not deal.contact_roles.filter(role="Decision Maker").exists():
            contact = (
                Contact.objects.filter(account=deal.account)
                .exclude(opportunity_roles__opportunity=deal)
                .first()
            )
            OpportunityContactRole.objects.create(opportunity=deal, contact=contact, role="Decision Maker")
    stark_colleague = opportunity.account.team_members.exclude(user=rep).select_related("user").first().user
    private_opp_meeting = _private_meeting(
        account=opportunity.account,
        owner=stark_colleague,
        when=NOW - dt.timedelta(days=2),
        source="assistant-private-3",
        subject=f"{SECRET} pricing exception",
        body=f"{SECRET}: procurement asked for a pricing exception.",
    )
    ActivityOpportunity.objects.create(
        activity=private_opp_meeting, opportunity=opportunity, match=Activity.OpportunityMatch.MANUAL
    )

    visible = Activity.objects.filter(account=northwind, is_private=False, occurred_at__lte=NOW).order_by(
        "-occurred_at"
    )
    pricing = visible.filter(subject__icontains="pricing").first()
    security = visible.filter(subject__icontains="security").first()
    quiet = visible.filter(subject="Checking in").first() or visible[1]
    Summary.objects.create(
        account=northwind,
        generated_at=NOW,
        latest_activity_at=visible[0].occurred_at,
        engagement_level=78,
        engagement_trend=Summary.Trend.INCREASING,
        engagement_breakdown={"meetings": 31, "emails": 28, "recency": 19},
        key_topics=[
            {
                "text": "Pricing and the volume discount",
                "score": 0.9,
                "latest_at": _iso(pricing.occurred_at),
                "activity_ids": [pricing.pk],
                "private_only": False,
            },
            {
                "text": "Security review and SSO",
                "score": 0.7,
                "latest_at": _iso(security.occurred_at),
                "activity_ids": [security.pk],
                "private_only": False,
            },
            {
                "text": f"{SECRET} restructuring",
                "score": 0.95,
                "latest_at": _iso(private_meeting.occurred_at),
                "activity_ids": [private_meeting.pk],
                "private_only": True,
            },
        ],
        next_steps=[
            {
                "text": "Send the sub-processor list to InfoSec",
                "source": "activity",
                "date": _iso(security.occurred_at),
                "due_date": None,
                "owner": rep.get_full_name(),
                "next_step_id": None,
                "activity_ids": [security.pk],
                "private_only": False,
            },
        ],
        risks=[
            {
                "code": "champion_quiet",
                "title": "Champion has gone quiet",
                "detail": "No reply to the last check-in email",
                "severity": "high",
                "date": _iso(quiet.occurred_at),
                "activity_ids": [quiet.pk],
                "private_only": False,
            },
            {
                "code": "budget_frozen",
                "title": f"Budget frozen ({SECRET})",
                "detail": "Raised in a private meeting",
                "severity": "high",
                "date": _iso(private_meeting.occurred_at),
                "activity_ids": [private_meeting.pk],
                "private_only": True,
            },
        ],
    )
    return DemoWorld(
        rep=rep,
        colleague=colleague,
        admin=admin,
        accounts=accounts,
        opportunity=opportunity,
        private_meeting=private_meeting,
        private_upcoming=private_upcoming,
        extra={
            "pricing": pricing,
            "security": security,
            "quiet": quiet,
            "private_opp_meeting": private_opp_meeting,
        },
    )
