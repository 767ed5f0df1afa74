"""Write the demo org: users, accounts, opportunities, contacts, leads and captured activities.

Deterministic for a given seed and "now". The default size is the believable demo (about 20 reps,
50 accounts, 120 opportunities, 5,000 activities); ``accounts`` and ``activities`` scale it for
benchmarks, with bulk inserts in chunks. Activities are written as captured (participants resolved
to users, contacts and leads); matching them to accounts and opportunities is capture's job.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Account, AccountDomain, AccountTeamMember
from activities.models import Activity, Participant
from backstory import clock
from contacts.models import ConfigurationProfile, Contact, ContactFieldRule, Lead, LocalFilter
from insights.services.configuration import insights_configuration_update
from opportunities.models import NextStep, Opportunity, OpportunityContactRole, OpportunityStageHistory
from opportunities.stages import STAGES, stage_info
from rollups.services import rollups_rebuild
from users.models import Quota, Team, User

from . import content
from .bulk import RowWriter
from .ids import crm_id

DEMO_PASSWORD = "backstory-demo"
ADMIN_USERNAME = "admin"
REP_USERNAME = "rep"
CHUNK = 2_000

Progress = Callable[[str, int], None]


@dataclass
class DemoOptions:
    accounts: int = 50
    activities: int = 5_000
    seed: int = 7
    password: str = DEMO_PASSWORD


@dataclass
class Person:
    """An external person at an account, whether or not the CRM has them as a contact yet."""

    first: str
    last: str
    email: str
    title: str
    seniority: str
    department: str
    phone: str
    account_index: int
    contact: Contact | None = None
    lead: Lead | None = None


@dataclass
class DemoDeal:
    """An opportunity with its stage history and the people in its contact roles, for its story."""

    opportunity: Opportunity
    history: list[tuple[str, dt.datetime]]
    product: str
    people: list[Person] = field(default_factory=list)

    @property
    def closed_at(self) -> dt.datetime | None:
        return self.history[-1][1] if self.opportunity.is_closed else None

    def alive_at(self, when: dt.datetime) -> bool:
        """Open then, or closed within the last two weeks (the follow-up still belongs to it)."""
        if when < self.history[0][1]:
            return False
        return self.closed_at is None or when <= self.closed_at + dt.timedelta(days=14)

    def stage_at(self, when: dt.datetime) -> str:
        stage = self.history[0][0]
        for name, changed_at in self.history:
            if changed_at <= when:
                stage = name
        return stage


# How much of the mail each kind of account gets, and when: a real book has hot accounts (High),
# warm ones (Medium), cooling ones that went quiet two to three weeks ago, cold ones (Low) and a
# few silent ones.
WEIGHT_BY_KIND = {"hot": 8.0, "warm": 2.2, "cooling": 3.5, "cold": 0.5, "silent": 0.0}
RECENT_MEAN_DAYS = {"hot": 30, "warm": 60, "cooling": 45}


def account_kind(index: int) -> str:
    if index % 17 == 16:
        return "silent"
    if index % 5 == 0:
        return "hot"
    if index % 10 == 3:
        return "cooling"
    if index % 10 in (1, 2, 6, 7):
        return "warm"
    return "cold"


@dataclass
class DemoSummary:
    counts: dict[str, int] = field(default_factory=dict)


def _noop(label: str, n: int) -> None:
    return None


class DemoOrgWriter:
    def __init__(self, options: DemoOptions, progress: Progress | None = None):
        self.options = options
        self.rng = random.Random(options.seed)
        self.progress = progress or _noop
        self.now = clock.now().replace(microsecond=0)
        self.counters: dict[str, int] = {}
        self.reps: list[User] = []
        self.accounts: list[Account] = []
        self.people: dict[int, list[Person]] = {}
        self.account_weights: list[float] = []
        self.account_kinds: list[str] = []
        self.deals: dict[int, list[DemoDeal]] = {}
        # Hash the shared demo password once: hashing is deliberately slow.
        self.password_hash = make_password(options.password)

    # --- ids -------------------------------------------------------------------------------
    def next_crm_id(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return crm_id(prefix, self.counters[prefix] + self.options.seed * 1_000_000)

    def phone(self) -> str:
        return f"+1 {self.rng.choice(content.SIGNATURE_PHONE_AREA)} 555 {self.rng.randint(1000, 9999)}"

    # --- users -----------------------------------------------------------------------------
    def write_users(self) -> None:
        domain = content.INTERNAL_DOMAIN
        admin = User(
            username=ADMIN_USERNAME,
            first_name="Alex",
            last_name="Admin",
            email=f"admin@{domain}",
            is_staff=True,
            is_superuser=True,
            title="Sales Operations Admin",
            crm_id=self.next_crm_id("005"),
        )
        admin.password = self.password_hash
        admin.save()
        integration = User(
            username="integration",
            first_name="Backstory",
            last_name="Integration",
            email=f"integration@{domain}",
            is_integration_user=True,
            title="Integration User",
            crm_id=self.next_crm_id("005"),
        )
        integration.set_unusable_password()
        integration.save()

        used_names: set[tuple[str, str]] = set()
        rep_index = 0
        for team_name, manager_title in content.TEAMS:
            first, last = self.unique_name(used_names)
            manager = User.objects.create(
                password=self.password_hash,
                username=f"{first}.{last}".lower().replace("'", ""),
                first_name=first,
                last_name=last,
                email=f"{first}.{last}@{domain}".lower().replace("'", ""),
                title=manager_title,
                crm_id=self.next_crm_id("005"),
                hire_date=self.now.date() - dt.timedelta(days=self.rng.randint(700, 2500)),
            )
            team = Team.objects.create(name=team_name, manager=manager)
            manager.team = team
            manager.save(update_fields=["team"])
            self.reps.append(manager)
            for i in range(4):
                if team_name == "Enterprise East" and i == 0:
                    first, last, username = "Dana", "Rivera", REP_USERNAME
                    used_names.add((first, last))
                else:
                    first, last = self.unique_name(used_names)
                    username = f"{first}.{last}".lower().replace("'", "")
                rep_index += 1
                rep = User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{first}.{last}@{domain}".lower().replace("'", ""),
                    team=team,
                    manager=manager,
                    title=content.REP_TITLES[0]
                    if i < 2
                    else content.REP_TITLES[(rep_index + i) % len(content.REP_TITLES)],
                    # Two reps are not Salesforce users: contacts they trigger belong to the integration user.
                    crm_id=None if rep_index in (7, 13) else self.next_crm_id("005"),
                    hire_date=self.now.date() - dt.timedelta(days=self.rng.randint(60, 2000)),
                )
                rep.password = self.password_hash
                rep.save()
                self.reps.append(rep)
        self.write_quotas()
        self.progress("users", len(self.reps) + 2)

    def unique_name(self, used: set[tuple[str, str]]) -> tuple[str, str]:
        while True:
            name = (self.rng.choice(content.FIRST_NAMES), self.rng.choice(content.LAST_NAMES))
            if name not in used:
                used.add(name)
                return name

    def write_quotas(self) -> None:
        quotas = []
        year = self.now.year
        for rep in self.reps:
            annual = Decimal(self.rng.choice([600_000, 800_000, 1_000_000, 1_200_000]))
            for y in (year - 1, year):
                quotas.append(
                    Quota(
                        user=rep,
                        period=Quota.Period.YEAR,
                        start_date=dt.date(y, 1, 1),
                        end_date=dt.date(y, 12, 31),
                        amount=annual,
                    )
                )
                for q in range(4):
                    start = dt.date(y, q * 3 + 1, 1)
                    end = (
                        (dt.date(y + (q == 3), (q * 3 + 4) % 12 or 12, 1) - dt.timedelta(days=1))
                        if q < 3
                        else dt.date(y, 12, 31)
                    )
                    quotas.append(
                        Quota(
                            user=rep,
                            period=Quota.Period.QUARTER,
                            start_date=start,
                            end_date=end,
                            amount=annual / 4,
                        )
                    )
        Quota.objects.bulk_create(quotas)

    # --- profiles --------------------------------------------------------------------------
    def write_profiles(self) -> None:
        default = ConfigurationProfile.objects.create(
            name="Sales (default)",
            is_default=True,
            description="Reps and managers: contacts and contact roles created automatically.",
            contact_creation_enabled=True,
            ocr_enabled=True,
            first_ocr_enabled=True,
            new_ocr_enabled=False,
            multi_opportunity_matching=False,
            contact_enrichment_enabled=True,
            update_seniority=True,
        )
        ContactFieldRule.objects.bulk_create(
            [
                ContactFieldRule(profile=default, field="title", enrichment_policy="always"),
                ContactFieldRule(profile=default, field="phone", enrichment_policy="always"),
                ContactFieldRule(profile=default, field="department", enrichment_policy="only_if_empty"),
                ContactFieldRule(profile=default, field="mailing_country", enrichment_policy="only_if_empty"),
            ]
        )
        cautious = ConfigurationProfile.objects.create(
            name="Customer Success (review first)",
            description="Customer success managers: contact roles only on existing roles; no automatic contacts.",
            contact_creation_enabled=False,
            ocr_enabled=True,
        )
        LocalFilter.objects.bulk_create(
            [
                LocalFilter(kind="domain", value="linkedin.com", note="Social notifications"),
                LocalFilter(kind="subject_keyword", value="out of office", note="Auto-replies"),
                LocalFilter(kind="address", value="hr-benefits@lumen-analytics.com", note="Internal HR mail"),
            ]
        )
        for rep in self.reps:
            rep.configuration_profile = cautious if "Customer Success" in rep.title else default
        User.objects.bulk_update(self.reps, ["configuration_profile"])

    # --- accounts, people ------------------------------------------------------------------
    def company(self, index: int) -> tuple:
        if index < len(content.COMPANIES):
            return content.COMPANIES[index]
        words = [
            "Apex",
            "Summit",
            "Harbor",
            "Cedar",
            "Granite",
            "Beacon",
            "Vertex",
            "Pioneer",
            "Keystone",
            "Lattice",
        ]
        kinds = [
            "Systems",
            "Partners",
            "Holdings",
            "Labs",
            "Logistics",
            "Health",
            "Capital",
            "Foods",
            "Energy",
            "Media",
        ]
        name = f"{words[index % 10]} {kinds[(index // 10) % 10]} {index}"
        industry = self.rng.choice(
            ["Technology", "Financial Services", "Healthcare", "Manufacturing", "Retail", "Energy"]
        )
        tier = self.rng.choice(["Enterprise", "Mid-Market", "SMB"])
        return (
            name,
            f"{name.lower().replace(' ', '')}.com",
            [],
            industry,
            self.rng.randint(50, 20000),
            tier,
            "CA",
            "US",
        )

    def write_accounts(self) -> None:
        sellers = [u for u in self.reps if u.team_id]
        for start in range(0, self.options.accounts, CHUNK):
            batch = []
            for i in range(start, min(start + CHUNK, self.options.accounts)):
                name, domain, _, industry, size, tier, _, _ = self.company(i)
                batch.append(
                    Account(
                        crm_id=self.next_crm_id("001"),
                        name=name,
                        website=f"https://www.{domain}/",
                        industry=industry,
                        company_size=size,
                        annual_revenue=Decimal(size * self.rng.randint(90, 400) * 1000),
                        tier=tier,
                        account_type="Customer" if i % 3 == 0 else "Prospect",
                        owner=sellers[i % len(sellers)],
                    )
                )
            self.accounts.extend(Account.objects.bulk_create(batch))
        # The demo rep works a good share of the book so their pages are full.
        rep = User.objects.get(username=REP_USERNAME)
        for account in self.accounts[:12]:
            account.owner = rep
        Account.objects.bulk_update(self.accounts[:12], ["owner"])

        domains, members = [], []
        for i, account in enumerate(self.accounts):
            _, domain, secondary, *_ = self.company(i)
            domains.append(AccountDomain(account=account, domain=domain, is_primary=True))
            domains.extend(AccountDomain(account=account, domain=d, is_primary=False) for d in secondary)
            helpers = self.rng.sample([u for u in sellers if u.pk != account.owner_id], k=2)
            members.append(AccountTeamMember(account=account, user=helpers[0], role="Sales Engineer"))
            if i % 2 == 0:
                members.append(
                    AccountTeamMember(account=account, user=helpers[1], role="Customer Success Manager")
                )
        AccountDomain.objects.bulk_create(domains, batch_size=CHUNK)
        AccountTeamMember.objects.bulk_create(members, batch_size=CHUNK)
        self.account_kinds = [account_kind(i) for i in range(len(self.accounts))]
        self.account_weights = [WEIGHT_BY_KIND[kind] for kind in self.account_kinds]
        self.progress("accounts", len(self.accounts))

    def write_people(self) -> None:
        titles = [t for t in content.TITLES for _ in range(t[3])]
        contacts: list[Contact] = []
        for i, account in enumerate(self.accounts):
            _, domain, secondary, _, _, _, state, country = self.company(i)
            used: set[tuple[str, str]] = set()
            people = []
            for k in range(self.rng.randint(7, 11)):
                first, last = self.unique_name(used)
                title, seniority, department, _ = self.rng.choice(titles)
                mail_domain = secondary[0] if secondary and k == 3 else domain
                email = f"{first}.{last}@{mail_domain}".lower().replace("'", "")
                person = Person(first, last, email, title, seniority, department, self.phone(), i)
                # Two or three people per account are not in the CRM yet: the contact engine finds them.
                if k < self.rng.randint(4, 8):
                    person.contact = Contact(
                        crm_id=self.next_crm_id("003"),
                        first_name=first,
                        last_name=last,
                        email=email,
                        title=title,
                        phone=person.phone,
                        department=department,
                        seniority=seniority,
                        persona=content.PERSONA_BY[seniority],
                        mailing_state=state,
                        mailing_country=country,
                        account=account,
                        owner=account.owner,
                        lead_source=self.rng.choice(content.LEAD_SOURCES),
                        crm_created_at=self.now - dt.timedelta(days=self.rng.randint(100, 900)),
                    )
                    contacts.append(person.contact)
                people.append(person)
            self.people[i] = people
        Contact.objects.bulk_create(contacts, batch_size=CHUNK)

        leads = []
        for i, people in self.people.items():
            not_contacts = [p for p in people if p.contact is None]
            if not_contacts and i % 3 == 1:
                p = not_contacts[0]
                p.lead = Lead(
                    crm_id=self.next_crm_id("00Q"),
                    first_name=p.first,
                    last_name=p.last,
                    email=p.email,
                    company=self.accounts[i].name,
                    title=p.title,
                    status="Working",
                    owner=self.accounts[i].owner,
                )
                leads.append(p.lead)
            contacts_here = [p for p in people if p.contact is not None]
            if contacts_here and i % 4 == 0:
                p = contacts_here[-1]
                leads.append(
                    Lead(
                        crm_id=self.next_crm_id("00Q"),
                        first_name=p.first,
                        last_name=p.last,
                        email=p.email,
                        company=self.accounts[i].name,
                        title=p.title,
                        status="Converted",
                        is_converted=True,
                        converted_contact=p.contact,
                        converted_account=self.accounts[i],
                        owner=self.accounts[i].owner,
                    )
                )
        for n in range(12):
            first, last = self.unique_name(set())
            leads.append(
                Lead(
                    crm_id=self.next_crm_id("00Q"),
                    first_name=first,
                    last_name=last,
                    email=f"{first}.{last}@prospect{n}.example.com".lower().replace("'", ""),
                    company=f"Prospect {n}",
                    title=self.rng.choice(content.TITLES)[0],
                    status="Open",
                )
            )
        Lead.objects.bulk_create(leads, batch_size=CHUNK)
        self.progress("contacts", len(contacts))
        self.progress("leads", len(leads))

    # --- opportunities ---------------------------------------------------------------------
    def write_opportunities(self) -> None:
        opps: list[Opportunity] = []
        plans: list[tuple[Opportunity, list[tuple[str, dt.datetime]]]] = []
        open_stages = [s for s in STAGES if not s.is_closed]
        team_by_account: dict[int, list[int]] = {}
        for account_id, user_id in AccountTeamMember.objects.values_list("account_id", "user_id"):
            team_by_account.setdefault(account_id, []).append(user_id)
        for i, account in enumerate(self.accounts):
            count = [1, 2, 3, 3, 2, 4, 0, 2, 3, 4][i % 10]
            team = team_by_account.get(account.pk, [])
            # Each deal of an account sells something else: its name says what.
            products = self.rng.sample(content.OPPORTUNITY_NAMES, k=count)
            self.deals[i] = []
            for n in range(count):
                created = self.now - dt.timedelta(days=self.rng.randint(20, 360))
                roll = self.rng.random()
                if self.account_kinds[i] == "silent":
                    final = stage_info("Closed Lost")  # nobody talks to them: nothing open
                elif roll < 0.22:
                    final = stage_info("Closed Won")
                elif roll < 0.36:
                    final = stage_info("Closed Lost")
                else:
                    final = self.rng.choice(open_stages)
                path = [
                    s
                    for s in open_stages
                    if s.order <= (final.order if not final.is_closed else self.rng.randint(3, 6))
                ]
                if final.is_closed:
                    path.append(final)
                span = max(
                    1, (self.now - created).days - (5 if not final.is_closed else self.rng.randint(5, 30))
                )
                offsets = sorted(self.rng.sample(range(span), k=min(len(path), span)))
                # Fewer days than stages: the history stops at the last day (zip is not strict).
                history = [
                    (s.name, created + dt.timedelta(days=off, hours=self.rng.randint(8, 17)))
                    # A young opportunity has fewer days than stages: the later stages get none.
                    for s, off in zip(path, offsets, strict=False)
                ]
                history[0] = (history[0][0], created)
                tier_amount = {"Enterprise": (120, 600), "Mid-Market": (40, 160), "SMB": (8, 45)}.get(
                    account.tier, (20, 100)
                )
                amount = Decimal(self.rng.randint(*tier_amount) * 1000)
                last_stage, last_changed = history[-1]
                info = stage_info(last_stage)
                close_date = (
                    last_changed.date()
                    if info.is_closed
                    else (self.now + dt.timedelta(days=self.rng.randint(-12, 120))).date()
                )
                owner_id = (
                    account.owner_id if n == 0 or not team else self.rng.choice([account.owner_id, *team])
                )
                opp = Opportunity(
                    crm_id=self.next_crm_id("006"),
                    name=f"{account.name} - {products[n]}",
                    account=account,
                    owner_id=owner_id,
                    amount=amount,
                    stage=info.name,
                    probability=info.probability,
                    is_closed=info.is_closed,
                    is_won=info.is_won,
                    close_date=close_date,
                    actual_close_date=last_changed.date() if info.is_closed else None,
                    created_date=created,
                    stage_changed_at=last_changed,
                    opportunity_type=self.rng.choice(content.OPPORTUNITY_KINDS),
                    lead_source=self.rng.choice(content.LEAD_SOURCES),
                )
                opps.append(opp)
                plans.append((opp, history))
                self.deals[i].append(DemoDeal(opp, history, products[n]))
        Opportunity.objects.bulk_create(opps, batch_size=CHUNK)
        history_rows = [
            OpportunityStageHistory(
                opportunity=opp,
                stage=stage,
                changed_at=when,
                amount=opp.amount,
                probability=stage_info(stage).probability,
                close_date=opp.close_date,
                crm_id=self.next_crm_id("008"),
            )
            for opp, history in plans
            for stage, when in history
        ]
        OpportunityStageHistory.objects.bulk_create(history_rows, batch_size=CHUNK)
        self.write_contact_roles(opps)
        self.write_next_steps(opps)
        self.progress("opportunities", len(opps))

    def write_contact_roles(self, opps: list[Opportunity]) -> None:
        roles = []
        account_index = {a.pk: i for i, a in enumerate(self.accounts)}
        deal_of = {id(d.opportunity): d for deals in self.deals.values() for d in deals}
        role_by_seniority = {
            "c_level": "Executive Sponsor",
            "vp": "Decision Maker",
            "director": "Technical Buyer",
            "manager": "Evaluator",
            "individual_contributor": "Business User",
        }
        for n, opp in enumerate(opps):
            # About a third of opportunities have no contact role yet: First OCR's case.
            if n % 3 == 2:
                continue
            contacts = [p for p in self.people[account_index[opp.account_id]] if p.contact is not None]
            chosen = self.rng.sample(contacts, k=min(len(contacts), self.rng.randint(1, 3)))
            for k, person in enumerate(chosen):
                if id(opp) in deal_of:
                    deal_of[id(opp)].people.append(person)
                roles.append(
                    OpportunityContactRole(
                        opportunity=opp,
                        contact=person.contact,
                        role=role_by_seniority[person.seniority],
                        is_primary=k == 0,
                        crm_id=self.next_crm_id("00K"),
                    )
                )
        OpportunityContactRole.objects.bulk_create(roles, batch_size=CHUNK)

    def write_next_steps(self, opps: list[Opportunity]) -> None:
        steps = []
        for opp in opps:
            for k in range(self.rng.randint(1, 3)):
                done = opp.is_closed or k > 0
                due = (self.now + dt.timedelta(days=self.rng.randint(-20, 21))).date()
                steps.append(
                    NextStep(
                        crm_id=self.next_crm_id("00T"),
                        subject=self.rng.choice(content.TASKS),
                        due_date=due,
                        owner_id=opp.owner_id,
                        status="completed" if done else "open",
                        account=opp.account,
                        opportunity=opp,
                        completed_at=self.now - dt.timedelta(days=self.rng.randint(1, 60)) if done else None,
                    )
                )
        NextStep.objects.bulk_create(steps, batch_size=CHUNK)

    # --- activities ------------------------------------------------------------------------
    def write_activities(self) -> None:
        total = self.options.activities
        self.activity_rows = RowWriter(Activity)
        self.participant_rows = RowWriter(Participant)
        users_by_id = {u.pk: u for u in self.reps}
        team_by_account: dict[int, list[int]] = {}
        for account_id, user_id in AccountTeamMember.objects.values_list("account_id", "user_id"):
            team_by_account.setdefault(account_id, []).append(user_id)
        self.cum_weights = list(itertools.accumulate(self.account_weights))
        written = 0
        sequence = 0
        stories = self.deal_stories()
        while written < total:
            size = min(CHUNK * 5, total - written)
            activities: list[dict] = []
            participants: list[dict] = []
            while len(activities) < size:
                sequence += 1
                plan = stories.pop() if stories else None
                for activity, people in self.conversation(sequence, users_by_id, team_by_account, plan):
                    if len(activities) >= size:
                        break
                    activity["id"] = self.activity_rows.allocate_id()
                    activities.append(activity)
                    for person in people:
                        person["id"] = self.participant_rows.allocate_id()
                        person["activity_id"] = activity["id"]
                        participants.append(person)
            with transaction.atomic():
                self.activity_rows.write(activities)
                self.participant_rows.write(participants)
            written += len(activities)
            self.progress("activities", len(activities))
        self.activity_rows.finish()
        self.participant_rows.finish()

    def deal_stories(self) -> list[tuple[int, dt.datetime, DemoDeal, str]]:
        """(account index, when, deal, topic) of the conversations every open deal has had, its stage's
        own last: a deal in negotiation has pricing and legal mail in its last days, one in proposal a
        pricing thread. Returned last first, so ``pop()`` writes them in order."""
        stories = []
        for i, deals in self.deals.items():
            if self.account_kinds[i] == "silent":
                continue
            quiet = self.quiet_days(i)
            for deal in deals:
                if deal.opportunity.is_closed:
                    continue
                created = deal.history[0][1]
                age = max(1, (self.now - created).days)
                stage = deal.opportunity.stage
                if stage == "Negotiation":
                    recent = [
                        ("pricing", self.rng.uniform(1, 6)),
                        ("legal redlines", self.rng.uniform(2, 12)),
                    ]
                elif stage == "Proposal":
                    recent = [("pricing", self.rng.uniform(2, 15))]
                else:
                    recent = [
                        (self.rng.choice(self.topics_for(deal, stage)), self.rng.uniform(1, min(45, age)))
                    ]
                first_topic = self.rng.choice(self.topics_for(deal, deal.history[0][0]))
                plan = [(first_topic, self.rng.uniform(max(0.5, age - 10), age))] + recent
                for topic, days_back in plan:
                    days_back = min(age - 0.1, max(days_back, quiet + self.rng.uniform(0, 3)))
                    stories.append((i, self.now - dt.timedelta(days=days_back), deal, topic))
        stories.sort(key=lambda story: story[1], reverse=True)
        return stories

    def quiet_days(self, i: int) -> int:
        """A cooling account has been silent this many days; the others 0."""
        return 10 + (i % 3) * 5 if self.account_kinds[i] == "cooling" else 0

    def topics_for(self, deal: DemoDeal, stage: str) -> list[str]:
        if "Renewal" in deal.product and stage not in ("Closed Won", "Closed Lost"):
            return content.RENEWAL_TOPICS
        return content.TOPICS_BY_STAGE.get(stage, content.TOPICS_BY_STAGE["Discovery"])

    def conversation(self, sequence: int, users_by_id: dict, team_by_account: dict, plan=None):
        """One thread: an email and maybe its reply, a meeting, or a call, with one account's people;
        most are about one of the account's deals alive at the time, in its stage's words."""
        if plan is not None:
            i, when, deal, topic = plan
        else:
            i = self.rng.choices(range(len(self.accounts)), cum_weights=self.cum_weights)[0]
            kind = self.account_kinds[i]
            quiet = self.quiet_days(i)
            if kind == "cold":
                days_back = self.rng.uniform(0, 365)
            else:
                # Most of a live account's mail is recent: hot ones within a month or so.
                days_back = quiet + self.rng.expovariate(1 / RECENT_MEAN_DAYS[kind])
                if days_back > 365:
                    days_back = self.rng.uniform(quiet, 365)
            when = self.now - dt.timedelta(days=days_back, minutes=self.rng.randint(0, 600))
            alive = [d for d in self.deals.get(i, []) if d.alive_at(when)]
            deal = self.rng.choice(alive) if alive and self.rng.random() < 0.85 else None
            topic = self.rng.choice(self.topics_for(deal, deal.stage_at(when))) if deal else None
        account = self.accounts[i]
        people = self.people[i]
        rep_ids = [account.owner_id, *team_by_account.get(account.pk, [])]
        if deal is not None and self.rng.random() < 0.6:
            rep_ids = [deal.opportunity.owner_id or account.owner_id]
        rep = users_by_id.get(self.rng.choice(rep_ids)) or users_by_id[account.owner_id]
        external = self.rng.sample(
            people, k=min(len(people), self.rng.choices([1, 2, 3], weights=[6, 3, 1])[0])
        )
        # The deal's own people: someone in a contact role on it is on most of its conversations.
        if deal is not None and deal.people and self.rng.random() < 0.75:
            lead = self.rng.choice(deal.people)
            external = [lead] + [p for p in external if p is not lead][: len(external) - 1]
        roll = self.rng.random()
        fill = {
            "company": account.name,
            "product": content.PRODUCT,
            "deal": deal.product if deal else content.NO_DEAL,
            "rep": rep.first_name,
            "first": external[0].first,
            "competitor": self.rng.choice(content.COMPETITORS),
            "day": self.rng.choice(["Friday", "Monday", "Wednesday"]),
            "amount": f"${self.rng.randint(4, 60) * 5_000:,}",
        }
        source = f"demo-{self.options.seed}-{sequence:08d}"
        themes = [t for t in content.EMAIL_THREADS if t["topic"] == topic]
        meetings = [m for m in content.MEETINGS if m[1] == topic]
        if plan is not None and themes:
            roll = 0.0  # a deal's story is told by mail
        if roll < 0.72 and (themes or topic is None or not meetings):
            return self.email_thread(source, when, rep, external, fill, i, themes or None)
        if roll < 0.92 or meetings:
            return [self.meeting(source, when, rep, external, fill, sequence, meetings or None)]
        return [self.call(source, when, rep, external[0], fill)]

    def activity(self, **values) -> dict:
        return {"source": Activity.Source.DEMO, "captured_at": self.now, **values}

    def internal(self, user: User, role: str, response: str = "") -> dict:
        return {
            "email": user.email,
            "name": user.get_full_name(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": role,
            "is_internal": True,
            "user_id": user.pk,
            "response": response,
        }

    def external(self, person: Person, role: str, response: str = "", with_signature: bool = False) -> dict:
        return {
            "email": person.email,
            "name": f"{person.first} {person.last}",
            "first_name": person.first,
            "last_name": person.last,
            "role": role,
            "response": response,
            "contact_id": person.contact.pk if person.contact else None,
            "lead_id": person.lead.pk if person.lead and person.contact is None else None,
            "title": person.title if with_signature else "",
            "phone": person.phone if with_signature else "",
        }

    def signature(self, person: Person, company: str) -> str:
        return f"{person.first} {person.last}\n{person.title}\n{company}\n{person.phone}"

    def email_thread(
        self,
        source: str,
        when: dt.datetime,
        rep: User,
        external: list[Person],
        fill: dict,
        i: int,
        themes: list[dict] | None = None,
    ):
        theme = self.rng.choice(themes or content.EMAIL_THREADS)
        subject = theme["subject"].format(**fill)
        message_id = f"{source}@{content.INTERNAL_DOMAIN}"
        body = theme["outbound"].format(**fill)
        first = self.activity(
            kind=Activity.Kind.EMAIL,
            source_id=message_id,
            subject=subject,
            body=body,
            signature=f"{rep.get_full_name()}\n{rep.title}, {content.INTERNAL_COMPANY}",
            occurred_at=when,
            direction=Activity.Direction.OUTBOUND,
            owner_id=rep.pk,
            thread_id=message_id,
        )
        people = [self.internal(rep, "from")] + [
            self.external(p, "to" if k == 0 else "cc") for k, p in enumerate(external)
        ]
        thread = [(first, people)]
        reply_chance = 0.0 if theme["inbound"] is None else (0.75 if self.account_weights[i] >= 2 else 0.35)
        reply_at = when + dt.timedelta(hours=self.rng.randint(2, 60))
        if self.rng.random() < reply_chance and reply_at < self.now:
            author = external[0]
            reply = self.activity(
                kind=Activity.Kind.EMAIL,
                source_id=f"{source}-re@{self.company(i)[1]}",
                subject=f"RE: {subject}",
                body=theme["inbound"].format(**fill),
                quoted_text="> " + body.replace("\n", "\n> "),
                signature=self.signature(author, fill["company"]),
                occurred_at=reply_at,
                direction=Activity.Direction.INBOUND,
                owner_id=rep.pk,
                thread_id=message_id,
                in_reply_to=message_id,
            )
            reply_people = [self.external(author, "from", with_signature=True), self.internal(rep, "to")]
            reply_people += [self.external(p, "cc") for p in external[1:]]
            thread.append((reply, reply_people))
        return thread

    def meeting(
        self,
        source: str,
        when: dt.datetime,
        rep: User,
        external: list[Person],
        fill: dict,
        sequence: int,
        meetings: list[tuple] | None = None,
    ):
        title, _topic, notes = self.rng.choice(meetings or content.MEETINGS)
        # A few meetings are still ahead: the "next meeting" on pages.
        if sequence % 40 == 0:
            when = self.now + dt.timedelta(days=self.rng.randint(1, 14), hours=self.rng.randint(0, 6))
        start = when.replace(minute=0 if when.minute < 30 else 30, second=0)
        responses = ["accepted", "accepted", "accepted", "tentative", "declined"]
        activity = self.activity(
            kind=Activity.Kind.MEETING,
            source_id=f"{source}@calendar.{content.INTERNAL_DOMAIN}",
            subject=title.format(**fill),
            body=notes.format(**fill),
            occurred_at=start,
            duration_minutes=self.rng.choice([30, 30, 45, 60, 60, 90]),
            direction=Activity.Direction.OUTBOUND,
            owner_id=rep.pk,
            is_private=sequence % 33 == 0,
            location="Video call",
        )
        people = [self.internal(rep, "organizer", "accepted")]
        people += [self.external(p, "attendee", self.rng.choice(responses)) for p in external]
        return activity, people

    def call(self, source: str, when: dt.datetime, rep: User, person: Person, fill: dict):
        subject, notes = self.rng.choice(content.CALLS)
        activity = self.activity(
            kind=Activity.Kind.CALL,
            source_id=f"{source}-call",
            subject=subject.format(**fill),
            body=notes.format(**fill),
            occurred_at=when,
            duration_minutes=self.rng.randint(5, 40),
            direction=Activity.Direction.OUTBOUND,
            owner_id=rep.pk,
        )
        return activity, [self.internal(rep, "from"), self.external(person, "to")]

    def write(self) -> DemoSummary:
        with transaction.atomic():
            self.write_users()
            self.write_profiles()
            self.write_accounts()
            self.write_people()
            self.write_opportunities()
        self.write_activities()
        return DemoSummary(
            counts={
                "users": User.objects.count(),
                "accounts": Account.objects.count(),
                "contacts": Contact.objects.count(),
                "leads": Lead.objects.count(),
                "opportunities": Opportunity.objects.count(),
                "contact roles": OpportunityContactRole.objects.count(),
                "next steps": NextStep.objects.count(),
                "activities": Activity.objects.count(),
                "participants": Participant.objects.count(),
            }
        )


def demo_org_exists() -> bool:
    return User.objects.filter(username=REP_USERNAME).exists()


def seed_demo_org(options: DemoOptions, progress: Progress | None = None) -> DemoSummary:
    """Write the demo org into an empty database; refuse to write over an existing org."""
    if demo_org_exists() or Account.objects.exists():
        raise DemoOrgExists(
            "The database already holds an org. Use --reset to wipe it first, or a fresh DATABASE_URL."
        )
    summary = DemoOrgWriter(options, progress).write()
    # The competitors the demo's mail names, listed as an admin would (Insights configuration), so
    # the competitive threat score and the assistant see them.
    insights_configuration_update(competitors=content.COMPETITORS)
    # The activities were written as rows, not captured: count them in the daily rollups.
    rollups_rebuild()
    return summary


class DemoOrgExists(Exception):
    pass


def run_demo_pipeline(progress: Progress | None = None) -> dict[str, int]:
    """What capture, the contact engine and the insights engine do after activities arrive, run
    once over the whole demo org: match activities, create contacts and roles, build summaries."""
    from activities.services import match_activities
    from contacts.services import contact_engine_process_activities
    from insights.services import summaries_refresh_all

    progress = progress or _noop
    matched = match_activities(activity_ids=None)
    progress("matched", matched.examined)
    ids = list(Activity.objects.order_by("id").values_list("id", flat=True))
    engine = contact_engine_process_activities(activity_ids=ids)
    progress("contact engine", len(ids))
    summaries = summaries_refresh_all()
    progress("summaries", Account.objects.count() + Opportunity.objects.count())
    return {
        "activities matched": Activity.objects.filter(account__isnull=False).count(),
        "contacts created": len(engine.contacts_created),
        "contact roles created": len(engine.roles_created),
        "engine decisions": engine.decisions_recorded,
        "summaries": summaries.accounts + summaries.opportunities,
    }
