"""Credit repair and objections as viewflow processes, with their time limits as timers.

The credit record holds the legal status (``credit.models.RepairApplication`` and
``Objection``); these flows track each case from filing to decision and carry its
working-day time limits. Every decision task (a ``Handle``, completed when the department's
decision is recorded through the services below) has two named boundary timers, armed at
instants computed on the official calendar and fired by the one beat entry
(``workflows.tasks.workflow_timers_fire_task``):

- ``*_warning`` (non-interrupting), 09:00 on the working day before the due date: the
  deciding department (its supervisor included) is warned; the task stays open.
- ``*_lapsed`` (interrupting), at the end of the due date: the department and its
  supervisor are told the limit lapsed, and the decision moves to an ``*_overdue`` task.

Both callbacks re-check the domain (a decided case notifies nobody) and every message has a
unique outbox key, so a timer fired twice sends nothing twice. An objection's record is
marked "under objection" by its own step (``mark``) as soon as it is filed, and forwarding
to the providing department is a step too: the ``decide`` task completes and the flow
creates the provider's decision task (``provider_decide``) with its own limit.

Node and class names are stored in rows: rename them only with a data migration.
"""

from __future__ import annotations

import datetime
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow.nodes import TimerBoundary
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from commitments.services import credit_repair
from credit.models import Objection, RepairApplication
from credit.record.models.breaches import Breach
from credit.services_repair import ProofFile
from directory.calendar import is_working_day
from directory.models import Department

WARNING_HOUR = 9


def warning_instant(due: date) -> datetime.datetime:
    """09:00 (city time) on the last working day before ``due``."""
    day = due - datetime.timedelta(days=1)
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return datetime.datetime.combine(
        day, datetime.time(WARNING_HOUR), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def limit_instant(due: date) -> datetime.datetime:
    """The last second of the due date (city time): the limit lapses after it."""
    return datetime.datetime.combine(
        due, datetime.time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def _disarm(activation, *nodes) -> None:
    """Cancel the still-armed timers of the given nodes (an interrupting boundary cancels its
    host task without telling the host's other boundaries)."""
    Task.objects.filter(
        process_id=activation.process.pk,
        flow_task__in=[get_task_ref(node) for node in nodes],
        status=STATUS.SCHEDULED,
    ).update(status=STATUS.CANCELED, finished=timezone.now())


class CreditRepairFlow(flow.Flow):
    """Credit repair

    The subject applies with proof of performance and a signed repair commitment; the
    department that designated the record decides within the working-day limit, warned the
    working day before, and escalated to its supervisor when the limit lapses.
    """

    lock_impl = lock.select_for_update_lock
    process_title = _("Credit repair")

    start = flow.StartHandle().Annotation(title=_("Repair applied for")).Next(this.decide)
    decide = flow.Handle().Annotation(title=_("Decide on the repair")).Next(this.end)
    decide_warning = (
        TimerBoundary(this.decide, delay=this.warning_at, interrupting=False)
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
        TimerBoundary(this.decide, delay=this.limit_at, interrupting=True)
        .Annotation(title=_("Repair time limit lapsed"))
        .Next(this.escalate)
    )
    escalate = (
        flow.Function(this.send_escalation)
        .Annotation(title=_("Escalate to the supervisor"))
        .Next(this.decide_overdue)
    )
    decide_overdue = (
        flow.Handle().Annotation(title=_("Decide on the overdue repair")).Next(this.end)
    )
    end = flow.End().Annotation(title=_("Repair decided"))

    def _case(self, activation) -> RepairApplication:
        return RepairApplication.objects.get(pk=activation.process.seed_object_id)

    def warning_at(self, activation) -> datetime.datetime:
        return warning_instant(self._case(activation).decision_due)

    def limit_at(self, activation) -> datetime.datetime:
        return limit_instant(self._case(activation).decision_due)

    def send_warning(self, activation) -> None:
        credit_repair.credit_repair_deadline_warn(application=self._case(activation))

    def send_escalation(self, activation) -> None:
        _disarm(activation, CreditRepairFlow.decide_warning)
        credit_repair.credit_repair_deadline_lapsed(application=self._case(activation))


class ObjectionFlow(flow.Flow):
    """Objection to a credit record

    The record is marked under objection on filing; the department decides, or forwards the
    objection to the providing department, which decides. Each decision has its own
    working-day limit, warned the working day before and escalated when it lapses.
    """

    lock_impl = lock.select_for_update_lock
    process_title = _("Objection to a credit record")

    start = flow.StartHandle().Annotation(title=_("Objection filed")).Next(this.mark)
    mark = (
        flow.Function(this.mark_record)
        .Annotation(title=_("Mark the record under objection"))
        .Next(this.decide)
    )
    decide = (
        flow.Handle()
        .Annotation(title=_("Decide on the objection or forward it"))
        .Next(this.check_forwarded)
    )
    decide_warning = (
        TimerBoundary(this.decide, delay=this.warning_at, interrupting=False)
        .Annotation(title=_("Objection decision due soon"))
        .Next(this.warn)
    )
    decide_lapsed = (
        TimerBoundary(this.decide, delay=this.limit_at, interrupting=True)
        .Annotation(title=_("Objection time limit lapsed"))
        .Next(this.escalate)
    )
    escalate = (
        flow.Function(this.send_escalation)
        .Annotation(title=_("Escalate to the supervisor"))
        .Next(this.decide_overdue)
    )
    decide_overdue = (
        flow.Handle()
        .Annotation(title=_("Decide on the overdue objection or forward it"))
        .Next(this.check_forwarded)
    )
    check_forwarded = (
        flow.If(this.is_forwarded)
        .Annotation(title=_("Forwarded to the providing department?"))
        .Then(this.provider_decide)
        .Else(this.end)
    )
    provider_decide = (
        flow.Handle()
        .Annotation(title=_("Providing department decides on the objection"))
        .Next(this.end)
    )
    provider_warning = (
        TimerBoundary(this.provider_decide, delay=this.warning_at, interrupting=False)
        .Annotation(title=_("Provider's decision due soon"))
        .Next(this.warn)
    )
    provider_lapsed = (
        TimerBoundary(this.provider_decide, delay=this.limit_at, interrupting=True)
        .Annotation(title=_("Provider's time limit lapsed"))
        .Next(this.escalate_provider)
    )
    escalate_provider = (
        flow.Function(this.send_escalation)
        .Annotation(title=_("Escalate to the provider's supervisor"))
        .Next(this.provider_decide_overdue)
    )
    provider_decide_overdue = (
        flow.Handle()
        .Annotation(title=_("Providing department decides on the overdue objection"))
        .Next(this.end)
    )
    warn = (
        flow.Function(this.send_warning)
        .Annotation(title=_("Warn the department"))
        .Next(this.end_warned)
    )
    end_warned = flow.End().Annotation(title=_("Department warned"))
    end = flow.End().Annotation(title=_("Objection decided"))

    def _case(self, activation) -> Objection:
        return Objection.objects.get(pk=activation.process.seed_object_id)

    def mark_record(self, activation) -> None:
        credit_repair.credit_objection_mark(objection=self._case(activation))

    def warning_at(self, activation) -> datetime.datetime:
        return warning_instant(self._case(activation).decision_due)

    def limit_at(self, activation) -> datetime.datetime:
        return limit_instant(self._case(activation).decision_due)

    def is_forwarded(self, activation) -> bool:
        return self._case(activation).status == Objection.Status.FORWARDED

    def send_warning(self, activation) -> None:
        credit_repair.credit_objection_deadline_warn(objection=self._case(activation))

    def send_escalation(self, activation) -> None:
        _disarm(activation, ObjectionFlow.decide_warning, ObjectionFlow.provider_warning)
        credit_repair.credit_objection_deadline_lapsed(objection=self._case(activation))


DECISION_NODES = {
    CreditRepairFlow: ("decide", "decide_overdue"),
    ObjectionFlow: ("decide", "decide_overdue", "provider_decide", "provider_decide_overdue"),
}


def process_of(flow_class, case) -> Process | None:
    return Process.objects.filter(
        flow_class=flow_class,
        seed_content_type=ContentType.objects.get_for_model(type(case)),
        seed_object_id=case.pk,
    ).first()


def open_decision_task(flow_class, case) -> Task | None:
    """The case's decision task waiting for the department (None once decided)."""
    process = process_of(flow_class, case)
    if process is None:
        return None
    return (
        Task.objects.filter(
            process=process,
            flow_task__in=[
                get_task_ref(getattr(flow_class, name)) for name in DECISION_NODES[flow_class]
            ],
            status=STATUS.NEW,
        )
        .order_by("-pk")
        .first()
    )


def _advance(flow_class, case) -> None:
    task = open_decision_task(flow_class, case)
    if task is not None:  # None: filed before the flows existed, nothing to advance
        task.flow_task.run(task)


# Services (the pages and the API call these) -------------------------------------------------


def repair_submit(
    *,
    breach: Breach,
    by: AbstractBaseUser,
    statement: str,
    proofs: list[ProofFile],
    uploaded_pdf: bytes | None = None,
) -> RepairApplication:
    with transaction.atomic():
        application = credit_repair.credit_repair_apply(
            breach=breach, by=by, statement=statement, proofs=proofs, uploaded_pdf=uploaded_pdf
        )
        CreditRepairFlow.start.run(_process_seed=application)
    return application


def repair_decide(
    *, application: RepairApplication, by: AbstractBaseUser, grant: bool, reason: str
) -> RepairApplication:
    with transaction.atomic():
        application = credit_repair.credit_repair_decide(
            application=application, by=by, grant=grant, reason=reason
        )
        _advance(CreditRepairFlow, application)
    return application


def objection_submit(*, breach: Breach, by: AbstractBaseUser, kind: str, grounds: str) -> Objection:
    """File the objection and start its flow, which marks the record in the same step."""
    with transaction.atomic():
        objection = credit_repair.credit_objection_file(
            breach=breach, by=by, kind=kind, grounds=grounds
        )
        ObjectionFlow.start.run(_process_seed=objection)
        objection.refresh_from_db()
    return objection


def objection_forward(
    *, objection: Objection, by: AbstractBaseUser, department: Department, reason: str
) -> Objection:
    """Forward (with the reason) to the providing department: the deciding task completes and
    the flow creates the provider's decision task with its own time limit."""
    with transaction.atomic():
        objection = credit_repair.credit_objection_forward(
            objection=objection, by=by, department=department, reason=reason
        )
        _advance(ObjectionFlow, objection)
    return objection


def objection_decide(
    *,
    objection: Objection,
    by: AbstractBaseUser,
    outcome: str,
    reason: str,
    corrected_reason: str = "",
    corrected_max_until: date | None = None,
) -> Objection:
    with transaction.atomic():
        objection = credit_repair.credit_objection_decide(
            objection=objection,
            by=by,
            outcome=outcome,
            reason=reason,
            corrected_reason=corrected_reason,
            corrected_max_until=corrected_max_until,
        )
        _advance(ObjectionFlow, objection)
    return objection
