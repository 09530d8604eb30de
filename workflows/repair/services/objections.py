"""Writes of objections (异议): the subject files; the department decides, or forwards to the
department that provided the record, which decides.

One hop per action: pages and the API call these; these apply the rules (each in one place),
change the credit record through ``credit.record.services.repair``, advance the process
(``workflows.repair.flows.ObjectionFlow``, whose ``mark`` step puts the record "under
objection" as the objection is filed) and tell people — all in one transaction, so a refusal
anywhere leaves nothing behind.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from credit.changes.models import RecordChangeNotice
from credit.record.models.breaches import Breach
from credit.record.services.repair import (
    BreachCorrection,
    breach_objection_close,
    breach_revoke,
)
from directory.audit import audited_save
from directory.models import Department
from directory.selectors import department_member_users, subject_representative_users
from notifications.services.inbox import notification_send
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.repair.flows import ObjectionFlow, decision_taken
from workflows.repair.models import Objection, RepairApplication
from workflows.repair.selectors.cases import (
    case_decider_check,
    decision_task_open,
    designating_department,
    open_objection,
    subject_represented_check,
)
from workflows.repair.services.changes import record_change_tell
from workflows.repair.services.limits import objection_due_dates, provider_decision_due

OUTCOMES = ("corrected", "revoked", "rejected")

_DECIDED_SUBJECTS = {
    Objection.Status.UPHELD_CORRECTED: lambda: _(
        "Your objection was upheld: the record is corrected"
    ),
    Objection.Status.UPHELD_REVOKED: lambda: _("Your objection was upheld: the record is revoked"),
    Objection.Status.REJECTED: lambda: _("Your objection was rejected: the record stands"),
}


@transaction.atomic
def objection_submit(*, breach: Breach, by: AbstractBaseUser, kind: str, grounds: str) -> Objection:
    """File an objection and start its process, whose first step marks the record "under
    objection"; refused while another objection to the record is open."""
    subject_represented_check(by=by, subject_id=breach.subject_id)
    department = designating_department(breach=breach)
    on = timezone.localdate()
    breach = Breach.objects.select_for_update().select_related("subject").get(pk=breach.pk)
    if kind not in Objection.Kind.values:
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _("Say what is disputed: the content, the duration or a repair result."),
            field="kind",
        )
    grounds = (grounds or "").strip()
    if not grounds:
        raise WorkflowError(
            WorkflowErrorCode.INVALID, _("Give the grounds of the objection."), field="grounds"
        )
    current = open_objection(breach_id=breach.pk)
    if current is not None:
        raise WorkflowError(
            WorkflowErrorCode.INVALID_STATE,
            _(
                "An objection to this record, filed on %(day)s, is still open: a second one "
                "can be filed only after it is decided."
            )
            % {"day": current.filed_on},
            field="breach",
        )
    if (
        kind == Objection.Kind.REPAIR_RESULT
        and not breach.repairs.exclude(status=RepairApplication.Status.SUBMITTED).exists()
    ):
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _("No repair of this record has been decided yet."),
            field="kind",
        )
    decision_due, forward_due = objection_due_dates(on=on)
    objection = Objection(
        breach=breach,
        subject_id=breach.subject_id,
        department=department,
        kind=kind,
        grounds=grounds,
        filed_by=by,
        filed_on=on,
        breach_status_before=breach.status,
        decision_due=decision_due,
        forward_due=forward_due,
    )
    audited_save(objection, by=by, reason="objection filed")
    ObjectionFlow.run_start(case=objection)
    objection.refresh_from_db()
    link = reverse("repair_office:objection", args=[objection.pk])
    for user in department_member_users(department_id=department.pk):
        notification_send(
            recipient=user,
            key=f"objection-{objection.pk}-received-{user.pk}",
            subject=_("Objection to decide by %(day)s") % {"day": objection.decision_due},
            body=_("%(subject)s objects to record %(id)s.")
            % {"subject": breach.subject.name, "id": breach.pk},
            link=link,
        )
    return objection


def _objection_locked(objection: Objection) -> Objection:
    return (
        Objection.objects.select_for_update(of=("self",))
        .select_related("breach", "subject")
        .get(pk=objection.pk)
    )


@transaction.atomic
def objection_forward(
    *, objection: Objection, by: AbstractBaseUser, department: Department, reason: str
) -> Objection:
    """Forward an open objection, with the reason, to the department that provided the
    record: the deciding task completes and the flow creates the provider's decision task,
    with its own working-day limit."""
    objection = _objection_locked(objection)
    case_decider_check(by=by, case=objection)
    reason = (reason or "").strip()
    if not can_proceed(objection.forward):
        raise WorkflowError(
            WorkflowErrorCode.INVALID_STATE,
            _("This objection is %(status)s and cannot be forwarded.")
            % {"status": objection.get_status_display()},
            field="status",
        )
    if department.pk == objection.department_id:
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _("Forward to the department that provided the record, not to your own."),
            field="department",
        )
    if not reason:
        raise WorkflowError(
            WorkflowErrorCode.INVALID, _("Say why the objection is forwarded."), field="reason"
        )
    on = timezone.localdate()
    with decision_taken(decision_task_open(case=objection), by=by):
        objection.forward(
            by=by,
            on=on,
            decision_due=provider_decision_due(on=on),
            department_id=department.pk,
            reason=reason,
        )
        audited_save(objection, by=by, reason=f"forwarded to the providing department: {reason}")
    for user in department_member_users(department_id=department.pk):
        notification_send(
            recipient=user,
            key=f"objection-{objection.pk}-forwarded-{user.pk}",
            subject=_("Objection forwarded to you, to decide by %(day)s")
            % {"day": objection.decision_due},
            body=_("Objection %(id)s was forwarded to your department. Reason: %(reason)s")
            % {"id": objection.pk, "reason": objection.forward_reason},
            link=reverse("repair_office:objection", args=[objection.pk]),
        )
    return objection


@transaction.atomic
def objection_decide(
    *,
    objection: Objection,
    by: AbstractBaseUser,
    outcome: str,
    reason: str,
    corrected_reason: str = "",
    corrected_max_until: date | None = None,
) -> Objection:
    """Decide: ``corrected`` (the record's text or end of publicity is corrected; past its
    new end it leaves publication), ``revoked`` (the record is cleared and every system that
    received it is told) or ``rejected`` (the record goes back to where it was). The decision
    task completes and the subject is told."""
    objection = _objection_locked(objection)
    case_decider_check(by=by, case=objection)
    reason = (reason or "").strip()
    if outcome not in OUTCOMES:
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _("Choose corrected, revoked or rejected."),
            field="outcome",
        )
    if not reason:
        raise WorkflowError(WorkflowErrorCode.INVALID, _("Give the reason."), field="reason")
    if not objection.is_open:
        raise WorkflowError(
            WorkflowErrorCode.INVALID_STATE,
            _("This objection was already decided: %(status)s.")
            % {"status": objection.get_status_display()},
            field="status",
        )
    on = timezone.localdate()
    case = f"objection {objection.pk}"
    cleared = None
    with decision_taken(decision_task_open(case=objection), by=by):
        if outcome == "revoked":
            cleared = breach_revoke(breach_id=objection.breach_id, by=by, on=on, case=case)
            objection.revoke(by=by, on=on, reason=reason)
            audited_save(objection, by=by, reason="objection upheld: revoked")
        else:
            correction = None
            if outcome == "corrected":
                correction = BreachCorrection(
                    reason=corrected_reason, max_until=corrected_max_until
                )
            breach_objection_close(
                breach_id=objection.breach_id,
                back_to=objection.breach_status_before,
                by=by,
                on=on,
                reason=f"{case} {outcome}",
                correction=correction,
            )
            if outcome == "corrected":
                objection.correct(by=by, on=on, reason=reason)
                audited_save(objection, by=by, reason="objection upheld: corrected")
            else:
                objection.reject(by=by, on=on, reason=reason)
                audited_save(objection, by=by, reason="objection rejected")
    breach = objection.breach
    for user in subject_representative_users(subject_id=objection.subject_id):
        notification_send(
            recipient=user,
            key=f"objection-{objection.pk}-decided-{user.pk}",
            subject=_DECIDED_SUBJECTS[objection.status](),
            body=objection.decision_reason,
            link=reverse("repair:objection", args=[objection.subject.code, breach.pk]),
        )
    if cleared is not None:
        record_change_tell(breach=cleared.breach, change=RecordChangeNotice.Change.REVOKED)
    return objection
