"""Validation finds tampering, foreign and expired certificates, unsigned and broken PDFs."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from signing.ca.authority import ca_clear_cache
from signing.errors import InvalidPdf, SigningError, SigningErrorCode
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


def _flip_inside_signed_range(pdf: bytes) -> bytes:
    """Change one character of the catalogue (a key name), which the signature covers."""
    position = pdf.index(b"/MarkInfo") + 1  # the catalogue of the signed revision
    return pdf[:position] + b"X" + pdf[position + 1 :]


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
