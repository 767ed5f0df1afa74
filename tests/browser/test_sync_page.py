"""In a real browser: the admins' sync page with the Salesforce API budget held, at desktop and
phone widths and inside a narrow iframe: every figure readable, nothing wider than the window."""

import datetime as dt

import pytest

from users.tests.factories import UserFactory

NOW = "2026-11-23T12:00:00+00:00"


def held_budget():
    """Backstory used 220 of its 200 calls (20 % of 1,000); /limits last failed."""
    from crm.models import ApiCallCount
    from crm.selectors import api_budget_get
    from crm.services import api_budget_update

    api_budget_get()
    api_budget_update(
        org_max=1000,
        org_remaining=140,
        org_read_at=dt.datetime.fromisoformat(NOW) - dt.timedelta(minutes=2),
        org_source="/limits",
        limits_tried_at=dt.datetime.fromisoformat(NOW) - dt.timedelta(minutes=2),
        limits_error="HTTP_403: The REST API is not enabled for this organization (INSUFFICIENT_ACCESS_OR_READONLY)",
    )
    start = dt.datetime.fromisoformat(NOW) - dt.timedelta(hours=20)
    ApiCallCount.objects.bulk_create(
        ApiCallCount(minute=start + dt.timedelta(minutes=10 * i), calls=20) for i in range(11)
    )


def overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width,height", [(1440, 900), (390, 844)])
def test_the_sync_page_shows_the_api_budget_at_every_width_and_in_an_iframe(
    live_server, new_page, screenshot, settings, width, height
):
    from playwright.sync_api import expect

    settings.BACKSTORY_NOW = NOW
    settings.SALESFORCE_MODE = "off"
    UserFactory(username="ops", admin=True)
    held_budget()

    page = new_page(width, height)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "ops")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/crm/sync-problems/")

    card = page.locator(".apib")
    expect(card.locator(".apib-badge")).to_have_text("Sync paused")
    expect(card).to_contain_text("220")
    expect(card).to_contain_text("200")
    expect(card).to_contain_text("140")
    expect(card).to_contain_text("Resumes by itself at")
    expect(card.locator(".apib-warning")).to_contain_text("could not read the org's limits")
    assert overflow(page) <= 0
    screenshot(page, f"sync-page-api-budget-{width}", full_page=True)

    # Inside a 600 px iframe (as a Salesforce tab would show it).
    page.evaluate(
        '() => { document.body.innerHTML = \'<iframe id=frame src="/crm/sync-problems/" '
        'style="width:min(600px,100%);height:900px;border:0"></iframe>\'; }'
    )
    frame = page.frame_locator("#frame")
    expect(frame.locator(".apib-badge")).to_have_text("Sync paused")
    inner = page.frame(url=lambda url: url.endswith("/crm/sync-problems/"))
    assert inner.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, f"sync-page-api-budget-{width}-iframe", full_page=True)
