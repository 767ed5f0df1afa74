"""What a rep relies on, in headless Chromium: a readable assistant conversation (desktop, iframe,
phone), citations that open their source, the Engagement Log's pane, no console errors and no
sideways scrolling on a phone."""

import re
import time

import pytest
from playwright.sync_api import expect

from activities.models import Activity
from opportunities.tests.factories import OpportunityFactory

from .test_backstory_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
QUESTIONS = [
    "Was pricing discussed?",
    "What are the risks?",
    "Which competitors came up, and what are the biggest risks?",
]


def errors_of(page) -> list[str]:
    """Console errors and uncaught exceptions of a page, collected as it runs."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def ask_three(scope):
    scope.locator(".assistant-launcher").click()
    box = scope.locator("#assistant-question")
    for n, question in enumerate(QUESTIONS, start=1):
        box.fill(question)
        box.press("Enter")
        expect(scope.locator(".assistant-message-answer")).to_have_count(n)


def assert_no_overlap(frame_or_page):
    boxes = frame_or_page.locator("#assistant-messages > li[data-role]").evaluate_all(
        """items => items.map(li => {
            const r = li.getBoundingClientRect();
            return {top: r.top, bottom: r.bottom, height: r.height, content: li.scrollHeight, text: li.innerText.slice(0, 40)};
        })"""
    )
    assert len(boxes) == 2 * len(QUESTIONS)
    for box in boxes:
        assert box["content"] <= box["height"] + 1, f"squeezed below its content: {box}"
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert above["bottom"] <= below["top"] + 0.5, f"{above['text']!r} overlaps {below['text']!r}"


def newest_answer_in_view(scope, timeout: float = 5.0) -> bool:
    """The newest message's top is inside the list's box; the panel scrolls after it opens, so a
    loaded machine may need a moment."""
    deadline = time.monotonic() + timeout
    while True:
        in_view = scope.locator("#assistant-messages").evaluate(
            """list => {
                const last = list.lastElementChild, box = list.getBoundingClientRect(), r = last.getBoundingClientRect();
                return r.top >= box.top - 1 && r.top < box.bottom;
            }"""
        )
        if in_view or time.monotonic() > deadline:
            return in_view
        time.sleep(0.1)


@pytest.mark.parametrize("width", [1440, 390])
def test_a_three_answer_conversation_reads_without_overlap(live_server, new_page, screenshot, org, width):
    page = new_page(width, 900)
    errors = errors_of(page)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/accounts/{org['account'].pk}/")
    ask_three(page)
    assert_no_overlap(page)
    screenshot(page, f"assistant-three-answers-{width}")
    # Closed and opened again: the newest answer is in view, not an old one.
    page.locator(".assistant-close").click()
    page.locator(".assistant-launcher").click()
    expect(page.locator(".assistant-message-answer")).to_have_count(3)
    assert newest_answer_in_view(page)
    assert_no_overlap(page)
    assert errors == []


def test_a_three_answer_conversation_reads_without_overlap_inside_an_iframe(
    live_server, new_page, screenshot, other_origin, settings, org
):
    host = other_origin.url("", host="localhost").rstrip("/")
    settings.BACKSTORY_FRAME_ANCESTORS = [host]
    page = new_page(width=760, height=1000)
    sign_in(page, live_server)
    other_origin.serve(
        "/tab",
        f"""<!doctype html><title>Salesforce</title>
<iframe name="embedded" title="Backstory" src="{live_server.url}/accounts/embed/sf/{org["account"].crm_id[:15]}/" style="width:700px;height:900px;border:0"></iframe>""",
    )
    page.goto(other_origin.url("/tab", host="localhost"))
    frame = page.frame_locator("iframe[name=embedded]")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Northwind Logistics")
    ask_three(frame)
    assert_no_overlap(frame)
    screenshot(page, "assistant-three-answers-iframe")


def test_every_citation_of_a_summary_answer_opens_its_source(live_server, new_page, screenshot, org):
    from opportunities.tests.factories import NextStepFactory
    from pages.tests.factories import next_step

    step = NextStepFactory(opportunity=org["opportunity"], subject="Send the security questionnaire")
    summary = org["account"].summary
    summary.next_steps = [{**next_step(step.subject, due=step.due_date), "next_step_id": step.pk}]
    summary.save()
    page = new_page(1440, 900)
    sign_in(page, live_server)
    account_url = f"{live_server.url}/accounts/{org['account'].pk}/"
    page.goto(account_url)
    page.locator(".assistant-launcher").click()
    box = page.locator("#assistant-question")
    box.fill("Give me a summary for my manager")
    box.press("Enter")
    sources = page.locator(".assistant-message-answer").last.locator(".assistant-sources a")
    expect(sources.first).to_be_visible()
    cited = sources.evaluate_all(
        "links => links.map(a => [a.dataset.kind, a.dataset.id, a.getAttribute('href'), a.textContent])"
    )
    assert {kind for kind, *_ in cited} >= {"activity", "metric", "opportunity", "next_step"}
    for kind, ident, href, label in cited:
        page.goto(live_server.url + href)
        if kind == "activity":
            expect(page.get_by_role("heading", level=2)).to_have_text(Activity.objects.get(pk=ident).subject)
            expect(page.locator(".log-pane-id")).to_contain_text(ident)
        elif kind == "opportunity":
            expect(page.get_by_role("heading", level=1)).to_have_text(label)
        elif kind == "contact":
            expect(page.get_by_role("dialog")).to_contain_text(label)
        else:  # a metric or a next step: the element the hash names, scrolled to
            anchor = href.split("#", 1)[1]
            target = page.locator(f"#{anchor}")
            expect(target).to_be_visible()
            expect(target).to_be_in_viewport()
            if kind == "next_step":
                expect(target).to_contain_text(label)
                assert target.evaluate("el => el.matches(':target')")
                screenshot(page, "citation-next-step")


def test_the_log_pane_opens_from_a_link_and_edit_match_saves(live_server, new_page, screenshot, org):
    activity = (
        Activity.objects.filter(account=org["account"], is_private=False).order_by("-occurred_at").first()
    )
    OpportunityFactory(
        name="Northwind - Second site", account=org["account"], owner=org["rep"], stage="Discovery"
    )
    page = new_page(1440, 900)
    errors = errors_of(page)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/activities/log/?activity={activity.pk}")
    pane = page.locator("#log-pane")
    expect(pane.get_by_role("heading", level=2)).to_have_text(activity.subject)
    expect(pane.locator(".log-pane-id")).to_have_text(f"Activity ID {activity.pk}")
    checkbox = pane.get_by_role("checkbox", name=re.compile("Northwind - Second site"))
    checkbox.scroll_into_view_if_needed()
    checkbox.click()  # fails if anything covers it
    expect(checkbox).to_be_checked()
    pane.get_by_role("button", name="Save match").click()
    expect(pane).to_contain_text("Match saved")
    expect(page.locator(f"#activity-row-{activity.pk}")).to_contain_text("Northwind - Second site")
    # the pane scrolls down to all its content, never sideways (it did, hiding its left edge)
    assert pane.evaluate(
        "el => getComputedStyle(el).overflowY === 'auto' || el.scrollHeight <= el.clientHeight"
    )
    assert pane.evaluate("el => el.scrollWidth <= el.clientWidth"), "the pane scrolls sideways"
    screenshot(page, "log-pane-saved")
    assert errors == []


PAGES = {
    "home": "/",
    "account": "/accounts/{account}/",
    "opportunity": "/opportunities/{opportunity}/",
    "log": "/activities/log/",
    "help": "/help/",
    "metrics library": "/reports/metrics-library/",
}


# The room inside a text box and the width its placeholder needs, in the box's own font.
PLACEHOLDER_ROOM = """input => {
  const style = getComputedStyle(input, "::placeholder");
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const padding = parseFloat(getComputedStyle(input).paddingLeft) + parseFloat(getComputedStyle(input).paddingRight);
  return [input.clientWidth - padding, context.measureText(input.placeholder).width];
}"""


@pytest.mark.parametrize("name", list(PAGES))
def test_no_console_error_and_no_sideways_scroll_on_a_phone(live_server, new_page, screenshot, org, name):
    url = PAGES[name].format(account=org["account"].pk, opportunity=org["opportunity"].pk)
    for width in (1440, 390):
        page = new_page(width, 900)
        errors = errors_of(page)
        sign_in(page, live_server)
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        assert errors == [], f"{name} at {width} px: {errors}"
        if width == 1440:
            # A wide screen shows every place of the main menu without a Menu button.
            expect(page.get_by_role("button", name="Menu")).to_be_hidden()
            for place in ("Home", "Engagement Log", "Reports", "Connections", "Help"):
                expect(
                    page.get_by_role("navigation", name="Main").get_by_role("link", name=place)
                ).to_be_visible()
        if width == 390:
            wide = page.evaluate("document.documentElement.scrollWidth")
            screenshot(page, f"phone-{name.replace(' ', '-')}", full_page=True)
            assert wide <= 390, f"{name} is {wide} px wide at 390 px"
            # No table hides columns behind a sideways scroll either.
            hidden = page.eval_on_selector_all(
                ".table-scroll", "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth + 1).length"
            )
            assert hidden == 0, f"{name}: {hidden} table(s) scroll sideways at 390 px"
            bar = page.locator("header.topbar").bounding_box()
            assert bar["height"] <= 2 * 56, f"the top bar is {bar['height']} px tall"
            # The search box says what it searches, whole, not cut at its edge.
            room, needed = page.eval_on_selector("#global-search", PLACEHOLDER_ROOM)
            assert needed <= room, f"the search placeholder needs {needed:.0f} px of {room:.0f} px"
            # Every place of the main menu is one tap away, whole on screen (none cut at the edge).
            menu = page.get_by_role("button", name="Menu")
            menu.click()
            expect(menu).to_have_attribute("aria-expanded", "true")
            for place in ("Home", "Engagement Log", "Reports", "Connections", "Help"):
                link = page.get_by_role("navigation", name="Main").get_by_role("link", name=place)
                expect(link).to_be_visible()
                box = link.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{place} is cut at 390 px"
            if name == "home":
                screenshot(page, "phone-menu")
            page.keyboard.press("Escape")
            expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
            if name == "home":  # its two short tables fit a phone: no column cut off at the card's edge
                clipped = page.evaluate(
                    "[...document.querySelectorAll('.table-scroll')].filter(el => el.scrollWidth > el.clientWidth).length"
                )
                assert clipped == 0, "a home table is cut at 390 px"


def test_the_person_drawer_wheel_is_76_px_and_colleagues_get_no_buyer_benchmark(
    live_server, new_page, screenshot, org
):
    page = new_page(1440, 900)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/accounts/{org['account'].pk}/")
    page.locator("#people .person-link").first.click()
    drawer = page.get_by_role("dialog")
    expect(drawer).to_contain_text("Buyer benchmarks")
    wheel = drawer.locator(".person-score-row .wheel")
    assert round(wheel.bounding_box()["width"]) == 76
    screenshot(page, "person-drawer-contact")
    page.keyboard.press("Escape")
    page.get_by_label("External or internal").select_option("internal")
    expect(page.locator("#people .person-name")).to_have_text(["Dana Rivera"])
    page.locator("#people .person-link").first.click()
    expect(drawer.get_by_role("heading", level=2)).to_have_text("Dana Rivera")
    expect(drawer).not_to_contain_text("Buyer benchmarks")
    assert round(drawer.locator(".person-score-row .wheel").bounding_box()["width"]) == 76


def test_search_finds_a_deal_by_words_in_any_order(live_server, new_page, screenshot, org):
    from accounts.tests.factories import AccountFactory

    wayne = AccountFactory(name="Wayne Financial", domain="waynefinancial.com", owner=org["other"])
    deal = OpportunityFactory(name="Wayne Financial - Analytics Expansion", account=wayne, owner=org["other"])
    page = new_page(1440, 900)
    sign_in(page, live_server)
    search = page.get_by_role("combobox", name="Search accounts and opportunities")
    search.fill("wayne analytics")
    option = page.get_by_role("listbox", name="Search results").get_by_role("option").first
    expect(option).to_contain_text("Wayne Financial - Analytics Expansion")
    screenshot(page, "search-wayne-analytics")
    search.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(deal.name)
