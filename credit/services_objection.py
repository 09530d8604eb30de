"""Writes of objections (异议): filing records the objection; marking puts the record
"under objection" (the flow's ``mark`` step, within one working day); the department
decides, or forwards to the providing department which decides; a corrected or revoked
record leaves publication on the decision (well within three working days).

Due dates are computed by the caller on the official calendar (``commitments.calendar``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from credit.errors import CreditError, CreditErrorCode
from credit.models_repair import Objection, RecordChangeNotice, RepairApplication
from credit.record.models.breaches import Breach
from credit.repair import open_objection
from credit.services_repair import RecordCleared, record_clear
from directory.audit import audited_save

OUTCOMES = ("corrected", "revoked", "rejected")


@transaction.atomic
def objection_file(
    *,
    breach_id: int,
    department_id: int,
    kind: str,
    grounds: str,
    by: AbstractBaseUser,
    decision_due: date,
    forward_due: date,
    on: date | None = None,
) -> Objection:
    """File an objection; refused while one is open. ``objection_mark`` marks the record."""
    on = on or timezone.localdate()
    breach = Breach.objects.select_for_update().get(pk=breach_id)
    if kind not in Objection.Kind.values:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("Say what is disputed: the content, the duration or a repair result."),
            field="kind",
        )
    grounds = (grounds or "").strip()
    if not grounds:
        raise CreditError(
            CreditErrorCode.INVALID, _("Give the grounds of the objection."), field="grounds"
        )
    current = open_objection(breach_id=breach.pk)
    if current is not None:
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
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
        raise CreditError(
            CreditErrorCode.INVALID,
            _("No repair of this record has been decided yet."),
            field="kind",
        )
    if not can_proceed(breach.mark_under_objection):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("This record is %(status)s: it can no longer be objected to.")
            % {"status": breach.get_status_display()},
            field="breach",
        )
    objection = Objection(
        breach=breach,
        subject_id=breach.subject_id,
        department_id=department_id,
        kind=kind,
        grounds=grounds,
        filed_by=by,
        filed_on=on,
        breach_status_before=breach.status,
        decision_due=decision_due,
        forward_due=forward_due,
    )
    audited_save(objection, by=by, reason="objection filed")
    return objection


@transaction.atomic
def objection_mark(
    *, objection_id: int, by: AbstractBaseUser | None, on: date | None = None
) -> Objection:
    """Mark the objection's record "under objection" (not published meanwhile); a no-op for
    an objection already marked or no longer open."""
    on = on or timezone.localdate()
    objection = Objection.objects.select_for_update().get(pk=objection_id)
    if objection.marked_on is not None or not objection.is_open:
        return objection
    breach = Breach.objects.select_for_update().get(pk=objection.breach_id)
    if not can_proceed(breach.mark_under_objection):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("This record is %(status)s: it can no longer be objected to.")
            % {"status": breach.get_status_display()},
            field="breach",
        )
    breach.mark_under_objection()
    audited_save(breach, by=by, reason=f"under objection {objection.pk}")
    objection.marked_on = on
    audited_save(objection, by=by, reason="record marked under objection")
    return objection


@transaction.atomic
def objection_forward(
    *,
    objection_id: int,
    department_id: int,
    by: AbstractBaseUser,
    reason: str,
    decision_due: date,
    on: date | None = None,
) -> Objection:
    """Forward the objection, with the reason, to the providing department, which decides
    by ``decision_due``."""
    on = on or timezone.localdate()
    objection = Objection.objects.select_for_update().get(pk=objection_id)
    reason = (reason or "").strip()
    if not can_proceed(objection.forward):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("This objection is %(status)s and cannot be forwarded.")
            % {"status": objection.get_status_display()},
            field="status",
        )
    if department_id == objection.department_id:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("Forward to the department that provided the record, not to your own."),
            field="department",
        )
    if not reason:
        raise CreditError(
            CreditErrorCode.INVALID, _("Say why the objection is forwarded."), field="reason"
        )
    objection.forward(
        by=by, on=on, decision_due=decision_due, department_id=department_id, reason=reason
    )
    audited_save(objection, by=by, reason=f"forwarded to the providing department: {reason}")
    return objection


@dataclass(frozen=True)
class ObjectionDecision:
    objection: Objection
    cleared: RecordCleared | None


@transaction.atomic
def objection_decide(
    *,
    objection_id: int,
    outcome: str,
    reason: str,
    by: AbstractBaseUser,
    on: date | None = None,
    corrected_reason: str = "",
    corrected_max_until: date | None = None,
) -> ObjectionDecision:
    """Decide: ``corrected`` (the record's text or duration is corrected; past its new end
    it leaves publication), ``revoked`` (the record is cleared) or ``rejected``."""
    on = on or timezone.localdate()
    objection = Objection.objects.select_for_update().get(pk=objection_id)
    reason = (reason or "").strip()
    if outcome not in OUTCOMES:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("Choose corrected, revoked or rejected."),
            field="outcome",
        )
    if not reason:
        raise CreditError(CreditErrorCode.INVALID, _("Give the reason."), field="reason")
    if not objection.is_open:
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("This objection was already decided: %(status)s.")
            % {"status": objection.get_status_display()},
            field="status",
        )
    breach = Breach.objects.select_for_update().get(pk=objection.breach_id)
    cleared = None
    if outcome == "revoked":
        objection.revoke(by=by, on=on, reason=reason)
        audited_save(objection, by=by, reason="objection upheld: revoked")
        breach.revoke()
        audited_save(breach, by=by, reason=f"revoked on objection {objection.pk}")
        cleared = record_clear(
            breach=breach,
            change=RecordChangeNotice.Change.REVOKED,
            by=by,
            on=on,
            reason=f"record revoked (objection {objection.pk})",
        )
        return ObjectionDecision(objection=objection, cleared=cleared)
    if outcome == "corrected":
        if not (corrected_reason or "").strip() and corrected_max_until is None:
            raise CreditError(
                CreditErrorCode.INVALID,
                _("Give the corrected text or the corrected end of publicity."),
                field="corrected_reason",
            )
        if corrected_max_until is not None and not (
            breach.record_date <= corrected_max_until <= breach.publicity_max_until
        ):
            raise CreditError(
                CreditErrorCode.INVALID,
                _("The corrected end of publicity must fall between %(start)s and %(end)s.")
                % {"start": breach.record_date, "end": breach.publicity_max_until},
                field="corrected_max_until",
            )
        objection.correct(by=by, on=on, reason=reason)
        audited_save(objection, by=by, reason="objection upheld: corrected")
        if corrected_reason.strip():
            breach.reason = corrected_reason.strip()
        if corrected_max_until is not None:
            breach.publicity_max_until = corrected_max_until
            breach.publicity_min_until = min(breach.publicity_min_until, corrected_max_until)
        cleared = RecordCleared(breach=breach)
    else:
        objection.reject(by=by, on=on, reason=reason)
        audited_save(objection, by=by, reason="objection rejected")
    back_to = objection.breach_status_before
    if back_to == Breach.Status.PUBLISHED and on >= breach.publicity_max_until:
        back_to = Breach.Status.PUBLICATION_ENDED
    breach.clear_objection(back_to=back_to)
    audited_save(breach, by=by, reason=f"objection {objection.pk} {outcome}")
    return ObjectionDecision(objection=objection, cleared=cleared)
