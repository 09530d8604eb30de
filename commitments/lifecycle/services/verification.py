"""Opening a commitment for verification and recording the finding."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process

from commitments.catalogue.models import VerificationMethod
from commitments.errors import CommitmentError, ErrorCode, invalid_input
from commitments.lifecycle.models import Commitment, Verification
from commitments.lifecycle.services.breaches import false_commitment_record
from commitments.lifecycle.services.register import registry_event_append
from directory.audit import audited_clean, audited_save, system_user
from directory.calendar import Deadline, deadline_after
from directory.models import Department
from directory.rows import save_new
from directory.selectors import is_active_member


def verification_deadline(*, commitment: Commitment) -> Deadline:
    template = commitment.template
    return deadline_after(
        timezone.localdate(commitment.signed_at),
        template.verification_window,
        template.verification_window_unit,
    )


def commitment_open_verification(
    *,
    commitment: Commitment,
    department: Department,
    by: AbstractBaseUser | None = None,
    process: Process | None = None,
    is_locked: bool = False,
) -> Commitment:
    """Hand a signed commitment to the competent department with its verification deadline,
    linked to the verification ``process`` started for it in this transaction (if any).

    ``is_locked``: ``commitment`` was read under its row lock and saved in this transaction
    (the signature just before), so it is current and is not read again; the caller's
    transaction is the unit of work (no savepoint of its own).
    """
    with transaction.atomic(savepoint=not is_locked):
        return _open_verification(
            commitment=commitment,
            department=department,
            by=by,
            process=process,
            is_locked=is_locked,
        )


def _open_verification(
    *,
    commitment: Commitment,
    department: Department,
    by: AbstractBaseUser | None,
    process: Process | None,
    is_locked: bool,
) -> Commitment:
    locked = (
        commitment
        if is_locked
        else Commitment.objects.select_for_update(of=("self",))
        .select_related("template", "subject")
        .get(pk=commitment.pk)
    )
    deadline = verification_deadline(commitment=locked)
    locked.open_verification(
        department=department, due_at=deadline.end_of_day(), due_basis=deadline.as_basis()
    )
    if process is not None:
        locked.process = process
    audited_save(
        locked,
        by=by or system_user(),
        reason=f"verification opened at {department.code}",
        # A process inserted in this transaction is linked to nothing else yet.
        unique_by_construction=["process"] if process is not None else [],
    )
    return locked


def _check_regulator(user: AbstractBaseUser, department: Department | None) -> None:
    if department is None or not is_active_member(user_id=user.pk, department_id=department.pk):
        raise CommitmentError(
            ErrorCode.FORBIDDEN,
            _("Only the competent department can verify this commitment."),
        )


def verification_record(
    *,
    commitment: Commitment,
    regulator: AbstractBaseUser,
    method: str,
    finding: str,
    reason: str = "",
    is_locked: bool = False,
) -> Verification:
    """Record a regulator's finding and move the commitment to fulfilled or breached.

    ``is_locked``: the caller read ``commitment`` under its row lock in this transaction
    (with its department, template and subject), so it is current and not read again; the
    caller's transaction is then the unit of work (no savepoint: a refusal undoes all of it).
    Without it, a refusal undoes only this (a savepoint), and the caller may go on.
    """
    with transaction.atomic(savepoint=not is_locked):
        return _verification_record(
            commitment=commitment,
            regulator=regulator,
            method=method,
            finding=finding,
            reason=reason,
            is_locked=is_locked,
        )


def _verification_record(
    *,
    commitment: Commitment,
    regulator: AbstractBaseUser,
    method: str,
    finding: str,
    reason: str,
    is_locked: bool,
) -> Verification:
    locked = (
        commitment
        if is_locked
        # of=self: the catalogue and directory rows read with it are not locked.
        else Commitment.objects.select_for_update(of=("self",))
        .select_related("department", "template", "subject")
        .get(pk=commitment.pk)
    )
    _check_regulator(regulator, locked.department)
    if locked.status != Commitment.Status.UNDER_VERIFICATION:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This commitment is not awaiting verification."),
            field="status",
        )
    if method not in VerificationMethod.values:
        raise invalid_input("method", _("Choose a verification method."))
    if finding not in Verification.Finding.values:
        raise invalid_input("finding", _("Choose a finding."))
    if (
        finding == Verification.Finding.FULFILLED
        and locked.template.rules.items_supplied_later
        and locked.obligations.filter(status="pending").exists()
    ):
        raise invalid_input(
            "finding",
            _("Items are still to be supplied: accept each item before finding it fulfilled."),
        )
    now = timezone.now()
    verification = Verification(
        commitment=locked,
        regulator=regulator,
        method=method,
        finding=finding,
        reason=(reason or "").strip(),
        verified_at=now,
    )
    try:
        # One verification per commitment by construction: it is made only while the locked
        # commitment is under verification, a state it enters once and leaves in this
        # transaction (the database's unique key stands behind it).
        audited_clean(verification, unique_by_construction=["commitment"])
    except ValidationError as error:
        raise CommitmentError(
            ErrorCode.INVALID,
            _("Some fields need correcting."),
            fields=error.message_dict,
            field=next(iter(error.message_dict)),
        ) from None
    # ``save()`` of the new row (its history row with this actor and reason, as
    # ``audited_save`` leaves them), its insert compiled once (``directory.rows``).
    verification._history_user = regulator
    verification._change_reason = f"verification recorded: {finding}"
    save_new(verification)
    if finding == Verification.Finding.FULFILLED:
        locked.confirm_fulfilled(at=now)
    else:
        locked.confirm_breached(at=now)
    audited_save(
        locked,
        by=regulator,
        reason=(
            f"verified: {finding}" + (f" — {verification.reason}" if verification.reason else "")
        ),
    )
    false_commitment_record(commitment=locked, verification=verification)
    registry_event_append(
        event_type="verified",
        commitment=locked,
        actor=regulator,
        payload={"finding": finding, "method": method},
    )
    return verification
