"""Activity sync: a captured email becomes a Salesforce Task, a meeting an Event, on the contact
(or lead) and the opportunity (or account) it was matched to, once, and goes away when an admin
removes the activity from sync. Read back with simple-salesforce from the stand-in.

Seed: "New contacts sync to Salesforce at the same time as activities"; "contact creation is
independent of activity sync ... even if your organization does not sync all activity types".
"""

import datetime as dt
import threading
import time

import pytest
from django.urls import reverse

from accounts.models import Account
from activities.models import Activity
from activities.parsing.results import ParsedActivity, ParsedParticipant
from activities.services import activities_ingest
from activities.services.engagement_log import (
    activity_match_automatically,
    activity_match_manually,
    activity_remove_from_sync,
)
from contacts.models import ConfigurationProfile, Contact
from contacts.services.engine import contact_engine_process_activities
from crm.models import OutboxEntry
from crm.push import outbox_drain
from crm.sync import salesforce_pull
from opportunities.models import NextStep, Opportunity
from tests.admin_forms import admin_change_form_data
from users.models import User

pytestmark = pytest.mark.django_db


def person(email, role, first, last):
    return ParsedParticipant(email, role, f"{first} {last}", first, last)


PRIYA = person("priya.raman@lumen-analytics.com", "from", "Priya", "Raman")


def email(now, *, source_id="sync-1@lumen-analytics.com", kind="email", **extra):
    """Priya writes to Rita (a contact role on the Acme renewal) and Olivia, whom Salesforce does not know."""
    return ParsedActivity(
        kind=kind,
        source_id=source_id,
        subject="Renewal: next steps",
        body="Sharing the redlines.",
        occurred_at=now - dt.timedelta(hours=3),
        participants=(
            PRIYA,
            person("rita.moreno@acme.com", "to", "Rita", "Moreno"),
            person("olivia.park@acme.com", "cc", "Olivia", "Park"),
        ),
        **extra,
    )


def capture(org, captureOnCommit, items):
    with captureOnCommit(execute=True):
        activities_ingest(items=items, source="api")
    for _ in range(5):
        if not OutboxEntry.objects.filter(status=OutboxEntry.Status.PENDING).exists():
            break
        outbox_drain()
        org.advance(minutes=5)


def synced(org, object_name):
    """The Backstory-made Tasks or Events, as the real client reads them."""
    return org.sf.query_all(
        f"SELECT Id, Subject, WhoId, WhatId, Description, Created_By_Backstory__c, Backstory_Id__c, "
        f"{'ActivityDate, Status' if object_name == 'Task' else 'StartDateTime, EndDateTime'} "
        f"FROM {object_name} WHERE Created_By_Backstory__c = true"
    )["records"]


@pytest.fixture
def pulled(org, backstory):
    salesforce_pull()
    org.advance(minutes=3)
    salesforce_pull()
    return org


def test_captured_email_becomes_one_task_on_the_contact_and_opportunity(
    pulled, django_capture_on_commit_callbacks
):
    org = pulled
    capture(org, django_capture_on_commit_callbacks, [email(org.clock.now)])
    tasks = synced(org, "Task")
    assert len(tasks) == 1
    task = tasks[0]
    activity = Activity.objects.get(source_id="sync-1@lumen-analytics.com")
    rita = Contact.objects.get(email="rita.moreno@acme.com")
    assert task["Subject"] == "Renewal: next steps"
    assert task["WhoId"][:15] == rita.crm_id[:15]
    assert task["WhatId"][:15] == org.ref("acme_renewal")[:15]
    assert task["Status"] == "Completed"
    assert task["ActivityDate"] == activity.occurred_at.date().isoformat()
    assert task["Description"].endswith(f"/activities/log/{activity.pk}/")
    assert activity.crm_id and activity.crm_id[:15] == task["Id"][:15]
    # Olivia was created as a contact at the same time.
    assert org.rows("Contact", Email="olivia.park@acme.com")

    # A closed Task: the next pull does not take it for a next step.
    salesforce_pull()
    assert not NextStep.objects.filter(crm_id__startswith=task["Id"][:15]).exists()

    # Pushed again (the engine re-run, as after a re-match): still one Task.
    with django_capture_on_commit_callbacks(execute=True):
        contact_engine_process_activities(activity_ids=[activity.pk])
    outbox_drain()
    assert len(synced(org, "Task")) == 1


def test_task_waits_for_the_contact_backstory_creates(pulled, django_capture_on_commit_callbacks):
    """An email to someone Salesforce does not know: the Task points at the new contact, never at no one."""
    org = pulled
    now = org.clock.now
    only_new = ParsedActivity(
        kind="email",
        source_id="new-person@lumen-analytics.com",
        subject="Intro",
        body="Hello Olivia.",
        occurred_at=now - dt.timedelta(hours=2),
        participants=(PRIYA, person("olivia.park@acme.com", "to", "Olivia", "Park")),
    )
    capture(org, django_capture_on_commit_callbacks, [only_new])
    olivia = Contact.objects.get(email="olivia.park@acme.com")
    tasks = synced(org, "Task")
    assert [t["WhoId"][:15] for t in tasks] == [olivia.crm_id[:15]]
    assert tasks[0]["WhatId"][:15] in (org.ref("acme")[:15], org.ref("acme_renewal")[:15])


def test_meeting_becomes_an_event(pulled, django_capture_on_commit_callbacks):
    org = pulled
    capture(
        org,
        django_capture_on_commit_callbacks,
        [email(org.clock.now, source_id="meeting-1@cal", kind="meeting", duration_minutes=45)],
    )
    assert synced(org, "Task") == []
    events = synced(org, "Event")
    assert len(events) == 1
    activity = Activity.objects.get(source_id="meeting-1@cal")
    start = dt.datetime.fromisoformat(events[0]["StartDateTime"].replace("+0000", "+00:00"))
    end = dt.datetime.fromisoformat(events[0]["EndDateTime"].replace("+0000", "+00:00"))
    assert start == activity.occurred_at and end - start == dt.timedelta(minutes=45)
    assert events[0]["WhatId"][:15] == org.ref("acme_renewal")[:15]


def test_profile_not_syncing_emails_writes_no_task_but_still_creates_the_contact(
    pulled, django_capture_on_commit_callbacks
):
    org = pulled
    ConfigurationProfile.objects.update(sync_emails=False)
    capture(org, django_capture_on_commit_callbacks, [email(org.clock.now)])
    assert synced(org, "Task") == []
    assert len(org.rows("Contact", Email="olivia.park@acme.com")) == 1


def test_private_activity_is_not_synced(pulled, django_capture_on_commit_callbacks):
    org = pulled
    capture(org, django_capture_on_commit_callbacks, [email(org.clock.now, is_private=True)])
    assert synced(org, "Task") == []


def test_removed_from_sync_deletes_the_task(pulled, django_capture_on_commit_callbacks):
    org = pulled
    capture(org, django_capture_on_commit_callbacks, [email(org.clock.now)])
    assert len(synced(org, "Task")) == 1
    admin = User.objects.create(username="ada", email="ada@lumen-analytics.com", is_staff=True)
    activity = Activity.objects.get(source_id="sync-1@lumen-analytics.com")
    with django_capture_on_commit_callbacks(execute=True):
        activity_remove_from_sync(activity=activity, user=admin)
    outbox_drain()
    assert synced(org, "Task") == []
    assert not OutboxEntry.objects.exclude(status=OutboxEntry.Status.DONE).exists()


def test_with_salesforce_off_nothing_is_queued(backstory, settings, django_capture_on_commit_callbacks):
    settings.SALESFORCE_MODE = "off"
    now = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        activities_ingest(items=[email(now)], source="api")
    assert Activity.objects.count() == 1
    assert not OutboxEntry.objects.exists()


# --- Edit Match and re-matching: the Task follows the activity's match -------------------------


def match_by_hand(org, on_commit, activity, *, account=None, opportunities=()):
    """Edit Match from the Engagement Log, then the push, as a person's change reaches Salesforce."""
    admin, _ = User.objects.get_or_create(
        username="ada", defaults={"email": "ada@lumen-analytics.com", "is_staff": True}
    )
    with on_commit(execute=True):
        activity_match_manually(activity=activity, user=admin, account=account, opportunities=opportunities)
    for _ in range(3):
        outbox_drain()
        org.advance(minutes=5)


def test_edit_match_to_no_account_deletes_the_task(pulled, django_capture_on_commit_callbacks):
    org = pulled
    capture(org, django_capture_on_commit_callbacks, [email(org.clock.now)])
    assert len(synced(org, "Task")) == 1
    activity = Activity.objects.get(source_id="sync-1@lumen-analytics.com")

    match_by_hand(org, django_capture_on_commit_callbacks, activity, account=None)

    assert synced(org, "Task") == []
    assert not OutboxEntry.objects.exclude(status=OutboxEntry.Status.DONE).exists()
    # Running the engine again over the unmatched activity queues nothing more.
    before = OutboxEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        contact_engine_process_activities(activity_ids=[activity.pk])
    assert OutboxEntry.objects.count() == before


def test_rematched_activity_gets_its_task_back_once(pulled, django_capture_on_commit_callbacks):
    """Unmatched by hand, then matched by the rules again: one Task again, never two."""
    org = pulled
    capture(org, django_capture_on_commit_callbacks, [email(org.clock.now)])
    activity = Activity.objects.get(source_id="sync-1@lumen-analytics.com")
    match_by_hand(org, django_capture_on_commit_callbacks, activity, account=None)
    assert synced(org, "Task") == []

    admin = User.objects.get(username="ada")
    with django_capture_on_commit_callbacks(execute=True):
        activity_match_automatically(activity=activity, user=admin)
    for _ in range(3):
        outbox_drain()
        org.advance(minutes=5)

    tasks = synced(org, "Task")
    assert len(tasks) == 1
    assert tasks[0]["WhatId"][:15] == org.ref("acme_renewal")[:15]
    activity.refresh_from_db()
    assert activity.crm_id[:15] == tasks[0]["Id"][:15]


def test_edit_match_to_another_account_moves_the_task(pulled, django_capture_on_commit_callbacks):
    org = pulled
    capture(org, django_capture_on_commit_callbacks, [email(org.clock.now)])
    activity = Activity.objects.get(source_id="sync-1@lumen-analytics.com")
    globex = Account.objects.get(name="Globex Industries")
    deal = Opportunity.objects.get(name="Globex - Enterprise Analytics")

    match_by_hand(org, django_capture_on_commit_callbacks, activity, account=globex, opportunities=[deal])

    tasks = synced(org, "Task")
    assert len(tasks) == 1
    assert tasks[0]["WhatId"][:15] == deal.crm_id[:15]
    assert not OutboxEntry.objects.exclude(status=OutboxEntry.Status.DONE).exists()


def test_profile_that_stops_syncing_calls_leaves_the_tasks_already_there(
    pulled, django_capture_on_commit_callbacks
):
    """Decision (the seed is silent): turning a type's sync off stops new pushes and updates; the
    Tasks already in Salesforce stay, as a record of what happened."""
    org = pulled
    capture(org, django_capture_on_commit_callbacks, [email(org.clock.now, kind="call", source_id="call-1")])
    assert len(synced(org, "Task")) == 1
    ConfigurationProfile.objects.update(sync_calls=False)
    activity = Activity.objects.get(source_id="call-1")
    match_by_hand(org, django_capture_on_commit_callbacks, activity, account=None)
    assert len(synced(org, "Task")) == 1


def test_activity_deleted_in_the_admin_takes_its_event_with_it(
    pulled, client, django_capture_on_commit_callbacks
):
    org = pulled
    capture(
        org,
        django_capture_on_commit_callbacks,
        [email(org.clock.now, source_id="meeting-2@cal", kind="meeting", duration_minutes=30)],
    )
    assert len(synced(org, "Event")) == 1
    activity = Activity.objects.get(source_id="meeting-2@cal")
    admin = User.objects.create_superuser("root", "root@lumen-analytics.com", "x")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:activities_activity_changelist"),
            {"action": "delete_selected", "_selected_action": [activity.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
    outbox_drain()
    assert synced(org, "Event") == []
    assert not OutboxEntry.objects.exclude(status=OutboxEntry.Status.DONE).exists()


def test_activity_made_private_in_the_admin_takes_its_task_out_of_salesforce(
    pulled, client, django_capture_on_commit_callbacks
):
    """A private activity is never in Salesforce, however it became private: here an admin ticks
    "private" on the activity's change form after its Task was pushed."""
    org = pulled
    capture(org, django_capture_on_commit_callbacks, [email(org.clock.now)])
    assert len(synced(org, "Task")) == 1
    activity = Activity.objects.get(source_id="sync-1@lumen-analytics.com")
    admin = User.objects.create_superuser("root", "root@lumen-analytics.com", "x")
    client.force_login(admin)
    change = reverse("admin:activities_activity_change", args=[activity.pk])
    data = admin_change_form_data(client.get(change))
    data["is_private"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(change, data)
    assert saved.status_code == 302
    outbox_drain()
    assert synced(org, "Task") == []


def test_call_task_carries_its_duration_and_direction(pulled, django_capture_on_commit_callbacks):
    org = pulled
    capture(
        org,
        django_capture_on_commit_callbacks,
        [email(org.clock.now, kind="call", source_id="call-2", duration_minutes=12)],
    )
    [task] = org.sf.query_all(
        "SELECT Id, Type, TaskSubtype, CallType, CallDurationInSeconds, Status, Priority, ActivityDate "
        "FROM Task WHERE Created_By_Backstory__c = true"
    )["records"]
    assert (task["Type"], task["TaskSubtype"], task["CallType"]) == ("Call", "Call", "Outbound")
    assert task["CallDurationInSeconds"] == 12 * 60
    assert (task["Status"], task["Priority"]) == ("Completed", "Normal")

    # Re-matched to another deal: the same Task is updated (its subtype is set on create only).
    activity = Activity.objects.get(source_id="call-2")
    deal = Opportunity.objects.get(name="Globex - Enterprise Analytics")
    match_by_hand(
        org, django_capture_on_commit_callbacks, activity, account=deal.account, opportunities=[deal]
    )
    [moved] = org.sf.query_all(
        "SELECT Id, WhatId, TaskSubtype, CallDurationInSeconds FROM Task WHERE Created_By_Backstory__c = true"
    )["records"]
    assert moved["Id"] == task["Id"] and moved["WhatId"][:15] == deal.crm_id[:15]
    assert (moved["TaskSubtype"], moved["CallDurationInSeconds"]) == ("Call", 720)
    assert not OutboxEntry.objects.exclude(status=OutboxEntry.Status.DONE).exists()


def test_email_task_is_an_email_subtype(pulled, django_capture_on_commit_callbacks):
    org = pulled
    capture(org, django_capture_on_commit_callbacks, [email(org.clock.now)])
    [task] = org.sf.query_all(
        "SELECT TaskSubtype, CallDurationInSeconds, CallType FROM Task WHERE Created_By_Backstory__c = true"
    )["records"]
    assert (task["TaskSubtype"], task["CallDurationInSeconds"], task["CallType"]) == ("Email", None, None)


def test_meeting_event_duration_and_date(pulled, django_capture_on_commit_callbacks):
    org = pulled
    capture(
        org,
        django_capture_on_commit_callbacks,
        [email(org.clock.now, source_id="meeting-3@cal", kind="meeting", duration_minutes=50)],
    )
    activity = Activity.objects.get(source_id="meeting-3@cal")
    [event] = org.sf.query_all(
        "SELECT DurationInMinutes, ActivityDate, IsAllDayEvent FROM Event WHERE Created_By_Backstory__c = true"
    )["records"]
    assert event["DurationInMinutes"] == 50
    assert event["ActivityDate"] == activity.occurred_at.date().isoformat()
    assert event["IsAllDayEvent"] is False


def test_cancelled_meeting_takes_its_event_out(pulled, django_capture_on_commit_callbacks):
    """The calendar cancels a meeting (calendar sync marks it and hands it to the contact engine)."""
    org = pulled
    capture(
        org,
        django_capture_on_commit_callbacks,
        [email(org.clock.now, source_id="meeting-4@cal", kind="meeting", duration_minutes=30)],
    )
    assert len(synced(org, "Event")) == 1
    activity = Activity.objects.get(source_id="meeting-4@cal")
    Activity.objects.filter(pk=activity.pk).update(is_cancelled=True)
    with django_capture_on_commit_callbacks(execute=True):
        contact_engine_process_activities(activity_ids=[activity.pk])
    outbox_drain()
    assert synced(org, "Event") == []


@pytest.mark.django_db(transaction=True)
def test_edit_match_while_its_task_is_being_created_leaves_no_task_and_no_stale_id(
    pulled, django_capture_on_commit_callbacks
):
    """Unmatched by hand while the drain is creating its Task: the Task is deleted once it exists,
    and the activity does not keep the id of a Task that is gone."""
    org = pulled
    # Everything but the Task goes first, so that the Task alone is in flight below.
    held = org.faults.add("SERVER_ERROR", path="Task")
    capture(org, django_capture_on_commit_callbacks, [email(org.clock.now)])
    activity = Activity.objects.get(source_id="sync-1@lumen-analytics.com")
    pending = OutboxEntry.objects.filter(status=OutboxEntry.Status.PENDING)
    assert list(pending.values_list("object_name", flat=True)) == ["Task"]
    org.faults.remove(held)
    org.advance(minutes=60)
    slow = org.faults.add("SLOW", path="Task", delay=1.0, times=1)
    drain = threading.Thread(target=outbox_drain)
    drain.start()
    deadline = time.monotonic() + 10
    while not slow.fired and time.monotonic() < deadline:
        time.sleep(0.01)
    assert slow.fired, "the drain never sent the Task"

    admin = User.objects.create(username="ada", email="ada@lumen-analytics.com", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):  # while the Task is in flight
        activity_match_manually(activity=activity, user=admin, account=None, opportunities=())
    drain.join()
    for _ in range(3):
        outbox_drain()
        org.advance(minutes=5)

    assert synced(org, "Task") == []
    activity.refresh_from_db()
    assert activity.crm_id is None
    assert not OutboxEntry.objects.exclude(status=OutboxEntry.Status.DONE).exists()
