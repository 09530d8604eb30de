"""An association's bulk issue in Chromium: the officer uploads a GB18030 members' file, the
page's progress bar follows the background work, each row's result shows, and the members'
page tells who signed and who has not, and reminds them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from commitments.associations.models import BulkIssue, MemberReminder
from commitments.associations.services.issue import bulk_issue_process
from commitments.catalogue.models import CommitmentTemplate
from commitments.lifecycle.models import Commitment
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
