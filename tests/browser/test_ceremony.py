"""The signing ceremony in Chromium: the document on the page, the password at the moment of
signing, and a batch of drafts signed with one password, each listed with its outcome."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from directory.models import Subject
from tests.workflows.conftest import FIELD_VALUES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draft(user, subject, template) -> Commitment:
    return commitment_create(by=user, subject=subject, template=template, field_values=FIELD_VALUES)


def test_the_signer_reads_the_document_and_signs_with_the_password_of_that_moment(world, new_page):
    draft = _draft(world.applicant, world.subject, world.template)
    applicant = new_page("applicant")
    applicant.goto(f"/commitments/{draft.reference}/")

    # the document is on the page, and the sign form asks for the password now
    expect(applicant.get_by_test_id("commitment-text")).to_be_visible()
    expect(applicant.get_by_test_id("signing-password")).to_be_visible()

    # a wrong password signs nothing and says why
    applicant.get_by_test_id("confirm-liability").check()
    applicant.get_by_test_id("signing-password").fill("wrong-password")
    applicant.get_by_test_id("sign").click()
    expect(applicant.locator("main")).to_contain_text("密码不正确")
    assert Commitment.objects.get(pk=draft.pk).status == Commitment.Status.DRAFT

    # the right one signs
    applicant.get_by_test_id("confirm-liability").check()
    applicant.get_by_test_id("signing-password").fill("pw-12345678")
    applicant.get_by_test_id("sign").click()
    expect(applicant.get_by_test_id("status")).to_have_attribute(
        "class", re.compile("under_verification")
    )


def test_a_batch_of_drafts_is_signed_with_one_password_on_a_phone(world, new_page):
    drafts = [_draft(world.applicant, world.subject, world.template) for _n in range(2)]
    foreign = _draft(world.stranger, Subject.objects.get(name="别人的公司"), world.template)
    applicant = new_page("applicant")
    applicant.set_viewport_size({"width": 390, "height": 844})

    # the list leads to the batch page, which offers only the applicant's drafts
    applicant.goto("/commitments/")
    applicant.get_by_test_id("batch-sign-link").click()
    expect(applicant.get_by_test_id("batch-draft")).to_have_count(2)
    assert foreign.reference not in applicant.content()

    for draft in drafts:
        applicant.get_by_test_id(f"batch-choose-{draft.reference}").check()
    applicant.get_by_test_id("confirm-liability").check()
    applicant.get_by_test_id("signing-password").fill("pw-12345678")
    applicant.get_by_test_id("batch-sign").click()

    # each is listed with its outcome, and each is signed on its own
    expect(applicant.get_by_test_id("batch-result")).to_have_count(2)
    expect(applicant.locator('[data-outcome="signed"]')).to_have_count(2)
    assert applicant.evaluate("document.documentElement.scrollWidth") <= 390
    signed = Commitment.objects.filter(pk__in=[d.pk for d in drafts])
    assert {c.status for c in signed} == {Commitment.Status.UNDER_VERIFICATION}
    assert len({c.signed_document_id for c in signed}) == 2
