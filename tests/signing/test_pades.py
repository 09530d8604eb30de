"""PAdES signing and validation, checked by pyHanko and independently by poppler's pdfsig."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from signing.ca import ca_clear_cache
from signing.errors import InvalidPdf, SigningError, SigningErrorCode
from signing.pades import sign_pdf, validate_pdf
from signing.pdf import render_commitment_pdf

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


def _flip_inside_signed_range(pdf: bytes) -> bytes:
    """Change one character of the header comment, which the signature covers."""
    position = pdf.index(b"ReportLab Generated PDF document")
    return pdf[:position] + b"X" + pdf[position + 1 :]


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


def test_one_flipped_byte_inside_the_signed_range_breaks_the_signature(signed):
    # given
    tampered = _flip_inside_signed_range(signed.data)

    # when
    report = validate_pdf(tampered)

    # then: the digest no longer matches (pyHanko's ``valid`` only says the signature
    # value still verifies over the signed attributes, which is why it is never used alone)
    assert report.is_valid is False
    assert report.signatures[0].intact is False
    assert report.signatures[0].bottom_line is False
    assert report.signatures[0].trusted is False


@needs_pdfsig
def test_pdfsig_reports_the_flipped_byte_as_a_digest_mismatch(signed, tmp_path):
    # given
    tampered = _flip_inside_signed_range(signed.data)

    # when
    output = _pdfsig(tampered, tmp_path)

    # then
    assert "Digest Mismatch." in output
    assert "Signature is Valid." not in output


def test_a_signature_from_a_foreign_ca_is_not_trusted(settings, tmp_path, rendered, company):
    # given a document signed under another CA
    platform_paths = (settings.SIGNING_CA_CERT_PATH, settings.SIGNING_CA_KEY_PATH)
    settings.SIGNING_CA_CERT_PATH = str(tmp_path / "foreign" / "ca.crt")
    settings.SIGNING_CA_KEY_PATH = str(tmp_path / "foreign" / "ca.key")
    foreign = sign_pdf(rendered, signer=company, reason="承诺")
    settings.SIGNING_CA_CERT_PATH, settings.SIGNING_CA_KEY_PATH = platform_paths
    ca_clear_cache()

    # when
    report = validate_pdf(foreign.data)

    # then
    assert report.is_valid is False
    signature = report.signatures[0]
    assert signature.intact is True
    assert signature.valid is True
    assert signature.trusted is False
    assert signature.bottom_line is False


def test_a_b_b_signature_is_untrusted_once_its_short_certificate_expired(settings, signed):
    # given a moment after the signer certificate's end
    later = datetime.now(UTC) + settings.SIGNING_SIGNER_CERT_VALIDITY + timedelta(minutes=1)

    # when
    report = validate_pdf(signed.data, moment=later)

    # then
    assert report.signatures[0].intact is True
    assert report.signatures[0].trusted is False
    assert report.is_valid is False


def test_an_unsigned_pdf_has_no_signatures_and_is_not_valid(rendered):
    # when
    report = validate_pdf(rendered)

    # then
    assert report.signatures == ()
    assert report.is_valid is False


@pytest.mark.parametrize("data", [b"", b"not a pdf at all", b"%PDF-1.7\n%%EOF", b"\x00" * 64])
def test_validate_refuses_bytes_that_are_not_a_pdf(data):
    # when / then
    with pytest.raises(InvalidPdf) as raised:
        validate_pdf(data)
    assert isinstance(raised.value, SigningError)
    assert raised.value.code == SigningErrorCode.INVALID_PDF


@pytest.mark.parametrize("data", [b"", b"not a pdf at all", b"%PDF-1.7\n%%EOF"])
def test_sign_refuses_bytes_that_are_not_a_pdf(data, company):
    # when / then
    with pytest.raises(InvalidPdf) as raised:
        sign_pdf(data, signer=company, reason="承诺")
    assert raised.value.code == SigningErrorCode.INVALID_PDF


def test_a_truncated_signed_pdf_raises_a_signing_error_or_is_not_valid(signed):
    # given the signed file cut in the middle of the signature's range
    truncated = signed.data[: len(signed.data) // 2]

    # when
    try:
        report = validate_pdf(truncated)
    except SigningError as error:
        # then
        assert error.code == SigningErrorCode.INVALID_PDF
    else:
        assert report.is_valid is False


def test_signing_an_already_signed_pdf_again_is_refused(signed, company):
    # when / then: the fields exist already, a second applicant signature is not ours to add
    with pytest.raises(InvalidPdf):
        sign_pdf(signed.data, signer=company, reason="承诺")
