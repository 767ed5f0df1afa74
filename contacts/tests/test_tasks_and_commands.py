"""Celery tasks (names, queue, beat schedule) and the command-line entry points."""

import io

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command

from backstory.celery import app
from contacts import tasks
from contacts.models import Contact, ContactDecision
from contacts.tests.conftest import WHEN, jane
from contacts.tests.factories import ContactFactory
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_tasks_have_stable_names_and_the_contacts_queue():
    assert tasks.process_activities.name == "contacts.process_activities"
    assert tasks.deduplicate.name == "contacts.deduplicate"
    assert tasks.process_activities.queue == tasks.deduplicate.queue == "contacts"


def test_daily_deduplication_is_on_beat():
    entry = app.conf.beat_schedule["contacts-daily-deduplication"]
    assert entry["task"] == "contacts.deduplicate" and entry["options"] == {"queue": "contacts"}
    assert entry["schedule"] == crontab(hour=3, minute=15)


def test_process_task_runs_the_engine_and_is_idempotent(email_with, account):
    activity = email_with(jane())

    first = tasks.process_activities.delay([activity.pk]).get()
    second = tasks.process_activities.delay([activity.pk]).get()

    assert (first["contacts_created"], second["contacts_created"]) == (1, 0)
    assert second["decisions_recorded"] == 0 and Contact.objects.count() == 1


def test_process_task_refuses_unbounded_batches():
    with pytest.raises(ValueError):
        tasks.process_activities.run(list(range(tasks.MAX_ACTIVITIES_PER_TASK + 1)))


def test_enqueue_splits_into_bounded_tasks(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.process_activities, "delay", lambda ids: sent.append(ids))
    monkeypatch.setattr(tasks, "MAX_ACTIVITIES_PER_TASK", 2)

    tasks.enqueue_process_activities([1, 2, 3, 3, 4, 5])

    assert sent == [[1, 2], [3, 4], [5]]


def test_deduplicate_task(account):
    ContactFactory(account=account, email="dup@acme.com", by_backstory=True)
    ContactFactory(account=account, email="dup@acme.com", by_backstory=True)

    result = tasks.deduplicate.delay().get()

    assert result["contacts_deleted"] == 1 and Contact.objects.count() == 1


def test_preview_prints_what_would_happen_and_changes_nothing(email_with, account, profile):
    profile.contact_creation_enabled = profile.ocr_enabled = False
    profile.first_ocr_enabled = True
    profile.save()
    OpportunityFactory(account=account, name="Acme - Platform")
    email_with(jane())
    out = io.StringIO()

    call_command("preview_contact_creation", "--profile", "Sales", stdout=out)

    text = out.getvalue()
    assert "as if contact creation and contact role creation were on" in text
    assert "Would create 1 contacts" in text and "Created Jane Doe (jane.doe@acme.com) on Acme" in text
    assert "Would add 1 contact roles" in text and "Acme - Platform" in text
    assert not Contact.objects.exists() and not ContactDecision.objects.exists()


def test_preview_since_leaves_older_activities_out(email_with, account):
    email_with(jane())
    out = io.StringIO()

    call_command(
        "preview_contact_creation",
        "--profile",
        "Sales",
        "--since",
        (WHEN.date().replace(year=2027)).isoformat(),
        stdout=out,
    )

    assert "over 0 activities since 2027-11-20" in out.getvalue()


def test_preview_covers_only_the_profiles_users(email_with, account, rep):
    from contacts.tests.factories import ConfigurationProfileFactory

    ConfigurationProfileFactory(name="Other")
    email_with(jane())
    out = io.StringIO()

    call_command("preview_contact_creation", "--profile", "Other", stdout=out)

    assert "over 0 activities" in out.getvalue()


def test_preview_names_the_profiles_when_one_is_unknown(profile):
    with pytest.raises(CommandError, match="Sales"):
        call_command("preview_contact_creation", "--profile", "Nope")


def test_deduplicate_command(account):
    ContactFactory(account=account, email="dup@acme.com", by_backstory=True)
    ContactFactory(account=account, email="dup@acme.com", by_backstory=True)
    out = io.StringIO()

    call_command("deduplicate_contacts", stdout=out)

    assert "contacts deleted" in out.getvalue() and Contact.objects.count() == 1


def test_benchmark_runs_small_and_rolls_back(email_with, account):
    for n in range(3):
        email_with(jane(email=f"p{n}@acme.com", first_name=f"P{n}"))
    ContactFactory(account=account, email="known@acme.com")
    out = io.StringIO()

    call_command("benchmark_contact_engine", "--activities", "3", "--contacts", "10", stdout=out)

    text = out.getvalue()
    assert "contact engine:" in text and "de-duplication:" in text and "Rolled back" in text
    assert "contacts deleted" in text
    assert Contact.objects.count() == 1 and not ContactDecision.objects.exists()


def test_benchmark_can_mix_duplicates_with_unique_contacts(account):
    ContactFactory(account=account, email="known@acme.com")
    out = io.StringIO()

    call_command(
        "benchmark_contact_engine", "--skip-engine", "--contacts", "11", "--duplicates", "4", stdout=out
    )

    text = out.getvalue()
    assert "10 generated, 4 of them duplicates" in text and "contact engine:" not in text
    assert "contacts deleted                4" in text
