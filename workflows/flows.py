"""The inform-and-commit verification process.

The commitment (domain) holds the legal status; this flow only orchestrates the work: who
verifies, by when, and who is told when the window passes. Node and class names are stored
in rows of running processes: rename them only with a data migration.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow.nodes import TimerBoundary

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.verification import commitment_open_verification
from directory import selectors as directory_selectors
from directory.audit import system_user
from directory.models import RegulatorMembership
from notifications.services.inbox import notification_send
from workflows.assignment import least_loaded_member
from workflows.models import TaskAuditEntry, VerificationProcess
from workflows.nodes import DepartmentTaskView
from workflows.queue import index_open_task
from workflows.routing import route_commitment, route_of_rule


class InformCommitFlow(flow.Flow):
    """Verification of an inform-and-commit commitment

    A signed commitment goes to the competent department; a regulator verifies it within
    the statutory window, or the department's supervisor takes it over when the window
    passes. The finding decides how the process ends.
    """

    process_class = VerificationProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("Commitment verification")

    start = (
        flow.StartHandle(this.start_verification)
        .Annotation(title=_("Commitment signed"))
        .Next(this.verify)
    )
    verify = (
        DepartmentTaskView()
        .Annotation(title=_("Verify the commitment"))
        .Assign(this.assign_regulator)
        .onCreate(this.task_created)
        .Next(this.check_finding)
    )
    # A named boundary (not .OnTimeout) so scheduled rows keep their meaning if nodes move.
    verification_overdue = (
        TimerBoundary(this.verify, delay=this.verification_due, interrupting=True)
        .Annotation(title=_("Verification window passed"))
        .Next(this.check_still_open)
    )
    check_still_open = (
        flow.If(this.is_awaiting_verification)
        .Annotation(title=_("Still awaiting verification?"))
        .Then(this.escalate)
        .Else(this.check_finding)
    )
    escalate = (
        DepartmentTaskView()
        .Annotation(title=_("Verify the overdue commitment (escalated)"))
        .Assign(this.assign_supervisor)
        .onCreate(this.escalation_created)
        .Next(this.check_finding)
    )
    check_finding = (
        flow.If(this.is_fulfilled)
        .Annotation(title=_("Commitment fulfilled?"))
        .Then(this.end_fulfilled)
        .Else(this.end_breached)
    )
    end_fulfilled = flow.End().Annotation(title=_("Verified: fulfilled"))
    end_breached = flow.End().Annotation(title=_("Verified: breached"))

    # Start ----------------------------------------------------------------------------------

    def start_verification(
        self, activation, *, commitment: Commitment, by: AbstractBaseUser
    ) -> VerificationProcess:
        """Hand the signed commitment to the competent department and link the process."""
        process = activation.process
        process.save()  # the commitment links to it, so it needs its key now
        route = route_commitment(commitment=commitment)
        if route is None:
            raise CommitmentError(
                ErrorCode.INVALID,
                gettext("No department handles this matter in this region on commitment yet."),
                field="region",
            )
        commitment_open_verification(commitment=commitment, department=route.department, by=by)
        # The link is bookkeeping (not part of the audited history): a plain update.
        Commitment.objects.filter(pk=commitment.pk).update(process=process)
        # Which rule routed it decides who may verify; kept with the process (flow data).
        if route.rule is not None:
            process.data = {**(process.data or {}), "routing_rule": route.rule.pk}
            process.save(update_fields=["data"])
        return process

    @classmethod
    def run_start(cls, *, commitment: Commitment, by: AbstractBaseUser) -> VerificationProcess:
        """Start a process; viewflow calls our callback before its own transaction, so one
        transaction here keeps the domain writes and the flow rows together."""
        with transaction.atomic():
            return cls.start.run(commitment=commitment, by=by)

    # Assignment ---------------------------------------------------------------------------

    @classmethod
    def human_task_refs(cls) -> list[str]:
        return [get_task_ref(cls.verify), get_task_ref(cls.escalate)]

    def _open_commitment(self, activation) -> Commitment | None:
        """The commitment when it still awaits a finding (escalation re-checks the domain)."""
        commitment = (
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
        return Commitment.objects.values_list("verification_due_at", flat=True).get(
            process_id=activation.process.pk
        )

    def is_awaiting_verification(self, activation) -> bool:
        return self._open_commitment(activation) is not None

    def is_fulfilled(self, activation) -> bool:
        status = Commitment.objects.values_list("status", flat=True).get(
            process_id=activation.process.pk
        )
        return status == Commitment.Status.FULFILLED

    # Notifications --------------------------------------------------------------------------

    def task_created(self, activation) -> None:
        """Tell the assignee that a verification is waiting for them."""
        task = activation.task
        commitment = Commitment.objects.select_related("subject", "template").get(
            process_id=activation.process.pk
        )
        index_open_task(task=task, commitment=commitment)
        if task.owner is not None:
            audit_assignment(task=task, kind=TaskAuditEntry.Kind.ASSIGNED)
            _notify_assignee(task, commitment)

    def escalation_created(self, activation) -> None:
        """Tell the supervisor and the department's regulators that a window passed."""
        task = activation.task
        commitment = self._open_commitment(activation)
        if commitment is None:
            return
        index_open_task(task=task, commitment=commitment, is_escalated=True)
        audit_assignment(task=task, kind=TaskAuditEntry.Kind.ESCALATED)
        recipients = {
            membership.user.pk: membership.user
            for role in (RegulatorMembership.Role.SUPERVISOR, RegulatorMembership.Role.REGULATOR)
            for membership in directory_selectors.active_members(
                department=commitment.department, role=role
            )
        }
        link = reverse("workflows:task", args=[task.pk])
        due = commitment.verification_due_at
        for user in recipients.values():
            notification_send(
                recipient=user,
                key=f"workflows:escalated:{activation.process.pk}:{user.pk}",
                subject=gettext("Verification overdue: %(reference)s")
                % {"reference": commitment.reference},
                body=gettext(
                    "The verification of commitment %(reference)s by %(subject)s was due by "
                    "%(due)s and has not been recorded. It has been escalated to the "
                    "department's supervisor."
                )
                % {
                    "reference": commitment.reference,
                    "subject": commitment.subject.name,
                    "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "-",
                },
                link=link,
            )
        if task.owner is not None:
            _notify_assignee(task, commitment)


def audit_assignment(*, task, kind: str) -> None:
    """Record who the flow gave the task to (the system acted)."""
    TaskAuditEntry.objects.create(
        task=task,
        kind=kind,
        actor=system_user(),
        to_user=task.owner,
        at=task.created,
    )


def _notify_assignee(task, commitment: Commitment) -> None:
    notification_send(
        recipient=task.owner,
        key=f"workflows:assigned:{task.pk}:{task.owner.pk}",
        subject=gettext("Commitment to verify: %(reference)s")
        % {"reference": commitment.reference},
        body=gettext(
            "The commitment %(reference)s by %(subject)s has been assigned to you for verification."
        )
        % {"reference": commitment.reference, "subject": commitment.subject.name},
        link=reverse("workflows:task", args=[task.pk]),
    )
