"""One open-data event: what the public was told, exactly as hashed into the transparency log.

The event names the record it concerns by number (``record_id``: a breach, ``list_entry_id``:
a list entry) rather than by foreign key: this package sits below the record that writes it,
as the record sits below the commitments that feed it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OpenDataEvent(models.Model):
    """An event of the open data feed, with its leaf in the log and the checkpoint signed over
    it. ``event`` is what the leaf commits to and never changes; it names the subject only by
    a salted commitment. The disclosure (``subject_name``, ``subject_code``, ``subject_salt``)
    opens that commitment while the record is public, and is erased for good when its
    publication ends (``withheld_by`` is the event that announced it): the leaf still verifies.
    """

    class Kind(models.TextChoices):
        PUBLICATION_STARTED = "publication_started", _("Publication started")
        PUBLICATION_ENDED = "publication_ended", _("Publication ended")
        LIST_ENTERED = "list_entered", _("Entered a list")
        LIST_EXITED = "list_exited", _("Left a list")
        RECORD_REPAIRED = "record_repaired", _("Record repaired")
        RECORD_REVOKED = "record_revoked", _("Record revoked")
        RECORD_CORRECTED = "record_corrected", _("Record corrected")
        COMMITMENT_WITHDRAWN = "commitment_withdrawn", _("Commitment withdrawn")
        PUBLICATION_SUSPENDED = "publication_suspended", _("Publication suspended")
        PUBLICATION_RESUMED = "publication_resumed", _("Publication resumed")
        SUBJECT_WITHHELD = "subject_withheld", _("Subject withheld")

    # Kinds that happen at most once to a record (a breach) or an entry (a list entry).
    ONCE_PER_RECORD = (
        Kind.PUBLICATION_STARTED,
        Kind.PUBLICATION_ENDED,
        Kind.RECORD_REPAIRED,
        Kind.RECORD_REVOKED,
    )
    ONCE_PER_ENTRY = (Kind.LIST_ENTERED, Kind.LIST_EXITED)

    kind = models.CharField(_("event"), max_length=24, choices=Kind.choices)
    subject = models.ForeignKey(
        "directory.Subject", on_delete=models.PROTECT, related_name="open_data_events"
    )
    record_id = models.PositiveBigIntegerField(_("record number"), null=True, blank=True)
    list_entry_id = models.PositiveBigIntegerField(_("list entry number"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    effective_on = models.DateField(_("effective on"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Exactly what was hashed into the log (with ``salt``) and what the feed serves.
    event = models.JSONField(_("event as published"), editable=False)
    salt = models.CharField(max_length=64, editable=False)
    # What opens the event's subject commitment; blank once withheld (or never disclosed).
    subject_name = models.CharField(_("subject name as published"), max_length=200, blank=True)
    subject_code = models.CharField(_("subject code as published"), max_length=18, blank=True)
    subject_salt = models.CharField(max_length=64, blank=True, editable=False)
    withheld_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="withheld_events",
        editable=False,
        verbose_name=_("withheld by"),
    )
    leaf_index = models.BigIntegerField(_("log entry"), unique=True, editable=False)
    checkpoint = models.ForeignKey(
        "signing.Checkpoint", on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["leaf_index"]
        verbose_name = _("open data event")
        verbose_name_plural = _("open data events")
        indexes = [
            models.Index(fields=["effective_on", "leaf_index"]),
            # A day's CSV reads the events recorded that day: the cost of a day, not of the log.
            models.Index(fields=["created_at", "leaf_index"], name="open_data_recorded"),
        ]
        constraints = [
            # Whatever retries or catches up (the hourly end of publicity, a repeated
            # decision), a record starts, ends, is repaired or revoked once in the feed.
            models.UniqueConstraint(
                fields=["kind", "record_id"],
                condition=Q(
                    kind__in=[
                        "publication_started",
                        "publication_ended",
                        "record_repaired",
                        "record_revoked",
                    ]
                ),
                name="open_data_once_per_record",
            ),
            models.UniqueConstraint(
                fields=["kind", "list_entry_id"],
                condition=Q(kind__in=["list_entered", "list_exited"]),
                name="open_data_once_per_list_entry",
            ),
            models.UniqueConstraint(
                fields=["kind", "reference"],
                condition=Q(kind="commitment_withdrawn"),
                name="open_data_once_per_withdrawal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leaf_index} {self.kind}"

    @property
    def is_withheld(self) -> bool:
        """Whether the feed no longer (or never) names this event's subject."""
        return not self.subject_salt


class OpenDataDay(models.Model):
    """A day of the log whose CSV was built: the pointer to its current file (None once
    discarded, until the next build). Builds and discards of a day lock this row, whichever
    host runs them."""

    day = models.DateField(_("day"), unique=True)
    current = models.OneToOneField(
        "OpenDataDayFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("current file"),
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("open data day")
        verbose_name_plural = _("open data days")

    def __str__(self) -> str:
        return self.day.isoformat()


class OpenDataDayFile(models.Model):
    """One build of a day's CSV: an object of the document store named by its SHA-256 (so a
    rebuild is a new object, never an overwrite), and the seal's signature over its bytes.

    A rebuild ``replaces`` the day's previous file; the previous one was ``discarded`` (no
    longer served) and then ``purged`` (its object deleted from the store, unless the day's
    current file has the very same bytes): it may have named a subject since withheld.
    """

    day = models.ForeignKey(OpenDataDay, on_delete=models.PROTECT, related_name="files")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    signature = models.CharField(_("signature"), max_length=200)
    certificate_sha256 = models.CharField(_("signing certificate SHA-256"), max_length=64)
    # The largest open data leaf index committed when the rows were read (a withholding with
    # a larger index came after); None for a file imported from a build that did not say.
    built_through = models.BigIntegerField(_("log read through"), null=True, blank=True)
    built_at = models.DateTimeField(_("built"))
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    discarded_at = models.DateTimeField(_("discarded"), null=True, blank=True)
    purged_at = models.DateTimeField(_("object deleted"), null=True, blank=True)

    class Meta:
        ordering = ["day", "built_at", "pk"]
        verbose_name = _("open data day file")
        verbose_name_plural = _("open data day files")
        constraints = [
            models.UniqueConstraint(
                fields=["day"],
                condition=Q(discarded_at__isnull=True),
                name="open_data_one_live_file_per_day",
            ),
        ]
        indexes = [
            models.Index(
                fields=["discarded_at"],
                condition=Q(discarded_at__isnull=False, purged_at__isnull=True),
                name="open_data_day_files_to_purge",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.sha256[:12]}"

    @property
    def key(self) -> str:
        """The object's key in the document store: content-addressed, under its day."""
        return f"open-data/{self.day.day.isoformat()}/{self.sha256}.csv"
