"""Playwright driving Debian's Chromium: one browser per test module, a fresh context per user."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking switches Chromium keeps dialling out of a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The browser's own language draws native controls (date pickers, "Choose files"): the
    # pages are Chinese by default, so the browser is too (the context's locale alone sets only
    # Accept-Language and navigator.language). On Linux, Chromium reads LANGUAGE as well.
    "--lang=zh-CN",
]
CHROMIUM_ENV = {**os.environ, "LANGUAGE": "zh_CN:zh", "LANG": "zh_CN.UTF-8"}


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop on this thread; the test's own ORM calls are
    # still synchronous, so Django must not refuse them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=CHROMIUM_ENV, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a logged-in page for a user, each in its own browser context (own cookies).

    Every page must keep the Content-Security-Policy: Chromium reports each refused inline
    script, style or foreign resource on the console, and any such report fails the test."""
    contexts = []
    violations: list[str] = []

    def open_page(username: str, password: str = "pw-12345678", *, locale: str = "zh-CN"):  # noqa: S107
        context = browser.new_context(base_url=live_server.url, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        context.on(
            "console",
            lambda message: (
                violations.append(f"{message.page.url if message.page else ''}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not violations, "Content-Security-Policy refused:\n" + "\n".join(violations)
