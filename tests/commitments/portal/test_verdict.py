"""The public verification page gives a verdict: green or red, one line, Beijing time."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from django.test import Client

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_preview
from directory.city import city_time_text
from signing.storage import document_read
from tests.workflows.conftest import draft_commitment, submit_commitment

pytestmark = pytest.mark.usefixtures("signing_files")

SUMMARY = {
    "zh-hans": {
        "valid": "有效：已签署并经平台签章，签署后未被改动",
        "invalid": "无效：请勿采信本文件",
        "unsigned": "本文件没有电子签名（可能是样稿）",
        "zone": "北京时间",
    },
    "en": {
        "valid": "Valid: signed, sealed by the platform and unchanged",
        "invalid": "Not valid: do not rely on this document",
        "unsigned": "This document carries no signature (it may be a preview)",
        "zone": "Beijing time",
    },
}


@pytest.fixture
def signed(world) -> Commitment:
    return submit_commitment(world)


def _client(language: str) -> Client:
    return Client(headers={"accept-language": language})


def _verdict(page: str) -> str:
    return re.search(r'data-verdict="(\w+)"', page).group(1)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_valid_commitment_gets_a_green_verdict_with_signer_reference_and_beijing_time(
    signed, language
):
    # given the applicant's trusted time, as the JSON gives it (ISO 8601 with offset)
    report = Client().get(f"/verify/{signed.reference}/?format=json").json()
    signed_at = datetime.fromisoformat(report["signatures"][0]["signed_at"])
    assert signed_at.utcoffset() is not None

    # when
    page = _client(language).get(f"/verify/{signed.reference}/").content.decode()

    # then
    assert _verdict(page) == "valid"
    assert 'class="verdict verdict-valid"' in page
    assert SUMMARY[language]["valid"] in page
    assert f"{city_time_text(signed_at)} {SUMMARY[language]['zone']}" in page
    assert "深圳市示例餐饮有限公司" in page
    assert signed.reference in page
    assert "+00:00" not in page and "T0" not in page.split("verify-signed-at")[1][:60]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_tampered_file_gets_a_red_verdict(signed, language):
    # given
    data = document_read(signed.signed_document)
    position = data.index(b"/MarkInfo") + 1
    tampered = data[:position] + b"X" + data[position + 1 :]

    # when
    page = _client(language).post("/verify/", {"file": io.BytesIO(tampered)}).content.decode()

    # then
    assert _verdict(page) == "invalid"
    assert 'class="verdict verdict-invalid"' in page
    assert SUMMARY[language]["invalid"] in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_unsigned_preview_says_it_carries_no_signature_not_invalid(world, language):
    # given a preview of a draft, uploaded by someone who took it for the signed document
    draft = draft_commitment(world)
    preview = commitment_preview(commitment=draft, by=world.applicant)

    # when
    page = _client(language).post("/verify/", {"file": io.BytesIO(preview)}).content.decode()

    # then
    assert _verdict(page) == "unsigned"
    assert SUMMARY[language]["unsigned"] in page
    assert SUMMARY[language]["invalid"] not in page
    assert "签名无效" not in page and "INVALID" not in page
    assert 'data-testid="verify-signature"' not in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_unknown_reference_gets_a_red_panel(db, language):
    # when
    response = _client(language).get("/verify/CN20250101XXXXXXXX/")

    # then
    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="verdict verdict-invalid"' in page
