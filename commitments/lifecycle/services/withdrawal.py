"""Withdrawing a commitment: a draft dropped, or a signed commitment withdrawn before the
verification decision, when the applicant falls back to the ordinary procedure (proof up
front). The withdrawal is recorded with who, when and why; obligations still owed under the
commitment lapse, their warnings stop, and whoever runs the verification (the workflow,
registered with ``withdrawal_listener_register``) cancels its task in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from commitments.errors import CommitmentError, ErrorCode, invalid_input
from commitments.lifecycle.models import WITHDRAWN_BY_DEFAULT, Commitment
from commitments.lifecycle.services.commitments import (
    already_signed_or_state,
    check_drafter,
    check_representative,
)
from commitments.lifecycle.services.exemption import exemption_withdraw
from commitments.obligations.models import Obligation, WarningSchedule
from credit.opendata.models import OpenDataEvent
from credit.opendata.services.events import open_data_event_record
from directory.audit import audited_save
from directory.inputs import normalise_text
from directory.models import Subject

REASON_MAX_LENGTH = 1000

# Called as listener(commitment=..., by=...) inside the withdrawal's transaction.
_LISTENERS: list[Callable[..., None]] = []


def withdrawal_listener_register(listener: Callable[..., None]) -> None:
    """Have ``listener`` told of every signed commitment withdrawn (it cancels its work)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def _decided_refusal(commitment: Commitment) -> CommitmentError:
    return CommitmentError(
        ErrorCode.INVALID_STATE,
        _(
            "This commitment was decided (%(status)s) and can no longer be withdrawn: a "
            "withdrawal is possible only before the verification decision."
        )
        % {"status": commitment.get_status_display()},
        field="status",
    )


def commitment_withdraw(*, commitment: Commitment, by: AbstractBaseUser, reason: str) -> Commitment:
    """Withdraw a draft, or a signed commitment before its verification decision.

    A draft may be dropped by whoever may prepare it; a signed commitment only by a proven
    representative of the subject, with a reason. After the decision it is refused.
    """
    if commitment.status == Commitment.Status.DRAFT:
        check_drafter(by, commitment.subject, commitment)
    else:
        check_representative(by, commitment)
    reason = normalise_text(reason or "", multiline=True)
    if len(reason) > REASON_MAX_LENGTH:
        raise invalid_input("reason", _("At most %(n)d characters.") % {"n": REASON_MAX_LENGTH})
    with transaction.atomic():
        locked = (
            Commitment.objects.select_for_update(of=("self",))
            .select_related("template")
            .get(pk=commitment.pk)
        )
        if locked.status in (Commitment.Status.FULFILLED, Commitment.Status.BREACHED):
            raise _decided_refusal(locked)
        if not can_proceed(locked.withdraw):
            raise already_signed_or_state(locked)
        was_signed = locked.is_signed
        if was_signed and not locked.template.rules.may_withdraw_before_decision:
            raise CommitmentError(
                ErrorCode.INVALID_STATE,
                _("A commitment of this kind cannot be withdrawn once signed."),
                field="status",
            )
        if was_signed and not reason:
            raise invalid_input(
                "reason", _("Say why the commitment is withdrawn (it goes into the record).")
            )
        now = timezone.now()
        was_public = _is_public(locked, now=now)
        locked.withdraw(at=now, by=by, reason=reason)
        audited_save(locked, by=by, reason=(reason or WITHDRAWN_BY_DEFAULT)[:100])
        if was_signed:
            _lapse_obligations(locked, by=by, now=now)
            exemption_withdraw(commitment=locked, by=by, reason=reason, at=now)
            for listener in _LISTENERS:
                listener(commitment=locked, by=by)
        if was_public:
            _announce_withdrawal(locked, by=by, now=now)
    return locked


def _is_public(commitment: Commitment, *, now: datetime) -> bool:
    """Whether the public portal shows the commitment now (signed within its template's
    publicity period, by a company; natural persons' commitments are never shown)."""
    days = commitment.template.publicity_days
    return (
        commitment.signed_at is not None
        and days > 0
        and commitment.signed_at > now - timedelta(days=days)
        and commitment.subject.kind == Subject.Kind.COMPANY
    )


def _announce_withdrawal(commitment: Commitment, *, by: AbstractBaseUser, now: datetime) -> None:
    """Tell the open data feed that a commitment the portal showed was withdrawn. The portal
    stops showing it, so the feed names it by reference only: its subject is withheld."""
    open_data_event_record(
        kind=OpenDataEvent.Kind.COMMITMENT_WITHDRAWN,
        subject=commitment.subject,
        effective_on=timezone.localdate(now),
        reference=commitment.reference,
        details={
            "template": commitment.template.code,
            "department": commitment.department.code if commitment.department_id else None,
            "signed_on": timezone.localdate(commitment.signed_at).isoformat(),
        },
        by=by,
        is_withheld=True,
    )


def _lapse_obligations(commitment: Commitment, *, by: AbstractBaseUser, now) -> None:
    pending = list(
        Obligation.objects.select_for_update().filter(
            commitment=commitment, status=Obligation.Status.PENDING
        )
    )
    for obligation in pending:
        obligation.withdraw()
        audited_save(obligation, by=by, reason="commitment withdrawn")
    WarningSchedule.objects.filter(
        obligation__in=pending,
        status__in=(WarningSchedule.Status.PENDING, WarningSchedule.Status.HELD),
    ).update(status=WarningSchedule.Status.SKIPPED, processed_at=now, outcome="withdrawn")
