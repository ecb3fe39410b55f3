"""End-to-end tests in a real browser: Playwright's Python package driving
Debian's Chromium (never a downloaded browser) at a phone's viewport.

Skipped when /usr/bin/chromium is missing, unless LIAISON_REQUIRE_BROWSER=1
(CI), where a missing browser fails the run instead.
"""
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 390, "height": 844}

# Playwright's sync API runs an event loop in this thread; Django refuses
# ORM calls from a thread with a running loop unless told it is safe. The
# tests only touch the ORM to arrange data, never concurrently with a page.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("LIAISON_REQUIRE_BROWSER") == "1":
        return  # let the browser fixture fail loudly
    skip = pytest.mark.skip(reason="needs Debian's chromium at /usr/bin/chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


_RUNNING: list = []  # the one browser of the run


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run. Test modules outside tests/e2e import
    this fixture, which makes pytest hold a second session fixture: it gets
    the browser already running (a second sync_playwright() inside the first
    one's event loop is refused)."""
    if _RUNNING:
        yield _RUNNING[0]
        return
    if not CHROMIUM.exists():
        pytest.fail("LIAISON_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        _RUNNING.append(browser)
        try:
            yield browser
        finally:
            _RUNNING.clear()
            browser.close()


class PhoneSession:
    """One person's browser context at 390×844 that records console errors
    and page errors, and checks after every page that nothing is wider than
    the screen."""

    def __init__(self, browser, base_url):
        self.base_url = base_url
        self.context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        self.context.set_default_timeout(30_000)  # a loaded 2-core CI machine: 10 s timed out a form post once
        self.page = self.context.new_page()
        self.problems = []
        self.visited = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        # A console error for a failed resource does not name it: record the URL.
        self.page.on(
            "response",
            lambda response: response.status >= 400
            and self.problems.append(f"HTTP {response.status} for {response.url}: {response.text()[:500]}"),
        )

    def _on_console(self, message):
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def check_width(self):
        url = self.page.url
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.visited.append(url)
        if width > VIEWPORT["width"]:
            self.problems.append(f"{url} is {width}px wide, wider than the {VIEWPORT['width']}px screen")

    def goto(self, path):
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("load")
        self.check_width()

    def click(self, selector):
        """Click something that loads a new page, then check that page."""
        # A picker's search that answered late reopens its dropdown over the form: close them first,
        # as a person would tap elsewhere before the button.
        self.page.evaluate("document.querySelectorAll('select.tomselected').forEach(s => s.tomselect.close())")
        with self.page.expect_navigation():
            self.page.click(selector)
        self.page.wait_for_load_state("load")
        self.check_width()

    def login(self, username, password, next_path="/"):
        self.goto("/accounts/login/?next=" + next_path)
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.click("main form button[type=submit]")

    def click_locator(self, locator):
        with self.page.expect_navigation():
            locator.click()
        self.page.wait_for_load_state("load")
        self.check_width()

    def close(self):
        self.context.close()


@pytest.fixture(scope="session")
def plain_http():
    """The live server builds its middleware once, when it starts: switch the
    HTTPS redirect and HSTS off before that (the per-test settings fixture
    comes too late for a session-wide server)."""
    from django.conf import settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "SECURE_SSL_REDIRECT", False)
        patch.setattr(settings, "SECURE_HSTS_SECONDS", 0)
        yield


@pytest.fixture
def phone(plain_http, browser, live_server):
    sessions = []

    def open_session(username, password, next_path="/"):
        session = PhoneSession(browser, live_server.url)
        session.login(username, password, next_path)
        sessions.append(session)
        return session

    yield open_session
    for session in sessions:
        session.close()
    problems = [p for s in sessions for p in s.problems]
    assert not problems, "\n".join(problems)
