"""Signed documents, stored content-addressed: the SHA-256 of the exact bytes is the key."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
