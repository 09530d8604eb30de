"""The evidence certificate: printed about records, never failing on a character."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from signing.render.evidence import EvidenceCertificate, EvidenceLine, render_evidence_certificate
from signing.render.glyphs import replace_undrawable
from tests.pdf_structure import catalogue, pdfua_findings, structure_roles, untagged_content


def test_a_character_no_font_draws_is_printed_as_its_code_point():
    assert replace_undrawable("张三😀\u202e") == "张三[U+1F600][U+202E]"
    assert replace_undrawable("深圳市示例餐饮有限公司") == "深圳市示例餐饮有限公司"


def _certificate() -> EvidenceCertificate:
    """A withdrawn commitment's certificate, with characters no font draws."""
    at = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    return EvidenceCertificate(
        reference="CN20261204ABCDEFGH",
        title="食品经营许可告知承诺书",
        subject_name="深圳市示例餐饮有限公司",
        status="已撤回",
        document_sha256="",
        signatures=(("签署人😀", "914403001922038216", "", "valid"),),
        lines=(EvidenceLine(at=at, actor="user😀", what="draft -> withdrawn", detail="不做了🙂"),),
        generated_at=at,
        verify_url="https://chengnuo.example.gov.cn/verify/CN20261204ABCDEFGH/",
    )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_a_certificate_with_an_emoji_actor_and_reason_renders(tmp_path: Path):
    # given names and reasons typed by people or read from outside certificates
    certificate = _certificate()

    # when
    pdf = render_evidence_certificate(certificate)

    # then the page is drawn and the characters are named, not lost
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "user[U+1F600]" in text
    assert "不做了[U+1F642]" in text
    # and 02:00 UTC is printed as the city reads it: 10:00 Beijing time, the same day
    assert "2026-12-04 10:00:00 北京时间 Beijing time" in text


def test_the_certificate_is_tagged_for_pdf_ua(tmp_path: Path):
    # when
    pdf = render_evidence_certificate(_certificate())

    # then: title, two headings, three tables; nothing drawn outside the structure
    entries = catalogue(pdf)
    assert (entries["lang"], entries["tabs"], entries["pdfuaid_part"]) == ("zh-CN", {"/S"}, "1")
    assert entries["xmp_title"] == "Evidence certificate CN20261204ABCDEFGH"
    roles = structure_roles(pdf)
    assert roles[:3] == ["/Document", "/H1", "/Table"]
    assert roles.count("/H2") == 2 and roles.count("/Table") == 3
    assert untagged_content(pdf) == []
    assert pdfua_findings(pdf, tmp_path) == []
