"""Deadline extensions: an officer of the supervising department moves an obligation's due
date, or a commitment's verification window, to a date or by working days on the official
calendar, with a reason kept on a ``DeadlineExtension`` row.

``commitment_extend_verification`` serves the verification process too: ``workflows`` calls
it inside its own transaction and moves the flow's timers after it.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.errors import CommitmentError, ErrorCode, invalid_input
from commitments.lifecycle.models import Commitment
from commitments.obligations.models import DeadlineExtension, Obligation
from commitments.obligations.services.access import check_officer
from commitments.obligations.services.ladder import warning_schedule_replan
from directory.audit import audited_save
from directory.calendar import Deadline, add_working_days
from directory.inputs import date_problem, normalise_text
from directory.models import DeadlineUnit

MAX_EXTENSION_WORKING_DAYS = 365


def _extended_deadline(
    *, current: datetime.date, new_due_date, working_days, reason: str
) -> tuple[Deadline, str]:
    """The new deadline, given as a date or as working days added to the current one on the
    official calendar (exactly one of them), with the reason stripped."""
    if (new_due_date is None) == (working_days is None):
        raise invalid_input(
            "new_due_date", _("Give either the new due date or a number of working days.")
        )
    if working_days is not None:
        if (
            isinstance(working_days, bool)
            or not isinstance(working_days, int)
            or not 1 <= working_days <= MAX_EXTENSION_WORKING_DAYS
        ):
            raise invalid_input(
                "working_days",
                _("Give between 1 and %(max)d working days.") % {"max": MAX_EXTENSION_WORKING_DAYS},
            )
        deadline = add_working_days(current, working_days)
        new_due_date = deadline.due_date
    elif not isinstance(new_due_date, datetime.date):
        raise invalid_input("new_due_date", _("Give the new due date."))
    else:
        deadline = Deadline(
            current, (new_due_date - current).days, DeadlineUnit.CALENDAR_DAYS, 0, new_due_date
        )
    today = timezone.localdate()
    if new_due_date < today:
        raise invalid_input("new_due_date", _("The new due date cannot be in the past."))
    problem = date_problem(new_due_date, today=today)
    if problem is not None:
        raise invalid_input("new_due_date" if working_days is None else "working_days", problem)
    if new_due_date <= current:
        raise invalid_input(
            "new_due_date",
            _("The new due date must be after the current one (%(date)s).")
            % {"date": current.isoformat()},
        )
    reason = normalise_text(reason, multiline=True)
    if not reason:
        raise invalid_input("reason", _("Give the reason for the extension."))
    return deadline, reason


def _history_reason(text: str) -> str:
    """History keeps 100 characters of a reason; the full text is on the extension row."""
    return text if len(text) <= 100 else text[:99] + "…"


def _extension_basis(deadline: Deadline, reason: str) -> dict:
    """How the extended date was computed (calendar or working days from the previous one)."""
    basis = deadline.as_basis()
    basis["extended_from"] = deadline.start.isoformat()
    basis["extension_reason"] = reason
    return basis


@transaction.atomic
def obligation_extend_deadline(
    *,
    obligation: Obligation,
    by: AbstractBaseUser,
    reason: str,
    new_due_date: datetime.date | None = None,
    working_days: int | None = None,
) -> DeadlineExtension:
    """Extend an obligation's deadline (an officer of the supervising department) to a date,
    or by a number of working days on the official calendar."""
    locked = (
        Obligation.objects.select_for_update(of=("self",))
        .select_related("commitment")
        .get(pk=obligation.pk)
    )
    check_officer(by, locked.commitment)
    if locked.status != Obligation.Status.PENDING:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This obligation is %(status)s; its deadline can no longer change.")
            % {"status": locked.get_status_display()},
            field="status",
        )
    deadline, reason = _extended_deadline(
        current=locked.due_date, new_due_date=new_due_date, working_days=working_days, reason=reason
    )
    new_due_date = deadline.due_date
    previous = locked.due_date
    now = timezone.now()
    locked.due_date = new_due_date
    locked.due_basis = _extension_basis(deadline, reason)
    audited_save(
        locked,
        by=by,
        reason=_history_reason(
            f"deadline extended from {previous.isoformat()} to {new_due_date.isoformat()}: {reason}"
        ),
    )
    extension = DeadlineExtension.objects.create(
        commitment=locked.commitment,
        obligation=locked,
        kind=DeadlineExtension.Kind.OBLIGATION,
        previous_due=previous,
        new_due=new_due_date,
        reason=reason,
        extended_by=by,
        extended_at=now,
    )
    warning_schedule_replan(obligation=locked, now=now)
    return extension


@transaction.atomic
def commitment_extend_verification(
    *,
    commitment: Commitment,
    by: AbstractBaseUser,
    reason: str,
    new_due_date: datetime.date | None = None,
    working_days: int | None = None,
) -> DeadlineExtension:
    """Extend the verification window. The flow's timers follow in ``workflows``, which
    calls this inside its own transaction (see ``workflows.deadlines``)."""
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    check_officer(by, locked)
    if locked.status != Commitment.Status.UNDER_VERIFICATION or locked.verification_due_at is None:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This commitment is not awaiting verification."),
            field="status",
        )
    previous = timezone.localdate(locked.verification_due_at)
    deadline, reason = _extended_deadline(
        current=previous, new_due_date=new_due_date, working_days=working_days, reason=reason
    )
    new_due_date = deadline.due_date
    basis = _extension_basis(deadline, reason)
    locked.verification_due_at = Deadline.from_basis(basis).end_of_day()
    locked.verification_due_basis = basis
    audited_save(
        locked,
        by=by,
        reason=_history_reason(
            f"verification deadline extended from {previous.isoformat()} to "
            f"{new_due_date.isoformat()}: {reason}"
        ),
    )
    return DeadlineExtension.objects.create(
        commitment=locked,
        kind=DeadlineExtension.Kind.VERIFICATION,
        previous_due=previous,
        new_due=new_due_date,
        reason=reason,
        extended_by=by,
        extended_at=timezone.now(),
    )
