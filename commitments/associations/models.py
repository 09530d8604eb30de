"""Associations, their officers and members, and the bulk issues of self-discipline pledges.

An association is an organisation role of its own: its officers act for it (checked on every
object, like a department's regulators), its members are subjects. A bulk issue is one CSV
file; each data row becomes one ``BulkIssueRow`` with its outcome, once: the row's number in
its file is unique, so a resumed or repeated run never imports a row twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from commitments.catalogue.models import CommitmentTemplate, StateModel
from commitments.lifecycle.models import Commitment
from directory.history import HistoricalRecords
from directory.models import Region, Subject
from directory.states import StateField


class Association(models.Model):
    """An industry association (行业协会) that issues self-discipline pledges to its members."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="associations")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry association")
        verbose_name_plural = _("industry associations")

    def __str__(self) -> str:
        return self.name


class AssociationOfficer(models.Model):
    """A user's seat in an association: an officer issues pledges and reminds members."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="association_seats"
    )
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="officers")
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("association officer")
        verbose_name_plural = _("association officers")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "association"], name="association_officer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.association}"


class AssociationMembership(models.Model):
    """A member company of an association."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="members")
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="association_memberships"
    )
    joined_on = models.DateField(_("joined on"))
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["association", "subject__name"]
        verbose_name = _("association membership")
        verbose_name_plural = _("association memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "subject"], name="association_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ∈ {self.association}"


class BulkIssue(StateModel):
    """One uploaded CSV file of members to whom a self-discipline template is issued.

    ``rows_done`` is the resume point: the data rows whose outcome is committed, advanced in
    the same transaction as each chunk's rows, so a worker killed mid-file leaves it exact.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="bulk_issues"
    )
    template = models.ForeignKey(
        CommitmentTemplate, on_delete=models.PROTECT, related_name="bulk_issues"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    encoding = models.CharField(_("encoding"), max_length=20)
    columns = models.JSONField(_("columns"), default=list)
    total_rows = models.PositiveIntegerField(_("rows in the file"))
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    issued_count = models.PositiveIntegerField(_("pledges issued"), default=0)
    rejected_count = models.PositiveIntegerField(_("rows rejected"), default=0)
    status = StateField(_("status"), choices=Status.choices, default=Status.QUEUED, protected=True)
    failure = models.TextField(_("failure"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulk issue")
        verbose_name_plural = _("bulk issues")
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.association} / {self.original_name}"

    @transition(field=status, source=[Status.QUEUED, Status.RUNNING], target=Status.RUNNING)
    def start(self) -> None:
        """Begin (or resume) processing the file."""

    @transition(field=status, source=Status.RUNNING, target=Status.DONE)
    def finish(self) -> None:
        """Every row has its outcome."""

    @transition(field=status, source=[Status.QUEUED, Status.RUNNING], target=Status.FAILED)
    def fail(self) -> None:
        """The file could no longer be read (recorded in ``failure``)."""

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else int(100 * self.rows_done / self.total_rows)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class BulkIssueRow(models.Model):
    """One data row of a bulk issue and its outcome: a draft pledge, or the reasons it was not.

    ``reasons`` holds stable codes (``[{"code": "not_member", "field": "code"}]``), turned into
    words in the reader's language when shown.
    """

    class Outcome(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REJECTED = "rejected", _("Rejected")

    bulk_issue = models.ForeignKey(BulkIssue, on_delete=models.CASCADE, related_name="rows")
    line_number = models.PositiveIntegerField(_("line"))
    code = models.CharField(_("code as given"), max_length=64, blank=True)
    name = models.CharField(_("name as given"), max_length=200, blank=True)
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    contact = models.JSONField(_("contact details as given"), default=dict, blank=True)
    commitment = models.OneToOneField(
        Commitment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="association_issue",
    )

    class Meta:
        ordering = ["bulk_issue", "line_number"]
        verbose_name = _("bulk issue row")
        verbose_name_plural = _("bulk issue rows")
        constraints = [
            # The idempotency key of a row: its line in its file.
            models.UniqueConstraint(
                fields=["bulk_issue", "line_number"], name="bulk_issue_row_once"
            ),
            # A file issues to a member once, however often the member appears in it.
            models.UniqueConstraint(
                fields=["bulk_issue", "subject"],
                condition=models.Q(outcome="issued"),
                name="bulk_issue_member_once",
            ),
        ]
        indexes = [models.Index(fields=["bulk_issue", "outcome", "line_number"])]

    def __str__(self) -> str:
        return f"{self.bulk_issue_id}:{self.line_number} {self.get_outcome_display()}"


class MemberReminder(models.Model):
    """A reminder sent to a member to sign: at most one per member and city day."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="reminders")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("member reminder")
        verbose_name_plural = _("member reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "subject", "day"], name="member_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.association} → {self.subject} on {self.day}"
