"""The account Backstory page and its partials: what a rep sees, and what they may not."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from contacts.tests.factories import ContactFactory
from insights.tests.factories import SummaryFactory
from pages.tests.factories import NOW, days_ago, full_account, person_on, topic
from tests.admin_forms import admin_change_form_data
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def rep(db):
    return UserFactory(username="dana", first_name="Dana", last_name="Rivera", time_zone="UTC")


@pytest.fixture
def other_rep(db):
    return UserFactory(username="sam", first_name="Sam", last_name="Okafor")


@pytest.fixture
def account(rep):
    return AccountFactory(name="Northwind Logistics", owner=rep, domain="northwind.com")


@pytest.fixture
def page(frozen_now, account, rep, other_rep):
    return full_account(account=account, rep=rep, other_rep=other_rep)


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def url(name, *args, **query):
    from urllib.parse import urlencode

    base = reverse(f"accounts:{name}", args=args)
    return f"{base}?{urlencode(query)}" if query else base


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- The full page ---------------------------------------------------------------------------


def test_page_shows_wheel_summary_metrics_and_people(rep_client, account, page):
    body = text_of(rep_client.get(url("detail", account.pk)))
    assert "<h1>Northwind Logistics</h1>" in body
    assert 'class="wheel wheel-green"' in body and ">72</text>" in body
    assert "Engagement level 72 out of 100, High" in body
    assert "Key topics" in body and "Next steps" in body and "Potential risks" in body
    assert "SSO and security review" in body and "Send revised pricing proposal" in body
    assert "No reply from the economic buyer in 3 weeks" in body
    assert "Engagement metrics" in body and "Response rate" in body and "64%" in body
    assert 'id="people"' in body and "External (3)" in body and "Internal (1)" in body


def test_bullets_are_coloured_by_recency_with_a_legend(rep_client, account, page):
    body = text_of(rep_client.get(url("detail", account.pk)))
    for css in ("recency-7", "recency-14", "recency-30", "recency-old"):
        assert f'<li class="{css}"><span class="dot" aria-hidden="true"></span>' in body  # legend
    bands = dict(
        re.findall(
            r'<li class="bullet (recency-[a-z0-9]+)"> <a [^>]*> <span class="dot" aria-hidden="true"></span><span class="bullet-text">([^<]+)</span>',
            body,
        )[i][::-1]
        for i in range(6)
    )
    assert bands["SSO and security review"] == "recency-7"
    assert bands["Renewal timeline for Q1"] == "recency-14"
    assert bands["Budget planning for next year"] == "recency-30"
    assert bands["Original kick-off goals"] == "recency-old"


def test_summary_label_says_when_it_was_generated_and_its_latest_activity(rep_client, account, page):
    body = text_of(rep_client.get(url("detail", account.pk)))
    assert re.search(
        r'class="summary-label">Generated <time datetime="2026-11-23T07:00:00\+00:00">Nov 23, 2026</time>',
        body,
    )
    assert "latest activity <time" in body and ">Nov 21</time>" in body


def test_recency_is_measured_in_the_users_time_zone(client, frozen_now, account, rep):
    # Nov 15 23:00 UTC is 8 days before Nov 23 in London, but Nov 16 08:00 in Tokyo, where it is
    # already Nov 23 21:00: 7 days.
    SummaryFactory(
        account=account,
        key_topics=[topic("Edge of the week", [], latest=NOW - dt.timedelta(days=7, hours=13))],
    )
    client.force_login(rep)
    assert '<li class="bullet recency-14">' in text_of(client.get(url("detail", account.pk)))
    rep.time_zone = "Asia/Tokyo"
    rep.save()
    assert '<li class="bullet recency-7">' in text_of(client.get(url("detail", account.pk)))


def test_page_without_a_summary_explains_the_empty_state(rep_client, frozen_now, account):
    body = text_of(rep_client.get(url("detail", account.pk)))
    assert "No summary yet." in body
    assert "no matched activities for this account yet" in body
    assert "Allow 24 to 48 hours for data to populate after initial setup." in body
    assert "No engagement level yet" in body
    assert "Why might someone be missing?" in body
    assert "email domain settings" in body and "privacy settings" in body


def test_a_stale_summary_says_it_refreshes_shortly(rep_client, account, page):
    page["summary"].is_stale = True
    page["summary"].save()
    assert "it refreshes shortly" in text_of(rep_client.get(url("detail", account.pk)))


def test_breakdown_is_a_disclosure_closed_by_default_and_open_by_link(rep_client, account, page):
    body = text_of(rep_client.get(url("detail", account.pk)))
    assert 'aria-expanded="false" aria-controls="engagement-breakdown"' in body
    assert '<div id="engagement-breakdown" class="breakdown" hidden>' in body
    assert "High engagement: 6 meetings and 14 replies" in body
    assert "Emails received" in body and "52 of 65 points remain after recency" in body
    opened = text_of(rep_client.get(url("detail", account.pk, explain="1")))
    assert 'aria-expanded="true"' in opened and '<div id="engagement-breakdown" class="breakdown">' in opened
    assert '<li class="is-current" aria-current="true">High</li>' in opened


def test_pages_need_a_login(client, account):
    response = client.get(url("detail", account.pk))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unknown_account_is_a_404(rep_client):
    assert rep_client.get(url("detail", 999999)).status_code == 404


def test_pages_only_answer_get(rep_client, account, page):
    assert rep_client.post(url("detail", account.pk)).status_code == 405
    assert rep_client.post(url("people", account.pk)).status_code == 405


# --- Privacy ---------------------------------------------------------------------------------


def test_private_only_bullet_is_hidden_from_other_reps(rep_client, account, page):
    body = text_of(rep_client.get(url("detail", account.pk)))
    assert "Confidential discount request" not in body
    # The mixed topic shows, counting only the activity Dana may see.
    assert re.search(
        r"SSO and security review</span> </a> <span class=\"bullet-meta\">.*?· 1 activity</span>", body
    )


def test_private_only_bullet_shows_to_its_owner_and_to_admins(client, account, page, other_rep):
    client.force_login(other_rep)
    assert "Confidential discount request" in text_of(client.get(url("detail", account.pk)))
    client.force_login(UserFactory(admin=True))
    assert "Confidential discount request" in text_of(client.get(url("detail", account.pk)))


def test_hidden_bullet_sidebar_is_a_404_for_other_reps(rep_client, account, page, other_rep, client):
    assert rep_client.get(url("bullet", account.pk, "key_topics", 4), **HTMX).status_code == 404
    client.force_login(other_rep)
    assert client.get(url("bullet", account.pk, "key_topics", 4), **HTMX).status_code == 200


def test_sidebar_lists_only_visible_activities_most_recent_first(rep_client, account, page):
    body = text_of(rep_client.get(url("bullet", account.pk, "key_topics", 0), **HTMX))
    assert "<html" not in body
    assert "Security review follow-up" in body
    assert "Confidential pricing exception" not in body
    assert 'Activities behind it <span class="muted">(1)</span>' in body


def test_sidebar_orders_activities_by_recency(client, account, page, rep, frozen_now):
    from pages.tests.factories import activity_on

    later = activity_on(account, owner=rep, days=1, subject="Latest word")
    earlier = activity_on(account, owner=rep, days=40, subject="Earliest word")
    page["summary"].key_topics = [topic("Ordering", [earlier, later, page["mid"]], latest=days_ago(1))]
    page["summary"].save()
    client.force_login(rep)
    body = text_of(client.get(url("bullet", account.pk, "key_topics", 0), **HTMX))
    assert body.index("Latest word") < body.index("Renewal timeline") < body.index("Earliest word")


def test_the_owner_sees_their_private_activity_in_the_sidebar_marked_private(
    client, account, page, other_rep
):
    client.force_login(other_rep)
    body = text_of(client.get(url("bullet", account.pk, "key_topics", 0), **HTMX))
    assert "Confidential pricing exception" in body and "Private</span>" in body


def test_people_seen_only_on_someone_elses_private_activity_are_not_listed(
    rep_client, account, page, other_rep, client
):
    assert "Hidden Person" not in text_of(rep_client.get(url("detail", account.pk)))
    hidden = account.people.get(email=page["hidden"].email)
    assert rep_client.get(url("person", account.pk, hidden.pk), **HTMX).status_code == 404
    client.force_login(other_rep)
    assert "Hidden Person" in text_of(client.get(url("detail", account.pk)))


def test_wheel_says_the_score_counts_activity_the_user_cannot_see(
    rep_client, account, page, other_rep, client
):
    assert "including private ones you can't see" in text_of(rep_client.get(url("detail", account.pk)))
    client.force_login(other_rep)
    assert "including private ones you can't see" not in text_of(client.get(url("detail", account.pk)))


def test_no_hidden_activity_note_when_everything_is_visible(client, frozen_now, account, rep):
    SummaryFactory(account=account)
    client.force_login(rep)
    assert "including private ones" not in text_of(client.get(url("detail", account.pk)))


# --- Partials ----------------------------------------------------------------------------------


def test_metrics_partial_for_htmx_and_full_page_without_javascript(rep_client, account, page):
    partial = text_of(rep_client.get(url("metrics", account.pk, period="last_7_days"), **HTMX))
    assert "<html" not in partial and partial.strip().startswith('<section class="card metrics" id="metrics"')
    assert '<option value="last_7_days" selected>' in partial
    assert re.search(r"<dt>Meetings</dt><dd>2</dd>", partial)
    full = text_of(rep_client.get(url("metrics", account.pk, period="current_year")))
    assert "<html" in full and '<option value="current_year" selected>' in full
    assert re.search(r"<dt>Meetings</dt><dd>40</dd>", full)
    assert re.search(r"<dt>Response rate</dt><dd>—</dd>", full)


def test_metrics_trend_chart_is_inline_svg(rep_client, account, page):
    partial = text_of(rep_client.get(url("metrics", account.pk, period="last_90_days"), **HTMX))
    assert partial.count('<rect class="bar"') == 12
    assert "Activities per week from Sep 7 to Nov 23" in partial
    # the default period, the last 30 days: the weeks that overlap it
    partial = text_of(rep_client.get(url("metrics", account.pk), **HTMX))
    assert partial.count('<rect class="bar"') == 5
    assert "Activities per week from Oct 26 to Nov 23" in partial


def test_an_unknown_period_falls_back_to_the_default(rep_client, account, page):
    partial = text_of(rep_client.get(url("metrics", account.pk, period="forever"), **HTMX))
    assert '<option value="last_30_days" selected>' in partial


def test_people_partial_switches_to_internal(rep_client, account, page, rep):
    partial = text_of(rep_client.get(url("people", account.pk, people="internal"), **HTMX))
    assert "<html" not in partial and 'id="people"' in partial
    assert "Dana Rivera" in partial and '<option value="internal" selected>' in partial
    assert page["contacts"][0].name not in partial


def test_people_sort_by_seniority_time_spent_and_recency(rep_client, account, page):
    vp, director, manager = page["contacts"]

    def order(**query):
        body = text_of(rep_client.get(url("people", account.pk, **query), **HTMX))
        return [c.name for c in sorted((vp, director, manager), key=lambda c: body.index(c.name))]

    assert order() == [vp.name, director.name, manager.name]  # engagement 80, 73, 66
    assert order(sort="time_spent") == [manager.name, director.name, vp.name]
    assert order(sort="recent") == [vp.name, director.name, manager.name]
    account.people.filter(email=manager.email).update(seniority="c_level")  # the engine's copy on the row
    assert order(sort="seniority")[0] == manager.name


def test_people_filter_by_seniority_and_department(rep_client, account, page):
    vp, director, manager = page["contacts"]
    body = text_of(rep_client.get(url("people", account.pk, seniority="director"), **HTMX))
    assert director.name in body and vp.name not in body and manager.name not in body
    body = text_of(rep_client.get(url("people", account.pk, department="finance"), **HTMX))
    assert vp.name in body and director.name not in body
    assert '<option value="finance" selected>Finance</option>' in body
    body = text_of(
        rep_client.get(url("people", account.pk, seniority="director", department="finance"), **HTMX)
    )
    assert "No one matches these filters." in body


def test_people_state_in_the_url_renders_the_full_page_without_javascript(rep_client, account, page):
    body = text_of(rep_client.get(url("people", account.pk, people="internal", sort="time_spent")))
    assert "<html" in body and '<option value="time_spent" selected>' in body and "Dana Rivera" in body


def test_people_show_more_pages_through_a_long_list(rep_client, frozen_now, account, rep):
    from pages.tests.factories import activity_on, with_participant

    SummaryFactory(account=account)
    meeting = activity_on(account, owner=rep, days=4, kind="meeting")
    for i in range(25):
        contact = ContactFactory(account=account, last_name=f"Person{i:02d}")
        with_participant(meeting, email=contact.email, contact=contact)
        person_on(account, contact=contact, score=90 - i)
    body = text_of(rep_client.get(url("people", account.pk), **HTMX))
    assert "Showing 20 of 25 external people" in body and "Show more people" in body
    more = text_of(rep_client.get(url("people", account.pk, show=40), **HTMX))
    assert "Showing 25 of 25 external people" in more and "Show more people" not in more


def test_person_sidebar_shows_contact_score_meeting_and_benchmarks(
    rep_client, account, page, rep, frozen_now
):
    from pages.tests.factories import activity_on, with_participant

    vp = page["contacts"][0]
    meeting = activity_on(
        account, owner=rep, days=-3, subject="Quarterly business review", kind="meeting", duration_minutes=60
    )
    with_participant(meeting, email=vp.email, name=vp.name, contact=vp)
    person = account.people.get(email=vp.email)
    body = text_of(rep_client.get(url("person", account.pk, person.pk), **HTMX))
    assert "<html" not in body
    assert f'<h2 id="drawer-title" tabindex="-1">{vp.name}</h2>' in body
    assert f"mailto:{vp.email}" in body and "+1 415 555 0100" in body
    assert "<dt>Seniority</dt><dd>VP</dd>" in body and "<dt>Department</dt><dd>Finance</dd>" in body
    assert "Engagement score 80 out of 100" in body
    assert "Replies within a day" in body
    assert "Quarterly business review" in body  # next meeting
    assert "<dt>Emails sent</dt><dd>3</dd>" in body
    assert "Compared with 212 other Director buyers, whose median engagement is 38" in body
    assert "42 points above" in body
    assert "Confidential" not in body


def test_person_sidebar_without_javascript_is_the_page_with_the_drawer_open(rep_client, account, page):
    person = account.people.get(email=page["contacts"][1].email)
    body = text_of(rep_client.get(url("person", account.pk, person.pk)))
    assert "<html" in body and '<div id="drawer" class="drawer" data-drawer>' in body
    assert "Buyer benchmarks" in body


def test_bullet_sidebar_without_javascript_is_the_page_with_the_drawer_open(rep_client, account, page):
    body = text_of(rep_client.get(url("bullet", account.pk, "risks", 1)))
    assert '<div id="drawer" class="drawer" data-drawer>' in body and "Kick-off" in body


def test_crm_task_next_step_sidebar_says_where_it_comes_from(rep_client, account, page):
    body = text_of(rep_client.get(url("bullet", account.pk, "next_steps", 0), **HTMX))
    assert "Logged in your CRM as a task for Dana Rivera, due Nov 30, 2026" in body


def test_bullet_sidebar_rejects_unknown_sections_and_indexes(rep_client, account, page):
    assert rep_client.get(url("bullet", account.pk, "warnings", 0), **HTMX).status_code == 404
    assert rep_client.get(url("bullet", account.pk, "key_topics", 99), **HTMX).status_code == 404
    assert rep_client.get(url("bullet", account.pk, "summary", 0), **HTMX).status_code == 404


def test_person_of_another_account_is_a_404(rep_client, account, page, frozen_now):
    elsewhere = person_on(AccountFactory(), contact=None, email="x@elsewhere.com")
    assert rep_client.get(url("person", account.pk, elsewhere.pk), **HTMX).status_code == 404


def test_partial_routes_vary_on_the_htmx_header(rep_client, account, page):
    assert "HX-Request" in rep_client.get(url("metrics", account.pk), **HTMX)["Vary"]


def test_history_restore_gets_the_full_page(rep_client, account, page):
    body = rep_client.get(
        url("people", account.pk), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in body.content.decode()


def test_partial_links_keep_the_page_state(rep_client, account, page):
    body = rep_client.get(url("detail", account.pk, period="last_7_days", people="internal")).content.decode()
    bullet = reverse("accounts:bullet", args=[account.pk, "key_topics", 0])
    assert f'href="{bullet}?period=last_7_days&amp;people=internal"' in body


# --- Query counts do not grow with activities or people ------------------------------------------


def _account_with(n: int, *, rep, other_rep):
    from pages.tests.factories import activity_on, with_participant

    account = AccountFactory(owner=rep)
    activities = [
        activity_on(account, owner=rep if i % 3 else other_rep, days=i % 40, private=i % 5 == 0)
        for i in range(n)
    ]
    contacts = []
    for i in range(n):
        contact = ContactFactory(account=account)
        with_participant(activities[i], email=contact.email, name=contact.name, contact=contact)
        person_on(account, contact=contact, score=i % 100, last_activity_at=days_ago(i % 40))
        contacts.append(contact)
    SummaryFactory(
        account=account,
        key_topics=[topic(f"Topic {i}", activities[i::5], latest=days_ago(i)) for i in range(5)],
        risks=[
            {
                "title": "Gap",
                "severity": "high",
                "date": days_ago(3).isoformat(),
                "activity_ids": [a.pk for a in activities],
            }
        ],
        metrics={"last_30_days": {"meetings": n}},
    )
    return account, activities


@pytest.mark.parametrize("part", ["detail", "people", "metrics"])
def test_query_count_does_not_grow_with_activities_and_people(
    client, frozen_now, rep, other_rep, django_assert_max_num_queries, part
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, _ = _account_with(5, rep=rep, other_rep=other_rep)
    large, _ = _account_with(50, rep=rep, other_rep=other_rep)
    client.force_login(rep)
    headers = HTMX if part != "detail" else {}
    counts = []
    for account in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(part, account.pk), **headers).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(14):
        client.get(url(part, large.pk), **headers)


def test_sidebar_query_count_does_not_grow_with_its_activities(client, frozen_now, rep, other_rep):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (5, 50):
        account, _ = _account_with(n, rep=rep, other_rep=other_rep)
        client.force_login(rep)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("bullet", account.pk, "risks", 0), **HTMX).status_code == 200
        counts.append(len(queries))
        person = account.people.order_by("pk").last()
        with CaptureQueriesContext(connection) as person_queries:
            client.get(url("person", account.pk, person.pk), **HTMX)
        counts.append(len(person_queries))
    assert counts[0] == counts[2] and counts[1] == counts[3]


# --- Rendered sections are cached per reader and summary version --------------------------------


def test_a_second_view_reuses_the_rendered_sections(client, account, page, rep):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(rep)

    def main_of(response):  # the shell around it carries a fresh CSRF token each time
        return response.content.decode().split("<main", 1)[1]

    with CaptureQueriesContext(connection) as first:
        body = main_of(client.get(url("detail", account.pk)))
    with CaptureQueriesContext(connection) as second:
        assert main_of(client.get(url("detail", account.pk))) == body
    assert len(second) < len(first) - 4


def test_the_cache_never_hands_one_readers_view_to_another(client, account, page, rep, other_rep):
    client.force_login(rep)
    assert "Confidential discount request" not in text_of(client.get(url("detail", account.pk)))
    client.force_login(other_rep)
    assert "Confidential discount request" in text_of(client.get(url("detail", account.pk)))
    client.force_login(rep)
    assert "Confidential discount request" not in text_of(client.get(url("detail", account.pk)))


def test_a_refreshed_summary_is_shown_at_once(client, account, page, rep):
    client.force_login(rep)
    assert "SSO and security review" in text_of(client.get(url("detail", account.pk)))
    summary = page["summary"]
    summary.key_topics = [topic("Brand new topic", [page["recent"]], latest=days_ago(1))]
    summary.generated_at = NOW
    summary.save()
    body = text_of(client.get(url("detail", account.pk)))
    assert "Brand new topic" in body and "SSO and security review" not in body


def test_no_caching_when_the_setting_is_zero(client, account, page, rep, settings):
    settings.BACKSTORY_PAGE_CACHE_SECONDS = 0
    client.force_login(rep)
    client.get(url("detail", account.pk))
    page["summary"].key_topics = [topic("Changed in place", [page["recent"]], latest=days_ago(1))]
    page["summary"].save()
    assert "Changed in place" in text_of(client.get(url("detail", account.pk)))


def test_an_activity_made_private_in_the_admin_leaves_other_readers_pages_at_once(
    client, account, page, rep, other_rep, django_capture_on_commit_callbacks
):
    # Already waiting for a refresh (new mail came in a minute ago): the change must still show.
    page["summary"].is_stale, page["summary"].stale_since = True, NOW - dt.timedelta(minutes=1)
    page["summary"].save()
    client.force_login(other_rep)
    before = text_of(client.get(url("detail", account.pk)))  # rendered and cached for Sam
    assert re.search(
        r"Renewal timeline for Q1</span> </a> <span class=\"bullet-meta\">.*?· 1 activity</span>", before
    )

    admin = UserFactory(admin=True)
    client.force_login(admin)
    change = reverse("admin:activities_activity_change", args=[page["mid"].pk])
    data = admin_change_form_data(client.get(change))
    data["is_private"] = "on"
    # A refresh is already queued (as in production, minutes away): the summary is only marked.
    from django.core.cache import cache

    from insights.services.summaries import REFRESH_LOCK_KEY

    cache.set(REFRESH_LOCK_KEY, True)
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(change, data)
    assert saved.status_code == 302, (
        saved.context["adminform"].form.errors,
        [f.errors for i in saved.context["inline_admin_formsets"] for f in i.formset.forms],
    )
    page["mid"].refresh_from_db()
    assert page["mid"].is_private

    client.force_login(other_rep)
    after = text_of(client.get(url("detail", account.pk)))
    # The same summary (not refreshed yet), now without the bullet only Dana's private mail is behind.
    assert "SSO and security review" in after and "Renewal timeline for Q1" not in after


def test_an_account_with_no_activity_shows_the_faq_guidance_not_a_red_zero(rep_client, frozen_now, account):
    # What the engine writes for an account with no matched activity: level 0, nothing in any section.
    SummaryFactory(account=account, engagement_level=0, latest_activity_at=None)
    body = text_of(rep_client.get(url("detail", account.pk)))
    assert "Engagement level 0 out of 100" not in body
    assert "No engagement level yet" in body
    assert (
        "No summary yet." in body
        and "newly created accounts or when CRM activity syncing is still in progress" in body
    )
    assert "Allow 24 to 48 hours for data to populate after initial setup." in body


def test_overdue_crm_next_steps_are_marked_and_each_has_its_anchor(rep_client, frozen_now, account):
    from pages.tests.factories import next_step

    late = {
        **next_step("Send the MSA redlines", date=days_ago(9), due=dt.date(2026, 11, 20)),
        "next_step_id": 41,
    }
    on_time = {
        **next_step("Book the security workshop", date=days_ago(2), due=dt.date(2026, 11, 30)),
        "next_step_id": 42,
    }
    SummaryFactory(account=account, latest_activity_at=days_ago(1), next_steps=[late, on_time])
    body = text_of(rep_client.get(url("detail", account.pk)))
    overdue = body.split('id="next-step-41"', 1)[1].split("</li>", 1)[0]
    assert "bullet-overdue" in body.split('id="next-step-41"', 1)[0][-80:]
    assert '<span class="overdue">Overdue</span>' in overdue and "Send the MSA redlines" in overdue
    fine = body.split('id="next-step-42"', 1)[1].split("</li>", 1)[0]
    assert "Overdue" not in fine


def test_the_activity_chart_follows_the_chosen_period(rep_client, frozen_now, account):
    weeks = [
        {"week_start": (dt.date(2026, 11, 23) - dt.timedelta(weeks=n)).isoformat(), "activities": n + 1}
        for n in range(52, -1, -1)
    ]
    SummaryFactory(
        account=account,
        latest_activity_at=days_ago(1),
        metrics={"trend": weeks, "last_30_days": {"meetings": 1}, "current_year": {"meetings": 9}},
    )
    month = text_of(rep_client.get(url("detail", account.pk, period="last_30_days")))
    assert "last 30 days: 15 over 5 weeks" in month  # the weeks from Oct 26 on: 5+4+3+2+1
    year = text_of(rep_client.get(url("detail", account.pk, period="current_year")))
    assert "this year: " in year and "over 48 weeks" in year  # the weeks that overlap 2026
    assert '<div class="trend-scale" aria-hidden="true"><span>48</span><span>0</span></div>' in year


# --- The whole page is cached per reader (issue 19) ----------------------------------------------


def _csrf_token_of(response) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', response.content.decode()).group(1)


def test_a_second_view_of_the_page_is_served_whole_without_rendering_a_template(client, account, page, rep):
    client.force_login(rep)
    first = client.get(url("detail", account.pk))
    assert first.templates  # rendered once
    second = client.get(url("detail", account.pk))
    assert second.status_code == 200 and not second.templates

    def without_token(response):
        return response.content.decode().replace(_csrf_token_of(response), "")

    assert without_token(second) == without_token(first)


def test_rep_b_never_receives_rep_a_s_cached_page(client, account, page, rep, other_rep):
    client.force_login(other_rep)
    sams = text_of(client.get(url("detail", account.pk)))
    assert "Confidential discount request" in sams and 'title="Signed in as sam"' in sams
    client.force_login(rep)
    danas = text_of(client.get(url("detail", account.pk)))
    assert "Confidential discount request" not in danas
    assert 'title="Signed in as dana"' in danas and "Signed in as sam" not in danas


def test_a_form_posted_from_a_cached_page_carries_the_readers_own_csrf_token(account, page, rep, other_rep):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)

    def sign_in(user):
        client.get(reverse("login"))
        signed_in = client.post(
            reverse("login"),
            {
                "username": user.username,
                "password": "pw",
                "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            },
        )
        assert signed_in.status_code == 302

    def sign_out_from_the_page():
        response = client.get(url("detail", account.pk))
        form_token = re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()
        ).group(1)
        assert form_token == _csrf_token_of(response)
        assert client.post(reverse("logout"), {"csrfmiddlewaretoken": form_token}).status_code == 302
        return response

    sign_in(rep)
    assert sign_out_from_the_page().templates  # rendered and cached for Dana
    sign_in(other_rep)  # a second reader
    sign_out_from_the_page()
    sign_in(rep)  # signing in gives Dana a new CSRF secret; her page comes from the cache
    assert not sign_out_from_the_page().templates


def test_a_message_waiting_is_shown_once_on_the_page_and_never_cached(client, account, page):
    admin = UserFactory(admin=True, username="ops")
    client.force_login(admin)
    client.get(url("detail", account.pk))  # cached for the admin
    change = reverse("admin:insights_insightsconfiguration_add")
    added = client.post(change, {**admin_change_form_data(client.get(change)), "ghosted_days": 21})
    assert added.status_code == 302  # not followed: the message waits for the next page
    shown = text_of(client.get(url("detail", account.pk)))
    assert 'class="message success"' in shown and "was added successfully" in shown
    assert 'class="message' not in text_of(client.get(url("detail", account.pk)))


def test_the_day_rolling_over_moves_the_recency_bands(client, settings, account, page, rep):
    client.force_login(rep)
    assert '<li class="bullet recency-7"> <a' in text_of(client.get(url("detail", account.pk)))
    settings.BACKSTORY_NOW = "2026-12-01T12:00:00+00:00"  # eight days on: the newest topic is 10 days old
    body = text_of(client.get(url("detail", account.pk)))
    assert '<li class="bullet recency-7"> <a' not in body and '<li class="bullet recency-14"> <a' in body


def test_a_change_to_the_account_in_the_admin_shows_on_the_next_load(client, account, page, rep):
    client.force_login(rep)
    assert "Freight forwarding" not in text_of(client.get(url("detail", account.pk)))
    admin = UserFactory(admin=True, username="ops")
    client.force_login(admin)
    change = reverse("admin:accounts_account_change", args=[account.pk])
    saved = client.post(
        change, {**admin_change_form_data(client.get(change)), "industry": "Freight forwarding"}
    )
    assert saved.status_code == 302
    client.force_login(rep)
    assert "Freight forwarding" in text_of(client.get(url("detail", account.pk)))


def test_each_capture_shows_on_the_next_load_with_the_clock_frozen(
    client, frozen_now, account, rep, django_capture_on_commit_callbacks
):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from activities.tests.factories import api_item

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=rep)[0].key}")
    client.force_login(rep)

    def capture(n: int) -> str:
        item = api_item(
            kind="email",
            source_id=f"buyer-{n}@northwind.com",
            subject=f"Question {n}",
            duration_minutes=None,
            occurred_at=f"2026-11-2{n}T09:00:00Z",
            participants=[
                {"email": rep.email, "name": "Dana Rivera", "role": "from"},
                {"email": f"buyer{n}@northwind.com", "name": f"Buyer {n}", "role": "to"},
            ],
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert api.post("/api/v1/activities", {"activities": [item]}, format="json").status_code < 300
        return text_of(client.get(url("detail", account.pk)))

    assert "External (1)" in capture(1)
    assert "External (2)" in capture(2)  # the same frozen clock: only the summary's version moved


def test_a_change_to_the_account_shows_on_a_page_with_a_sidebar_open(client, account, page, rep):
    # A sidebar's page loads the record's details before its sections: their keys must still name
    # the record's version.
    client.force_login(rep)
    assert "Freight forwarding" not in text_of(client.get(url("bullet", account.pk, "key_topics", 0)))
    admin = UserFactory(admin=True, username="ops")
    client.force_login(admin)
    change = reverse("admin:accounts_account_change", args=[account.pk])
    saved = client.post(
        change, {**admin_change_form_data(client.get(change)), "industry": "Freight forwarding"}
    )
    assert saved.status_code == 302
    client.force_login(rep)
    assert "Freight forwarding" in text_of(client.get(url("bullet", account.pk, "key_topics", 0)))
