"""The register's tables: the log head, its leaves, its complete subtrees, its checkpoints."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_log_epoch() -> int:
    """Return a random identity for one instance of the transparency log (see LogHead)."""
    return secrets.randbits(62)


class LogHead(models.Model):
    """The one row holding the transparency log's size; appends lock it to stay sequential."""

    size = models.PositiveBigIntegerField(default=0)
    # Changes whenever the log starts again from nothing (a new head row, an append at size 0),
    # so a process-wide cache of immutable subtree hashes knows when it belongs to another log.
    epoch = models.BigIntegerField(default=new_log_epoch)

    class Meta:
        verbose_name = _("transparency log head")

    def __str__(self) -> str:
        return f"{self.size}"


class LogLeaf(models.Model):
    """One entry of the transparency log (RFC 9162 style): a salted hash, no personal data.

    ``leaf_hash`` is the RFC 9162 leaf hash SHA-256(0x00 || SHA-256(salt || event)); the
    salt and the event stay private with the record (``commitments.RegistryEvent``).
    """

    index = models.BigIntegerField(primary_key=True)
    leaf_hash = models.BinaryField(max_length=32)
    event_type = models.CharField(max_length=20)
    created = models.DateTimeField()

    class Meta:
        verbose_name = _("log leaf")
        verbose_name_plural = _("log leaves")

    def __str__(self) -> str:
        return f"{self.index}"


class LogNode(models.Model):
    """The hash of a complete subtree: 2**level leaves starting at index * 2**level.

    Stored when the subtree completes, never changed after; proofs read O(log n) of them.
    """

    # level * 2**48 + index: one indexed integer, so a proof's nodes come in one IN query.
    key = models.BigIntegerField(primary_key=True)
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("log node")
        verbose_name_plural = _("log nodes")

    def __str__(self) -> str:
        return f"{self.level}/{self.index}"


class Checkpoint(models.Model):
    """A signed statement of the log's size and root hash at one moment."""

    tree_size = models.PositiveBigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    timestamp = models.DateTimeField()
    signature = models.BinaryField()

    class Meta:
        ordering = ["-tree_size"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")

    def __str__(self) -> str:
        return f"{self.tree_size}"
