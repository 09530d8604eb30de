"""The date and file inputs in Chromium: the page's language, whatever the browser's.

The browser draws its own date and file controls in its own language ("mm/dd/yyyy", "Choose
Files" on a Chinese page); the pages draw theirs (directory/forms.py)."""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.workflows.conftest import submit_commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.mark.parametrize(
    ("locale", "button", "empty"),
    [("zh-CN", "选择文件", "未选择文件"), ("en-US", "Choose a file", "No file chosen")],
)
def test_a_file_is_chosen_through_a_button_in_the_pages_language(
    browser, live_server, world, tmp_path, locale, button, empty
):
    # given an English browser on the Chinese page, or the reverse
    # (an ASCII name: the test browser, started with a locale this machine may not have
    # generated, cannot open a path with Chinese characters)
    document = tmp_path / "commitment-2026.pdf"
    document.write_bytes(b"%PDF-1.7\n%%EOF\n")
    context = browser.new_context(base_url=live_server.url, locale=locale, viewport=PHONE)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(reverse("public:verify"))
        entry = page.locator("[data-file-entry]")

        # then the page's own button and text show; the browser's input is there, not seen
        assert entry.locator(".file-entry-button").inner_text() == button
        assert entry.locator(".file-entry-names").inner_text() == empty
        native = entry.locator("input[type=file]")
        box = native.bounding_box()
        assert box is not None and box["width"] <= 1 and box["height"] <= 1
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # when a keyboard reaches it, the focus is on the labelled input itself
        native.focus()
        assert page.evaluate("document.activeElement.name") == "file"
        assert page.evaluate("document.activeElement.labels[0].textContent").strip()

        # when a file is chosen, its name shows
        native.set_input_files(str(document))
        expect(entry.locator(".file-entry-names")).to_have_text("commitment-2026.pdf")
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_day_is_typed_year_first_and_filters_the_public_list(browser, live_server, world, locale):
    # given a commitment signed today (China Standard Time)
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(submit_commitment, world).result()
    day = timezone.localtime(signed.signed_at).date()
    tomorrow = day + datetime.timedelta(days=1)
    context = browser.new_context(base_url=live_server.url, locale=locale, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(reverse("portal:commitments"))
        rows = page.get_by_test_id("commitment")
        assert rows.count() == 1
        since = page.locator("#id_signed_from")
        assert since.get_attribute("type") == "text"
        assert since.get_attribute("placeholder") == (
            "年-月-日" if locale == "zh-CN" else "YYYY-MM-DD"
        )

        # when the day after is typed the Chinese way, nothing was signed since
        since.fill(f"{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日")
        page.get_by_test_id("filter-submit").click()
        page.wait_for_load_state()
        assert rows.count() == 0

        # when the day itself is typed with slashes, the commitment is back
        page.locator("#id_signed_from").fill(day.strftime("%Y/%m/%d"))
        page.get_by_test_id("filter-submit").click()
        page.wait_for_load_state()
        assert rows.count() == 1
        assert signed.reference in rows.first.inner_text()
    finally:
        context.close()
