"""Renewing archives: a new linked version before the last timestamp ends, never a rewrite."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from signing.archive import archive_retimestamp, archive_retimestamp_due
from signing.models import ArchiveTimestamp, DocumentVersion, SignedDocument
from signing.pades.seal import seal_pdf
from signing.pades.sign import sign_pdf
from signing.pades.validate import validate_pdf, validate_pdf_offline
from signing.render.commitment import render_commitment_pdf
from signing.storage import document_read, document_store


@pytest.fixture
def sealed(commitment, company):
    signed = sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺")
    return seal_pdf(signed.data, reference=commitment.reference, verify_url="http://x/verify/CN-1/")


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


@pytest.fixture
def signed(commitment, company) -> bytes:
    return sign_pdf(render_commitment_pdf(commitment), signer=company, reason="承诺").data
