"""Edit Match and remove-from-sync, as services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Account
from accounts.tests.factories import AccountFactory
from activities.models import Activity, ActivityOpportunity
from activities.services import (
    activities_ingest,
    activity_match_automatically,
    activity_match_manually,
    activity_remove_from_sync,
)
from activities.tests.factories import ParticipantFactory, parsed_item
from contacts.models import Contact, ContactDecision
from contacts.tests.factories import ContactDecisionFactory, ContactFactory
from crm.models import OutboxEntry
from opportunities.models import OpportunityContactRole
from opportunities.tests.factories import OpportunityContactRoleFactory, OpportunityFactory
from users.tests.factories import UserFactory


def capture(source_id="call-1", **kwargs):
    report = activities_ingest(
        items=[parsed_item(source_id=source_id, **kwargs)], source="api", hand_off=False
    )
    return Activity.objects.get(pk=report.created_ids[0])


def test_manual_match_to_another_account_and_opportunities(org):
    globex = AccountFactory(name="Globex", domain="globex.com")
    deal = OpportunityFactory(account=globex, name="Globex Deal")
    activity = capture()
    activity = activity_match_manually(activity=activity, user=org.dana, account=globex, opportunities=[deal])
    assert activity.account == globex
    assert activity.account_match == Activity.AccountMatch.MANUAL
    assert activity.opportunity_match == Activity.OpportunityMatch.MANUAL
    assert activity.is_manually_matched
    assert [(link.opportunity, link.match) for link in activity.opportunity_links.all()] == [(deal, "manual")]
    assert "Matched by hand to Globex and “Globex Deal” by Dana Rivera" in activity.match_explanation


def test_manual_match_refuses_an_opportunity_of_another_account(org):
    globex = AccountFactory(name="Globex", domain="globex.com")
    activity = capture()
    with pytest.raises(ValidationError, match="Acme Pilot is not on Globex"):
        activity_match_manually(activity=activity, user=org.dana, account=globex, opportunities=[org.pilot])
    activity.refresh_from_db()
    assert activity.account == org.acme and not activity.is_manually_matched


def test_manual_match_to_no_account(org):
    activity = capture()
    activity = activity_match_manually(activity=activity, user=org.dana, account=None)
    assert activity.account is None and activity.is_manually_matched
    assert not ActivityOpportunity.objects.filter(activity=activity).exists()
    with pytest.raises(ValidationError):
        activity_match_manually(activity=activity, user=org.dana, account=None, opportunities=[org.pilot])


def test_someone_who_cannot_see_a_private_activity_cannot_rematch_it(org):
    activity = capture(private=True)
    with pytest.raises(PermissionDenied):
        activity_match_manually(activity=activity, user=org.chris, account=None)


def test_match_automatically_again_undoes_a_manual_match(org):
    activity = capture()
    activity_match_manually(activity=activity, user=org.dana, account=None)
    activity = activity_match_automatically(activity=activity, user=org.dana)
    assert not activity.is_manually_matched
    assert activity.account == org.acme and activity.account_match == Activity.AccountMatch.CONTACT


@pytest.fixture
def created_from_activity(org):
    """What the contact engine created from one activity: a contact, and a contact role for Jane."""
    activity = capture(
        participants=[
            {"email": "dana.rivera@lumen-analytics.com", "role": "from"},
            {"email": "jane.doe@acme.com"},
            {"email": "new.person@acme.com", "name": "New Person"},
        ]
    )
    created = ContactFactory(account=org.acme, email="new.person@acme.com", by_backstory=True)
    activity.participants.filter(email=created.email).update(contact=created)
    ContactDecisionFactory(
        action="contact_created", reason="created", activity=activity, contact=created, email=created.email
    )
    jane_role = OpportunityContactRoleFactory(
        opportunity=org.pilot, contact=org.jane, created_by_backstory=True
    )
    ContactDecisionFactory(
        action="ocr_created", reason="created", activity=activity, contact=org.jane, opportunity=org.pilot
    )
    kept_role = OpportunityContactRoleFactory(
        opportunity=org.expansion, contact=created, created_by_backstory=True
    )
    return activity, created, jane_role, kept_role


def test_only_an_admin_can_remove_from_sync(org, created_from_activity):
    activity, *_ = created_from_activity
    with pytest.raises(PermissionDenied):
        activity_remove_from_sync(activity=activity, user=org.dana)
    activity.refresh_from_db()
    assert activity.removed_from_sync_at is None


def test_remove_from_sync_deletes_what_backstory_created_and_queues_crm_deletes(org, created_from_activity):
    activity, created, jane_role, _ = created_from_activity
    removal = activity_remove_from_sync(activity=activity, user=org.admin)
    activity.refresh_from_db()
    assert activity.removed_from_sync_at is not None and activity.removed_by == org.admin
    assert not Contact.objects.filter(pk=created.pk).exists()
    assert not OpportunityContactRole.objects.filter(pk=jane_role.pk).exists()
    assert Contact.objects.filter(pk=org.jane.pk).exists()  # from the CRM: never deleted
    assert removal.contacts_removed and removal.contact_roles_removed
    deletes = OutboxEntry.objects.filter(operation="delete")
    assert set(deletes.values_list("object_name", "external_id")) == {
        ("Contact", str(created.backstory_id)),
        ("OpportunityContactRole", str(jane_role.backstory_id)),
    }
    removed = ContactDecision.objects.filter(action="contact_removed", activity=activity)
    assert set(removed.values_list("reason", flat=True)) == {
        "activity_removed_from_sync",
        "contact_role_removed",
    }
    # The activity stays for the audit; its participants too, no longer linked to the deleted contact.
    assert activity.participants.get(email="new.person@acme.com").contact is None


def test_a_created_contact_on_another_activity_is_kept(org, created_from_activity):
    activity, created, *_ = created_from_activity
    ParticipantFactory(
        activity=capture(source_id="other"), email="new.person@acme.com", contact=created, role="cc"
    )
    removal = activity_remove_from_sync(activity=activity, user=org.admin)
    assert Contact.objects.filter(pk=created.pk).exists()
    assert removal.contacts_removed == []
    assert not OutboxEntry.objects.filter(object_name="Contact").exists()


def test_removing_twice_does_nothing_more(org, created_from_activity):
    activity, *_ = created_from_activity
    activity_remove_from_sync(activity=activity, user=org.admin)
    entries = OutboxEntry.objects.count()
    assert activity_remove_from_sync(activity=activity, user=org.admin).contacts_removed == []
    assert OutboxEntry.objects.count() == entries


def test_a_rep_who_is_staff_only_is_enough(org, created_from_activity):
    activity, *_ = created_from_activity
    staff = UserFactory(username="ops", is_staff=True)
    assert activity_remove_from_sync(activity=activity, user=staff).activity.removed_by == staff


def test_edit_match_marks_the_summaries_of_the_old_and_the_new_account_stale(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    accounts_seen = []

    def summaries_mark_stale(*, activity_ids=(), account_ids=(), opportunity_ids=()):
        names = set(Account.objects.filter(pk__in=account_ids).values_list("name", flat=True))
        names |= set(Activity.objects.filter(pk__in=activity_ids).values_list("account__name", flat=True))
        accounts_seen.append(names)
        return set(), set()

    monkeypatch.setattr("insights.services.summaries_mark_stale", summaries_mark_stale)
    globex = AccountFactory(name="Globex", domain="globex.com")
    activity = capture()
    with django_capture_on_commit_callbacks(execute=True):
        activity_match_manually(activity=activity, user=org.dana, account=globex)
    assert accounts_seen == [{"Acme"}, {"Globex"}]
