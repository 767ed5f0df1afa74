"""Headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright, one browser per session.

Pages are served by pytest-django's ``live_server``; a second tiny HTTP server on another port plays
the part of Salesforce (another origin) for the embedding tests. Screenshots go to
``test-artifacts/screenshots/``.
"""

import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BACKSTORY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: `apt-get install -y chromium` (bin/test does it as root)."
        )
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """Open a page in a fresh browser context (its own cookies) with a given viewport."""
    contexts = []

    def open_page(width: int = 1360, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
        # Generous: the suite shares a small CI machine; every wait still ends as soon as it is met.
        context.set_default_timeout(20_000)
        context.set_default_navigation_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """Save a screenshot of a page (or a locator) under test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(target, name: str, **kwargs) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        kwargs.setdefault("animations", "disabled")
        target.screenshot(path=str(path), **kwargs)
        return path

    return save


class _HostPages(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def other_origin():
    """A second local HTTP server, another origin than the live server, serving HTML set by the test:
    ``other_origin.serve(path, html)`` then ``other_origin.url(path, host=...)``."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            return

    server = _HostPages(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    class Host:
        port = server.server_address[1]

        def serve(self, path: str, html: str) -> None:
            pages[path] = html

        def url(self, path: str, host: str = "127.0.0.1") -> str:
            return f"http://{host}:{self.port}{path}"

    yield Host()
    server.shutdown()
    server.server_close()


@pytest.fixture
def org(transactional_db, frozen_now):
    """Northwind Logistics with a summary, people and activities (two reps), and an open deal."""
    from accounts.tests.factories import AccountFactory
    from demo.ids import crm_id
    from opportunities.tests.factories import OpportunityFactory
    from pages.tests.factories import full_account
    from users.tests.factories import UserFactory

    rep = UserFactory(username="dana", first_name="Dana", last_name="Rivera", crm_id=crm_id("005", 9_001))
    other = UserFactory(username="sam", first_name="Sam", last_name="Okafor")
    account = AccountFactory(
        name="Northwind Logistics",
        owner=rep,
        domain="northwind.com",
        crm_id=crm_id("001", 9_002),
        industry="Logistics",
    )
    AccountFactory(name="Northstar Foods", owner=other, domain="northstar.com")
    pieces = full_account(account=account, rep=rep, other_rep=other, people=4)
    opportunity = OpportunityFactory(
        name="Northwind - Platform expansion",
        account=account,
        owner=rep,
        amount=180_000,
        stage="Proposal",
        crm_id=crm_id("006", 9_003),
    )
    pieces["opportunity"] = opportunity
    return {"rep": rep, "other": other, "account": account, **pieces}
