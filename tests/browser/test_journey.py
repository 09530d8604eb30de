"""The whole inform-and-commit journey as people click it: sign, verify, see the outcome."""

import re

import pytest
from playwright.sync_api import expect

from commitments.lifecycle.models import Commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_applicant_signs_regulator_verifies_applicant_sees_outcome(world, new_page):
    # Given an applicant on the template list
    applicant = new_page("applicant")
    applicant.goto("/commitments/templates/")
    applicant.get_by_test_id(f"template-{world.template.code}").get_by_test_id(
        "choose-template"
    ).click()

    # When it reads the statutory notice, acknowledges it and fills in the form
    expect(applicant.get_by_test_id("notice")).to_contain_text("承诺不实的")
    applicant.get_by_test_id("acknowledge").check()
    applicant.get_by_test_id("continue").click()
    applicant.fill("[name=field_premises]", "深圳市南山区科技园科苑路1号")
    applicant.fill("[name=field_scope]", "热食类食品制售")
    applicant.get_by_test_id("save-draft").click()

    # Then it can preview the PDF and sign it
    preview = applicant.request.get(applicant.get_by_test_id("preview").get_attribute("href"))
    assert preview.headers["content-type"] == "application/pdf"
    assert preview.body().startswith(b"%PDF-")
    applicant.get_by_test_id("confirm-liability").check()
    applicant.get_by_test_id("signing-password").fill("pw-12345678")
    applicant.get_by_test_id("sign").click()
    expect(applicant.get_by_test_id("status")).to_have_attribute(
        "class", re.compile("under_verification")
    )
    reference = applicant.get_by_test_id("reference").inner_text().strip()
    download = applicant.request.get(applicant.get_by_test_id("download").get_attribute("href"))
    commitment = Commitment.objects.select_related("signed_document").get(reference=reference)
    assert download.body().startswith(b"%PDF-")
    assert len(download.body()) == commitment.signed_document.size

    # When the regulator it was assigned to opens its inbox and records the finding
    regulator = new_page("regulator")
    regulator.goto("/regulator/")
    regulator.get_by_test_id("task-row").filter(has_text=reference).get_by_test_id(
        "task-link"
    ).click()
    expect(regulator.get_by_test_id("task-owner")).to_have_text("regulator")
    regulator.select_option("[name=method]", "on_site")
    regulator.locator("[name=finding][value=fulfilled]").check()
    regulator.get_by_test_id("verify-submit").click()
    expect(regulator.get_by_test_id("messages")).to_be_visible()

    # Then the applicant sees the outcome and the timeline of who did what
    applicant.reload()
    expect(applicant.get_by_test_id("status")).to_have_attribute("class", re.compile("fulfilled"))
    expect(applicant.get_by_test_id("timeline")).to_contain_text("regulator")
    assert Commitment.objects.get(reference=reference).status == Commitment.Status.FULFILLED


def test_regulator_of_another_department_cannot_open_the_task(world, new_page):
    applicant = new_page("applicant")
    applicant.goto("/commitments/templates/")
    applicant.get_by_test_id(f"template-{world.template.code}").get_by_test_id(
        "choose-template"
    ).click()
    applicant.get_by_test_id("acknowledge").check()
    applicant.get_by_test_id("continue").click()
    applicant.fill("[name=field_premises]", "深圳市福田区1号")
    applicant.fill("[name=field_scope]", "预包装食品销售")
    applicant.get_by_test_id("save-draft").click()
    applicant.get_by_test_id("confirm-liability").check()
    applicant.get_by_test_id("signing-password").fill("pw-12345678")
    applicant.get_by_test_id("sign").click()
    commitment = Commitment.objects.get(subject=world.subject)
    task = commitment.process.task_set.get(flow_task_type="HUMAN", finished__isnull=True)

    outsider = new_page("housing-regulator")
    response = outsider.goto(f"/regulator/tasks/{task.pk}/")

    assert response.status == 404
    outsider.goto("/regulator/")
    expect(outsider.get_by_test_id("task-row")).to_have_count(0)


def test_the_credit_record_with_a_commitment_fits_a_phone(world, new_page):
    # Given an applicant whose subject has signed a commitment with two obligations
    applicant = new_page("applicant", locale="en-US")
    applicant.goto("/commitments/templates/")
    applicant.get_by_test_id(f"template-{world.template.code}").get_by_test_id(
        "choose-template"
    ).click()
    applicant.get_by_test_id("acknowledge").check()
    applicant.get_by_test_id("continue").click()
    applicant.fill("[name=field_premises]", "深圳市南山区科技园科苑路1号")
    applicant.fill("[name=field_scope]", "热食类食品制售")
    applicant.get_by_test_id("save-draft").click()
    applicant.get_by_test_id("confirm-liability").check()
    applicant.get_by_test_id("signing-password").fill("pw-12345678")
    applicant.get_by_test_id("sign").click()
    reference = applicant.get_by_test_id("reference").inner_text().strip()

    # When it opens the subject's credit record on a phone
    applicant.set_viewport_size({"width": 390, "height": 844})
    applicant.goto(f"/credit/{world.subject.code}/")

    # Then the commitment is listed and the page needs no sideways scrolling
    expect(applicant.get_by_test_id("commitment")).to_contain_text(reference)
    assert applicant.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
