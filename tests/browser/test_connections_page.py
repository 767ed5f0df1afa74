"""In a real browser: the Connections page at desktop and phone widths, with a card in each state."""

import datetime as dt

import pytest

from connections.tests.factories import CalendarConnectionFactory, MailboxConnectionFactory
from users.tests.factories import UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width,height", [(1440, 900), (390, 844)])
def test_the_connections_page_shows_progress_errors_and_actions_at_every_width(
    live_server, new_page, screenshot, width, height
):
    from playwright.sync_api import expect

    from backstory import clock

    rep = UserFactory(username="vince")
    now = clock.now()
    MailboxConnectionFactory(
        owner=rep,
        name="Vince at Enron",
        host="outlook.office365.com",
        username="vince.kaminski@enron.com",
        last_sync_at=now - dt.timedelta(minutes=1),
        last_success_at=now - dt.timedelta(minutes=1),
        captured=1_240,
        backfill_total=3_400,
        backfill_done=1_240,
    )
    CalendarConnectionFactory(
        owner=rep,
        name="Desk calendar",
        url="https://caldav.fastmail.com/dav/calendars/user/vince@enron.com/",
        last_sync_at=now - dt.timedelta(minutes=3),
        last_error="caldav.fastmail.com refused the sign-in: the user name, password or access token is wrong "
        "or has expired. Enter it again and save.",
        last_error_at=now - dt.timedelta(minutes=3),
        next_attempt_at=now + dt.timedelta(minutes=4),
        failures=2,
        captured=86,
        backfill_finished_at=now - dt.timedelta(days=1),
    )

    page = new_page(width, height)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "vince")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/connections/")

    mailbox = page.locator(".conn-card").first
    expect(mailbox).to_contain_text("Back-filling")
    expect(mailbox).to_contain_text("1,240 of 3,400")
    expect(page.locator(".conn-error")).to_contain_text("refused the sign-in")
    expect(page.locator(".conn-badge-error")).to_have_text("Needs attention")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 8)"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), wide
    screenshot(page, f"connections-{width}", full_page=True)

    page.locator(".conn-card").nth(1).get_by_role("button", name="Pause").click()
    expect(page.locator(".conn-card").nth(1).locator(".conn-badge")).to_have_text("Paused")
