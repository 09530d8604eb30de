"""The public verification verdict in Chromium: a phone shows the panel without sideways scroll."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from commitments.lifecycle.services.commitments import commitment_preview
from tests.workflows.conftest import draft_commitment, submit_commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _phone(browser, live_server, locale: str):
    return browser.new_context(base_url=live_server.url, locale=locale, viewport=PHONE)


@pytest.mark.parametrize(("locale", "summary"), [("zh-CN", "有效："), ("en", "Valid:")])
def test_a_valid_commitment_shows_a_green_verdict_that_fits_a_phone(
    browser, live_server, world, locale, summary
):
    # given (signed off the browser's thread: pyHanko runs its own event loop)
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(submit_commitment, world).result()
    context = _phone(browser, live_server, locale)
    try:
        page = context.new_page()

        # when: the seal's QR code is scanned
        page.goto(f"/verify/{signed.reference}/")

        # then
        panel = page.get_by_test_id("verify-report")
        assert panel.get_attribute("data-verdict") == "valid"
        assert page.get_by_test_id("verdict-summary").inner_text().startswith(summary)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"verify-valid-{locale}-390.png", full_page=True)
    finally:
        context.close()


def test_an_uploaded_preview_says_it_carries_no_signature_on_a_phone(
    browser, live_server, world, tmp_path
):
    # given a preview someone took for the signed document
    draft = draft_commitment(world)
    preview = tmp_path / "preview.pdf"
    preview.write_bytes(commitment_preview(commitment=draft, by=world.applicant))
    context = _phone(browser, live_server, "zh-CN")
    try:
        page = context.new_page()
        response = page.goto("/verify/")
        assert response is not None and response.status == 200, page.content()[:2000]

        # when
        page.set_input_files("input[name=file]", str(preview))
        page.get_by_role("button", name="核验").click()
        page.wait_for_load_state()

        # then
        assert page.get_by_test_id("verify-report").get_attribute("data-verdict") == "unsigned"
        assert "本文件没有电子签名" in page.get_by_test_id("verdict-summary").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "verify-unsigned-zh-CN-390.png", full_page=True)
    finally:
        context.close()
