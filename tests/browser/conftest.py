"""Browser tests: Chromium (Playwright) against pytest-django's live server.

Every page the browser opens is watched: a request to any host but the live server's (a CDN, a
font service) fails the test, and so does a Content-Security-Policy violation or a script error
reported on the page's console.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils.translation import trans_real

from tests.conftest import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Schemes that never leave the page: inline images in Bootstrap's CSS, blobs.
LOCAL_SCHEMES = {"data", "blob", "about"}


@dataclass
class Watch:
    """What every page of one test asked for and complained about."""

    host: str
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).netloc != self.host
        ]

    def csp_violations(self) -> list[str]:
        found = [
            msg
            for msg in self.console
            if "Refused to" in msg
            or "Content Security Policy" in msg
            or "Content-Security-Policy" in msg
        ]
        return sorted(set(found))  # one line per distinct message and page

    def assert_clean(self) -> None:
        assert not self.foreign_requests(), f"loaded from outside: {self.foreign_requests()}"
        assert not self.csp_violations(), f"CSP violations: {self.csp_violations()}"
        assert not self.page_errors, f"script errors: {self.page_errors}"


class Browsing:
    """Opens watched pages on the live server and logs in through the real login form."""

    def __init__(self, browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.watch = Watch(host=urlsplit(self.base_url).netloc)
        self.contexts = []

    def new_page(self, **context_options):
        context_options.setdefault("viewport", {"width": 1366, "height": 900})
        context_options.setdefault("locale", "zh-CN")
        context = self.browser.new_context(base_url=self.base_url, **context_options)
        self.contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: self.watch.requests.append(request.url))
        page.on(
            "console",
            lambda msg: self.watch.console.append(
                f"{msg.type} at {msg.location.get('url', '?')}: {msg.text}"
            ),
        )
        page.on("pageerror", lambda exc: self.watch.page_errors.append(str(exc)))
        return page

    def login(self, username: str, password: str = PASSWORD, **context_options):
        page = self.new_page(**context_options)
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/workbench/")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="session", autouse=True)
def _catalogue():
    """English pages need the compiled catalogue (make install builds it; a bare checkout has none)."""
    call_command("i18n-compile", verbosity=0)
    trans_real._translations = {}


@pytest.fixture
def browse(live_server, demo, monkeypatch):
    """A fresh Chromium per test, started after the database is set up and stopped before it is
    flushed. Playwright's sync API keeps an asyncio loop running on this thread, so Django's
    async-safety check would refuse the test body's own ORM calls; the live server's thread is
    unaffected."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        browsing = Browsing(browser, live_server.url)
        try:
            yield browsing
        finally:
            browsing.close()
            browser.close()
    browsing.watch.assert_clean()


def screenshot(page, name: str) -> Path:
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path
