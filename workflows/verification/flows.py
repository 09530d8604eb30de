"""The inform-and-commit verification process.

The commitment (domain) holds the legal status; this flow only orchestrates the work: who
verifies, by when, and who is told when the window passes. Node and class names are stored
in rows of running processes: rename them only with a data migration.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.fields import get_task_ref

from commitments.lifecycle.models import Commitment, VerificationExemption
from commitments.lifecycle.services.exemption import exemption_close, exemption_decide
from commitments.lifecycle.services.verification import commitment_open_verification
from directory.models import RegulatorMembership
from directory.rows import save_new
from workflows.audit.models import TaskAuditEntry
from workflows.audit.services import audit_timer_cancelled
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.nodes import (
    End,
    If,
    NewProcessStartHandle,
    TimerBoundary,
    select_for_update_lock,
)
from workflows.verification.models import Rectification, VerificationProcess
from workflows.verification.nodes import DepartmentTaskView
from workflows.verification.selectors.seats import is_department_member
from workflows.verification.services.assignment import (
    audit_assignment,
    least_loaded_member,
)
from workflows.verification.services.notify import notify_assigned, notify_escalated
from workflows.verification.services.queue import index_open_task
from workflows.verification.services.rectification_flow import (
    rectification_index_due,
    rectification_is_ordered,
    rectification_lapse,
)
from workflows.verification.services.routing import route_commitment, route_of_rule

# Why an interrupting timer cancelled its host's task (the task audit's reason, by timer node).
TIMER_CANCEL_REASONS = {
    "verification_overdue": (
        "verification window passed at %(due)s: escalated to the department's supervisor"
    ),
    "exemption_window_closed": (
        "verification window closed at %(due)s on an exempt commitment nobody drew: "
        "closed as exempt"
    ),
    "rectification_overdue": (
        "rectification deadline passed at %(due)s with nothing submitted: re-verification follows"
    ),
}


def commitment_in_memory(process) -> Commitment | None:
    """The commitment linked to ``process`` earlier in this transaction, if held in memory.

    ``commitment_open_verification`` links them by assigning the process, which Django also
    caches on the process's reverse accessor: the start's callbacks read it from there
    instead of reading back the row this transaction has just written.
    """
    relation = Commitment.process.field.remote_field
    return relation.get_cached_value(process) if relation.is_cached(process) else None


def commitment_keep_in_memory(*, process, commitment: Commitment) -> None:
    """Let the flow's next steps in this transaction read ``commitment`` from memory: it was
    read under its row lock and saved just now (the finding)."""
    Commitment.process.field.remote_field.set_cached_value(process, commitment)


class InformCommitFlow(flow.Flow):
    """Verification of an inform-and-commit commitment

    A signed commitment goes to the competent department; a regulator verifies it within
    the statutory window, or the department's supervisor takes it over when the window
    passes. The finding decides how the process ends.

    Steps, in execution order:

    1. ``start`` (commitment signed): route the commitment to the competent department (the
       routing rules, else the competence) and open its verification in the domain, which
       fixes the due instant: the template's verification window in working or calendar
       days (e.g. 30 working days for Henan food permits), counted from the day of signature
       on the official working-day calendar and closing at the end of its last day.
    2. ``verify`` (human): a regulator of the department verifies and records the finding;
       assigned to the least-loaded eligible regulator, or left in the department's queue.
       The holder (or the department's regulators) is warned some working days before the
       due instant (``VERIFICATION_REMINDER_WORKING_DAYS``, 3 by default; a beat sweep).
    3. ``verification_overdue`` (timer on ``verify``, at the due instant; it follows an
       extension of the deadline): the window passed without a finding.
    4. ``check_still_open``: the domain is re-read; a commitment decided meanwhile goes on
       to ``check_finding``.
    5. ``escalate`` (human): the department's supervisor verifies the overdue commitment;
       the department's supervisors and regulators are told.
    6. ``check_finding``: fulfilled or breached, as the domain recorded it.
    7. ``end_fulfilled`` / ``end_breached``.

    Exemption (ADR 0032): at ``start`` the matter's exemption rule and the subject's grade may
    exempt the commitment (``check_exemption``). If the rule lets exempt cases be drawn
    (``check_exempt_drawable``), it waits in ``exempted`` until its window closes
    (``exemption_window_closed``, at the verification due instant) unless a spot-check draw
    picks it first, which sends it to ``verify`` as an on-site spot check; otherwise, or when
    the window closes, ``close_exemption`` decides it as exempt (``end_exempt``).
    Rectification (ADR 0024) runs between ``verify``/``escalate`` and ``check_finding``.

    Human nodes are ``DepartmentTaskView``: only active members of the commitment's
    department see them, a member eligible under the routing rule may claim one, only its
    holder records the finding, and the holder or a supervisor may release it.
    """

    process_class = VerificationProcess
    lock_impl = select_for_update_lock  # viewflow's, its statement compiled once
    process_title = _("Commitment verification")

    start = (
        NewProcessStartHandle(this.start_verification)
        .Annotation(title=_("Commitment signed"))
        .Next(this.check_exemption)
    )
    check_exemption = (
        If(this.is_exempt)
        .Annotation(title=_("Exempt from verification under the matter's rule?"))
        .Then(this.check_exempt_drawable)
        .Else(this.verify)
    )
    check_exempt_drawable = (
        If(this.is_exempt_drawable)
        .Annotation(title=_("May an exempt commitment still be drawn for a spot check?"))
        .Then(this.exempted)
        .Else(this.close_exemption)
    )
    exempted = (
        flow.Handle(this.exemption_drawn)
        .Annotation(title=_("Exempt: open to a spot-check draw until the window closes"))
        .Next(this.verify)
    )
    exemption_window_closed = (
        TimerBoundary(
            this.exempted,
            delay=this.verification_due,
            interrupting=True,
            cancelled=this.timer_cancelled,
        )
        .Annotation(title=_("Verification window closed on an exempt commitment"))
        .Next(this.close_exemption)
    )
    close_exemption = (
        flow.Function(this.mark_exempt)
        .Annotation(title=_("Closed as exempt from verification"))
        .Next(this.end_exempt)
    )
    verify = (
        DepartmentTaskView()
        .Annotation(title=_("Verify the commitment"))
        .Permission("workflows.verify_commitment")
        .Assign(this.assign_regulator)
        .onCreate(this.task_created)
        .Next(this.check_rectification)
    )
    # A named boundary (not .OnTimeout) so scheduled rows keep their meaning if nodes move.
    verification_overdue = (
        TimerBoundary(
            this.verify,
            delay=this.verification_due,
            interrupting=True,
            cancelled=this.timer_cancelled,
        )
        .Annotation(title=_("Verification window passed"))
        .Next(this.check_still_open)
    )
    check_still_open = (
        If(this.is_awaiting_verification)
        .Annotation(title=_("Still awaiting verification?"))
        .Then(this.escalate)
        .Else(this.check_finding)
    )
    escalate = (
        DepartmentTaskView()
        .Annotation(title=_("Verify the overdue commitment (escalated)"))
        .Permission("workflows.verify_commitment")
        .Assign(this.assign_supervisor)
        .onCreate(this.escalation_created)
        .Next(this.check_rectification)
    )
    check_rectification = (
        If(this.is_rectification_ordered)
        .Annotation(title=_("Rectification ordered?"))
        .Then(this.await_rectification)
        .Else(this.check_finding)
    )
    await_rectification = (
        flow.Handle(this.rectification_received)
        .Annotation(title=_("The applicant rectifies"))
        .Next(this.reverify)
    )
    rectification_overdue = (
        TimerBoundary(
            this.await_rectification,
            delay=this.rectification_due,
            interrupting=True,
            cancelled=this.timer_cancelled,
        )
        .Annotation(title=_("Rectification deadline passed"))
        .Next(this.rectification_lapsed)
    )
    rectification_lapsed = (
        flow.Function(this.mark_rectification_lapsed)
        .Annotation(title=_("Nothing submitted by the deadline"))
        .Next(this.reverify)
    )
    reverify = (
        DepartmentTaskView()
        .Annotation(title=_("Re-verify the rectified commitment"))
        .Permission("workflows.verify_commitment")
        .Assign(this.assign_reverifier)
        .onCreate(this.reverification_created)
        .Next(this.check_finding)
    )
    check_finding = (
        If(this.is_fulfilled)
        .Annotation(title=_("Commitment fulfilled?"))
        .Then(this.end_fulfilled)
        .Else(this.end_breached)
    )
    end_fulfilled = End().Annotation(title=_("Verified: fulfilled"))
    end_breached = End().Annotation(title=_("Verified: breached"))
    end_exempt = End().Annotation(title=_("Exempt from verification"))

    # Start ----------------------------------------------------------------------------------

    def start_verification(
        self,
        activation,
        *,
        commitment: Commitment,
        by: AbstractBaseUser,
        is_locked: bool = False,
    ) -> VerificationProcess:
        """Hand the signed commitment to the competent department and link the process
        (``is_locked``: the caller read it under its row lock and saved it in this
        transaction)."""
        process = activation.process
        route = route_commitment(commitment=commitment)
        if route is None:
            raise WorkflowError(
                WorkflowErrorCode.INVALID,
                gettext("No department handles this matter in this region on commitment yet."),
                field="region",
            )
        # Which rule routed it decides who may verify; kept with the process (flow data).
        if route.rule is not None:
            process.data = {**(process.data or {}), "routing_rule": route.rule.pk}
        # The commitment links to it, so it needs its key now: ``process.save()`` of the new
        # row, its insert compiled once.
        save_new(process)
        # The link is bookkeeping (not in the audited history); it is written with the
        # opening, and leaves the commitment in memory for the callbacks of this start.
        commitment_open_verification(
            commitment=commitment,
            department=route.department,
            by=by,
            process=process,
            is_locked=is_locked,
        )
        exemption_decide(commitment=commitment, is_locked=True)
        return process

    @classmethod
    def run_start(
        cls, *, commitment: Commitment, by: AbstractBaseUser, is_locked: bool = False
    ) -> VerificationProcess:
        """Start a process; viewflow calls our callback before its own transaction, so one
        transaction here keeps the domain writes and the flow rows together (``is_locked``:
        the caller's transaction is the unit of work, no savepoint of its own)."""
        with transaction.atomic(savepoint=not is_locked):
            return cls.start.run(commitment=commitment, by=by, is_locked=is_locked)

    # Assignment ---------------------------------------------------------------------------

    @classmethod
    def human_task_refs(cls) -> list[str]:
        return [get_task_ref(cls.verify), get_task_ref(cls.escalate), get_task_ref(cls.reverify)]

    def _open_commitment(self, activation) -> Commitment | None:
        """The commitment when it still awaits a finding (escalation re-checks the domain)."""
        commitment = commitment_in_memory(activation.process) or (
            Commitment.objects.select_related("department", "subject")
            .filter(process_id=activation.process.pk)
            .first()
        )
        if commitment is None or commitment.status != Commitment.Status.UNDER_VERIFICATION:
            return None
        return commitment

    def assign_regulator(self, activation) -> AbstractBaseUser | None:
        commitment = self._open_commitment(activation)
        if commitment is None:
            return None
        route = route_of_rule(
            department=commitment.department,
            rule_id=(activation.process.data or {}).get("routing_rule"),
        )
        return least_loaded_member(
            department=commitment.department,
            role=RegulatorMembership.Role.REGULATOR,
            flow_tasks=self.human_task_refs(),
            eligible_user_ids=route.eligible_user_ids,
        )

    def assign_supervisor(self, activation) -> AbstractBaseUser | None:
        commitment = self._open_commitment(activation)
        if commitment is None:
            return None
        return least_loaded_member(
            department=commitment.department,
            role=RegulatorMembership.Role.SUPERVISOR,
            flow_tasks=self.human_task_refs(),
        )

    # Timers and gates -----------------------------------------------------------------------

    def verification_due(self, activation):
        """Arm the window at the deadline the domain computed on the official calendar."""
        commitment = commitment_in_memory(activation.process)
        if commitment is not None:
            return commitment.verification_due_at
        return Commitment.objects.values_list("verification_due_at", flat=True).get(
            process_id=activation.process.pk
        )

    def timer_cancelled(self, activation, cancelled: list) -> None:
        """Audit each task an interrupting timer cancelled: the platform did it, from the state
        the task left, because its window or deadline passed (and what follows)."""
        audit_timer_cancelled(
            activation=activation,
            cancelled=cancelled,
            reason=TIMER_CANCEL_REASONS[activation.flow_task.name],
        )

    def is_awaiting_verification(self, activation) -> bool:
        return self._open_commitment(activation) is not None

    def is_fulfilled(self, activation) -> bool:
        commitment = commitment_in_memory(activation.process)
        status = (
            commitment.status
            if commitment is not None
            else Commitment.objects.values_list("status", flat=True).get(
                process_id=activation.process.pk
            )
        )
        return status == Commitment.Status.FULFILLED

    # Exemption (ADR 0032) --------------------------------------------------------------------

    def is_exempt(self, activation) -> bool:
        """The matter's rule exempts this grade A subject (recorded when the process started,
        whose answer the commitment in memory still holds)."""
        commitment = commitment_in_memory(activation.process)
        if commitment is not None and hasattr(commitment, "decided_exemption"):
            return commitment.decided_exemption is not None
        return VerificationExemption.objects.filter(
            commitment__process_id=activation.process.pk
        ).exists()

    def is_exempt_drawable(self, activation) -> bool:
        return VerificationExemption.objects.filter(
            commitment__process_id=activation.process.pk, spot_checks_drawn=True
        ).exists()

    def exemption_drawn(self, activation, **kwargs) -> None:
        """The draw that picked this exempt case recorded it (``sampling_draw`` runs the node)."""

    def mark_exempt(self, activation) -> None:
        """Nobody drew it, or nobody may: the commitment is decided as exempt (the platform)."""
        exemption_close(commitment=Commitment.objects.get(process_id=activation.process.pk))

    # Rectification ---------------------------------------------------------------------------

    def is_rectification_ordered(self, activation) -> bool:
        return rectification_is_ordered(process_id=activation.process.pk)

    def rectification_due(self, activation):
        """Arm the rectification deadline at the instant the order fixed on the calendar."""
        return Rectification.objects.values_list("due_at", flat=True).get(
            commitment__process_id=activation.process.pk
        )

    def rectification_received(self, activation, **kwargs) -> None:
        """The applicant's submission was recorded by the service that runs this node."""

    def mark_rectification_lapsed(self, activation) -> None:
        """The deadline passed with nothing submitted: record it (the platform did)."""
        rectification_lapse(process_id=activation.process.pk)

    def assign_reverifier(self, activation) -> AbstractBaseUser | None:
        """The regulator who ordered the rectification, while still an active member."""
        commitment = self._open_commitment(activation)
        if commitment is None:
            return None
        order = Rectification.objects.filter(commitment=commitment).select_related("ordered_by")
        ordered_by = order[0].ordered_by if order else None
        if is_department_member(ordered_by, commitment.department_id):
            return ordered_by
        return self.assign_regulator(activation)

    def reverification_created(self, activation) -> None:
        """Index the re-verification, due at the rectification deadline, and tell its holder.

        A case drawn for an on-site spot check stays one, with its draw (the order kept both:
        the verification task's row was closed when the rectification was ordered)."""
        task = activation.task
        commitment = self._open_commitment(activation)
        if commitment is None:
            return
        order = (
            Rectification.objects.filter(commitment=commitment)
            .values("is_spot_check", "spot_check_draw_id")
            .first()
        )
        index_open_task(
            task=task,
            commitment=commitment,
            is_spot_check=bool(order and order["is_spot_check"]),
            spot_check_draw_id=order["spot_check_draw_id"] if order else None,
        )
        rectification_index_due(task=task, commitment=commitment)
        if task.owner is not None:
            audit_assignment(task=task, kind=TaskAuditEntry.Kind.ASSIGNED)
            notify_assigned(task=task, commitment=commitment)

    # Task callbacks: index, audit, tell -----------------------------------------------------

    def task_created(self, activation) -> None:
        """Index the new task; audit and tell the assignee a verification is waiting for them."""
        task = activation.task
        commitment = commitment_in_memory(activation.process) or (
            Commitment.objects.select_related("subject", "template").get(
                process_id=activation.process.pk
            )
        )
        # The first task of its process: no earlier row to carry over or replace.
        index_open_task(task=task, commitment=commitment, is_first=True)
        if task.owner is not None:
            audit_assignment(task=task, kind=TaskAuditEntry.Kind.ASSIGNED)
            notify_assigned(task=task, commitment=commitment)

    def escalation_created(self, activation) -> None:
        """Index the escalated task; tell the supervisor and the department's regulators that
        a window passed."""
        task = activation.task
        commitment = self._open_commitment(activation)
        if commitment is None:
            return
        index_open_task(task=task, commitment=commitment, is_escalated=True)
        audit_assignment(task=task, kind=TaskAuditEntry.Kind.ESCALATED)
        notify_escalated(task=task, commitment=commitment)
        if task.owner is not None:
            notify_assigned(task=task, commitment=commitment)
