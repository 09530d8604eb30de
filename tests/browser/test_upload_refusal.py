"""An upload refused in Chromium: a form signed before the draft was edited, on a phone.

The applicant reads why in Chinese next to the file field, the page does not scroll sideways
and axe-core finds nothing; nothing is submitted.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from commitments.lifecycle.models import Commitment, IssuedForm
from commitments.lifecycle.services.commitments import commitment_update_draft
from tests.browser.test_every_page import (
    _AXE_RUN_JS,
    _OVERFLOW_JS,
    AXE,
    AXE_TAGS,
    PASSWORD,
    SCREENS,
    SCREENSHOT_DIR,
)
from tests.commitments.lifecycle.test_signatures import foreign_ca, sign_elsewhere, usb_key
from tests.workflows.conftest import FIELD_VALUES, draft_commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", sorted(SCREENS))
def test_a_form_signed_before_an_edit_is_refused_in_chinese_on_a_phone_and_a_desktop(
    browser, live_server, world, settings, tmp_path, width
):
    # given the form downloaded and signed with a trusted USB key, then the draft edited
    ca = foreign_ca(tmp_path, "USB-CA")
    settings.SIGNING_TRUST_ROOTS = [str(ca.path)]
    settings.SIGNING_TRUST_CRLS = []
    draft = draft_commitment(world)
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(world.applicant)
    form = client.get(f"/commitments/{draft.reference}/preview.pdf?for=signing").content
    key, certificate = usb_key(ca, world.subject.code)
    with ThreadPoolExecutor(max_workers=1) as pool:  # pyHanko off Playwright's event loop
        signed = pool.submit(sign_elsewhere, form, ca, key, certificate).result()
    commitment_update_draft(
        commitment=draft, by=world.applicant, field_values={**FIELD_VALUES, "scope": "预包装食品"}
    )
    upload = tmp_path / "signed.pdf"
    upload.write_bytes(signed)
    world.applicant.set_password(PASSWORD)
    world.applicant.save(update_fields=["password"])
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=SCREENS[width])
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", world.applicant.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"/commitments/{draft.reference}/upload-signed/")

        # when
        page.set_input_files("input[name=file]", str(upload))
        page.get_by_role("button", name="上传并提交").click()
        page.wait_for_load_state()

        # then
        error = page.get_by_test_id("upload-error").inner_text()
        assert "此待签文本是在承诺书最近一次修改之前下载的" in error, error
        assert Commitment.objects.get(pk=draft.pk).status == Commitment.Status.DRAFT
        assert IssuedForm.objects.get(commitment=draft).superseded_at is not None
        assert page.evaluate(_OVERFLOW_JS) is None
        page.evaluate(AXE.read_text(encoding="utf-8"))
        assert page.evaluate(_AXE_RUN_JS, AXE_TAGS) == []
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=SCREENSHOT_DIR / f"upload-superseded-zh-CN-{width}.png", full_page=True
        )
    finally:
        context.close()
