"""The fast seal: validation material from known certificates, two incremental updates, the
same refusals as a validating path; the fast hex reader; the stamp's QR code; the HTTP TSA."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from signing import pades
from signing.ca import ca_get
from signing.errors import SigningFailed, TimestampUnavailable
from signing.keys import platform_key
from signing.pades import seal_pdf, sign_pdf, validate_pdf, validate_pdf_offline
from signing.pdf import render_commitment_pdf
from signing.revocation import certificate_revoke, crl_clear_cache
from signing.stamp import render_seal_stamp
from tests.signing.tsa_server import running_tsa

VERIFY_URL = "http://x/verify/CN-2025-000123/"


@pytest.fixture
def signed(commitment, company) -> bytes:
    return sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺").data


def test_the_seal_adds_two_updates_with_a_dss_covering_both_signatures(signed):
    # when
    sealed = seal_pdf(signed, reference="CN-2025-000123", verify_url=VERIFY_URL)

    # then: the seal (with its stamp) in one update, the DSS and the document timestamp in one
    assert sealed.data.startswith(signed)
    assert sealed.data.count(b"%%EOF") == signed.count(b"%%EOF") + 2
    reader = PdfFileReader(io.BytesIO(sealed.data), strict=False)
    signatures = reader.embedded_regular_signatures
    store = DocumentSecurityStore.read_dss(reader)
    assert len(store.crls) == 1
    root = ca_get().certificate.public_bytes(serialization.Encoding.DER)
    tsa = platform_key("tsa").certificate.public_bytes(serialization.Encoding.DER)
    seal = platform_key("seal").certificate.public_bytes(serialization.Encoding.DER)
    embedded = {stream.get_object().data for stream in store.certs.values()}
    assert {root, tsa, seal, signatures[0].signer_cert.dump()} == embedded
    vri = store.backing_pdf_object["/VRI"]
    assert sorted(vri.keys()) == sorted(
        str(DocumentSecurityStore.sig_content_identifier(s.pkcs7_content.hex().encode("ascii")))
        for s in signatures
    )
    report = validate_pdf(sealed.data)
    assert [s.modification_level for s in report.signatures] == ["FORM_FILLING", "LTA_UPDATES"]
    assert report.is_valid is True
    assert validate_pdf_offline(sealed.data) == ("PASSED", "PASSED")


def test_a_revoked_seal_certificate_refuses_the_seal(signed):
    # given the platform seal's certificate listed in the CRL
    seal = platform_key("seal").certificate
    certificate_revoke(serial_number=f"{seal.serial_number:x}", reason="key compromise")
    crl_clear_cache()

    # when / then
    with pytest.raises(SigningFailed) as raised:
        seal_pdf(signed, reference="CN-2025-000123", verify_url=VERIFY_URL)
    assert "revoked" in raised.value.message


def test_a_revoked_applicant_certificate_refuses_the_seal(commitment, company):
    # given a signature whose certificate was revoked after signing
    signed = sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺")
    certificate_revoke(serial_number=signed.certificate_serial, reason="mistake")
    crl_clear_cache()

    # when / then
    with pytest.raises(SigningFailed) as raised:
        seal_pdf(signed.data, reference="CN-2025-000123", verify_url=VERIFY_URL)
    assert "revoked" in raised.value.message


def test_a_signature_under_a_foreign_root_refuses_the_seal(signed, settings, tmp_path):
    # given the signed bytes, and then a different platform CA (the signer's root is unknown)
    from signing.ca import ca_clear_cache
    from signing.keys import platform_keys_clear_cache

    settings.SIGNING_CA_CERT_PATH = str(tmp_path / "other" / "ca.crt")
    settings.SIGNING_CA_KEY_PATH = str(tmp_path / "other" / "ca.key")
    ca_clear_cache()
    platform_keys_clear_cache()
    crl_clear_cache()

    # when / then
    with pytest.raises(SigningFailed) as raised:
        seal_pdf(signed, reference="CN-2025-000123", verify_url=VERIFY_URL)
    assert "No trusted chain" in raised.value.message


def test_the_seal_through_the_http_tsa_validates_offline(settings, commitment, company):
    # given the TSA served over HTTP on loopback
    with running_tsa() as url:
        settings.SIGNING_TSA_URL = url

        # when
        signed = sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺")
        sealed = seal_pdf(signed.data, reference="CN-2025-000123", verify_url=VERIFY_URL)

    # then
    report = validate_pdf(sealed.data)
    assert report.is_valid is True
    assert [s.timestamp_trusted for s in report.signatures] == [True, True]
    assert validate_pdf_offline(sealed.data) == ("PASSED", "PASSED")


def test_a_server_answering_without_a_timestamp_reply_is_unavailable(settings, signed):
    # given an HTTP server whose address answers, but not as a TSA
    with running_tsa() as url:
        settings.SIGNING_TSA_URL = url.replace("/tsa/", "/")

        # when / then
        with pytest.raises(TimestampUnavailable) as raised:
            seal_pdf(signed, reference="CN-2025-000123", verify_url=VERIFY_URL)
    assert "did not answer" in raised.value.message


@pytest.mark.parametrize(
    "raw",
    [
        b"<4142>",
        b"<41 42\n43\r\t0d>",
        b"<414>",
        b"<>",
        b"<FEFF004100420043>",
        b"<41%comment\n42>",
        b"<" + b"3082" * 9000 + b"0" * 12000 + b">",
    ],
)
def test_the_fast_hex_reader_reads_exactly_what_pyhanko_reads(raw):
    # given the same bytes, followed by more of the file
    data = raw + b" /Next 1"
    fast, original = io.BytesIO(data), io.BytesIO(data)

    # when
    ours = pades._read_hex_string_fast(fast)
    theirs = pades._pyhanko_read_hex_string(original)

    # then: the same object type and value, and the stream left at the same place
    assert type(ours) is type(theirs)
    assert ours == theirs
    assert fast.tell() == original.tell() == len(raw)


def test_the_fast_hex_reader_refuses_what_pyhanko_refuses():
    # when / then
    with pytest.raises(PdfStreamError):
        pades._read_hex_string_fast(io.BytesIO(b"<41zz42> rest"))
    assert generic.read_hex_string_from_stream is pades._read_hex_string_fast


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="no poppler pdftoppm")
def test_the_stamp_qr_code_has_exactly_the_modules_of_the_verify_url(tmp_path):
    # given
    from datetime import UTC, datetime

    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    from signing.stamp import STAMP_HEIGHT

    code = qrcode.QRCode(border=0, error_correction=ERROR_CORRECT_M, mask_pattern=0)
    code.add_data(VERIFY_URL)
    code.make(fit=True)
    expected = code.get_matrix()

    # when the stamp is rasterised
    path = tmp_path / "stamp.pdf"
    path.write_bytes(
        render_seal_stamp(reference="CN-1", sealed_at=datetime.now(UTC), verify_url=VERIFY_URL)
    )
    subprocess.run(["pdftoppm", "-r", "600", "-png", "-singlefile", str(path), str(tmp_path / "s")])
    image = Image.open(tmp_path / "s.png").convert("L")

    # then every module's centre is dark exactly where the QR matrix says so
    scale = image.height / STAMP_HEIGHT  # pixels per point
    mm = 72 / 25.4
    side = STAMP_HEIGHT - 2 * mm
    cell = side / len(expected)
    seen = [
        [
            image.getpixel(
                (
                    int((1 * mm + (column + 0.5) * cell) * scale),
                    int((STAMP_HEIGHT - 1 * mm - side + (row + 0.5) * cell) * scale),
                )
            )
            < 128
            for column in range(len(expected))
        ]
        for row in range(len(expected))
    ]
    assert seen == expected
