"""Credit repair and an objection in Chromium, from the subject's side and the officer's."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.services import active_template
from credit.record.models.breaches import Breach
from tests.browser.objections import (  # noqa: F401 - the first two are fixtures
    credit_rules_seeded,
    objection_decide,
    objection_submit,
    on_a_working_day,
    record_published,
)
from tests.factories import CompetenceFactory
from workflows.repair.models import Objection, RepairApplication

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("credit_rules_seeded", "on_a_working_day"),
]

PDF = b"%PDF-1.4\n% paid in full\n"


def test_a_repair_from_the_subjects_side_and_the_officers(world, new_page, tmp_path):
    # Given a serious record of 2026-03-31 (Order 58: repairable after 3 months)
    CompetenceFactory(
        matter=active_template(CommitmentTemplate.Kind.CREDIT_REPAIR).matter,
        region=world.region,
        department=world.department,
    )
    breach = record_published(world, date(2026, 3, 31))
    later = record_published(world, date(2026, 4, 1))  # Order 36: not before 2027-04-01
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(PDF)

    # When the applicant opens its record and goes to repair
    applicant = new_page("applicant", locale="en-US")
    applicant.goto(f"/credit/{world.subject.code}/")
    applicant.get_by_test_id("repair-link").click()
    expect(applicant.get_by_test_id("record")).to_have_count(2)
    expect(applicant.get_by_test_id("apply-link")).to_have_count(1)
    expect(applicant.get_by_test_id("records")).to_contain_text("Eligible from 2027-04-01")
    applicant.goto(f"/credit/{world.subject.code}/repair/{later.pk}/")
    expect(applicant.get_by_test_id("refusal")).to_contain_text("2027-04-01")

    applicant.goto(f"/credit/{world.subject.code}/repair/{breach.pk}/")
    applicant.fill("#statement", "已缴清罚款并提交整改报告")
    applicant.locator("#proofs").set_input_files(str(receipt))
    applicant.get_by_test_id("signing-password").fill("pw-12345678")
    applicant.get_by_test_id("repair-submit").click()

    # Then the application is submitted with its signed repair commitment
    expect(applicant.get_by_test_id("application-status")).to_have_text("Submitted")
    application = RepairApplication.objects.get(breach=breach)
    assert application.commitment.is_signed

    # When the regulator of the designating department grants it
    regulator = new_page("regulator", locale="en-US")
    regulator.goto("/regulator/credit/")
    regulator.get_by_test_id("repair-row").get_by_role("link").click()
    expect(regulator.get_by_test_id("decision-due")).to_have_text("2026-12-04")
    expect(regulator.get_by_test_id("proofs")).to_contain_text("receipt.pdf")
    regulator.get_by_test_id("decide-submit").click()
    expect(regulator.get_by_test_id("check-decision")).to_contain_text("Grant")
    regulator.get_by_test_id("confirm-decision").click()
    expect(regulator.get_by_test_id("application-status")).to_have_text("Granted")

    # Then the subject sees the grant and the record is repaired
    applicant.reload()
    expect(applicant.get_by_test_id("application-status")).to_have_text("Granted")
    expect(applicant.get_by_test_id("breach-status")).to_have_text("Repaired")
    assert Breach.objects.get(pk=breach.pk).status == "repaired"


def test_an_objection_from_the_subjects_side_and_the_officers(world, new_page):
    # Given a published record
    breach = record_published(world, date(2026, 4, 1))

    # When the applicant objects to its content
    applicant = objection_submit(world, new_page, breach)

    # Then the record is under objection at once and a second objection is not offered
    expect(applicant.get_by_test_id("objection-open")).to_be_visible()

    # When the regulator revokes the record
    objection_decide(
        new_page,
        outcome="revoked",
        reason="回执属实",
        check="Uphold: revoke the record",
        status="Upheld: record revoked",
    )

    # Then the subject sees the decision and the record has left publication
    applicant.reload()
    expect(applicant.get_by_test_id("objection-status")).to_have_text("Upheld: record revoked")
    expect(applicant.get_by_test_id("breach-status")).to_have_text("Revoked")
    assert Objection.objects.get().status == "revoked"
    applicant.goto(f"/credit/{world.subject.code}/public/")
    expect(applicant.get_by_test_id("no-breaches")).to_be_visible()
