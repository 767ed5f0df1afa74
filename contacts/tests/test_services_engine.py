"""The engine as capture calls it: batches, idempotency, one bad activity, the report, the preview."""

import datetime as dt

import pytest

from activities.models import Activity, Participant
from contacts.models import Contact, ContactDecision
from contacts.services import contact_engine_process_activities
from contacts.services import engine as engine_module
from contacts.tests.conftest import WHEN, jane
from contacts.tests.factories import ConfigurationProfileFactory, LeadFactory
from crm.models import OutboxEntry
from opportunities.models import OpportunityContactRole
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def person(n):
    return jane(email=f"person{n}@acme.com", first_name=f"Person{n}", last_name="Buyer")


def test_report_counts_what_happened(email_with, account, profile):
    profile.first_ocr_enabled = True
    profile.save()
    OpportunityFactory(account=account)
    LeadFactory(email="lead@acme.com")
    activity = email_with(jane(), {"email": "lead@acme.com", "first_name": "Lee", "last_name": "Lead"})

    report = contact_engine_process_activities(activity_ids=[activity.pk])

    assert report.as_dict() == {
        "activities": 1,
        "contacts_created": 1,
        "contacts_enriched": 0,
        "roles_created": 1,
        "participants_linked": 1,
        "leads_matched": 1,
        "decisions_recorded": 3,
        "errors": 0,
    }
    assert report.reasons == {
        "contact_created:created": 1,
        "lead_matched:lead_exists": 1,
        "ocr_created:created": 1,
    }


def test_every_decision_names_its_activity_and_participant(email_with, account):
    activity = email_with(jane(), jane(email="noreply@acme.com"), jane(email="jane@gmail.com"))

    contact_engine_process_activities(activity_ids=[activity.pk])

    decisions = ContactDecision.objects.filter(activity=activity)
    assert set(decisions.values_list("reason", flat=True)) == {
        "created",
        "role_address",
        "free_mail",
        "no_open_opportunity",
    }
    assert all(d.participant and d.participant.activity_id == activity.pk for d in decisions)
    assert all(d.message and d.reason and d.rule for d in decisions)


def test_running_twice_changes_nothing_the_second_time(email_with, account, profile):
    profile.first_ocr_enabled = True
    profile.save()
    OpportunityFactory(account=account)
    activities = [email_with(jane()), email_with(jane(email="bad@acme"), jane(email="x@acmepartners.com"))]
    ids = [a.pk for a in activities]
    contact_engine_process_activities(activity_ids=ids)
    counts = (
        Contact.objects.count(),
        ContactDecision.objects.count(),
        OutboxEntry.objects.count(),
        OpportunityContactRole.objects.count(),
    )

    report = contact_engine_process_activities(activity_ids=ids)

    assert (
        Contact.objects.count(),
        ContactDecision.objects.count(),
        OutboxEntry.objects.count(),
        OpportunityContactRole.objects.count(),
    ) == counts
    assert report.decisions_recorded == 0


def test_a_new_outcome_on_a_rerun_is_recorded(email_with, profile, rep):
    """Domain not on an account, then the account arrives: the rerun creates and says so."""
    from accounts.tests.factories import AccountFactory

    activity = email_with(jane())
    contact_engine_process_activities(activity_ids=[activity.pk])
    AccountFactory(name="Acme", domain="acme.com", owner=rep)

    contact_engine_process_activities(activity_ids=[activity.pk])

    reasons = list(
        ContactDecision.objects.filter(activity=activity).order_by("id").values_list("reason", flat=True)
    )
    assert reasons == ["domain_not_on_account", "created", "no_open_opportunity"]


def test_one_bad_activity_does_not_fail_the_batch(email_with, account, monkeypatch):
    good, bad = email_with(person(1)), email_with(person(2))
    original = engine_module.creation_decide

    def explode_on_bad(**kwargs):
        if kwargs["activity"].pk == bad.pk:
            raise RuntimeError("boom")
        return original(**kwargs)

    monkeypatch.setattr(engine_module, "creation_decide", explode_on_bad)

    report = contact_engine_process_activities(activity_ids=[good.pk, bad.pk])

    assert Contact.objects.filter(email="person1@acme.com").exists()
    assert not Contact.objects.filter(email="person2@acme.com").exists()
    assert report.errors == [f"activity {bad.pk}: RuntimeError: boom"]


def test_a_failure_after_a_write_undoes_that_activity_only(email_with, account, monkeypatch):
    """The bad activity created Jane, then failed: Jane, her decision and her outbox row go; the
    next activity about Jane in the same batch creates her as if nothing happened."""
    bad = email_with(jane(), when=WHEN)
    later = email_with(jane(), when=WHEN + dt.timedelta(hours=1))
    other = email_with(person(3), when=WHEN + dt.timedelta(hours=2))
    original = engine_module.roles_for_activity

    def explode_on_bad(**kwargs):
        if kwargs["activity"].pk == bad.pk:
            raise RuntimeError("role step failed")
        return original(**kwargs)

    monkeypatch.setattr(engine_module, "roles_for_activity", explode_on_bad)

    report = contact_engine_process_activities(activity_ids=[bad.pk, later.pk, other.pk])

    jane_contact = Contact.objects.get(email="jane.doe@acme.com")
    assert ContactDecision.objects.get(email="jane.doe@acme.com", action="contact_created").activity == later
    assert not ContactDecision.objects.filter(activity=bad).exists()
    assert Participant.objects.get(activity=bad, email="jane.doe@acme.com").contact is None
    assert Participant.objects.get(activity=later, email="jane.doe@acme.com").contact == jane_contact
    upserts = OutboxEntry.objects.filter(object_name="Contact", operation="upsert")
    assert sorted(upserts.values_list("record_id", flat=True)) == sorted(
        Contact.objects.values_list("pk", flat=True)
    )
    assert report.errors == [f"activity {bad.pk}: RuntimeError: role step failed"]


def test_activities_removed_from_sync_are_left_out(email_with, account, rep):
    activity = email_with(jane())
    Activity.objects.filter(pk=activity.pk).update(removed_from_sync_at=WHEN, removed_by=rep)

    report = contact_engine_process_activities(activity_ids=[activity.pk])

    assert report.activities == 0 and not Contact.objects.exists()


def test_unknown_ids_and_empty_lists_are_fine(db):
    assert contact_engine_process_activities(activity_ids=[]).activities == 0
    assert contact_engine_process_activities(activity_ids=[987654]).activities == 0


def test_activity_without_owner_or_people(email_with, account):
    bare = email_with(owner=None)
    anonymous = email_with(jane(), owner=None)

    report = contact_engine_process_activities(activity_ids=[bare.pk, anonymous.pk])

    assert not report.errors
    assert ContactDecision.objects.get(activity=anonymous).reason == "user_not_on_account_team"


def test_queries_do_not_grow_with_the_batch(email_with, account, django_assert_max_num_queries):
    """Per batch: a fixed number of reads, one insert of skip decisions, one update of links."""
    activities = [email_with(jane(email=f"p{n}@acmepartners.com")) for n in range(40)]

    with django_assert_max_num_queries(30):
        report = contact_engine_process_activities(activity_ids=[a.pk for a in activities])

    assert report.decisions_recorded == 40


def test_batches_split_the_work(email_with, account):
    activities = [email_with(person(n), when=WHEN + dt.timedelta(minutes=n)) for n in range(7)]

    report = contact_engine_process_activities(activity_ids=[a.pk for a in activities], batch_size=3)

    assert report.activities == 7 and len(report.contacts_created) == 7


def test_preview_changes_nothing_and_lists_what_would_happen(email_with, account, profile):
    profile.contact_creation_enabled = False
    profile.save()
    activity = email_with(jane())

    report = contact_engine_process_activities(activity_ids=[activity.pk], profile=profile, preview=True)

    assert [d.action for d in report.decisions] == ["contact_created", "ocr_skipped"]
    assert "Created Jane Doe" in report.decisions[0].message
    assert (
        not Contact.objects.exists()
        and not ContactDecision.objects.exists()
        and not OutboxEntry.objects.exists()
    )
    assert Participant.objects.get(email="jane.doe@acme.com").contact is None


def test_profile_argument_applies_one_profile_to_every_activity(email_with, account):
    careful = ConfigurationProfileFactory(name="Careful", contact_creation_enabled=False)
    activity = email_with(jane())

    contact_engine_process_activities(activity_ids=[activity.pk], profile=careful)

    assert ContactDecision.objects.get(activity=activity).reason == "profile_off"
