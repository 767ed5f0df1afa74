"""End to end: the stand-in holds an org; the pull brings it in; mail is captured through the ingest
service; the contact engine creates contacts and contact roles; the outbox pushes them; Salesforce
has them with the Backstory fields; and a pull after that changes nothing. Then the same run with a
fifth of the stand-in's calls failing (server errors, locked rows, the API limit, expired sessions,
duplicate rules) ends in the same state: no lost write, no duplicate contact.

Every Salesforce call goes through simple-salesforce over HTTPS to the stand-in.
"""

import datetime as dt

import pytest

from activities.models import Activity
from activities.parsing.results import ParsedActivity, ParsedParticipant, SignatureDetails
from activities.services import activities_ingest
from contacts.models import Contact
from crm.connection import SalesforceSessionRefused
from crm.models import OutboxEntry
from crm.push import outbox_drain
from crm.sync import salesforce_pull
from crm.tests.sync_fixtures import Writes
from opportunities.models import OpportunityContactRole

pytestmark = pytest.mark.django_db

# Who Salesforce does not know yet: (email, first, last, account, opportunity their role goes on).
NEW_PEOPLE = [
    ("olivia.park@acme.com", "Olivia", "Park", "acme", "acme_renewal"),
    ("omar.haddad@acme.co.uk", "Omar", "Haddad", "acme", "acme_renewal"),
    ("li.wei@acme.com", "Li", "Wei", "acme", "acme_renewal"),
    ("sara.kim@acme-labs.io", "Sara", "Kim", "acme", "acme_renewal"),
    ("nina.patel@globex.com", "Nina", "Patel", "globex", "globex_new"),
    ("raj.mehta@globex.com", "Raj", "Mehta", "globex", "globex_new"),
]
# What Salesforce holds at the end, whatever failed on the way: each new person once, with the
# Backstory fields, and a contact role on the opportunity the mail was about.
EXPECTED_CONTACTS = sorted(
    [
        {
            "Email": email,
            "FirstName": first,
            "LastName": last,
            "Title": None,
            "Phone": None,
            "Department__c": None,
            "Seniority__c": None,
            "Persona__c": None,
            "Created_By_Backstory__c": True,
            "LeadSource": "Backstory",
            "account": account,
            "owner": "ae1",
        }
        | (
            {
                "Title": "VP of Engineering",
                "Phone": "+1 312 555 0170",
                "Department__c": "Engineering",
                "Seniority__c": "VP",
                "Persona__c": "Decision Maker",
            }
            if first == "Olivia"
            else {}
        )
        for email, first, last, account, _ in NEW_PEOPLE
    ],
    key=lambda c: c["Email"],
)
EXPECTED_ROLES = sorted((opportunity, email, "Business User", False) for email, *_, opportunity in NEW_PEOPLE)
FAULT_KINDS = (
    "SERVER_ERROR",
    "UNABLE_TO_LOCK_ROW",
    "REQUEST_LIMIT_EXCEEDED",
    "INVALID_SESSION_ID",
    "DUPLICATES_DETECTED",
)
# Five independent kinds at this rate fail 1 - (1 - 0.044)^5 ≈ 20% of calls (and of collection records).
FAULT_RATE = 0.044
# Seeds under which every kind fires at least once in this run (most seeds do; 15 more seeds at twice
# the rate were tried while writing this test, all ending in the same state).
FAULT_SEED = 41


def mail(now: dt.datetime) -> list[ParsedActivity]:
    """Priya (owner of Acme and Globex) writes to Rita, a contact role on the Acme renewal, and to Hank,
    one on the Globex deal, copying people Salesforce does not know; Olivia answers with a signature."""

    def person(email, role, first, last):
        return ParsedParticipant(email, role, f"{first} {last}", first, last)

    priya = person("priya.raman@lumen-analytics.com", "from", "Priya", "Raman")
    acme_people = tuple(
        person(email, "cc", first, last) for email, first, last, account, _ in NEW_PEOPLE if account == "acme"
    )
    globex_people = tuple(
        person(email, "cc", first, last)
        for email, first, last, account, _ in NEW_PEOPLE
        if account == "globex"
    )
    renewal = ParsedActivity(
        kind="email",
        source_id="renewal-1@lumen-analytics.com",
        subject="Renewal: next steps",
        body="Sharing the redlines.",
        occurred_at=now - dt.timedelta(hours=3),
        participants=(priya, person("rita.moreno@acme.com", "to", "Rita", "Moreno"), *acme_people),
    )
    reply = ParsedActivity(
        kind="email",
        source_id="renewal-2@acme.com",
        subject="RE: Renewal: next steps",
        body="Looks good.",
        occurred_at=now - dt.timedelta(hours=2),
        in_reply_to="renewal-1@lumen-analytics.com",
        participants=(
            person("olivia.park@acme.com", "from", "Olivia", "Park"),
            person("priya.raman@lumen-analytics.com", "to", "Priya", "Raman"),
            person("rita.moreno@acme.com", "cc", "Rita", "Moreno"),
        ),
        signature_details=SignatureDetails(title="VP of Engineering", phone="+1 312 555 0170"),
    )
    globex = ParsedActivity(
        kind="email",
        source_id="globex-1@lumen-analytics.com",
        subject="Globex analytics: approvers",
        body="Who signs off?",
        occurred_at=now - dt.timedelta(hours=1),
        participants=(priya, person("hank@globex.com", "to", "Hank", "Scorpio"), *globex_people),
    )
    return [renewal, reply, globex]


def pull_until_clean(org, attempts=40):
    """Pull until one run goes through without an error (with faults, some runs stop early)."""
    for _ in range(attempts):
        try:
            report = salesforce_pull()
        except SalesforceSessionRefused:
            org.advance(minutes=1)
            continue
        org.advance(minutes=3)
        if not report.errors and not report.held:  # held: the API limit's pause, waited out above
            return report
    raise AssertionError("the pull never went through")


def drain_until_empty(org, attempts=60):
    """Drain until no entry is pending, moving past every backoff and pause."""
    for _ in range(attempts):
        if not OutboxEntry.objects.filter(status=OutboxEntry.Status.PENDING).exists():
            return
        outbox_drain()
        org.advance(hours=2)
    raise AssertionError("the outbox never emptied")


def final_state(org):
    names = {org.ref(key): key for key in ("acme", "globex", "ae1", "acme_renewal", "globex_new")}
    contacts = []
    for email, *_ in NEW_PEOPLE:
        rows = org.rows("Contact", Email=email)
        assert len(rows) == 1, f"{email} is in Salesforce {len(rows)} times"
        row = rows[0]
        local = Contact.objects.get(email=email)
        assert local.crm_id == row["Id"] and row["Backstory_Id__c"] == str(local.backstory_id)
        contacts.append(
            {
                **{k: row[k] for k in EXPECTED_CONTACTS[0] if k not in ("account", "owner")},
                "account": names.get(row["AccountId"]),
                "owner": names.get(row["OwnerId"]),
            }
        )
    emails = {row["Id"]: row["Email"] for row in org.store.rows("Contact")}
    roles = []
    for row in org.store.rows("OpportunityContactRole"):
        if row["Backstory_Id__c"]:
            local = OpportunityContactRole.objects.get(crm_id=row["Id"])
            assert str(local.backstory_id) == row["Backstory_Id__c"] and local.created_by_backstory
            roles.append(
                (names.get(row["OpportunityId"]), emails[row["ContactId"]], row["Role"], row["IsPrimary"])
            )
    return sorted(contacts, key=lambda c: c["Email"]), sorted(roles)


def run(org, django_capture_on_commit_callbacks):
    pull_until_clean(org)
    pull_until_clean(org)  # the fixture's records stamped at load time arrive in the next window
    assert Contact.objects.count() == 14
    with django_capture_on_commit_callbacks(execute=True):
        # After commit: the contact engine runs on the new activities, then the outbox drains.
        report = activities_ingest(items=mail(org.clock.now), source="api")
    assert report.created == 3
    drain_until_empty(org)
    # Each email once as a Task (activity sync), whatever failed on the way; the meetings the pull
    # brought from Salesforce are never written back.
    tasks = org.rows("Task", Created_By_Backstory__c=True)
    assert sorted(t["Backstory_Id__c"] for t in tasks) == sorted(
        f"activity-{pk}" for pk in Activity.objects.filter(source="api").values_list("pk", flat=True)
    )
    assert Activity.objects.filter(source="crm").exists()
    assert org.rows("Event", Created_By_Backstory__c=True) == []


def test_capture_to_salesforce_and_back(org, backstory, django_capture_on_commit_callbacks):
    run(org, django_capture_on_commit_callbacks)
    assert not OutboxEntry.objects.exclude(status=OutboxEntry.Status.DONE).exists()
    assert final_state(org) == (EXPECTED_CONTACTS, EXPECTED_ROLES)
    org.advance(minutes=5)
    with Writes() as writes:
        again = salesforce_pull()
    assert not again.errors and writes.statements == []
    # The pull saw Backstory's own writes come back, and found them equal.
    assert again.get("Contact").fetched == 6 and again.get("OpportunityContactRole").fetched == 6


def test_a_fifth_of_calls_failing_ends_in_the_same_state(org, backstory, django_capture_on_commit_callbacks):
    rules = [
        org.faults.at_rate(kind, FAULT_RATE, seed=seed)
        for seed, kind in enumerate(FAULT_KINDS, start=FAULT_SEED)
    ]
    run(org, django_capture_on_commit_callbacks)
    fired = {rule.kind: rule.fired for rule in rules}
    assert all(fired.values()), f"every kind of fault should have happened at least once: {fired}"
    assert not OutboxEntry.objects.exclude(status=OutboxEntry.Status.DONE).exists()
    assert final_state(org) == (EXPECTED_CONTACTS, EXPECTED_ROLES)
    pull_until_clean(org)  # catches up whatever a failed call left behind (a contact's modified time)
    org.faults.clear()
    with Writes() as writes:
        again = salesforce_pull()
    assert not again.errors and writes.statements == []
