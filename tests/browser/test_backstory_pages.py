"""A rep's journey through the Backstory pages in headless Chromium, and the pages inside an iframe
served from another origin (a stand-in for Salesforce), through a plain tab and through Canvas."""

import re

import pytest
from playwright.sync_api import expect

from insights.tests.factories import SummaryFactory
from opportunities.tests.factories import OpportunityContactRoleFactory
from pages.tests.factories import (
    CANVAS_SECRET,
    activity_on,
    days_ago,
    person_on,
    risk,
    signed_canvas_request,
    topic,
    with_participant,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw"  # UserFactory's


def sign_in(page, live_server, username="dana"):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=re.compile("Welcome back"))).to_be_visible()


def test_a_rep_searches_opens_an_account_and_explores_it(live_server, new_page, screenshot, org):
    page = new_page()
    sign_in(page, live_server)

    # Search as you type: a listbox, the first result highlighted, arrows move, Enter opens.
    search = page.get_by_role("combobox", name="Search accounts and opportunities")
    search.fill("north")
    listbox = page.get_by_role("listbox", name="Search results")
    expect(listbox.get_by_role("option")).to_have_count(3)
    expect(search).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    expect(listbox.locator("mark").first).to_have_text(re.compile("north", re.I))
    search.press("ArrowDown")
    expect(listbox.get_by_role("option").nth(1)).to_have_attribute("aria-selected", "true")
    search.press("ArrowUp")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    # Ranked, not alphabetical: Dana's own Northwind before Sam's Northstar.
    expect(listbox.get_by_role("option", selected=True)).to_contain_text("Northwind Logistics")
    screenshot(page, "search-results")
    search.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Logistics")
    assert re.search(rf"/accounts/{org['account'].pk}/$", page.url)

    # The page: wheel, summary with its legend, metrics, people.
    wheel = page.get_by_role("img", name=re.compile(r"Engagement level 72 out of 100, High"))
    expect(wheel).to_be_visible()
    expect(page.locator(".legend li")).to_have_count(4)
    expect(page.locator("#summary .bullet.recency-7").first).to_be_visible()
    screenshot(page, "account-page", full_page=True)

    # The breakdown: a disclosure with aria-expanded, closed with Escape.
    toggle = page.locator("#engagement [data-disclosure]")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    breakdown = page.locator("#engagement-breakdown")
    expect(breakdown).to_contain_text("High engagement: 6 meetings and 14 replies")
    expect(breakdown).to_contain_text("Emails received")
    screenshot(page.locator("#engagement"), "engagement-breakdown")
    page.keyboard.press("Escape")
    expect(breakdown).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # Change the period: an htmx swap of the metrics partial, and the URL follows.
    meetings = page.locator("#metrics .tile-meetings dd").first
    expect(meetings).to_have_text("6")
    page.get_by_label("Period").select_option("last_7_days")
    expect(meetings).to_have_text("2")
    expect(page.get_by_label("Period")).to_have_value("last_7_days")
    expect(page).to_have_url(re.compile(r"period=last_7_days"))

    # A bullet's sidebar: the activities behind it that Dana may see, focus inside, Escape closes.
    bullet = page.get_by_role("link", name="SSO and security review")
    bullet.click()
    drawer = page.get_by_role("dialog")
    expect(drawer).to_be_visible()
    expect(drawer.get_by_role("heading", level=2)).to_have_text("SSO and security review")
    expect(drawer).to_contain_text("Security review follow-up")
    expect(drawer).not_to_contain_text("Confidential pricing exception")
    expect(page.locator("#drawer-title")).to_be_focused()
    page.keyboard.press("Tab")
    expect(drawer.get_by_role("link", name="Close")).to_be_focused()
    page.keyboard.press("Tab")  # the trap wraps around inside the dialog
    expect(drawer.get_by_role("link", name="Close")).to_be_focused()
    screenshot(page, "bullet-sidebar")
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(bullet).to_be_focused()

    # People: internal colleagues, then external sorted by time spent and filtered by seniority.
    people = page.locator("#people")
    vp, director, manager, ceo = org["contacts"]
    expect(people.locator(".person")).to_have_count(4)
    page.get_by_label("External or internal").select_option("internal")
    expect(people.locator(".person-name")).to_have_text(["Dana Rivera"])
    expect(page).to_have_url(re.compile(r"people=internal"))
    page.get_by_label("External or internal").select_option("external")
    expect(people.locator(".person")).to_have_count(4)
    page.get_by_label("Sort by").select_option("time_spent")
    expect(people.locator(".person-name").first).to_have_text(ceo.name)
    page.get_by_label("Seniority").select_option("director")
    expect(people.locator(".person-name")).to_have_text([director.name])
    expect(page).to_have_url(re.compile(r"seniority=director"))
    page.get_by_label("Seniority").select_option("")
    expect(people.locator(".person")).to_have_count(4)

    # A contact's sidebar.
    people.get_by_role("link", name=re.compile(vp.name)).click()
    expect(drawer.get_by_role("heading", level=2)).to_have_text(vp.name)
    for part in (
        "Contact information",
        "Engagement score",
        "Last activity and next meeting",
        "Activity summary",
        "Buyer benchmarks",
    ):
        expect(drawer.get_by_role("heading", name=part)).to_be_visible()
    expect(drawer).to_contain_text(vp.email)
    screenshot(page, "person-sidebar")
    drawer.get_by_role("link", name="Close").click()
    expect(drawer).to_be_hidden()

    # The same page at a Salesforce tab's width.
    narrow = new_page(width=480, height=900)
    sign_in(narrow, live_server)
    narrow.goto(f"{live_server.url}/accounts/{org['account'].pk}/")
    expect(narrow.get_by_role("heading", level=1)).to_have_text("Northwind Logistics")
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 480
    screenshot(narrow, "account-page-narrow", full_page=True)


def test_the_opportunity_page_shows_the_deal_roles_and_warnings(live_server, new_page, screenshot, org):
    opportunity = org["opportunity"]
    OpportunityContactRoleFactory(
        opportunity=opportunity, contact=org["contacts"][0], role="Economic Buyer", is_primary=True
    )
    OpportunityContactRoleFactory(opportunity=opportunity, contact=org["contacts"][1], role="Technical Buyer")
    meeting = activity_on(
        opportunity,
        owner=org["rep"],
        days=5,
        subject="Proposal walkthrough",
        kind="meeting",
        duration_minutes=45,
    )
    with_participant(
        meeting, email=org["contacts"][0].email, name=org["contacts"][0].name, contact=org["contacts"][0]
    )
    person_on(
        opportunity,
        contact=org["contacts"][0],
        score=61,
        last_activity_at=days_ago(5),
        meetings=1,
        time_spent_minutes=45,
    )
    SummaryFactory(
        account=None,
        opportunity=opportunity,
        engagement_level=34,
        engagement_breakdown={
            "score": 34,
            "band": "low",
            "color": "red",
            "window_weeks": 12,
            "components": [],
            "explanation": "Low engagement: one meeting in 12 weeks.",
        },
        key_topics=[topic("Proposal scope and pricing", [meeting], latest=days_ago(5))],
        warnings=[
            risk(
                "Close date is in 5 weeks but no executive is engaged",
                severity="high",
                date=days_ago(1),
                activities=[meeting],
                code="no_executive",
            )
        ],
    )
    page = new_page(width=1280)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/opportunities/{opportunity.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind - Platform expansion")
    deal = page.locator(".deal-facts")
    expect(deal).to_contain_text("Proposal")
    expect(deal).to_contain_text("$180,000")
    expect(deal).to_contain_text("Dec 31, 2026")
    expect(deal).to_contain_text("Dana Rivera")
    expect(page.locator(".roles-list li")).to_have_count(2)
    expect(page.get_by_role("img", name=re.compile("Engagement level 34 out of 100, Low"))).to_be_visible()
    expect(page.locator(".wheel-red")).to_have_count(1)
    page.get_by_role("link", name="Close date is in 5 weeks but no executive is engaged").click()
    expect(page.get_by_role("dialog")).to_contain_text("Proposal walkthrough")
    page.keyboard.press("Escape")
    screenshot(page, "opportunity-page", full_page=True)


def test_canvas_opens_the_record_inside_an_iframe_from_another_origin(
    live_server, new_page, screenshot, other_origin, settings, org
):
    """Salesforce POSTs a signed request into the iframe; the page and its htmx requests then work
    with the embed token alone (this browser has no Backstory session at all)."""
    settings.SALESFORCE_CANVAS_CONSUMER_SECRET = CANVAS_SECRET
    settings.BACKSTORY_FRAME_ANCESTORS = [other_origin.url("").rstrip("/")]
    signed = signed_canvas_request(
        user_id=org["rep"].crm_id, email=org["rep"].email, record_id=org["account"].crm_id
    )
    other_origin.serve(
        "/lightning/r/Account/view",
        f"""<!doctype html><html><head><title>Salesforce</title></head>
<body style="margin:0;font-family:sans-serif;background:#f3f3f3">
<div style="padding:10px 16px;background:#032d60;color:#fff">Salesforce · Account: Northwind Logistics · <b>Backstory</b> tab</div>
<form id="canvas" method="post" action="{live_server.url}/accounts/canvas/" target="backstory">
<input type="hidden" name="signed_request" value="{signed}"></form>
<iframe name="backstory" title="Backstory" style="width:620px;height:1100px;border:0;margin:12px;background:#fff"></iframe>
<script>document.getElementById("canvas").submit();</script></body></html>""",
    )
    page = new_page(width=680, height=1160)
    page.goto(other_origin.url("/lightning/r/Account/view"))
    frame = page.frame_locator("iframe[name=backstory]")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Northwind Logistics")
    expect(frame.get_by_role("link", name=re.compile("Open in Backstory"))).to_be_visible()
    expect(frame.get_by_role("search")).to_have_count(0)  # no search box inside Salesforce
    # htmx swaps inside the iframe authenticate with the token header.
    frame.get_by_label("External or internal").select_option("internal")
    expect(frame.locator("#people .person-name")).to_have_text(["Dana Rivera"])
    frame.get_by_role("link", name="Renewal timeline for Q1").click()
    expect(frame.get_by_role("dialog")).to_contain_text("Renewal timeline")
    screenshot(page, "canvas-iframe")
    # The assistant too: its panel GET and its question POST carry the token header, no CSRF cookie.
    page.keyboard.press("Escape")
    frame.locator(".assistant-launcher").click()
    question = frame.locator("#assistant-question")
    question.fill("Was pricing discussed?")
    question.press("Enter")
    expect(frame.locator("#assistant-messages .assistant-question")).to_have_text("Was pricing discussed?")
    expect(frame.locator("#assistant-messages .assistant-message-answer").last).to_contain_text(
        "Yes: pricing came up in"
    )
    assert all(cookie["name"] != "sessionid" for cookie in page.context.cookies())


def test_a_plain_iframe_tab_uses_the_session_and_other_pages_refuse_framing(
    live_server, new_page, screenshot, other_origin, settings, org
):
    """A Lightning tab framing /accounts/embed/sf/<id>/ on the same site (another port): the session
    cookie signs the rep in. The normal page URL keeps X-Frame-Options DENY and does not load."""
    host = other_origin.url("", host="localhost").rstrip("/")
    settings.BACKSTORY_FRAME_ANCESTORS = [host]
    page = new_page(width=760, height=1000)
    sign_in(page, live_server)
    other_origin.serve(
        "/tab",
        f"""<!doctype html><title>Salesforce</title>
<iframe name="embedded" title="Backstory" src="{live_server.url}/accounts/embed/sf/{org["account"].crm_id[:15]}/" style="width:700px;height:900px;border:0"></iframe>
<iframe name="plain" title="Plain page" src="{live_server.url}/accounts/{org["account"].pk}/" style="width:300px;height:200px"></iframe>""",
    )
    page.goto(f"{host}/tab")
    frame = page.frame_locator("iframe[name=embedded]")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Northwind Logistics")
    frame.get_by_label("Period").select_option("last_90_days")
    expect(frame.locator("#metrics .tile-meetings dd").first).to_have_text("14")
    screenshot(page, "plain-iframe-tab")
    plain = page.frame(name="plain")
    assert plain is not None
    expect(
        page.frame_locator("iframe[name=plain]").get_by_role("heading", name="Northwind Logistics")
    ).to_have_count(0)


def test_a_control_changed_the_moment_a_section_is_swapped_still_takes_effect(live_server, new_page, org):
    """A rep who changes People's audience and then, at once, the sort order gets the sort they chose.
    (The swapped-in form must listen from the moment it is on the page, not a settle delay later.)"""
    page = new_page()
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/accounts/{org['account'].pk}/")
    people = page.locator("#people")
    expect(people.locator(".person")).to_have_count(4)
    ceo = org["contacts"][3]
    # The next tick after the swap: as fast as a user (or Playwright on a busy machine) can act.
    page.evaluate(
        """() => {
            document.body.addEventListener('htmx:afterSwap', () => setTimeout(() => {
                const sort = document.getElementById('people-sort');
                sort.value = 'time_spent';
                sort.dispatchEvent(new Event('change', {bubbles: true}));
            }, 0), {once: true});
        }"""
    )
    page.get_by_label("External or internal").select_option("internal")
    expect(page).to_have_url(re.compile(r"sort=time_spent"))
    page.get_by_label("External or internal").select_option("external")
    expect(people.locator(".person-name").first).to_have_text(ceo.name)
