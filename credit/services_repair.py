"""Writes of credit repair: an application with its proofs, and the designating department's
decision. Granting stops publication and sharing, lifts the measures, ends the black-list
entries the record caused and queues a notice for every system that received the record.

The commitment domain (``commitments.services.credit_repair``) checks who may act, computes
the working-day due dates on the official calendar and notifies people; nothing here imports
it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from credit.check.models import CheckQuery
from credit.errors import CreditError, CreditErrorCode
from credit.models_repair import RecordChangeNotice, RepairApplication, RepairProof
from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.repair import repair_eligibility
from directory.audit import audited_save

MAX_PROOF_BYTES = 10 * 1024 * 1024
MAX_PROOFS = 10
PROOF_TYPES = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG",
}


@dataclass(frozen=True)
class ProofFile:
    name: str
    content_type: str
    data: bytes


def _check_proofs(proofs: list[ProofFile]) -> None:
    if not proofs:
        raise CreditError(
            CreditErrorCode.INVALID,
            _(
                "Attach proof that the act was corrected and every obligation performed "
                "(Order 36 requires it with the repair commitment)."
            ),
            field="proofs",
        )
    if len(proofs) > MAX_PROOFS:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("Attach at most %(count)d files.") % {"count": MAX_PROOFS},
            field="proofs",
        )
    for proof in proofs:
        if len(proof.data) > MAX_PROOF_BYTES:
            raise CreditError(
                CreditErrorCode.INVALID,
                _("%(name)s is larger than 10 MB.") % {"name": proof.name},
                field="proofs",
            )
        magic = PROOF_TYPES.get(proof.content_type)
        if magic is None or not proof.data.startswith(magic):
            raise CreditError(
                CreditErrorCode.INVALID,
                _("%(name)s is not a PDF, JPEG or PNG file.") % {"name": proof.name},
                field="proofs",
            )


@transaction.atomic
def repair_apply(
    *,
    breach_id: int,
    department_id: int,
    commitment_id: int,
    statement: str,
    proofs: list[ProofFile],
    by: AbstractBaseUser,
    feedback_due: date,
    decision_due: date,
    due_basis: dict,
    on: date | None = None,
) -> RepairApplication:
    """File a repair application; refused (changing nothing) unless the record is eligible."""
    on = on or timezone.localdate()
    breach = (
        Breach.objects.select_for_update(of=("self",))
        .select_related("rule_set", "category")
        .get(pk=breach_id)
    )
    eligibility = repair_eligibility(breach=breach, on=on)
    if not eligibility.is_eligible:
        refusal = eligibility.refusals[0]
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            f"{refusal.message} ({_('Rule')}: {refusal.rule})",
            field=refusal.field,
        )
    statement = (statement or "").strip()
    if not statement:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("Say how the act was corrected and the obligations performed."),
            field="statement",
        )
    _check_proofs(proofs)
    application = RepairApplication(
        breach=breach,
        subject_id=breach.subject_id,
        department_id=department_id,
        commitment_id=commitment_id,
        statement=statement,
        submitted_by=by,
        submitted_on=on,
        feedback_due=feedback_due,
        decision_due=decision_due,
        due_basis=due_basis,
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
    return application


@dataclass(frozen=True)
class RecordCleared:
    """What clearing a record (repair or revocation) did."""

    breach: Breach
    measures_lifted: list[Measure] = field(default_factory=list)
    list_exits: list[ListEntry] = field(default_factory=list)
    notices: list[RecordChangeNotice] = field(default_factory=list)


def record_clear(
    *, breach: Breach, change: str, by: AbstractBaseUser, on: date, reason: str
) -> RecordCleared:
    """Lift the measures of a repaired or revoked record, end the black-list entries it
    caused, and queue a notice for each calling system that asked about the subject.
    Runs in the caller's transaction with ``breach`` locked and already moved."""
    lifted = []
    for measure in Measure.objects.select_for_update().filter(
        breach=breach, status=Measure.Status.ACTIVE
    ):
        measure.lift(on=on)
        audited_save(measure, by=by, reason=reason)
        lifted.append(measure)
    exits = []
    for entry in ListEntry.objects.select_for_update().filter(
        breach=breach, status__in=ListEntry.OPEN
    ):
        entry.leave(on=on)
        audited_save(entry, by=by, reason=reason)
        exits.append(entry)
    systems = (
        CheckQuery.objects.filter(subject_id=breach.subject_id)
        .values_list("calling_system_id", flat=True)
        .distinct()
    )
    notices = []
    for system_id in sorted(set(systems)):
        notice, _created = RecordChangeNotice.objects.get_or_create(
            calling_system_id=system_id, breach=breach, change=change
        )
        notices.append(notice)
    return RecordCleared(breach=breach, measures_lifted=lifted, list_exits=exits, notices=notices)


@dataclass(frozen=True)
class RepairDecision:
    application: RepairApplication
    cleared: RecordCleared | None


@transaction.atomic
def repair_decide(
    *,
    application_id: int,
    grant: bool,
    reason: str,
    by: AbstractBaseUser,
    on: date | None = None,
) -> RepairDecision:
    """Grant (repairing the record) or refuse (with the reason) an open application."""
    on = on or timezone.localdate()
    application = RepairApplication.objects.select_for_update().get(pk=application_id)
    reason = (reason or "").strip()
    if not can_proceed(application.grant):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("This application was already decided: %(status)s.")
            % {"status": application.get_status_display()},
            field="status",
        )
    if not grant:
        if not reason:
            raise CreditError(
                CreditErrorCode.INVALID, _("A refusal needs its reason."), field="reason"
            )
        application.refuse(by=by, on=on, reason=reason)
        audited_save(application, by=by, reason="repair refused")
        return RepairDecision(application=application, cleared=None)
    breach = Breach.objects.select_for_update().get(pk=application.breach_id)
    if not can_proceed(breach.repair):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("This record is %(status)s and cannot be repaired.")
            % {"status": breach.get_status_display()},
            field="status",
        )
    application.grant(by=by, on=on, reason=reason or _("Repair granted."))
    audited_save(application, by=by, reason="repair granted")
    breach.repair()
    audited_save(breach, by=by, reason=f"repaired on application {application.pk}")
    cleared = record_clear(
        breach=breach,
        change=RecordChangeNotice.Change.REPAIRED,
        by=by,
        on=on,
        reason=f"record repaired (application {application.pk})",
    )
    return RepairDecision(application=application, cleared=cleared)
