"""Writes of credit repair: the subject applies, the designating department decides.

One hop per action: pages and the API call these; these apply the rules (each in one place),
sign the public repair commitment through the commitment lifecycle, change the credit record
through ``credit.record.services.repair``, advance the process
(``workflows.repair.flows.CreditRepairFlow``) and tell people — all in one transaction, so a
refusal anywhere leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.services import active_template
from commitments.lifecycle.services.commitments import commitment_create, commitment_sign
from credit.changes.models import RecordChangeNotice
from credit.record.models.breaches import Breach
from credit.record.services.repair import breach_repair
from directory.audit import audited_save
from directory.inputs import file_name_problem
from directory.selectors import department_member_users, subject_representative_users
from notifications.services.inbox import notification_send
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.repair.flows import CreditRepairFlow, decision_taken
from workflows.repair.models import RepairApplication, RepairProof
from workflows.repair.selectors.cases import (
    case_decider_check,
    decision_task_open,
    designating_department,
    subject_represented_check,
)
from workflows.repair.selectors.eligibility import repair_eligibility
from workflows.repair.services.changes import record_change_tell
from workflows.repair.services.limits import repair_due_dates

MAX_PROOF_BYTES = 10 * 1024 * 1024
MAX_PROOFS = 10
PROOF_TYPES = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG",
}


@dataclass(frozen=True)
class ProofFile:
    """A proof of performance as uploaded: its name, declared type and bytes."""

    name: str
    content_type: str
    data: bytes


def _proofs_check(proofs: list[ProofFile]) -> None:
    if not proofs:
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _(
                "Attach proof that the act was corrected and every obligation performed "
                "(Order 36 requires it with the repair commitment)."
            ),
            field="proofs",
        )
    if len(proofs) > MAX_PROOFS:
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _("Attach at most %(count)d files.") % {"count": MAX_PROOFS},
            field="proofs",
        )
    for proof in proofs:
        problem = file_name_problem(proof.name)
        if problem is not None:
            raise WorkflowError(WorkflowErrorCode.INVALID, problem, field="proofs")
        if len(proof.data) > MAX_PROOF_BYTES:
            raise WorkflowError(
                WorkflowErrorCode.INVALID,
                _("%(name)s is larger than 10 MB.") % {"name": proof.name},
                field="proofs",
            )
        magic = PROOF_TYPES.get(proof.content_type)
        if magic is None or not proof.data.startswith(magic):
            raise WorkflowError(
                WorkflowErrorCode.INVALID,
                _("%(name)s is not a PDF, JPEG or PNG file.") % {"name": proof.name},
                field="proofs",
            )


@transaction.atomic
def repair_submit(
    *,
    breach: Breach,
    by: AbstractBaseUser,
    statement: str,
    proofs: list[ProofFile],
    uploaded_pdf: bytes | None = None,
) -> RepairApplication:
    """Apply to repair a record: check eligibility, the statement and the proofs, sign the
    public repair commitment (or check and seal ``uploaded_pdf``, signed elsewhere), file the
    application with its proofs, start its process and tell the deciding department.

    Refused, with the rule that applies and nothing signed or filed, for a record that is not
    eligible (``selectors.eligibility``).
    """
    subject_represented_check(by=by, subject_id=breach.subject_id)
    department = designating_department(breach=breach)
    on = timezone.localdate()
    breach = (
        Breach.objects.select_for_update(of=("self",))
        .select_related("rule_set", "category", "subject")
        .get(pk=breach.pk)
    )
    eligibility = repair_eligibility(breach=breach, on=on)
    if not eligibility.is_eligible:
        refusal = eligibility.refusals[0]
        raise WorkflowError(
            WorkflowErrorCode.INVALID_STATE,
            f"{refusal.message} ({_('Rule')}: {refusal.rule})",
            field=refusal.field,
        )
    statement = (statement or "").strip()
    if not statement:
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _("Say how the act was corrected and the obligations performed."),
            field="statement",
        )
    _proofs_check(proofs)
    feedback_due, decision_due, basis = repair_due_dates(breach=breach, on=on)
    draft = commitment_create(
        by=by,
        subject=breach.subject,
        template=active_template(CommitmentTemplate.Kind.CREDIT_REPAIR),
        field_values={"breach": str(breach.pk), "correction": statement[:1000]},
    )
    signed = commitment_sign(commitment=draft, by=by, uploaded_pdf=uploaded_pdf).commitment
    application = RepairApplication(
        breach=breach,
        subject_id=breach.subject_id,
        department=department,
        commitment=signed,
        statement=statement,
        submitted_by=by,
        submitted_on=on,
        feedback_due=feedback_due,
        decision_due=decision_due,
        due_basis=basis,
    )
    audited_save(application, by=by, reason="repair applied for")
    for proof in proofs:
        row = RepairProof(
            application=application,
            name=proof.name[:200],
            content_type=proof.content_type,
            size=len(proof.data),
        )
        row.file.save(proof.name[:100], ContentFile(proof.data), save=False)
        row.save()
    CreditRepairFlow.run_start(case=application)
    link = reverse("repair_office:repair", args=[application.pk])
    for user in department_member_users(department_id=department.pk):
        notification_send(
            recipient=user,
            key=f"repair-{application.pk}-received-{user.pk}",
            subject=_("Credit repair application to decide by %(day)s")
            % {"day": decision_due.isoformat()},
            body=_("%(subject)s applied to repair record %(id)s.")
            % {"subject": breach.subject.name, "id": breach.pk},
            link=link,
        )
    return application


@transaction.atomic
def repair_decide(
    *, application: RepairApplication, by: AbstractBaseUser, grant: bool, reason: str
) -> RepairApplication:
    """Grant the repair (the record is repaired: publication and sharing stop, its measures
    are lifted, every system that received it is told) or refuse it with the reason; the
    decision task completes and the subject is told."""
    application = (
        RepairApplication.objects.select_for_update(of=("self",))
        .select_related("breach", "subject")
        .get(pk=application.pk)
    )
    case_decider_check(by=by, case=application)
    reason = (reason or "").strip()
    if not can_proceed(application.grant):
        raise WorkflowError(
            WorkflowErrorCode.INVALID_STATE,
            _("This application was already decided: %(status)s.")
            % {"status": application.get_status_display()},
            field="status",
        )
    if not grant and not reason:
        raise WorkflowError(
            WorkflowErrorCode.INVALID, _("A refusal needs its reason."), field="reason"
        )
    on = timezone.localdate()
    breach = application.breach
    cleared = None
    with decision_taken(decision_task_open(case=application), by=by):
        if grant:
            cleared = breach_repair(
                breach_id=breach.pk, by=by, on=on, case=f"application {application.pk}"
            )
            application.grant(by=by, on=on, reason=reason or _("Repair granted."))
            audited_save(application, by=by, reason="repair granted")
        else:
            application.refuse(by=by, on=on, reason=reason)
            audited_save(application, by=by, reason="repair refused")
    if grant:
        subject_text = _("Your credit repair was granted")
        body = _(
            "Record %(id)s is repaired: it is no longer published or shared, its measures "
            "are lifted and commit-instead-of-prove is available again."
        ) % {"id": breach.pk}
    else:
        subject_text = _("Your credit repair was refused")
        body = _("Record %(id)s was not repaired. Reason: %(reason)s") % {
            "id": breach.pk,
            "reason": application.decision_reason,
        }
    link = reverse("repair:repair", args=[application.subject.code, breach.pk])
    for user in subject_representative_users(subject_id=application.subject_id):
        notification_send(
            recipient=user,
            key=f"repair-{application.pk}-decided-{user.pk}",
            subject=subject_text,
            body=body,
            link=link,
        )
    if cleared is not None:
        record_change_tell(breach=cleared.breach, change=RecordChangeNotice.Change.REPAIRED)
    return application
