"""Issue 16: every activity on the right deal, with its confidence and reasons, through capture,
the Engagement Log and re-association."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from activities.models import Activity, ActivityOpportunity
from activities.services import match_activities
from activities.tests.factories import api_item
from contacts.tests.factories import ConfigurationProfileFactory, ContactFactory
from opportunities.tests.factories import OpportunityContactRoleFactory, OpportunityFactory

O = Activity.OpportunityMatch  # noqa: E741


@pytest.fixture
def capture(org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.dana).key}")

    def post(*, source_id, subject, to="jane.doe@acme.com", body="", **extra):
        item = api_item(
            source_id=source_id,
            kind="email",
            duration_minutes=None,
            subject=subject,
            body=body,
            participants=[
                {"email": "dana.rivera@lumen-analytics.com", "name": "Dana Rivera", "role": "from"},
                {"email": to, "role": "to"},
            ],
            **extra,
        )
        response = client.post("/activities/api/", {"activities": [item]}, format="json")
        assert response.status_code == 201, response.content
        return Activity.objects.get(pk=response.json()["results"][0]["activity_id"])

    return post


def links(activity):
    return list(
        ActivityOpportunity.objects.filter(activity=activity)
        .order_by("opportunity__name")
        .values_list("opportunity__name", "match", "is_primary", "confidence")
    )


def test_the_subject_naming_deal_b_beats_a_contact_role_on_deal_a_with_its_reasons(capture, org, client):
    # Jane holds a contact role on "Acme Expansion"; the subject names the pilot.
    activity = capture(source_id="m1", subject="Pilot rollout: success criteria for week one")
    assert links(activity) == [("Acme Pilot", O.NAME, True, 65)]
    assert activity.opportunity_confidence == 65
    assert "the subject names “Pilot”" in activity.match_explanation
    assert "It leads “Acme Expansion” (55: jane.doe@acme.com holds a contact role on it" in (
        activity.match_explanation
    )
    # The Engagement Log row and the activity's match details show the confidence and the reasons.
    client.force_login(org.dana)
    log = client.get(reverse("activities:log")).content.decode()
    assert "65 · primary" in log and "The subject names “Pilot”" in log
    detail = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "primary match, confidence 65" in detail
    assert "<li>The subject names “Pilot”</li>" in detail


def test_without_evidence_on_a_two_deal_account_it_goes_to_no_deal_and_says_so(capture, org):
    bob = ContactFactory(account=org.acme, first_name="Bob", last_name="Stone", email="bob@acme.com")
    activity = capture(source_id="m2", subject="Quick question", to=bob.email)
    assert activity.account == org.acme
    assert links(activity) == []
    assert activity.opportunity_match == O.NONE and activity.opportunity_confidence is None
    assert "none of Acme's 2 opportunities open at the time has evidence enough" in activity.match_explanation
    assert "Use Edit Match to choose one." in activity.match_explanation


def test_multi_opportunity_matching_links_every_candidate_over_the_threshold(capture, org):
    ConfigurationProfileFactory(is_default=True, multi_opportunity_matching=True)
    third = OpportunityFactory(account=org.acme, name="Acme Data Platform")
    OpportunityContactRoleFactory(opportunity=org.pilot, contact=org.jane)
    activity = capture(source_id="m3", subject="Next steps")
    # Jane holds roles on the expansion and the pilot; nothing points to the data platform.
    assert links(activity) == [
        ("Acme Expansion", O.CONTACT_ROLE, False, 55),
        ("Acme Pilot", O.CONTACT_ROLE, False, 55),
    ]
    assert third.pk not in activity.opportunities.values_list("pk", flat=True)
    assert "Opportunities (multi-opportunity matching is on" in activity.match_explanation
    assert "Not linked, under the threshold: “Acme Data Platform”" in activity.match_explanation


def test_a_reply_follows_its_threads_earlier_association(capture, org):
    first = capture(source_id="t1", subject="Pilot kickoff", thread_id="thread-1")
    assert links(first)[0][0] == "Acme Pilot"
    bob = ContactFactory(account=org.acme, email="bob@acme.com")
    reply = capture(
        source_id="t2",
        subject="Re: logistics",
        to=bob.email,
        thread_id="thread-1",
        occurred_at="2026-11-21T09:00:00Z",
    )
    assert links(reply) == [("Acme Pilot", O.THREAD, True, 50)]
    assert "an earlier message in the thread was matched to it" in reply.match_explanation


def test_edit_match_is_never_undone_by_re_association(capture, org, client):
    activity = capture(source_id="m4", subject="Pilot rollout")
    client.force_login(org.dana)
    response = client.post(
        reverse("activities:edit-match", args=[activity.pk]),
        {"account": org.acme.pk, "opportunities": [org.expansion.pk]},
    )
    assert response.status_code in (200, 302)
    call_command("reassociate_activities", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    match_activities(activity_ids=[activity.pk])
    activity.refresh_from_db()
    assert activity.is_manually_matched
    assert links(activity) == [("Acme Expansion", O.MANUAL, False, None)]


def test_re_association_is_idempotent_and_fixes_old_matches(capture, org):
    activity = capture(source_id="m5", subject="Pilot rollout")
    # As the old rules left it: no deal.
    ActivityOpportunity.objects.filter(activity=activity).delete()
    Activity.objects.filter(pk=activity.pk).update(opportunity_match=O.NONE, match_explanation="old")
    first = match_activities()
    assert first.changed_ids == [activity.pk]
    assert links(activity) == [("Acme Pilot", O.NAME, True, 65)]
    assert match_activities().changed_ids == []


def test_the_log_lists_what_may_belong_to_an_opportunity(capture, org, client):
    bob = ContactFactory(account=org.acme, email="bob@acme.com")
    on_the_pilot = capture(source_id="r1", subject="Pilot rollout")
    unmatched = capture(source_id="r2", subject="Quick question", to=bob.email)
    before = capture(source_id="r3", subject="Old news", to=bob.email, occurred_at="2026-01-05T10:00:00Z")
    Opportunity = type(org.pilot)
    Opportunity.objects.filter(pk=org.pilot.pk).update(created_date="2026-10-01T00:00:00Z")
    client.force_login(org.dana)
    page = client.get(reverse("activities:log"), {"review_for": org.pilot.pk}).content.decode()
    assert "in the lifetime of “Acme Pilot” that are not matched to it" in page
    assert f'href="/activities/log/{unmatched.pk}/"' in page
    assert f'href="/activities/log/{on_the_pilot.pk}/"' not in page  # already on it
    assert f'href="/activities/log/{before.pk}/"' not in page  # before the deal was opened
    missing = client.get(reverse("activities:log"), {"review_for": 999999}).content.decode()
    assert "That opportunity does not exist (any more)" in missing
