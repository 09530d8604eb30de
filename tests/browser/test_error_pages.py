"""Our 404 page in Chromium: it fits a phone and a desktop, in the visitor's language."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize(("locale", "heading"), [("zh-CN", "页面不存在"), ("en", "Page not found")])
def test_the_404_page_fits_the_screen_and_leads_home(browser, live_server, screen, locale, heading):
    context = browser.new_context(base_url=live_server.url, locale=locale, viewport=SCREENS[screen])
    try:
        page = context.new_page()

        response = page.goto("/no-such-page/")

        assert response is not None and response.status == 404
        assert page.locator("h1").inner_text() == heading
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.get_by_test_id("error-home").click()
        page.wait_for_load_state()
        assert page.url.startswith(f"{live_server.url}/accounts/login/")
    finally:
        context.close()
