"""Parts of recording a verification and of changing task holders that services share.

Called inside the services' transactions (under the process lock); nothing here commits.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from commitments.catalogue.models import VerificationMethod
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Verification, VerificationDetail
from workflows.models import TaskAuditEntry, VerificationTaskIndex


def audit_task(
    *,
    task: Task,
    kind: str,
    by: AbstractBaseUser,
    from_user: AbstractBaseUser | None = None,
    to_user: AbstractBaseUser | None = None,
    reason: str = "",
) -> TaskAuditEntry:
    return TaskAuditEntry.objects.create(
        task=task,
        kind=kind,
        actor=by,
        from_user=from_user,
        to_user=to_user,
        reason=reason,
        at=timezone.now(),
    )


def verification_spot_check_refusal(
    *, task: Task, method: str, inspected_on: datetime.date | None, inspection_location: str
) -> bool:
    """Refuse a spot-checked commitment verified otherwise than on site; True if drawn."""
    is_spot_check = VerificationTaskIndex.objects.filter(
        task_id=task.pk, is_spot_check=True
    ).exists()
    if not is_spot_check:
        return False
    if method != VerificationMethod.ON_SITE:
        raise CommitmentError(
            ErrorCode.INVALID,
            _("This commitment was drawn for an on-site spot check: verify it on site."),
            field="method",
        )
    missing = {}
    if inspected_on is None:
        missing["inspected_on"] = [_("An on-site spot check needs the inspection date.")]
    if not (inspection_location or "").strip():
        missing["inspection_location"] = [_("An on-site spot check needs the inspection location.")]
    if missing:
        raise CommitmentError(
            ErrorCode.INVALID,
            _("Some fields need correcting."),
            fields=missing,
            field=next(iter(missing)),
        )
    return True


def verification_detail_record(
    *,
    verification: Verification,
    by: AbstractBaseUser,
    evidence_summary: str,
    inspected_on: datetime.date | None,
    inspection_location: str,
    inspectors: str,
    is_spot_check: bool,
) -> VerificationDetail:
    detail = VerificationDetail(
        verification=verification,
        evidence_summary=(evidence_summary or "").strip(),
        inspected_on=inspected_on,
        inspection_location=(inspection_location or "").strip(),
        inspectors=(inspectors or "").strip(),
        is_spot_check=is_spot_check,
    )
    if inspected_on is not None and inspected_on > timezone.localdate():
        raise CommitmentError(
            ErrorCode.INVALID,
            _("The inspection date cannot be in the future."),
            field="inspected_on",
        )
    detail._history_user = by
    detail._change_reason = "verification detail recorded"
    try:
        detail.full_clean()
    except ValidationError as error:
        raise CommitmentError(
            ErrorCode.INVALID,
            _("Some fields need correcting."),
            fields=error.message_dict,
            field=next(iter(error.message_dict)),
        ) from None
    detail.save()
    return detail
