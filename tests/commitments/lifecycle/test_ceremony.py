"""The signing ceremony on the pages: the document before signing, what happens after."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.pdf_text import pdf_text
from tests.workflows.conftest import draft_commitment, submit_commitment

pytestmark = pytest.mark.usefixtures("signing_files")


def _client(user) -> Client:
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(user)
    return client


def test_the_sign_step_shows_the_commitment_text_and_warns_of_reauthentication(world):
    # given
    draft = draft_commitment(world)

    # when
    page = _client(world.applicant).get(f"/commitments/{draft.reference}/").content.decode()

    # then
    assert "您将签署的承诺书" in page
    assert world.template.commitment_text in page
    assert "签署前确认身份" in page
    assert "即使您刚刚登录，每次签署仍需再次输入密码。" in page
    assert 'data-testid="signing-password"' in page


def test_the_preview_is_a_draft_and_the_form_to_sign_elsewhere_is_not(world, tmp_path):
    # given
    draft = draft_commitment(world)
    client = _client(world.applicant)

    # when
    preview = client.get(f"/commitments/{draft.reference}/preview.pdf")
    form = client.get(f"/commitments/{draft.reference}/preview.pdf?for=signing")

    # then
    assert "尚未签署（样稿）" in pdf_text(preview.content, tmp_path)
    form_text = pdf_text(form.content, tmp_path)
    assert "样稿" not in form_text
    assert "以本文件内嵌电子签名的时间为准" not in form_text  # no signature block time yet
    assert f'filename="{draft.reference}.pdf"' in form["Content-Disposition"]
    assert world.template.code not in form_text
    assert world.template.title in form_text


def test_after_signing_the_page_says_who_verifies_by_when(world):
    # given
    signed = submit_commitment(world)

    # when
    page = _client(world.applicant).get(f"/commitments/{signed.reference}/").content.decode()

    # then
    due = timezone.localtime(signed.verification_due_at).strftime("%Y-%m-%d")
    assert "已签署：接下来会怎样" in page
    assert f"{signed.department.name} 将在 {due} 前完成对您承诺的核查。" in page
    assert "北京时间" in page
    assert f"/verify/{signed.reference}/" in page
