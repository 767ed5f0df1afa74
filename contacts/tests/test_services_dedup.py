"""The daily de-duplication: only contacts Backstory created are deleted, into the earliest valid
contact; activities and contact roles follow; a manual contact is never touched."""

import datetime as dt

import pytest

from accounts.tests.factories import AccountFactory
from activities.models import Participant
from activities.tests.factories import ParticipantFactory
from contacts.models import Contact, ContactDecision
from contacts.services import contacts_deduplicate
from contacts.tests.factories import ContactFactory, LeadFactory
from crm.models import OutboxEntry
from opportunities.models import NextStep, OpportunityContactRole
from opportunities.tests.factories import NextStepFactory, OpportunityContactRoleFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
T0 = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)


def contact(account, *, email="jane@acme.com", by_backstory=True, age_days=0, **fields):
    """A contact created `age_days` before T0 (larger is older)."""
    made = ContactFactory(account=account, email=email, by_backstory=by_backstory, **fields)
    Contact.objects.filter(pk=made.pk).update(created_at=T0 - age_days * DAY)
    made.refresh_from_db()
    return made


@pytest.fixture
def acme(db):
    return AccountFactory(name="Acme", domain="acme.com")


def alive(*contacts):
    return set(Contact.objects.filter(pk__in=[c.pk for c in contacts]).values_list("pk", flat=True))


def test_duplicates_merge_into_the_earliest_and_activities_follow(acme):
    earliest = contact(acme, age_days=10)
    later = contact(acme, age_days=5)
    latest = contact(acme, email="JANE@acme.com", age_days=1)
    moved = [ParticipantFactory(contact=later), ParticipantFactory(contact=latest)]
    kept = ParticipantFactory(contact=earliest)

    report = contacts_deduplicate()

    assert alive(earliest, later, latest) == {earliest.pk}
    for participant in (*moved, kept):
        participant.refresh_from_db()
        assert participant.contact_id == earliest.pk
    assert (report.contacts_deleted, report.participants_remapped, report.survivors) == (2, 2, 1)


def test_manual_contact_always_survives_even_when_newer(acme):
    # FAQ: "Only contacts created by Backstory are eligible for deletion." Design: "a manual
    # contact, if one is among them, always survives."
    by_backstory = contact(acme, age_days=10)
    manual = contact(acme, by_backstory=False, age_days=1)
    participant = ParticipantFactory(contact=by_backstory)

    contacts_deduplicate()

    assert alive(by_backstory, manual) == {manual.pk}
    participant.refresh_from_db()
    assert participant.contact == manual


def test_two_manual_duplicates_are_never_touched(acme):
    first, second = (
        contact(acme, by_backstory=False, age_days=3),
        contact(acme, by_backstory=False, age_days=1),
    )
    backstory = contact(acme, age_days=2)

    contacts_deduplicate()

    assert alive(first, second, backstory) == {first.pk, second.pk}


def test_manual_duplicates_alone_are_left_as_they_are(acme):
    first, second = contact(acme, by_backstory=False), contact(acme, by_backstory=False)

    report = contacts_deduplicate()

    assert alive(first, second) == {first.pk, second.pk} and report.contacts_deleted == 0


def test_crm_creation_time_counts_before_the_local_one(acme):
    # Creation time is when the CRM created the record, else when it was stored here.
    pulled_late_but_old = contact(acme, age_days=1, crm_created_at=T0 - 100 * DAY)
    stored_earlier = contact(acme, age_days=5)

    contacts_deduplicate()

    assert alive(pulled_late_but_old, stored_earlier) == {pulled_late_but_old.pk}


def test_same_email_on_different_accounts_is_not_a_duplicate(acme):
    other = AccountFactory(name="Acme EU", domain="acme.eu")
    here, there = contact(acme), contact(other)

    contacts_deduplicate()

    assert alive(here, there) == {here.pk, there.pk}


def test_contacts_without_email_or_account_are_not_grouped(acme):
    nameless = [contact(acme, email=""), contact(acme, email="")]
    orphans = [contact(None, email="x@acme.com", owner=None), contact(None, email="x@acme.com", owner=None)]

    contacts_deduplicate()

    assert alive(*nameless, *orphans) == {c.pk for c in (*nameless, *orphans)}


def test_contact_roles_are_remapped_and_duplicates_dropped(acme):
    survivor = contact(acme, age_days=10)
    duplicate = contact(acme, age_days=1)
    shared = OpportunityFactory(account=acme)
    only_duplicate = OpportunityFactory(account=acme)
    OpportunityContactRoleFactory(opportunity=shared, contact=survivor)
    dropped = OpportunityContactRoleFactory(opportunity=shared, contact=duplicate, created_by_backstory=True)
    moved = OpportunityContactRoleFactory(
        opportunity=only_duplicate, contact=duplicate, created_by_backstory=True
    )

    report = contacts_deduplicate()

    assert not OpportunityContactRole.objects.filter(pk=dropped.pk).exists()
    moved.refresh_from_db()
    assert moved.contact == survivor
    assert OpportunityContactRole.objects.filter(contact=survivor).count() == 2
    assert (report.roles_dropped, report.roles_remapped) == (1, 1)


def test_two_duplicates_on_one_opportunity_keep_one_role(acme):
    survivor = contact(acme, age_days=10)
    first, second = contact(acme, age_days=5), contact(acme, age_days=1)
    opportunity = OpportunityFactory(account=acme)
    OpportunityContactRoleFactory(opportunity=opportunity, contact=first)
    OpportunityContactRoleFactory(opportunity=opportunity, contact=second)

    contacts_deduplicate()

    assert list(
        OpportunityContactRole.objects.filter(opportunity=opportunity).values_list("contact", flat=True)
    ) == [survivor.pk]


def test_primary_role_passes_to_the_survivor(acme):
    survivor = contact(acme, age_days=10)
    duplicate = contact(acme, age_days=1)
    opportunity = OpportunityFactory(account=acme)
    kept = OpportunityContactRoleFactory(opportunity=opportunity, contact=survivor, is_primary=False)
    OpportunityContactRoleFactory(opportunity=opportunity, contact=duplicate, is_primary=True)

    contacts_deduplicate()

    kept.refresh_from_db()
    assert kept.is_primary


def test_next_steps_and_converted_leads_follow_the_survivor(acme):
    survivor, duplicate = contact(acme, age_days=10), contact(acme, age_days=1)
    step = NextStepFactory(contact=duplicate)
    lead = LeadFactory(is_converted=True, converted_contact=duplicate)

    contacts_deduplicate()

    step.refresh_from_db()
    lead.refresh_from_db()
    assert step.contact == survivor and lead.converted_contact == survivor
    assert NextStep.objects.count() == 1


def test_each_deleted_contact_is_recorded_and_queued(acme):
    survivor = contact(acme, age_days=10)
    pushed = contact(acme, age_days=2, crm_id="003000000000000ABC")
    pending = contact(acme, age_days=1)

    contacts_deduplicate()

    decision = ContactDecision.objects.get(action="contact_merged")
    assert (decision.contact_id, decision.reason, decision.rule) == (
        survivor.pk,
        "duplicate_email",
        "deduplication",
    )
    assert sorted(decision.details["deleted_contact_ids"]) == sorted([pushed.pk, pending.pk])
    assert decision.details["survivor_id"] == survivor.pk and decision.email == "jane@acme.com"
    assert decision.message.startswith("Deleted 2 duplicate(s) of jane@acme.com")
    deletes = OutboxEntry.objects.filter(object_name="Contact", operation="delete")
    assert {(e.crm_id, e.external_id, e.record_id, e.record_type) for e in deletes} == {
        ("003000000000000ABC", str(pushed.backstory_id), pushed.pk, "contacts.contact"),
        ("", str(pending.backstory_id), pending.pk, "contacts.contact"),
    }
    assert all(e.status == "pending" and e.payload == {} and e.attempts == 0 for e in deletes)


def test_remapped_roles_are_queued_before_their_old_contact_is_deleted(acme):
    survivor = contact(acme, age_days=10, crm_id="003000000000000SUR")
    duplicate = contact(acme, age_days=1)
    role = OpportunityContactRoleFactory(
        opportunity=OpportunityFactory(account=acme), contact=duplicate, crm_id="00K000000000000001"
    )

    contacts_deduplicate()

    entries = list(OutboxEntry.objects.order_by("id"))
    assert [(e.object_name, e.operation) for e in entries] == [
        ("OpportunityContactRole", "update"),
        ("Contact", "delete"),
    ]
    assert entries[0].crm_id == role.crm_id and entries[0].payload == {"ContactId": survivor.crm_id}


def test_nothing_is_queued_when_no_crm_is_configured(acme, settings):
    settings.SALESFORCE_MODE = "off"
    contact(acme, age_days=10), contact(acme, age_days=1)

    contacts_deduplicate()

    assert Contact.objects.count() == 1 and not OutboxEntry.objects.exists()


def test_running_twice_changes_nothing_the_second_time(acme):
    contact(acme, age_days=10), contact(acme, age_days=1)
    contacts_deduplicate()

    report = contacts_deduplicate()

    assert report.contacts_deleted == 0 and Contact.objects.count() == 1


def test_statement_count_does_not_grow_with_duplicates(acme, django_assert_max_num_queries):
    for n in range(30):
        contact(acme, email=f"p{n}@acme.com", age_days=10)
        ParticipantFactory(contact=contact(acme, email=f"p{n}@acme.com", age_days=1))

    with django_assert_max_num_queries(40):
        report = contacts_deduplicate()

    assert report.contacts_deleted == 30


def test_the_decision_log_keeps_the_id_of_a_merged_duplicate(acme, client):
    # Every decision stays traceable: the duplicate's own decisions still name it after the merge.
    from django.urls import reverse

    from contacts.tests.factories import ContactDecisionFactory
    from users.tests.factories import UserFactory

    survivor = contact(acme, age_days=10)
    duplicate = contact(acme, age_days=1)
    created = ContactDecisionFactory(
        contact=duplicate, email="jane@acme.com", message="Created Jane from a meeting"
    )

    contacts_deduplicate()

    created.refresh_from_db()
    assert alive(survivor, duplicate) == {survivor.pk} and created.contact_id == duplicate.pk
    client.force_login(UserFactory(username="ops", is_staff=True))
    page = client.get(reverse("contacts:why"), {"email": "jane@acme.com"}).content.decode()
    assert "Created Jane from a meeting" in page and f"(contact #{duplicate.pk}, since deleted)" in page
    assert reverse("admin:contacts_contact_change", args=[survivor.pk]) in page
    assert reverse("admin:contacts_contact_change", args=[duplicate.pk]) not in page


def test_duplicate_with_people_metrics_roles_decisions_and_activities_merges(acme):
    # Issue 14: the people metrics of a summary refresh point at the duplicate through a hidden
    # relation (`related_name="+"`); the merge must re-point them, not trip over them.
    from activities.tests.factories import ActivityFactory, ActivityOpportunityFactory
    from contacts.tests.factories import ContactDecisionFactory
    from insights.models import PersonEngagement
    from insights.services.summaries import summaries_refresh

    manual = contact(acme, by_backstory=False, age_days=1)  # the rep made it by hand
    duplicate = contact(acme, age_days=10)  # Backstory made it from an email
    opportunity = OpportunityFactory(account=acme)
    for kind in ("email", "meeting"):
        activity = ActivityFactory(account=acme, kind=kind, duration_minutes=30)
        ActivityOpportunityFactory(activity=activity, opportunity=opportunity)
        ParticipantFactory(activity=activity, contact=duplicate, email=duplicate.email)
    role = OpportunityContactRoleFactory(
        opportunity=opportunity, contact=duplicate, created_by_backstory=True
    )
    created = ContactDecisionFactory(contact=duplicate, email=duplicate.email, message="Created Jane")
    summaries_refresh(account_ids=[acme.pk], opportunity_ids=[opportunity.pk])
    assert PersonEngagement.objects.filter(contact=duplicate).count() == 2

    report = contacts_deduplicate()

    assert alive(manual, duplicate) == {manual.pk} and report.contacts_deleted == 1
    assert PersonEngagement.objects.filter(contact=manual).count() == 2
    role.refresh_from_db()
    created.refresh_from_db()
    assert role.contact == manual and created.contact_id == duplicate.pk
    assert set(Participant.objects.values_list("contact", flat=True)) == {manual.pk}


def test_one_pair_that_cannot_merge_is_reported_and_the_others_merge(acme):
    # A table Django does not know about (another integration's) refuses the deletion of one
    # duplicate: that pair is reported and rolled back, every other pair merges.
    from django.db import connection

    blocked_survivor, blocked = contact(acme, age_days=10), contact(acme, age_days=1)
    free_survivor = contact(acme, email="sam@acme.com", age_days=10)
    free = contact(acme, email="sam@acme.com", age_days=1)
    ParticipantFactory(contact=blocked)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE dedup_external_ref (contact_id bigint NOT NULL REFERENCES contacts_contact (id))"
        )
        cursor.execute("INSERT INTO dedup_external_ref (contact_id) VALUES (%s)", [blocked.pk])

    report = contacts_deduplicate()

    assert alive(blocked_survivor, blocked, free_survivor, free) == {
        blocked_survivor.pk,
        blocked.pk,
        free_survivor.pk,
    }
    assert report.contacts_deleted == 1
    assert [(f["survivor_id"], f["duplicate_ids"]) for f in report.failures] == [
        (blocked_survivor.pk, [blocked.pk])
    ]
    assert "dedup_external_ref" in report.failures[0]["error"] or "FOREIGN KEY" in report.failures[0]["error"]
    assert Participant.objects.get().contact_id == blocked.pk  # rolled back with its pair
    assert not OutboxEntry.objects.filter(record_id=blocked.pk, object_name="Contact").exists()
