"""The platform seal at B-LTA: offline validation by pyHanko's AdES process and pdfsig,
and the renewal of archive timestamps as new, linked versions."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from signing.archive import archive_retimestamp, archive_retimestamp_due
from signing.ca import ca_get
from signing.models import ArchiveTimestamp, DocumentVersion, SignedDocument
from signing.pades import seal_pdf, sign_pdf, validate_pdf, validate_pdf_offline
from signing.pdf import render_commitment_pdf
from signing.storage import document_read, document_store

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


def test_pyhanko_ades_lta_validates_both_signatures_offline_with_only_the_root(sealed):
    # given only the root certificate's DER, nothing fetched
    root = ca_get().certificate.public_bytes(serialization.Encoding.DER)

    # when
    indications = validate_pdf_offline(sealed.data, root_certificate_der=root)

    # then
    assert indications == ("PASSED", "PASSED")


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
    position = sealed.data.index(b"ReportLab Generated PDF document")
    tampered = sealed.data[:position] + b"X" + sealed.data[position + 1 :]

    # when
    report = validate_pdf(tampered)
    output = _pdfsig(tampered, tmp_path)

    # then
    assert report.is_valid is False
    assert [s.intact for s in report.signatures] == [False, False]
    assert output.count("Digest Mismatch.") == 2


def test_renewing_an_archive_stores_a_new_linked_version_and_never_rewrites(sealed):
    # given a stored sealed document
    original = document_store(data=sealed.data)
    ArchiveTimestamp.objects.create(document=original, expires_at=sealed.timestamp_expires_at)
    before = document_read(original)

    # when
    renewed = archive_retimestamp(document=original)
    again = archive_retimestamp(document=original)

    # then
    assert renewed.pk != original.pk
    assert again.pk == renewed.pk
    assert document_read(original) == before
    assert hashlib.sha256(before).hexdigest() == original.sha256
    assert DocumentVersion.objects.get(document=renewed).previous == original
    report = validate_pdf(document_read(renewed))
    assert report.is_valid is True
    assert len(report.document_timestamps) == 2
    assert validate_pdf_offline(document_read(renewed)) == ("PASSED", "PASSED")
    assert ArchiveTimestamp.objects.get(document=original).is_renewed is True


def test_the_renewal_job_renews_only_archives_due_within_the_margin(settings, sealed):
    # given one archive due within the margin and one not
    settings.SIGNING_RETIMESTAMP_MARGIN_DAYS = 30
    due = document_store(data=sealed.data)
    ArchiveTimestamp.objects.create(document=due, expires_at=datetime.now(UTC) + timedelta(days=10))
    later = document_store(data=sealed.data + b"\n")
    ArchiveTimestamp.objects.create(
        document=later, expires_at=datetime.now(UTC) + timedelta(days=400)
    )

    # when
    renewed = archive_retimestamp_due()

    # then
    assert renewed == 1
    assert DocumentVersion.objects.filter(previous=due).count() == 1
    assert DocumentVersion.objects.filter(previous=later).count() == 0
    assert SignedDocument.objects.count() == 3
