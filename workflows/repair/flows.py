"""Credit repair and objections as the legal procedures they are.

Each case (``RepairApplication``, ``Objection``) holds the legal status and its own process
(``case.process``, a proxy of viewflow's ``Process``); these flows carry the work and every
statutory time limit, as a step or as a timer armed at an instant computed on the official
calendar (``workflows.repair.services.limits``) and fired by the one beat entry
(``workflows.tasks.workflow_timers_fire_task``). Nodes are declared in execution order; the
human steps are department decisions (``CaseDecision``) with a permission, completed through
the services by our own pages and API. Function nodes call services. Every cancel a timer
makes is audited like the verification's (``workflows.audit``): the decision task an
interrupting limit cancels, and a reminder its escalation disarms, with the platform as actor,
the state the task left and why.

Node and class names are stored in rows: rename them only with a data migration.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.audit.services import audit_cancelled, audit_timer_cancelled
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.nodes import TimerBoundary
from workflows.repair.models import Objection, ObjectionProcess, RepairApplication, RepairProcess
from workflows.repair.selectors.cases import case_is_with
from workflows.repair.services import limits


class CaseDecision(flow.View):
    """A decision only the department the case is with may take.

    The node's permission (``workflows.decide_repair`` / ``workflows.decide_objection``) is
    stored on its tasks; for one case it is held by the active members of the department the
    case is with (``case_is_with``: a department's business is its own, ADR 0002). The task
    has no viewflow page: our pages and API call the services, which record the decision on
    the case inside ``taken`` and so complete the task.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(view=None, **kwargs)

    def holds_permission(self, user: AbstractBaseUser | None, task: Task) -> bool:
        case = self.flow_class.case_model.objects.filter(process_id=task.process_id).first()
        return case is not None and case_is_with(user=user, case=case)

    def can_view(self, user, task) -> bool:
        return self.holds_permission(user, task)

    def can_assign(self, user, task) -> bool:
        return task.owner_id is None and self.holds_permission(user, task)

    def can_execute(self, user, task) -> bool:
        return task.owner_id == getattr(user, "pk", None) and self.holds_permission(user, task)

    @contextmanager
    def taken(self, task: Task, *, by: AbstractBaseUser) -> Iterator[None]:
        """Take the task for ``by`` under the process lock, let the service record the
        decision on the case inside, then complete the task so the flow moves on (a refusal
        inside leaves the task as it was)."""
        try:
            with task.activation() as activation:
                if activation.task.owner_id is None:
                    if not activation.assign.has_perm(by):
                        raise WorkflowError(
                            WorkflowErrorCode.FORBIDDEN, gettext("You cannot decide this case.")
                        )
                    activation.assign(by)
                if not activation.start.has_perm(by):
                    raise WorkflowError(
                        WorkflowErrorCode.FORBIDDEN, gettext("You cannot decide this case.")
                    )
                activation.start(None)
                yield
                activation.execute()
        except FlowLockFailed:
            raise WorkflowError(
                WorkflowErrorCode.CONCURRENT_CHANGE,
                gettext("This case is being processed right now: try again in a moment."),
            ) from None


def decision_taken(task: Task | None, *, by: AbstractBaseUser) -> AbstractContextManager:
    """``CaseDecision.taken`` for the case's open decision task; nothing to take for a case
    without one (filed before its process existed)."""
    return nullcontext() if task is None else task.flow_task.taken(task, by=by)


# Why an interrupting timer cancelled its host's decision task (the task audit's reason, by
# timer node; both case flows name their decision limit ``decide_lapsed``).
TIMER_CANCEL_REASONS = {
    "decide_lapsed": (
        "decision time limit passed at %(due)s: escalated to the department's supervisor"
    ),
    "provider_lapsed": (
        "the providing department's decision time limit passed at %(due)s: escalated to its "
        "supervisor"
    ),
}
DISARMED_REASON = (
    "the decision time limit passed and the case was escalated: this reminder is no longer due"
)


def _disarm(activation, *nodes) -> None:
    """Cancel the still-armed timers of the given nodes (an interrupting boundary cancels its
    host task without telling the host's other boundaries), each cancel audited: the platform
    did it, from the scheduled state, because the case was escalated (the process is locked)."""
    armed = list(
        Task.objects.filter(
            process_id=activation.process.pk,
            flow_task__in=[get_task_ref(node) for node in nodes],
            status=STATUS.SCHEDULED,
        )
    )
    if not armed:
        return
    Task.objects.filter(pk__in=[task.pk for task in armed]).update(
        status=STATUS.CANCELED, finished=timezone.now()
    )
    audit_cancelled(tasks=armed, by=None, reason=DISARMED_REASON)


class CaseFlowMixin:
    """What both case flows do alike: link the case to its process at the start, find it
    again from any activation, and arm the decision timers at its ``decision_due``."""

    case_model: type[RepairApplication] | type[Objection]

    @classmethod
    def run_start(cls, *, case: RepairApplication | Objection) -> RepairProcess | ObjectionProcess:
        """Start the case's process; viewflow calls our callback before its own transaction,
        so one transaction here keeps the case and the flow rows together."""
        with transaction.atomic():
            return cls.start.run(case=case)

    def open_case(self, activation, *, case: RepairApplication | Objection):
        """Link the case to its process (bookkeeping, not part of the case's history)."""
        process = activation.process
        process.save()  # the case links to it, so it needs its key now
        self.case_model.objects.filter(pk=case.pk).update(process=process)
        case.process = process
        return process

    def case(self, activation) -> RepairApplication | Objection:
        return self.case_model.objects.get(process_id=activation.process.pk)

    def decision_warning_at(self, activation) -> datetime.datetime:
        return limits.warning_instant(self.case(activation).decision_due)

    def decision_limit_at(self, activation) -> datetime.datetime:
        return limits.limit_instant(self.case(activation).decision_due)

    def timer_cancelled(self, activation, cancelled: list) -> None:
        """Audit the decision task an interrupting timer cancelled: the platform did it, from
        the state the task left, because the time limit passed (and what follows)."""
        audit_timer_cancelled(
            activation=activation,
            cancelled=cancelled,
            reason=TIMER_CANCEL_REASONS[activation.flow_task.name],
        )


class CreditRepairFlow(CaseFlowMixin, flow.Flow):
    """Credit repair

    The procedure of NDRC Order 36 and State Council General Office 2025 No. 22, step by step:

    1. ``start`` — the subject applies with proof of performance and the signed public repair
       commitment (refused, with the rule, before the minimum publicity period has passed).
    2. ``decide`` — the department that designated the record grants or refuses the repair
       within 3 working days (or its rule set's ``decision_working_days``): ``decision_due``.
       - ``decide_warning`` (timer, non-interrupting): 09:00 on the working day before
         ``decision_due`` → ``warn`` the department → ``end_warned``.
       - ``decide_lapsed`` (timer, interrupting): the end of ``decision_due`` → ``escalate``
         to the supervisor → ``decide_overdue``.
    3. ``decide_overdue`` — the department decides the overdue application.
       - ``feedback_lapsed`` (timer, non-interrupting): the end of ``feedback_due``, 10
         working days after the application, by which the subject is owed the result →
         ``tell_feedback_lapsed`` (the subject and the department) → ``end_feedback_lapsed``.
    4. ``end`` — decided. A grant stops publication and sharing, lifts the measures and tells
       every system that received the record, in the decision's own transaction.
    """

    process_class = RepairProcess
    case_model = RepairApplication
    lock_impl = lock.select_for_update_lock
    process_title = _("Credit repair")

    start = (
        flow.StartHandle(this.open_case).Annotation(title=_("Repair applied for")).Next(this.decide)
    )
    decide = (
        CaseDecision()
        .Annotation(title=_("Decide on the repair"))
        .Permission("workflows.decide_repair")
        .Next(this.end)
    )
    decide_warning = (
        TimerBoundary(this.decide, delay=this.decision_warning_at, interrupting=False)
        .Annotation(title=_("Repair decision due soon"))
        .Next(this.warn)
    )
    warn = (
        flow.Function(this.send_warning)
        .Annotation(title=_("Warn the department"))
        .Next(this.end_warned)
    )
    end_warned = flow.End().Annotation(title=_("Department warned"))
    decide_lapsed = (
        TimerBoundary(
            this.decide,
            delay=this.decision_limit_at,
            interrupting=True,
            cancelled=this.timer_cancelled,
        )
        .Annotation(title=_("Repair time limit lapsed"))
        .Next(this.escalate)
    )
    escalate = (
        flow.Function(this.send_escalation)
        .Annotation(title=_("Escalate to the supervisor"))
        .Next(this.decide_overdue)
    )
    decide_overdue = (
        CaseDecision()
        .Annotation(title=_("Decide on the overdue repair"))
        .Permission("workflows.decide_repair")
        .Next(this.end)
    )
    feedback_lapsed = (
        TimerBoundary(this.decide_overdue, delay=this.feedback_limit_at, interrupting=False)
        .Annotation(title=_("Feedback time limit lapsed"))
        .Next(this.tell_feedback_lapsed)
    )
    tell_feedback_lapsed = (
        flow.Function(this.send_feedback_lapsed)
        .Annotation(title=_("Tell the subject and the department"))
        .Next(this.end_feedback_lapsed)
    )
    end_feedback_lapsed = flow.End().Annotation(title=_("Subject told the result is late"))
    end = flow.End().Annotation(title=_("Repair decided"))

    def feedback_limit_at(self, activation) -> datetime.datetime:
        return limits.limit_instant(self.case(activation).feedback_due)

    def send_warning(self, activation) -> None:
        limits.repair_deadline_warn(application_id=self.case(activation).pk)

    def send_escalation(self, activation) -> None:
        _disarm(activation, CreditRepairFlow.decide_warning)
        limits.repair_deadline_lapsed(application_id=self.case(activation).pk)

    def send_feedback_lapsed(self, activation) -> None:
        limits.repair_feedback_lapsed(application_id=self.case(activation).pk)


class ObjectionFlow(CaseFlowMixin, flow.Flow):
    """Objection to a credit record

    The procedure of the Shanghai Social Credit Regulations, art. 36, step by step:

    1. ``start`` — the subject disputes a record's content, duration or a repair result.
    2. ``mark`` — the record is marked "under objection" and leaves publication meanwhile
       (limit: 1 working day; the step runs as the objection is filed).
    3. ``decide`` — the department decides within 5 working days (``decision_due``), or
       forwards the objection, with the reason, to the department that provided the record.
       - ``forward_lapsed`` (timer, non-interrupting): the end of ``forward_due``, 2 working
         days after filing, the limit for forwarding → ``tell_forward_lapsed`` (the
         department decides itself) → ``end_forward_lapsed``.
       - ``decide_warning`` (timer, non-interrupting): 09:00 on the working day before
         ``decision_due`` → ``warn`` the department → ``end_warned``.
       - ``decide_lapsed`` (timer, interrupting): the end of ``decision_due`` → ``escalate``
         to the supervisor → ``decide_overdue``.
    4. ``decide_overdue`` — the department decides (or forwards) the overdue objection.
    5. ``check_forwarded`` — forwarded? Then:
    6. ``provider_decide`` — the providing department decides within 5 working days of the
       forwarding (the new ``decision_due``).
       - ``provider_warning`` (timer, non-interrupting) → ``warn_provider`` →
         ``end_provider_warned``.
       - ``provider_lapsed`` (timer, interrupting) → ``escalate_provider`` →
         ``provider_decide_overdue``.
    7. ``end`` — decided. A corrected or revoked record leaves publication in the decision's
       own transaction (limit: 3 working days); a rejected one goes back to where it was.
    """

    process_class = ObjectionProcess
    case_model = Objection
    lock_impl = lock.select_for_update_lock
    process_title = _("Objection to a credit record")

    start = flow.StartHandle(this.open_case).Annotation(title=_("Objection filed")).Next(this.mark)
    mark = (
        flow.Function(this.mark_record)
        .Annotation(title=_("Mark the record under objection"))
        .Next(this.decide)
    )
    decide = (
        CaseDecision()
        .Annotation(title=_("Decide on the objection or forward it"))
        .Permission("workflows.decide_objection")
        .Next(this.check_forwarded)
    )
    forward_lapsed = (
        TimerBoundary(this.decide, delay=this.forward_limit_at, interrupting=False)
        .Annotation(title=_("Forwarding time limit lapsed"))
        .Next(this.tell_forward_lapsed)
    )
    tell_forward_lapsed = (
        flow.Function(this.send_forward_lapsed)
        .Annotation(title=_("Tell the department to decide itself"))
        .Next(this.end_forward_lapsed)
    )
    end_forward_lapsed = flow.End().Annotation(title=_("Department told to decide itself"))
    decide_warning = (
        TimerBoundary(this.decide, delay=this.decision_warning_at, interrupting=False)
        .Annotation(title=_("Objection decision due soon"))
        .Next(this.warn)
    )
    warn = (
        flow.Function(this.send_warning)
        .Annotation(title=_("Warn the department"))
        .Next(this.end_warned)
    )
    end_warned = flow.End().Annotation(title=_("Department warned"))
    decide_lapsed = (
        TimerBoundary(
            this.decide,
            delay=this.decision_limit_at,
            interrupting=True,
            cancelled=this.timer_cancelled,
        )
        .Annotation(title=_("Objection time limit lapsed"))
        .Next(this.escalate)
    )
    escalate = (
        flow.Function(this.send_escalation)
        .Annotation(title=_("Escalate to the supervisor"))
        .Next(this.decide_overdue)
    )
    decide_overdue = (
        CaseDecision()
        .Annotation(title=_("Decide on the overdue objection or forward it"))
        .Permission("workflows.decide_objection")
        .Next(this.check_forwarded)
    )
    check_forwarded = (
        flow.If(this.is_forwarded)
        .Annotation(title=_("Forwarded to the providing department?"))
        .Then(this.provider_decide)
        .Else(this.end)
    )
    provider_decide = (
        CaseDecision()
        .Annotation(title=_("Providing department decides on the objection"))
        .Permission("workflows.decide_objection")
        .Next(this.end)
    )
    provider_warning = (
        TimerBoundary(this.provider_decide, delay=this.decision_warning_at, interrupting=False)
        .Annotation(title=_("Provider's decision due soon"))
        .Next(this.warn_provider)
    )
    warn_provider = (
        flow.Function(this.send_warning)
        .Annotation(title=_("Warn the providing department"))
        .Next(this.end_provider_warned)
    )
    end_provider_warned = flow.End().Annotation(title=_("Providing department warned"))
    provider_lapsed = (
        TimerBoundary(
            this.provider_decide,
            delay=this.decision_limit_at,
            interrupting=True,
            cancelled=this.timer_cancelled,
        )
        .Annotation(title=_("Provider's time limit lapsed"))
        .Next(this.escalate_provider)
    )
    escalate_provider = (
        flow.Function(this.send_escalation)
        .Annotation(title=_("Escalate to the provider's supervisor"))
        .Next(this.provider_decide_overdue)
    )
    provider_decide_overdue = (
        CaseDecision()
        .Annotation(title=_("Providing department decides on the overdue objection"))
        .Permission("workflows.decide_objection")
        .Next(this.end)
    )
    end = flow.End().Annotation(title=_("Objection decided"))

    def mark_record(self, activation) -> None:
        limits.objection_mark(objection_id=self.case(activation).pk)

    def forward_limit_at(self, activation) -> datetime.datetime:
        return limits.limit_instant(self.case(activation).forward_due)

    def is_forwarded(self, activation) -> bool:
        return self.case(activation).status == Objection.Status.FORWARDED

    def send_forward_lapsed(self, activation) -> None:
        limits.objection_forward_lapsed(objection_id=self.case(activation).pk)

    def send_warning(self, activation) -> None:
        limits.objection_deadline_warn(objection_id=self.case(activation).pk)

    def send_escalation(self, activation) -> None:
        _disarm(
            activation,
            ObjectionFlow.forward_lapsed,
            ObjectionFlow.decide_warning,
            ObjectionFlow.provider_warning,
        )
        limits.objection_deadline_lapsed(objection_id=self.case(activation).pk)
