"""The platform seal at B-LTA: two incremental updates, the validation material of every
signature, offline validation by pyHanko's AdES process and pdfsig, and refusals."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from signing.ca.authority import ca_get
from signing.ca.keys import platform_key
from signing.ca.revocation import certificate_revoke, crl_clear_cache
from signing.errors import SigningFailed, TimestampUnavailable
from signing.pades.seal import seal_pdf
from signing.pades.sign import sign_pdf
from signing.pades.validate import validate_pdf, validate_pdf_offline
from signing.render.commitment import render_commitment_pdf
from tests.pdf_structure import catalogue, pdfua_findings, untagged_content, xref_misplaced
from tests.signing.tsa_server import running_tsa

needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="no poppler pdfsig")


@pytest.fixture
def sealed(commitment, company):
    signed = sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺")
    return seal_pdf(signed.data, reference=commitment.reference, verify_url="http://x/verify/CN-1/")


def _pdfsig(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "sealed.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def test_the_sealed_pdf_keeps_the_applicant_signature_valid_and_adds_the_seal(sealed, company):
    # when
    report = validate_pdf(sealed.data)

    # then
    assert report.is_valid is True
    assert [s.field_name for s in report.signatures] == ["Applicant", "PlatformSeal"]
    applicant, seal = report.signatures
    assert applicant.signer_code == company.subject_code
    assert applicant.timestamp_trusted is True
    assert seal.signer_name == "Chengnuo Platform Seal"
    assert seal.is_platform_seal is True
    assert seal.timestamp_trusted is True
    assert len(report.document_timestamps) == 1
    assert report.document_timestamps[0].trusted is True


def test_the_sealed_pdf_is_still_tagged_for_pdf_ua_after_both_signatures(sealed, tmp_path):
    # when: the signed and sealed PDF (three more revisions) is read back
    entries = catalogue(sealed.data)

    # then: the tagging made before signing is what every revision still shows, and the
    # independent checker finds nothing (the seal's widget has its description)
    assert entries["lang"] == "zh-CN" and entries["pdfuaid_part"] == "1"
    assert entries["tabs"] == {"/S"} and entries["marked"] is True
    assert untagged_content(sealed.data) == []
    assert pdfua_findings(sealed.data, tmp_path) == []


def test_pyhanko_ades_lta_validates_both_signatures_offline_with_only_the_root(sealed):
    # given only the root certificate's DER, nothing fetched
    root = ca_get().certificate.public_bytes(serialization.Encoding.DER)

    # when
    indications = validate_pdf_offline(sealed.data, root_certificate_der=root)

    # then
    assert indications == ("PASSED", "PASSED")


def test_every_revision_s_cross_reference_table_points_at_its_objects(sealed):
    # then: each of the four revisions (render, signature, seal, DSS and document timestamp)
    # is a correct incremental update, read byte by byte and by qpdf's check
    assert sealed.data.count(b"startxref") == 4
    assert xref_misplaced(sealed.data) == []


def test_the_seal_embeds_the_crl_and_the_chain(sealed):
    # then: the document security store carries the CRL and the certificates
    assert b"/DSS" in sealed.data
    assert b"/CRLs" in sealed.data
    assert sealed.timestamp_expires_at > datetime.now(UTC) + timedelta(days=365)


@needs_pdfsig
def test_pdfsig_finds_two_valid_signatures_in_the_sealed_pdf(sealed, tmp_path):
    # when
    output = _pdfsig(sealed.data, tmp_path)

    # then
    assert output.count("Signature is Valid.") == 2
    assert "Signature Field Name: Applicant" in output
    assert "Signature Field Name: PlatformSeal" in output


@needs_pdfsig
def test_one_flipped_byte_breaks_both_signatures(sealed, tmp_path):
    # given
    position = sealed.data.index(b"/MarkInfo") + 1  # the catalogue, under both signatures
    tampered = sealed.data[:position] + b"X" + sealed.data[position + 1 :]

    # when
    report = validate_pdf(tampered)
    output = _pdfsig(tampered, tmp_path)

    # then
    assert report.is_valid is False
    assert [s.intact for s in report.signatures] == [False, False]
    assert output.count("Digest Mismatch.") == 2


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
    from signing.ca.authority import ca_clear_cache
    from signing.ca.keys import platform_keys_clear_cache

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


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="no poppler pdftoppm")
def test_the_stamp_from_the_template_looks_exactly_like_the_stamp_drawn_whole(
    signed, monkeypatch, tmp_path
):
    # given one moment, so both stamps show the same sealing time
    now = datetime(2026, 12, 5, 1, 2, 3, tzinfo=UTC)
    from_template = seal_pdf(signed, reference="CN20261205ABCDEFGH", verify_url=VERIFY_URL, now=now)

    # when the stamp is drawn whole, as for a reference outside the template's characters
    monkeypatch.setattr("signing.pades.seal.stamp_operators", lambda *args, **kwargs: None)
    drawn_whole = seal_pdf(signed, reference="CN20261205ABCDEFGH", verify_url=VERIFY_URL, now=now)

    # then the first pages rasterise to the same pixels
    pixels = []
    for name, pdf in (("template", from_template.data), ("whole", drawn_whole.data)):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile"]
            + [str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
            check=True,
        )
        pixels.append((tmp_path / f"{name}.png").read_bytes())
    assert from_template.data != drawn_whole.data
    assert pixels[0] == pixels[1]
