"""An association's bulk issue in Chromium: the officer uploads a GB18030 members' file, the
page's progress bar follows the background work, each row's result shows, and the members'
page tells who signed and who has not, and reminds them; a member signs its issued pledge in
the real ceremony (password at the moment of signing) and the association sees it."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from commitments.associations.models import BulkIssue, MemberReminder
from commitments.associations.services.issue import bulk_issue_process, bulk_issue_upload
from commitments.catalogue.models import CommitmentTemplate
from commitments.lifecycle.models import Commitment
from signing.pades.validate import validate_pdf
from signing.storage import document_read
from tests.browser.threads import in_a_thread
from tests.factories import (
    AssociationFactory,
    SignedDocumentFactory,
    SubjectFactory,
    TemplateFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_association_issues_its_pledge_from_a_file_and_follows_the_signatures(world, new_page):
    # Given an association with two members and its self-discipline template
    officer = UserFactory(username="association")
    other = SubjectFactory(name="深圳市老字号酒家有限公司", region=world.region)
    AssociationFactory(
        code="sz-catering", region=world.region, officers=[officer], members=[world.subject, other]
    )
    TemplateFactory(
        matter=world.matter,
        code="catering-self-discipline",
        kind=CommitmentTemplate.Kind.SELF_DISCIPLINE,
        title="餐饮行业自律承诺书",
        fields=[],
        obligations=False,
    )
    rows = [
        "统一社会信用代码,名称,联系人",
        f"{world.subject.code},{world.subject.name},王经理",
        f"{other.code},{other.name},李经理",
        f"{other.code},{other.name},李经理",  # a duplicate
        "914403000000000000,不存在的公司,",  # a wrong check character
    ]

    # When the officer, on a phone, uploads the file saved by a Chinese spreadsheet (GB18030)
    page = new_page("association")
    page.set_viewport_size(PHONE)
    page.goto(reverse("associations:list"))
    page.get_by_test_id("association-row").get_by_role("link").click()
    page.get_by_test_id("upload-new").click()
    assert _fits_the_screen(page)
    page.set_input_files(
        "#file",
        {
            "name": "会员名单.csv",
            "mimeType": "text/csv",
            "buffer": "\r\n".join(rows).encode("gb18030"),
        },
    )
    page.get_by_test_id("upload-submit").click()

    # Then the progress page shows the file queued, and follows the worker by itself
    expect(page.get_by_test_id("progress")).to_be_visible()
    expect(page.get_by_test_id("rows-done")).to_have_text("0")
    assert _fits_the_screen(page)
    bulk_issue_process(bulk_issue_id=BulkIssue.objects.get().pk)  # the worker's run
    expect(page.get_by_test_id("bulk-status")).to_have_text("已完成")
    expect(page.get_by_test_id("result-row")).to_have_count(4)
    expect(page.get_by_test_id("issued")).to_have_text("2")
    expect(page.get_by_test_id("rejected")).to_have_text("2")
    page.get_by_test_id("filter-rejected").click()
    expect(page.get_by_test_id("result-row").first).to_contain_text("只下发一次")
    expect(page.get_by_test_id("result-row").last).to_contain_text("校验位不正确")
    assert _fits_the_screen(page)

    # When one member signs (its draft becomes a signed commitment)
    signed = Commitment.objects.get(subject=other)
    Commitment.objects.filter(pk=signed.pk).update(
        status="signed", signed_at=signed.created_at, signed_document=SignedDocumentFactory()
    )

    # Then the members' page counts and lists who signed and who has not, and reminds
    page.get_by_test_id("nav-members").click()
    expect(page.get_by_test_id("count-signed")).to_have_text("1")
    expect(page.get_by_test_id("count-unsigned")).to_have_text("1")
    page.get_by_test_id("filter-unsigned").click()
    expect(page.get_by_test_id("member-row")).to_have_count(1)
    expect(page.get_by_test_id("member-row")).to_contain_text(world.subject.name)
    page.get_by_test_id("remind").click()
    expect(page.get_by_test_id("messages")).to_contain_text("已提醒 1 家会员")
    assert MemberReminder.objects.get().subject == world.subject
    assert _fits_the_screen(page)

    # And on a wide screen too
    page.set_viewport_size({"width": 1366, "height": 900})
    assert _fits_the_screen(page)


def test_a_member_signs_the_issued_pledge_in_the_ceremony_and_the_association_sees_it(
    world, new_page
):
    # Given a pledge issued from a members' file to two members, one of them the applicant's
    officer = UserFactory(username="association")
    other = SubjectFactory(name="深圳市老字号酒家有限公司", region=world.region)
    association = AssociationFactory(
        code="sz-catering", region=world.region, officers=[officer], members=[world.subject, other]
    )
    template = TemplateFactory(
        matter=world.matter,
        code="catering-self-discipline",
        kind=CommitmentTemplate.Kind.SELF_DISCIPLINE,
        title="餐饮行业自律承诺书",
        fields=[],
        obligations=False,
    )
    rows = ["统一社会信用代码,名称", *(f"{s.code},{s.name}" for s in (world.subject, other))]
    bulk = bulk_issue_upload(
        by=officer,
        association=association,
        template=template,
        upload=SimpleUploadedFile("会员.csv", "\r\n".join(rows).encode("gb18030")),
        original_name="会员.csv",
    )
    bulk_issue_process(bulk_issue_id=bulk.pk)
    draft = Commitment.objects.get(subject=world.subject, template=template)
    assert draft.signed_document_id is None  # nothing rendered or signed at issue

    # When the member's representative opens it from the list and signs with the password
    applicant = new_page("applicant")
    applicant.goto("/commitments/")
    applicant.get_by_role("link", name=draft.reference).first.click()
    expect(applicant.get_by_test_id("commitment-text")).to_be_visible()
    applicant.get_by_test_id("confirm-liability").check()
    applicant.get_by_test_id("signing-password").fill("wrong-password")
    applicant.get_by_test_id("sign").click()
    expect(applicant.locator("main")).to_contain_text("密码不正确")
    assert Commitment.objects.get(pk=draft.pk).status == Commitment.Status.DRAFT
    applicant.get_by_test_id("confirm-liability").check()
    applicant.get_by_test_id("signing-password").fill("pw-12345678")
    applicant.get_by_test_id("sign").click()
    expect(applicant.get_by_test_id("status")).to_have_attribute(
        "class", re.compile("under_verification")
    )

    # Then the stored document is a PAdES PDF that pyHanko's validator accepts: the member's
    # signature and the platform's seal
    signed = Commitment.objects.get(pk=draft.pk)
    assert (signed.signed_by, signed.created_by) == (world.applicant, officer)
    data = document_read(signed.signed_document)
    report = in_a_thread(lambda: validate_pdf(data))  # pyHanko runs its own event loop
    assert report.is_valid
    assert [s.field_name for s in report.signatures] == ["Applicant", "PlatformSeal"]
    assert report.signatures[0].signer_code == world.subject.code
    assert all(s.bottom_line for s in report.signatures)

    # And the association's members' page shows that member as signed, the other not yet
    page = new_page("association")
    page.goto(reverse("associations:members", kwargs={"association": association.code}))
    expect(page.get_by_test_id("count-signed")).to_have_text("1")
    expect(page.get_by_test_id("count-unsigned")).to_have_text("1")
    page.get_by_test_id("filter-signed").click()
    expect(page.get_by_test_id("member-row")).to_have_count(1)
    expect(page.get_by_test_id("member-row")).to_contain_text(world.subject.name)
    expect(page.get_by_test_id("member-row")).to_have_attribute("data-signed", "1")
    expect(page.get_by_test_id("member-row")).to_contain_text(draft.reference)
