"""The Engagement Log pages: list, filters, privacy, drawer partial, Edit Match, remove-from-sync."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from activities.models import Activity
from activities.services import activities_ingest
from activities.tests.factories import parsed_item
from contacts.models import Contact, ContactDecision
from contacts.tests.factories import ConfigurationProfileFactory, ContactDecisionFactory
from crm.models import OutboxEntry
from opportunities.tests.factories import OpportunityFactory

LOG = reverse("activities:log")
HTMX = {"HTTP_HX_REQUEST": "true"}


def capture(source_id, **kwargs):
    report = activities_ingest(
        items=[parsed_item(source_id=source_id, **kwargs)], source="api", hand_off=False
    )
    return Activity.objects.get(pk=report.created_ids[0])


@pytest.fixture
def activities(org):
    call = capture("call-1", subject="Renewal call")
    meeting = capture(
        "meeting-1",
        kind="meeting",
        subject="Discovery with Bob",
        occurred_at="2026-10-01T15:00:00Z",
        participants=[
            {"email": "dana.rivera@lumen-analytics.com", "role": "organizer"},
            {"email": "bob@acme.com"},
        ],
    )
    private = capture("private-1", subject="Confidential pricing", private=True)
    unmatched = capture(
        "gmail-1",
        subject="Lunch",
        participants=[
            {"email": "dana.rivera@lumen-analytics.com", "role": "from"},
            {"email": "sam@gmail.com"},
        ],
    )
    ContactDecisionFactory(
        activity=call, message="Not created: a lead with this exact email exists.", reason="lead_exists"
    )
    return {"call": call, "meeting": meeting, "private": private, "unmatched": unmatched}


@pytest.fixture
def dana(client, org):
    client.force_login(org.dana)
    return client


@pytest.fixture
def chris(client, org):
    client.force_login(org.chris)
    return client


@pytest.fixture
def admin(client, org):
    client.force_login(org.admin)
    return client


def test_needs_a_login(client, org):
    response = client.get(LOG)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_log_lists_activities_with_how_they_matched_and_decisions(dana, activities):
    page = dana.get(LOG).content.decode()
    assert "Engagement Log" in page
    assert "Renewal call" in page and "Discovery with Bob" in page and "Lunch" in page
    assert "A participant is a contact of the account" in page
    assert "A participant&#x27;s domain is the account&#x27;s domain" in page
    assert "No match" in page
    assert f'id="activity-row-{activities["call"].pk}"' in page
    assert "/static/css/activities.css" in page


def test_private_activities_show_only_to_their_owner_and_admins(client, org, activities):
    client.force_login(org.dana)
    assert "Confidential pricing" in client.get(LOG).content.decode()
    client.force_login(org.chris)
    assert "Confidential pricing" not in client.get(LOG).content.decode()
    assert client.get(reverse("activities:detail", args=[activities["private"].pk])).status_code == 404
    client.force_login(org.admin)
    assert "Confidential pricing" in client.get(LOG).content.decode()


@pytest.mark.parametrize(
    "params, shown, hidden",
    [
        ({"kind": "meeting"}, ["Discovery with Bob"], ["Renewal call", "Lunch"]),
        ({"outcome": "none"}, ["Lunch"], ["Renewal call"]),
        ({"outcome": "domain"}, ["Discovery with Bob"], ["Renewal call"]),
        ({"outcome": "no_opportunity"}, ["Discovery with Bob"], ["Renewal call"]),
        ({"q": "gmail.com"}, ["Lunch"], ["Renewal call"]),
        ({"q": "renewal"}, ["Renewal call"], ["Lunch"]),
        ({"date_from": "2026-09-01", "date_to": "2026-10-31"}, ["Discovery with Bob"], ["Renewal call"]),
    ],
)
def test_filters(dana, activities, params, shown, hidden):
    page = dana.get(LOG, params, **HTMX).content.decode()
    assert "<html" not in page  # htmx gets the results partial
    for text in shown:
        assert text in page
    for text in hidden:
        assert text not in page


def test_filter_by_account(dana, org, activities):
    page = dana.get(LOG, {"account": org.acme.pk}).content.decode()
    assert "Renewal call" in page and "Lunch" not in page


def test_a_bad_filter_is_explained_and_the_good_ones_still_apply(dana, activities):
    page = dana.get(LOG, {"kind": "meeting", "date_from": "yesterday-ish"}).content.decode()
    assert "From: Enter a valid date. This filter was left out." in page
    assert "Discovery with Bob" in page and "Renewal call" not in page


def test_reversed_dates_say_how_to_fix_them(dana, activities):
    page = dana.get(LOG, {"date_from": "2026-11-30", "date_to": "2026-11-01"}).content.decode()
    assert "is before the start date" in page and "swap them" in page


def test_paging(dana, org):
    for n in range(30):
        capture(f"call-{n}", subject=f"Call number {n:02d}")
    first = dana.get(LOG).content.decode()
    assert "Page 1 of 2" in first and "Older →" in first
    second = dana.get(LOG, {"page": 2}).content.decode()
    assert "Page 2 of 2" in second and "Call number 00" in second


def test_drawer_partial_and_full_page(dana, activities):
    url = reverse("activities:detail", args=[activities["call"].pk])
    partial = dana.get(url, **HTMX).content.decode()
    assert "<html" not in partial
    assert 'id="log-pane-content"' in partial
    assert "How it was matched" in partial and "is a contact of Acme" in partial
    assert "Not created: a lead with this exact email exists." in partial
    assert "Edit Match" in partial
    assert "Remove from sync" not in partial  # a rep cannot
    full = dana.get(url).content.decode()
    assert "<html" in full and 'id="log-pane-content"' in full
    assert (
        f'hx-get="{url}"' in dana.get(LOG).content.decode()
        and f'href="{url}"' in dana.get(LOG).content.decode()
    )


def test_edit_match_recommends_accounts_sharing_a_domain_and_the_accounts_open_opportunities(
    dana, org, activities
):
    sibling = AccountFactory(name="Acme Holdings", domain=False)
    sibling.domains.create(domain="acme.com", is_primary=False)
    url = reverse("activities:detail", args=[activities["meeting"].pk])
    drawer = dana.get(url, **HTMX).content.decode()
    recommended = drawer.split('<optgroup label="Recommended">')[1].split("</optgroup>")[0]
    assert "Acme Holdings — has the domain acme.com" in recommended
    assert "Acme Expansion" in drawer and "Acme Pilot" in drawer
    choices = dana.get(
        url, {"account": sibling.pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="match-opportunities"
    )
    body = choices.content.decode()
    assert body.strip().startswith('<fieldset id="match-opportunities"')
    assert "Acme Holdings has no open opportunity" in body


def test_edit_match_with_htmx_sticks_and_updates_the_row(dana, org, activities):
    globex = AccountFactory(name="Globex", domain="globex.com")
    deal = OpportunityFactory(account=globex, name="Globex Deal")
    activity = activities["call"]
    response = dana.post(
        reverse("activities:edit-match", args=[activity.pk]),
        {"account": globex.pk, "opportunities": [deal.pk]},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Match saved" in body
    # the log's row comes back in a template the page swaps in only if it shows that row:
    # an out-of-band swap with no target was an htmx:oobErrorNoTarget on every other page
    assert f'<template class="log-pane-row" data-row="activity-row-{activity.pk}">' in body
    assert "hx-swap-oob" not in body
    activity.refresh_from_db()
    assert activity.account == globex and activity.is_manually_matched
    assert list(activity.opportunities.all()) == [deal]
    # Re-matching later leaves it as it is.
    from activities.services import match_activities

    match_activities()
    activity.refresh_from_db()
    assert activity.account == globex


def test_edit_match_plain_post_redirects(dana, org, activities):
    url = reverse("activities:edit-match", args=[activities["unmatched"].pk])
    response = dana.post(url, {"account": org.acme.pk, "opportunities": [org.pilot.pk]})
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:detail", args=[activities["unmatched"].pk])
    activities["unmatched"].refresh_from_db()
    assert activities["unmatched"].account == org.acme


def test_edit_match_errors_are_explained_and_change_nothing(dana, org, activities):
    globex = AccountFactory(name="Globex", domain="globex.com")
    url = reverse("activities:edit-match", args=[activities["call"].pk])
    response = dana.post(url, {"account": globex.pk, "opportunities": [org.pilot.pk]})
    assert response.status_code == 400
    assert "Acme Pilot is not on Globex" in response.content.decode()
    htmx = dana.post(url, {"account": "999999"}, **HTMX)
    assert htmx.status_code == 200 and "That account does not exist" in htmx.content.decode()
    activities["call"].refresh_from_db()
    assert activities["call"].account == org.acme and not activities["call"].is_manually_matched


def test_match_automatically_again(dana, org, activities):
    activity = activities["call"]
    dana.post(reverse("activities:edit-match", args=[activity.pk]), {"account": ""})
    response = dana.post(reverse("activities:match-again", args=[activity.pk]), **HTMX)
    assert "Matched automatically again" in response.content.decode()
    activity.refresh_from_db()
    assert activity.account == org.acme and not activity.is_manually_matched


def test_remove_from_sync_is_forbidden_for_a_rep(dana, activities):
    response = dana.post(reverse("activities:remove", args=[activities["call"].pk]))
    assert response.status_code == 403
    activities["call"].refresh_from_db()
    assert activities["call"].removed_from_sync_at is None


def test_admin_removes_from_sync_and_the_row_goes(admin, org, activities):
    activity = activities["call"]
    assert (
        "Remove from sync"
        in admin.get(reverse("activities:detail", args=[activity.pk]), **HTMX).content.decode()
    )
    response = admin.post(reverse("activities:remove", args=[activity.pk]), **HTMX)
    body = response.content.decode()
    assert "Removed from sync" in body
    assert f'data-row="activity-row-{activity.pk}" data-remove="true"' in body
    assert "Renewal call" not in admin.get(LOG).content.decode()
    # Kept for the audit: admins can list what was removed.
    removed = admin.get(LOG, {"removed": "on"}).content.decode()
    assert "Renewal call" in removed and "Removed" in removed


def test_admin_remove_plain_post_redirects_to_the_log(admin, activities):
    response = admin.post(reverse("activities:remove", args=[activities["meeting"].pk]))
    assert response.status_code == 302 and response["Location"] == LOG


def test_a_rep_cannot_list_removed_activities(dana, org, activities):
    Activity.objects.filter(pk=activities["call"].pk).update(removed_from_sync_at=org.acme.created_at)
    page = dana.get(LOG, {"removed": "on"}).content.decode()
    assert "Renewal call" not in page
    assert 'name="removed"' not in page
    assert dana.get(reverse("activities:detail", args=[activities["call"].pk])).status_code == 404


def test_get_only_and_post_only(dana, activities):
    assert dana.post(LOG).status_code == 405
    assert dana.get(reverse("activities:edit-match", args=[activities["call"].pk])).status_code == 405


def test_the_log_opens_the_pane_of_the_activity_named_in_the_link(dana, activities):
    activity = activities["call"]
    body = dana.get(LOG, {"activity": activity.pk}).content.decode()
    pane = body.split('id="log-pane"', 1)[1]
    assert 'id="log-pane-content"' in pane and "How it was matched" in pane
    assert f"Activity ID <strong>{activity.pk}</strong>" in pane
    assert f'<tr id="activity-row-{activity.pk}" class="log-row-selected" aria-current="true">' in body


def test_a_link_to_an_activity_the_reader_cannot_see_says_so(dana, activities):
    body = dana.get(LOG, {"activity": 999_999}).content.decode()
    assert "Activity 999999 is not one you can see" in body


@pytest.fixture
def created_by_the_engine(org):
    """An email with a new person at Acme, and what the contact engine created from it."""
    from contacts.services import contact_engine_process_activities

    ConfigurationProfileFactory(name="Sales", is_default=True, everything=True)
    activity = capture(
        "email-new-person",
        subject="Pricing follow-up",
        participants=[
            {"email": "dana.rivera@lumen-analytics.com", "role": "from"},
            {"email": "new.person@acme.com", "name": "New Person"},
        ],
    )
    contact_engine_process_activities(activity_ids=[activity.pk])
    created = Contact.objects.get(email="new.person@acme.com")
    assert created.created_by_backstory
    OutboxEntry.objects.all().delete()  # what the creation queued is not what this test is about
    return activity, created


@pytest.mark.parametrize(
    ("mode", "queued"),
    [("off", set()), ("standin", {("Contact", "delete")})],
)
def test_remove_from_sync_queues_crm_deletes_only_when_a_crm_is_connected(
    admin, org, settings, created_by_the_engine, mode, queued
):
    activity, created = created_by_the_engine
    settings.SALESFORCE_MODE = mode
    response = admin.post(reverse("activities:remove", args=[activity.pk]), **HTMX)
    assert "Removed from sync. Also deleted, here and in the CRM: New Person" in response.content.decode()
    assert not Contact.objects.filter(pk=created.pk).exists()
    # With SALESFORCE_MODE=off the local records are the system of record: a queued delete would be
    # pushed by surprise the day a CRM is connected.
    assert set(OutboxEntry.objects.values_list("object_name", "operation")) == queued
    removed = ContactDecision.objects.get(action="contact_removed", activity=activity)
    assert (removed.rule, removed.reason, removed.user) == (
        "remove_from_sync",
        "activity_removed_from_sync",
        org.admin,
    )
