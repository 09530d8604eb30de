"""Keep archives verifiable: renew document timestamps before their certificates end.

A B-LTA document proves itself only while its last document timestamp can be validated.
Before that timestamp's certificate chain expires (``SIGNING_RETIMESTAMP_MARGIN_DAYS``
ahead), ``archive_retimestamp_due`` adds the last timestamp's validation data and a fresh
document timestamp. The result is a NEW document, stored content-addressed; the old bytes
are never rewritten; ``DocumentVersion`` links the two.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction

from signing.errors import SigningError
from signing.models import ArchiveTimestamp, DocumentVersion, SignedDocument
from signing.pades.retimestamp import retimestamp_pdf
from signing.storage import document_read, document_store

logger = logging.getLogger(__name__)


def archive_retimestamp(*, document: SignedDocument) -> SignedDocument:
    """Store a renewed version of ``document`` and link it; return the new version.

    Idempotent: a document already renewed returns its existing next version.
    """
    existing = DocumentVersion.objects.filter(previous=document).select_related("document").first()
    if existing is not None:
        return existing.document
    renewed = retimestamp_pdf(document_read(document))
    with transaction.atomic():
        stored = document_store(
            data=renewed.data, signer_certificate_serial=document.signer_certificate_serial
        )
        DocumentVersion.objects.get_or_create(
            previous=document,
            defaults={"document": stored, "reason": DocumentVersion.Reason.RETIMESTAMP},
        )
        ArchiveTimestamp.objects.get_or_create(
            document=stored, defaults={"expires_at": renewed.timestamp_expires_at}
        )
        ArchiveTimestamp.objects.filter(document=document).update(is_renewed=True)
    return stored


def archive_retimestamp_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Renew every archive whose timestamp expires within the margin; return how many."""
    moment = now or datetime.now(UTC)
    margin = timedelta(days=int(getattr(settings, "SIGNING_RETIMESTAMP_MARGIN_DAYS", 365)))
    due = (
        ArchiveTimestamp.objects.filter(is_renewed=False, expires_at__lte=moment + margin)
        .select_related("document")
        .order_by("expires_at")[:limit]
    )
    renewed = 0
    for archive in due:
        try:
            archive_retimestamp(document=archive.document)
        except SigningError as error:  # the next run tries again; nothing was written
            logger.warning("Cannot renew %s: %s", archive.document.sha256, error.code)
            continue
        renewed += 1
    return renewed
