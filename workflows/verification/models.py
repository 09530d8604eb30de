"""Process model of the verification flow and the regulators' working data.

- ``VerificationProcess``: proxy of viewflow's Process, linked from the domain side.
- ``VerificationTaskIndex``: one row per open verification task with everything the queue
  pages sort and filter on, kept by the services in the same transaction as the task, so the
  lists read one indexed table whatever the number of tasks.
- ``Delegation``: a regulator's absence; their tasks and new assignments go to the delegate.
- ``SamplingPolicy`` / ``SamplingDraw``: on-site spot-check ratios per risk grade (data) and
  every random draw made with them (seed, inputs, result: reproducible).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from viewflow.workflow.models import Process

from commitments.catalogue.models import StateModel, VerificationMethod
from directory.history import HistoricalRecords
from directory.states import StateField


class VerificationProcess(Process):
    """The inform-and-commit verification of one commitment (``Commitment.process``)."""

    class Meta:
        proxy = True
        verbose_name = _("verification process")
        verbose_name_plural = _("verification processes")
        permissions = [
            ("verify_commitment", _("Can verify the commitments handed to one's department")),
        ]


class RiskGrade(models.TextChoices):
    A = "A", _("A (low risk)")
    B = "B", _("B")
    C = "C", _("C")
    D = "D", _("D (high risk)")


class TaskPriority(models.IntegerChoices):
    """Lower sorts first among tasks due at the same time."""

    URGENT = 0, _("Urgent (escalated)")
    HIGH = 1, _("High")
    NORMAL = 2, _("Normal")
    LOW = 3, _("Low")


def _title_en() -> Coalesce:
    """The English title as the lists show it: the Chinese one when it has none (ADR 0015);
    ``selectors.queue.matter_title`` orders by this very expression."""
    return Coalesce(F("template_title_en"), F("template_title_zh_hans"))


class VerificationTaskIndex(models.Model):
    """One open verification task as the queue pages list it (denormalised on purpose).

    Written only by ``workflows.verification.services.queue`` from the services and flow
    callbacks, in the same transaction as the task change; a finished or cancelled task has
    no row.
    """

    task = models.OneToOneField(
        "viewflow.Task", on_delete=models.CASCADE, primary_key=True, related_name="queue_row"
    )
    process = models.ForeignKey("viewflow.Process", on_delete=models.CASCADE, related_name="+")
    commitment = models.ForeignKey(
        "commitments.Commitment", on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "directory.Department", on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    routing_rule = models.ForeignKey(
        "directory.RoutingRule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_escalated = models.BooleanField(default=False)
    due_at = models.DateTimeField()
    priority = models.PositiveSmallIntegerField(
        choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    matter = models.ForeignKey("directory.Matter", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("directory.Region", on_delete=models.CASCADE, related_name="+")
    risk_grade = models.CharField(max_length=1, blank=True, choices=RiskGrade.choices)
    method = models.CharField(max_length=20, choices=VerificationMethod.choices)
    is_spot_check = models.BooleanField(default=False)
    # The draw that picked it; kept on every later task of the case (re-verification included).
    spot_check_draw = models.ForeignKey(
        "SamplingDraw", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(max_length=32)
    subject_code = models.CharField(max_length=18)
    subject_name = models.CharField(max_length=200)
    template_title = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("open verification task")
        verbose_name_plural = _("open verification tasks")
        indexes = [
            # Queue and team pages: one department, owner NULL (queue) or any, by due date.
            models.Index(
                fields=["department", "owner", "due_at", "priority", "task"],
                name="wf_index_dept_owner_due",
            ),
            models.Index(
                fields=["department", "due_at", "priority", "task"], name="wf_index_dept_due"
            ),
            # The most used filter: one risk grade of a department, by due date.
            models.Index(
                fields=["department", "risk_grade", "due_at", "priority", "task"],
                name="wf_index_dept_grade_due",
            ),
            # Inbox: one owner, by due date.
            models.Index(fields=["owner", "due_at", "priority", "task"], name="wf_index_owner_due"),
            # The other offered sorts (received, subject), one index per list: the inbox
            # (one owner), the queue (one department, unassigned) and the team (one
            # department), each ending in the task for the keyset's tie-break.
            # The queue by due time: PostgreSQL does not take ``owner IS NULL`` as fixing the
            # owner column for ordering, so ``wf_index_dept_owner_due`` cannot give the
            # queue's order; this partial index of the unassigned rows does.
            models.Index(
                fields=["department", "due_at", "priority", "task"],
                name="wf_index_queue_due",
                condition=Q(owner__isnull=True),
            ),
            models.Index(fields=["owner", "created_at", "task"], name="wf_index_owner_created"),
            models.Index(
                fields=["department", "created_at", "task"],
                name="wf_index_queue_created",
                condition=Q(owner__isnull=True),
            ),
            models.Index(fields=["department", "created_at", "task"], name="wf_index_dept_created"),
            models.Index(fields=["owner", "subject_name", "task"], name="wf_index_owner_subject"),
            models.Index(
                fields=["department", "subject_name", "task"],
                name="wf_index_queue_subject",
                condition=Q(owner__isnull=True),
            ),
            models.Index(
                fields=["department", "subject_name", "task"], name="wf_index_dept_subject"
            ),
            # The matter sort: the commitment's title in the reader's language, per list
            # shape; the English title falls back to the Chinese (an index on the expression).
            models.Index(
                fields=["owner", "template_title_zh_hans", "task"], name="wf_index_owner_matter_zh"
            ),
            models.Index(
                fields=["department", "template_title_zh_hans", "task"],
                name="wf_index_queue_matter_zh",
                condition=Q(owner__isnull=True),
            ),
            models.Index(
                fields=["department", "template_title_zh_hans", "task"],
                name="wf_index_dept_matter_zh",
            ),
            models.Index(F("owner"), _title_en(), F("task"), name="wf_index_owner_matter_en"),
            models.Index(
                F("department"),
                _title_en(),
                F("task"),
                name="wf_index_queue_matter_en",
                condition=Q(owner__isnull=True),
            ),
            models.Index(F("department"), _title_en(), F("task"), name="wf_index_dept_matter_en"),
            models.Index(
                fields=["remind_at"],
                name="wf_index_remind_due",
                condition=Q(reminded_at__isnull=True),
            ),
            models.Index(fields=["reference"], name="wf_index_reference"),
            models.Index(fields=["subject_code"], name="wf_index_subject_code"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.step_title}"

    @property
    def step_title(self) -> str:
        """The task's step as its flow names it, in the reader's language (no copy is kept:
        a copy would stay in the language of the moment it was written)."""
        flow_task = self.task.flow_task
        return str(flow_task.task_title or flow_task) if flow_task is not None else ""


class Delegation(models.Model):
    """A regulator's absence: from ``starts`` to ``ends`` their work goes to ``delegate``."""

    department = models.ForeignKey(
        "directory.Department", on_delete=models.PROTECT, related_name="delegations"
    )
    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name=_("absent regulator"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name=_("delegate"),
    )
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    applied_at = models.DateTimeField(_("open tasks handed over"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts", "pk"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        indexes = [
            models.Index(fields=["delegator", "starts", "ends"]),
            # The absences list: one department's, by start or by end.
            models.Index(fields=["department", "starts", "id"], name="wf_delegation_dept_starts"),
            models.Index(fields=["department", "ends", "id"], name="wf_delegation_dept_ends"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="delegation_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(delegator=models.F("delegate")), name="delegation_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.starts:%Y-%m-%d}–{self.ends:%Y-%m-%d})"


class SamplingPolicy(models.Model):
    """The share of a risk grade's commitments that get an on-site spot check, from a date."""

    grade = models.CharField(_("risk grade"), max_length=1, choices=RiskGrade.choices)
    ratio_min = models.DecimalField(_("minimum ratio"), max_digits=5, decimal_places=4)
    ratio_max = models.DecimalField(_("maximum ratio"), max_digits=5, decimal_places=4)
    effective_from = models.DateField(_("in force from"))
    note = models.CharField(_("legal basis or note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grade", "-effective_from"]
        verbose_name = _("sampling policy")
        verbose_name_plural = _("sampling policies")
        constraints = [
            models.UniqueConstraint(
                fields=["grade", "effective_from"], name="sampling_policy_unique"
            ),
            models.CheckConstraint(
                condition=Q(ratio_min__gte=0)
                & Q(ratio_max__lte=1)
                & Q(ratio_min__lte=models.F("ratio_max")),
                name="sampling_policy_ratio_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade}: {self.ratio_min:.0%}–{self.ratio_max:.0%} ({self.effective_from})"

    def clean(self) -> None:
        has_both = self.ratio_min is not None and self.ratio_max is not None
        if has_both and not (0 <= self.ratio_min <= self.ratio_max <= 1):
            raise ValidationError(
                {"ratio_max": _("The ratios must satisfy 0 ≤ minimum ≤ maximum ≤ 1.")}
            )


class SamplingDraw(models.Model):
    """One random draw of on-site spot checks.

    Replaying ``inputs`` with ``seed``
    (``workflows.verification.services.sampling.sampling_replay``) gives ``selected``.
    """

    department = models.ForeignKey(
        "directory.Department", on_delete=models.PROTECT, related_name="sampling_draws"
    )
    seed = models.CharField(_("seed"), max_length=64)
    inputs = models.JSONField(_("inputs"))
    selected = models.JSONField(_("selected verification tasks by grade"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn"))

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        # The past draws list: one department's, by time either way.
        indexes = [models.Index(fields=["department", "drawn_at", "id"], name="wf_draw_dept_drawn")]
        verbose_name = _("sampling draw")
        verbose_name_plural = _("sampling draws")

    def __str__(self) -> str:
        return f"{self.department} {self.drawn_at:%Y-%m-%d %H:%M} ({self.seed})"


class Rectification(StateModel):
    """An order to rectify (待整改) given instead of a final finding, and what followed it.

    The regulator who verifies a commitment may find a fixable gap: instead of fulfilled or
    breached they order the applicant to rectify ``gaps`` by ``due_at`` (a number of working
    days on the official calendar). The applicant submits what they did with evidence; at the
    latest at the deadline the re-verification falls due, which ends fulfilled or breached.
    One order per commitment: a re-verification cannot order a second round. The commitment
    stays under verification meanwhile (its legal status); this row holds the order's own.
    """

    class Status(models.TextChoices):
        ORDERED = "ordered", _("Rectification ordered")
        SUBMITTED = "submitted", _("Rectification submitted")
        DUE = "due", _("Deadline passed without a submission")
        FULFILLED = "fulfilled", _("Re-verified: fulfilled")
        BREACHED = "breached", _("Re-verified: breached")

    OPEN = (Status.ORDERED, Status.SUBMITTED, Status.DUE)

    commitment = models.OneToOneField(
        "commitments.Commitment", on_delete=models.PROTECT, related_name="rectification"
    )
    department = models.ForeignKey(
        "directory.Department", on_delete=models.PROTECT, related_name="rectifications"
    )
    status = StateField(_("status"), choices=Status.choices, default=Status.ORDERED, protected=True)
    method = models.CharField(_("method"), max_length=20, choices=VerificationMethod.choices)
    # A case drawn for an on-site spot check stays one through its re-verification.
    is_spot_check = models.BooleanField(_("drawn for an on-site spot check"), default=False)
    spot_check_draw = models.ForeignKey(
        SamplingDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gaps = models.TextField(_("what must be rectified"))
    finding_evidence = models.TextField(_("what the verification found"), blank=True)
    due_at = models.DateTimeField(_("rectify by"))
    due_basis = models.JSONField(editable=False)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField(_("ordered"))
    submission = models.TextField(_("what was rectified"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("re-verified"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-ordered_at", "-pk"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="wf_rect_dept_status_due"),
            models.Index(fields=["status", "due_at"], name="wf_rect_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @transition(field=status, source=Status.ORDERED, target=Status.SUBMITTED)
    def submit(self, *, by, at, text: str) -> None:
        self.submitted_by = by
        self.submitted_at = at
        self.submission = text

    @transition(field=status, source=Status.ORDERED, target=Status.DUE)
    def pass_deadline(self) -> None:
        """The deadline passed with nothing submitted: re-verification is due anyway."""

    @transition(field=status, source=[Status.SUBMITTED, Status.DUE], target=Status.FULFILLED)
    def close_fulfilled(self, *, at) -> None:
        self.closed_at = at

    @transition(field=status, source=[Status.SUBMITTED, Status.DUE], target=Status.BREACHED)
    def close_breached(self, *, at) -> None:
        self.closed_at = at


class RectificationEvidence(models.Model):
    """A file kept with a rectification: the regulator's with the order, the applicant's with
    the submission (content-addressed like a verification's evidence)."""

    class Stage(models.TextChoices):
        ORDER = "order", _("With the order")
        SUBMISSION = "submission", _("With the submission")

    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="evidence"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    file = models.FileField(_("file"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    content_type = models.CharField(_("content type"), max_length=100)
    original_name = models.CharField(_("original file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["rectification", "pk"]
        verbose_name = _("rectification evidence")
        verbose_name_plural = _("rectification evidence")

    def __str__(self) -> str:
        return self.original_name
