"""The cases of credit repair and objections, and the processes that carry their time limits.

- ``RepairApplication`` (with its ``RepairProof`` files): a subject's application to repair
  one breach, decided by the department that designated the record.
- ``Objection``: a subject's dispute of a record's content, duration or a repair result.
- ``RepairProcess`` / ``ObjectionProcess``: proxies of viewflow's ``Process``, one per flow.
  Each case holds its process (``process``), as ``Commitment`` does: a real foreign key,
  not viewflow's generic seed. The legal status lives on the case (FSM), never on the
  process; the process carries the work and the timers.

A case refers down to the credit record (``credit.Breach``), the signed repair commitment
(``commitments.Commitment``) and who and where (``directory``); nothing below refers up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from viewflow.workflow.models import Process

from credit.record.models.base import CreditStateModel
from credit.record.models.breaches import Breach
from directory.history import HistoricalRecords
from directory.states import StateField


class RepairProcess(Process):
    """The process of one repair application (``RepairApplication.process``)."""

    class Meta:
        proxy = True
        verbose_name = _("repair process")
        verbose_name_plural = _("repair processes")
        permissions = [
            ("decide_repair", _("Can decide the repair applications of one's department")),
        ]


class ObjectionProcess(Process):
    """The process of one objection (``Objection.process``)."""

    class Meta:
        proxy = True
        verbose_name = _("objection process")
        verbose_name_plural = _("objection processes")
        permissions = [
            ("decide_objection", _("Can decide the objections with one's department")),
        ]


def _keep_subject_name(case) -> None:
    if not case.subject_name and case.subject_id:
        case.subject_name = case.subject.name[:200]


class RepairApplication(CreditStateModel):
    """A subject's application to repair one breach, decided by the designating department."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="repairs")
    subject = models.ForeignKey(
        "directory.Subject", on_delete=models.PROTECT, related_name="credit_repairs"
    )
    # The subject's name kept on the case, so the officers' list sorts by it on an index
    # (``*_dept_subject``); set on save, renamed with the subject (``workflows.repair.signals``).
    subject_name = models.CharField(_("subject's name"), max_length=200, blank=True, editable=False)
    department = models.ForeignKey(
        "directory.Department", on_delete=models.PROTECT, related_name="credit_repairs"
    )
    commitment = models.OneToOneField(
        "commitments.Commitment",
        on_delete=models.PROTECT,
        related_name="credit_repair",
        verbose_name=_("public repair commitment"),
    )
    statement = models.TextField(_("how the act was corrected and the obligations performed"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField(_("submitted"))
    feedback_due = models.DateField(_("feedback due"))
    decision_due = models.DateField(_("decision due"))
    due_basis = models.JSONField(_("how the due dates were computed"), default=dict)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    warned_on = models.DateField(_("deadline warning sent"), null=True, blank=True)
    status = StateField(
        _("status"), choices=Status.choices, default=Status.SUBMITTED, protected=True
    )
    # The process (viewflow) that carries the time limits; the case holds the legal status.
    process = models.OneToOneField(
        RepairProcess,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repair_application",
    )
    history = HistoricalRecords(excluded_fields=["process"])

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        verbose_name = _("repair application")
        verbose_name_plural = _("repair applications")
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["subject", "status"]),
            models.Index(fields=["status", "decision_due"]),
            # The officers' case list sorted by decision due or filing (ADR 0021).
            models.Index(fields=["department", "decision_due", "id"], name="repair_dept_due"),
            models.Index(fields=["department", "submitted_on", "id"], name="repair_dept_filed"),
            models.Index(fields=["department", "subject_name", "id"], name="repair_dept_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["breach"],
                condition=Q(status="submitted"),
                name="repair_one_open_per_breach",
            )
        ]

    def __str__(self) -> str:
        return _("repair of %(breach)s (%(status)s)") % {
            "breach": self.breach_id,
            "status": self.get_status_display(),
        }

    def save(self, *args, **kwargs):
        _keep_subject_name(self)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @transition(field=status, source=Status.SUBMITTED, target=Status.GRANTED)
    def grant(self, *, by, on, reason: str) -> None:
        self.decided_by, self.decided_on, self.decision_reason = by, on, reason

    @transition(field=status, source=Status.SUBMITTED, target=Status.REFUSED)
    def refuse(self, *, by, on, reason: str) -> None:
        self.decided_by, self.decided_on, self.decision_reason = by, on, reason


def repair_proof_path(instance: RepairProof, filename: str) -> str:
    """Where a proof file is stored: one folder per application."""
    return f"credit/repair/{instance.application_id}/{filename}"


class RepairProof(models.Model):
    """A document proving the obligations were performed (kept as filed: never edited)."""

    application = models.ForeignKey(
        RepairApplication, on_delete=models.CASCADE, related_name="proofs"
    )
    file = models.FileField(_("file"), upload_to=repair_proof_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("proof of performance")
        verbose_name_plural = _("proofs of performance")

    def __str__(self) -> str:
        return self.name


class Objection(CreditStateModel):
    """A subject's dispute of a record's content, duration or a repair result."""

    class Kind(models.TextChoices):
        CONTENT = "content", _("Content of the record")
        DURATION = "duration", _("Duration of publicity")
        REPAIR_RESULT = "repair_result", _("Result of a repair")

    class Status(models.TextChoices):
        OPEN = "open", _("Under review")
        FORWARDED = "forwarded", _("Forwarded to the providing department")
        UPHELD_CORRECTED = "corrected", _("Upheld: record corrected")
        UPHELD_REVOKED = "revoked", _("Upheld: record revoked")
        REJECTED = "rejected", _("Rejected")

    OPEN_STATES = (Status.OPEN, Status.FORWARDED)

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="objections")
    subject = models.ForeignKey(
        "directory.Subject", on_delete=models.PROTECT, related_name="credit_objections"
    )
    # The subject's name kept on the case, so the officers' list sorts by it on an index
    # (``*_dept_subject``); set on save, renamed with the subject (``workflows.repair.signals``).
    subject_name = models.CharField(_("subject's name"), max_length=200, blank=True, editable=False)
    department = models.ForeignKey(
        "directory.Department", on_delete=models.PROTECT, related_name="credit_objections"
    )
    kind = models.CharField(_("what is disputed"), max_length=20, choices=Kind.choices)
    grounds = models.TextField(_("grounds"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_on = models.DateField(_("filed"))
    breach_status_before = models.CharField(
        _("record status before"), max_length=20, choices=Breach.Status.choices
    )
    marked_on = models.DateField(_("record marked under objection"), null=True, blank=True)
    decision_due = models.DateField(_("decision due"))
    forward_due = models.DateField(_("forwarding due"))
    forwarded_on = models.DateField(_("forwarded"), null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("forwarded by"),
    )
    forwarded_from = models.ForeignKey(
        "directory.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("forwarded from"),
    )
    forward_reason = models.TextField(_("reason for forwarding"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    status = StateField(_("status"), choices=Status.choices, default=Status.OPEN, protected=True)
    # The process (viewflow) that carries the time limits; the case holds the legal status.
    process = models.OneToOneField(
        ObjectionProcess,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="objection",
    )
    history = HistoricalRecords(excluded_fields=["process"])

    class Meta:
        ordering = ["-filed_on", "-pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["subject", "status"]),
            # The officers' case list sorted by decision due or filing (ADR 0021).
            models.Index(fields=["department", "decision_due", "id"], name="objection_dept_due"),
            models.Index(fields=["department", "filed_on", "id"], name="objection_dept_filed"),
            models.Index(
                fields=["department", "subject_name", "id"], name="objection_dept_subject"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["breach"],
                condition=Q(status__in=["open", "forwarded"]),
                name="objection_one_open_per_breach",
            )
        ]

    def __str__(self) -> str:
        return _("objection to %(breach)s (%(status)s)") % {
            "breach": self.breach_id,
            "status": self.get_status_display(),
        }

    def save(self, *args, **kwargs):
        _keep_subject_name(self)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    @transition(field=status, source=Status.OPEN, target=Status.FORWARDED)
    def forward(self, *, by, on, decision_due, department_id: int, reason: str) -> None:
        self.forwarded_on, self.decision_due = on, decision_due
        self.forwarded_by, self.forward_reason = by, reason
        self.forwarded_from_id, self.department_id = self.department_id, department_id

    @transition(
        field=status,
        source=[Status.OPEN, Status.FORWARDED],
        target=Status.UPHELD_CORRECTED,
    )
    def correct(self, *, by, on, reason: str) -> None:
        self.decided_by, self.decided_on, self.decision_reason = by, on, reason

    @transition(field=status, source=[Status.OPEN, Status.FORWARDED], target=Status.UPHELD_REVOKED)
    def revoke(self, *, by, on, reason: str) -> None:
        self.decided_by, self.decided_on, self.decision_reason = by, on, reason

    @transition(field=status, source=[Status.OPEN, Status.FORWARDED], target=Status.REJECTED)
    def reject(self, *, by, on, reason: str) -> None:
        self.decided_by, self.decided_on, self.decision_reason = by, on, reason
