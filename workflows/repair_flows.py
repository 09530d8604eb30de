"""Credit repair and objections as viewflow processes.

The credit record holds the legal status (``credit.models.RepairApplication`` and
``Objection``); these flows only track each case from filing to decision: the process is
seeded with the application or objection, waits at ``decide`` (a ``Handle``) until the
department's decision is recorded through the services below, then ends. Due dates are
the domain's (working days on the official calendar); the warning before they lapse is the
``credit_deadlines_warn`` sweep. Node and class names are stored in rows: rename them only
with a data migration.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from commitments.models import Department
from commitments.services import credit_repair
from credit.models import Breach, Objection, RepairApplication
from credit.services_repair import ProofFile


class CreditRepairFlow(flow.Flow):
    """Credit repair

    The subject applies with proof of performance and a signed repair commitment; the
    department that designated the record decides within the working-day limits.
    """

    lock_impl = lock.select_for_update_lock
    process_title = _("Credit repair")

    start = flow.StartHandle().Annotation(title=_("Repair applied for")).Next(this.decide)
    decide = flow.Handle().Annotation(title=_("Decide on the repair")).Next(this.end)
    end = flow.End().Annotation(title=_("Repair decided"))


class ObjectionFlow(flow.Flow):
    """Objection to a credit record

    The record is under objection from filing; the department decides, or forwards the
    objection to the providing department, which decides.
    """

    lock_impl = lock.select_for_update_lock
    process_title = _("Objection to a credit record")

    start = flow.StartHandle().Annotation(title=_("Objection filed")).Next(this.decide)
    decide = flow.Handle().Annotation(title=_("Decide on the objection")).Next(this.end)
    end = flow.End().Annotation(title=_("Objection decided"))


def process_of(flow_class, case) -> Process | None:
    return Process.objects.filter(
        flow_class=flow_class,
        seed_content_type=ContentType.objects.get_for_model(type(case)),
        seed_object_id=case.pk,
    ).first()


def _finish(flow_class, case) -> None:
    process = process_of(flow_class, case)
    if process is None:  # filed before the flows existed: nothing to advance
        return
    task = Task.objects.filter(
        process=process, flow_task=flow_class.decide, status=STATUS.NEW
    ).first()
    if task is not None:
        flow_class.decide.run(task)


# Services (the pages call these) --------------------------------------------------------------


def repair_submit(
    *, breach: Breach, by: AbstractBaseUser, statement: str, proofs: list[ProofFile]
) -> RepairApplication:
    with transaction.atomic():
        application = credit_repair.credit_repair_apply(
            breach=breach, by=by, statement=statement, proofs=proofs
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
        _finish(CreditRepairFlow, application)
    return application


def objection_submit(*, breach: Breach, by: AbstractBaseUser, kind: str, grounds: str) -> Objection:
    with transaction.atomic():
        objection = credit_repair.credit_objection_file(
            breach=breach, by=by, kind=kind, grounds=grounds
        )
        ObjectionFlow.start.run(_process_seed=objection)
    return objection


def objection_forward(
    *, objection: Objection, by: AbstractBaseUser, department: Department
) -> Objection:
    with transaction.atomic():
        return credit_repair.credit_objection_forward(
            objection=objection, by=by, department=department
        )


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
        _finish(ObjectionFlow, objection)
    return objection
