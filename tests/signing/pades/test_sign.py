"""The applicant's PAdES signature, checked by pyHanko and independently by poppler's pdfsig."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pikepdf
import pytest

from signing.errors import InvalidPdf, SigningErrorCode
from signing.pades.fields import SEAL_BOX
from signing.pades.sign import sign_pdf
from signing.pades.validate import validate_pdf
from signing.render.commitment import render_commitment_pdf

needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="no poppler pdfsig")


@pytest.fixture
def rendered(commitment) -> bytes:
    """The commitment, rendered and not yet signed."""
    return render_commitment_pdf(commitment)


@pytest.fixture
def signed(rendered, company):
    """The commitment signed by the company applicant."""
    return sign_pdf(rendered, signer=company, reason="承诺", location="上海")


def _pdfsig(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    # pdfsig exits non-zero for invalid signatures: read its output, not its status
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def test_sign_then_validate_is_valid_for_the_signer(signed, company):
    # when
    report = validate_pdf(signed.data)

    # then
    assert report.is_valid is True
    assert len(report.signatures) == 1
    signature = report.signatures[0]
    assert signature.field_name == "Applicant"
    assert signature.signer_code == company.subject_code
    assert signature.intact is True
    assert signature.valid is True
    assert signature.trusted is True
    assert signature.bottom_line is True
    assert signature.coverage == "ENTIRE_FILE"
    assert signature.modification_level == "NONE"
    assert "2.5.4.5=91310000MA1FL0000X" in signature.signer_subject
    assert "CN=上海示例餐饮管理有限公司" in signature.signer_subject
    assert signature.signing_time is not None
    assert abs(datetime.now(UTC) - signature.signing_time) < timedelta(minutes=1)


def test_sign_reports_the_certificate_serial_in_hex(signed):
    # then
    assert int(signed.certificate_serial, 16) > 0
    assert signed.certificate_serial == signed.certificate_serial.lower()


def test_a_person_signer_is_identified_by_serial_number(rendered, person):
    # when
    report = validate_pdf(sign_pdf(rendered, signer=person, reason="承诺").data)

    # then
    assert report.is_valid is True
    assert report.signatures[0].signer_code == "31010119900101001X"


@needs_pdfsig
def test_pdfsig_finds_one_valid_signature_and_the_empty_seal_field(signed, tmp_path):
    # when
    output = _pdfsig(signed.data, tmp_path)

    # then
    assert output.count("Signature is Valid.") == 1
    assert output.count("Signature Validation:") == 1
    assert "Signature Field Name: Applicant" in output
    assert "Signature Field Name: PlatformSeal" in output
    assert "The signature form field is not signed." in output
    assert "Total document signed" in output
    assert "serialNumber=91310000MA1FL0000X" in output


@pytest.mark.parametrize("data", [b"", b"not a pdf at all", b"%PDF-1.7\n%%EOF"])
def test_sign_refuses_bytes_that_are_not_a_pdf(data, company):
    # when / then
    with pytest.raises(InvalidPdf) as raised:
        sign_pdf(data, signer=company, reason="承诺")
    assert raised.value.code == SigningErrorCode.INVALID_PDF


def test_signing_an_already_signed_pdf_again_is_refused(signed, company):
    # when / then: the fields exist already, a second applicant signature is not ours to add
    with pytest.raises(InvalidPdf):
        sign_pdf(signed.data, signer=company, reason="承诺")


def test_the_seal_field_has_alternative_text_and_a_form_element_in_the_tree(signed):
    # when: the signed PDF is read back
    with pikepdf.open(io.BytesIO(signed.data)) as document:
        (seal,) = [
            field for field in document.Root.AcroForm.Fields if str(field.T) == "PlatformSeal"
        ]
        tree = document.Root.StructTreeRoot
        (top,) = list(tree.K)
        form = top.K[0]
        nums = list(tree.ParentTree.Nums)
        parents = {int(key): value for key, value in zip(nums[::2], nums[1::2], strict=True)}

        # then: the seal says what it is, in the document's language
        text = "平台电子印章：平台的圆形红色印章，以及可打开本文件验证页面的二维码"
        assert str(seal.TU) == str(seal.Contents) == text
        assert str(seal.Subtype) == "/Widget"
        # and is read first, as a Form element pointing at its widget on the first page
        assert str(form.S) == "/Form" and str(form.Alt) == text
        assert str(form.K.Type) == "/OBJR" and form.K.Obj.objgen == seal.objgen
        assert form.Pg.objgen == document.pages[0].obj.objgen
        assert parents[int(seal.StructParent)].objgen == form.objgen
        assert int(tree.ParentTreeNextKey) == int(seal.StructParent) + 1
        assert [str(kid.S) for kid in list(top.K)[1:4]] == ["/Figure", "/Figure", "/H1"]


def test_the_seal_s_round_seal_and_qr_code_are_figures_with_alt_text_and_a_box(signed):
    # when: the signed PDF's structure is read back
    with pikepdf.open(io.BytesIO(signed.data)) as document:
        (top,) = list(document.Root.StructTreeRoot.K)
        seal, qr = list(top.K)[1:3]
        first_page = document.pages[0].obj.objgen
        figures = [
            (
                str(figure.S),
                str(figure.Alt),
                str(figure.A.O),
                [float(value) for value in figure.A.BBox],
                figure.Pg.objgen == first_page,
                figure.P.objgen == top.objgen,
            )
            for figure in (seal, qr)
        ]

    # then: each image of the stamp is a Figure on the first page, described in the
    # document's language, its layout box inside the seal's field (which pyHanko fills with
    # the stamp centred inside a 5-point margin); the round seal on the right, the QR code on
    # the left, both square
    (seal_role, seal_alt, seal_owner, seal_box, *seal_places) = figures[0]
    (qr_role, qr_alt, qr_owner, qr_box, *qr_places) = figures[1]
    assert (seal_role, seal_owner, seal_places) == ("/Figure", "/Layout", [True, True])
    assert (qr_role, qr_owner, qr_places) == ("/Figure", "/Layout", [True, True])
    assert seal_alt == "平台的圆形红色印章：信用承诺平台电子签章，附本文件编号"
    assert qr_alt == "二维码：扫码打开本文件的公开核验页面"
    left, bottom, right, top_edge = SEAL_BOX
    for x1, y1, x2, y2 in (seal_box, qr_box):
        assert left + 5 <= x1 < x2 <= right - 5 and bottom + 5 <= y1 < y2 <= top_edge - 5
        assert abs((x2 - x1) - (y2 - y1)) < 0.05
    assert qr_box[2] < seal_box[0]
    assert round(seal_box[2] - seal_box[0]) == 76 and round(qr_box[2] - qr_box[0]) == 53
