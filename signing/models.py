"""Signed documents, stored content-addressed: the SHA-256 of the exact bytes is the key.

The register's models live in ``signing.register.models``, imported here so that Django
registers every model of the app.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from signing.register.models import Checkpoint, LogHead, LogLeaf, LogNode  # noqa: F401


class SignedDocument(models.Model):
    """Metadata of one immutable signed PDF; the bytes live in ``signing.storage``."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    stored_at = models.DateTimeField(_("stored"), auto_now_add=True)
    signer_certificate_serial = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("signed document")
        verbose_name_plural = _("signed documents")

    def __str__(self) -> str:
        return self.sha256


class DocumentVersion(models.Model):
    """A later version of a signed document (e.g. a new archive timestamp), linked to its parent.

    The parent's bytes are never touched: the new version is stored content-addressed like
    any document, and this row says which one it continues and why.
    """

    class Reason(models.TextChoices):
        RETIMESTAMP = "retimestamp", _("archive timestamp renewed")

    document = models.OneToOneField(
        SignedDocument, on_delete=models.PROTECT, related_name="version_of"
    )
    previous = models.OneToOneField(
        SignedDocument, on_delete=models.PROTECT, related_name="next_version"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")

    def __str__(self) -> str:
        return f"{self.previous_id} -> {self.document_id}"


class ArchiveTimestamp(models.Model):
    """When the last document timestamp of a stored PDF stops being verifiable on its own.

    The beat job renews archives whose ``expires_at`` comes within the margin; a renewed
    document gets its own row, and the old row is marked renewed.
    """

    document = models.OneToOneField(
        SignedDocument, on_delete=models.PROTECT, related_name="archive_timestamp"
    )
    expires_at = models.DateTimeField(_("timestamp certificate expires"))
    is_renewed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("archive timestamp")
        verbose_name_plural = _("archive timestamps")
        indexes = [models.Index(fields=["is_renewed", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.document_id} until {self.expires_at:%Y-%m-%d}"


class RevokedCertificate(models.Model):
    """A certificate of the platform CA that must no longer be trusted; listed in its CRL."""

    serial_number = models.CharField(_("serial number (hex)"), max_length=64, unique=True)
    revoked_at = models.DateTimeField(_("revoked"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("revoked certificate")
        verbose_name_plural = _("revoked certificates")

    def __str__(self) -> str:
        return self.serial_number
