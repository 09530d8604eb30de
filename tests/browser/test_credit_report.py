"""A company requests a special credit report; a member of the public checks it (Chromium)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from commitments.lifecycle.services.breaches import MISSED_OBLIGATION, commitment_breach_record
from credit.reports.models import CreditReport
from tests.credit_seeds import credit_rules_seed
from tests.workflows.conftest import submit_commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    """Transactional tests empty the tables after each test: seed the credit rules again."""
    credit_rules_seed()


PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _breached(world):
    commitment = submit_commitment(world)
    return commitment_breach_record(
        commitment=commitment,
        by=world.regulator,
        severity="general",
        category_code=MISSED_OBLIGATION,
        reason="逾期未提交材料",
        obligation=commitment.obligations.get(),
    ).breach


def test_a_company_requests_a_report_and_the_public_verifies_it(
    browser, live_server, new_page, world, tmp_path
):
    # given a company with a breach on record (signed off the browser's thread: pyHanko)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_breached, world).result()
    today = timezone.localdate()
    page = new_page("applicant", locale="en")

    # when its representative asks for more than five years, then for one year
    page.goto("/reports/")
    page.fill("#span_from", (today - timedelta(days=6 * 365)).isoformat())
    page.fill("#span_until", today.isoformat())
    page.get_by_test_id("report-submit").click()
    page.wait_for_load_state()
    assert "at most 5 years" in page.get_by_test_id("error").inner_text()
    assert not CreditReport.objects.exists()

    page.fill("#span_from", (today - timedelta(days=365)).isoformat())
    page.get_by_test_id("report-submit").click()
    page.wait_for_load_state()

    # then the report is listed, and its sealed PDF downloads
    row = page.get_by_test_id("report")
    reference = row.get_attribute("data-reference")
    assert reference == CreditReport.objects.get().reference
    pdf = page.request.get(f"/reports/{reference}.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    genuine = tmp_path / "report.pdf"
    genuine.write_bytes(pdf.body())
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(pdf.body())
    position = data.index(b"/Producer")
    data[position + 12 : position + 13] = b"X"
    tampered.write_bytes(bytes(data))

    # when a member of the public (no login, on a phone) opens the check the QR code leads to
    public = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE)
    try:
        check = public.new_page()
        check.goto(f"/reports/verify/{reference}/")
        assert check.get_by_test_id("verify-report").get_attribute("data-verdict") == "valid"
        assert check.get_by_test_id("record-changed").get_attribute("data-changed") == "no"
        assert check.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # and checks the file it was given, then a tampered copy
        check.set_input_files("input[name=file]", str(genuine))
        check.get_by_test_id("verify-submit").click()
        check.wait_for_load_state()
        assert check.get_by_test_id("verify-report").get_attribute("data-verdict") == "valid"

        check.set_input_files("input[name=file]", str(tampered))
        check.get_by_test_id("verify-submit").click()
        check.wait_for_load_state()
        assert check.get_by_test_id("verify-report").get_attribute("data-verdict") == "invalid"

        # and a reference that was never issued
        check.goto("/reports/verify/SR-2026-NOSUCHREF/")
        assert "没有该编号" in check.get_by_test_id("verify-error").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        check.screenshot(path=SCREENSHOTS / "report-verify-zh-CN-390.png", full_page=True)
    finally:
        public.close()
