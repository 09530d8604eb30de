"""Following obligations through: deadlines, extensions, performance, warnings and breaches.

Warnings are exact by construction:

* each ladder step of each obligation is one ``WarningSchedule`` row, planned at signing
  and re-planned at an extension; the sweep reads only due ``pending`` rows (partial index)
  so its cost follows the number of items due, not the number stored;
* the sweep claims rows with ``SELECT … FOR UPDATE SKIP LOCKED`` and, in the same
  transaction, writes the outbox messages (unique key per obligation, step, channel and
  recipient) and settles the row: a worker killed mid-sweep rolls back and the next sweep
  does the same work again, never twice;
* delivery is the outbox's business (``notifications``), retried with back-off.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import mimetypes
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from commitments.errors import CommitmentError, ErrorCode
from commitments.models import (
    Commitment,
    CommitmentTemplate,
    DeadlineExtension,
    Obligation,
    PerformanceEvidence,
    PerformanceReport,
    Verification,
    WarningPolicy,
    WarningSchedule,
    WarningStep,
)
from commitments.services.common import invalid_input
from directory.audit import audited_save, system_user
from directory.calendar import Deadline, add_working_days, deadline_after, is_working_day
from directory.models import (
    DeadlineUnit,
    RegulatorMembership,
    SubjectRepresentative,
    WorkingDayOverride,
)
from notifications.services import OutboxItem, outbox_enqueue_many, recipient_languages

logger = logging.getLogger(__name__)

WARNING_HOUR = datetime.time(9, 0)
EVIDENCE_TYPES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}


# Time --------------------------------------------------------------------------------------


def _local(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _days_before(day: datetime.date, count: int, unit: str) -> datetime.date:
    if unit != DeadlineUnit.WORKING_DAYS:
        return day - datetime.timedelta(days=count)
    overrides = dict(
        WorkingDayOverride.objects.filter(
            date__range=(day - datetime.timedelta(days=count * 3 + 40), day)
        ).values_list("date", "is_working_day")
    )
    counted = 0
    while counted < count:
        day -= datetime.timedelta(days=1)
        if is_working_day(day, overrides):
            counted += 1
    return day


def warning_due_at(*, step: WarningStep, due_date: datetime.date) -> datetime.datetime:
    """When a ladder step falls due for an obligation due on ``due_date`` (09:00 local)."""
    if step.relative == WarningStep.Relative.BEFORE:
        day = _days_before(due_date, step.offset, step.unit)
    elif step.relative == WarningStep.Relative.AFTER:
        day = deadline_after(due_date, step.offset, step.unit).due_date
    else:
        day = due_date
    return _local(day, WARNING_HOUR)


def grace_end(*, policy: WarningPolicy, due_date: datetime.date) -> Deadline:
    """The last day of the grace period; the breach falls due when it ends."""
    return deadline_after(due_date, policy.grace_period, policy.grace_unit)


# Planning the ladder -------------------------------------------------------------------------


def _policy_of(template_id: int) -> WarningPolicy | None:
    return WarningPolicy.objects.filter(template_id=template_id).first()


def _plan(obligation: Obligation, steps, policy: WarningPolicy | None) -> list[WarningSchedule]:
    rows = [
        WarningSchedule(
            obligation=obligation,
            step=step,
            kind=WarningSchedule.Kind.WARNING,
            due_at=warning_due_at(step=step, due_date=obligation.due_date),
        )
        for step in steps
    ]
    if policy is not None and policy.records_breach:
        rows.append(
            WarningSchedule(
                obligation=obligation,
                kind=WarningSchedule.Kind.BREACH,
                due_at=grace_end(policy=policy, due_date=obligation.due_date).end_of_day(),
            )
        )
    return rows


# The default ladder: what a template warns when nobody configured its ladder (ADR 0009).
# (relative, offset, unit, audience, channels); ``None`` as offset is the grace period.
_ALL_CHANNELS = ["email", "sms", "inapp"]
DEFAULT_LADDER: tuple[tuple, ...] = (
    (WarningStep.Relative.BEFORE, 7, DeadlineUnit.WORKING_DAYS, "applicant", ["email", "inapp"]),
    (WarningStep.Relative.BEFORE, 1, DeadlineUnit.WORKING_DAYS, "applicant", _ALL_CHANNELS),
    (WarningStep.Relative.AT, 0, DeadlineUnit.WORKING_DAYS, "applicant", _ALL_CHANNELS),
    (WarningStep.Relative.AFTER, 1, DeadlineUnit.WORKING_DAYS, "applicant", _ALL_CHANNELS),
    (WarningStep.Relative.AFTER, 1, DeadlineUnit.WORKING_DAYS, "regulator", ["email", "inapp"]),
    (WarningStep.Relative.AFTER, None, None, "applicant", _ALL_CHANNELS),
    (WarningStep.Relative.AFTER, None, None, "regulator", ["email", "inapp"]),
)
DEFAULT_GRACE = (5, DeadlineUnit.WORKING_DAYS)


def default_ladder(*, policy: WarningPolicy | None) -> list[dict]:
    """The default rungs for a template with ``policy`` (its grace period, else 5 working days).

    The applicant is warned 7 and 1 working days before, on the due date and 1 working day
    after; the responsible regulator joins once it is past due; both are warned again on the
    last day of the grace period (the breach, if the policy records one, follows that night).
    """
    grace, grace_unit = (policy.grace_period, policy.grace_unit) if policy else DEFAULT_GRACE
    rungs, seen = [], set()
    for relative, offset, unit, audience, channels in DEFAULT_LADDER:
        if offset is None:
            offset, unit = grace, grace_unit
        key = (relative, offset, unit, audience)
        if key in seen or (relative != WarningStep.Relative.AT and offset < 1):
            continue
        seen.add(key)
        rungs.append(
            {
                "relative": relative,
                "offset": offset,
                "unit": unit,
                "audience": audience,
                "channels": list(channels),
            }
        )
    return rungs


@transaction.atomic
def warning_ladder_install_default(*, template_id: int) -> list[WarningStep]:
    """Give a template without a ladder the default one; its steps either way.

    Called when a ladder is first needed (signing, extensions), so every template warns even
    if nobody configured it; a template whose ladder was given keeps it untouched. The
    template row is locked so two first signings install it once.
    """
    CommitmentTemplate.objects.select_for_update().filter(pk=template_id).first()
    steps = list(WarningStep.objects.filter(template_id=template_id))
    if steps:
        return steps
    actor = system_user()
    for rung in default_ladder(policy=_policy_of(template_id)):
        step = WarningStep(template_id=template_id, **rung)
        audited_save(step, by=actor, reason="default warning ladder")
        steps.append(step)
    return steps


def _ladder_of(template_id: int) -> list[WarningStep]:
    return list(WarningStep.objects.filter(template_id=template_id)) or (
        warning_ladder_install_default(template_id=template_id)
    )


def warning_schedule_create(*, obligations: list[Obligation]) -> list[WarningSchedule]:
    """Plan the template's warning ladder for newly signed obligations (inside signing).

    A template without a ladder gets the default one first. A step whose instant has
    already passed (a short deadline) is recorded as skipped: a "7 days before" warning sent
    2 days before would mislead.
    """
    if not obligations:
        return []
    template_id = obligations[0].commitment.template_id
    steps = _ladder_of(template_id)
    policy = _policy_of(template_id)
    now = timezone.now()
    rows = []
    for obligation in obligations:
        for row in _plan(obligation, steps, policy):
            if row.due_at <= now:
                row.status = WarningSchedule.Status.SKIPPED
                row.outcome = "its time had passed when the deadline was set"
                row.processed_at = now
            rows.append(row)
    return WarningSchedule.objects.bulk_create(rows)


def warning_schedule_backfill(*, chunk_size: int = 500) -> int:
    """Plan the ladder rows pending obligations are missing (their template got its ladder
    after they were signed, e.g. the default one from migration 0007); the rows written.

    Idempotent: planned rows are left alone; an instant already past is recorded as skipped,
    as at signing. Each obligation is planned under its row lock, in its own transaction.
    """
    now, written = timezone.now(), 0
    ladders: dict[int, tuple[list[WarningStep], WarningPolicy | None]] = {}
    pending = Obligation.objects.filter(status=Obligation.Status.PENDING).values_list(
        "pk", flat=True
    )
    for pk in pending.order_by("pk").iterator(chunk_size=chunk_size):
        with transaction.atomic():
            obligation = (
                Obligation.objects.select_for_update(of=("self",))
                .select_related("commitment")
                .get(pk=pk)
            )
            if obligation.status != Obligation.Status.PENDING:
                continue
            template_id = obligation.commitment.template_id
            if template_id not in ladders:
                ladders[template_id] = (_ladder_of(template_id), _policy_of(template_id))
            steps, policy = ladders[template_id]
            planned = set(
                WarningSchedule.objects.filter(obligation=obligation).values_list("kind", "step_id")
            )
            rows = []
            for row in _plan(obligation, steps, policy):
                if (row.kind, row.step_id) in planned:
                    continue
                if row.due_at <= now:
                    row.status = WarningSchedule.Status.SKIPPED
                    row.outcome = "its time had passed when the ladder was planned"
                    row.processed_at = now
                rows.append(row)
            written += len(WarningSchedule.objects.bulk_create(rows))
    return written


def _replan(obligation: Obligation, now: datetime.datetime) -> None:
    """Move the not-yet-settled steps to the new due date; sent warnings stay sent."""
    steps = _ladder_of(obligation.commitment.template_id)
    policy = _policy_of(obligation.commitment.template_id)
    existing = {
        (row.kind, row.step_id): row
        for row in WarningSchedule.objects.select_for_update().filter(obligation=obligation)
    }
    for planned in _plan(obligation, steps, policy):
        row = existing.get((planned.kind, planned.step_id))
        if row is None:
            row = planned
        elif row.status in (WarningSchedule.Status.DONE, WarningSchedule.Status.REFUSED):
            continue
        row.due_at = planned.due_at
        if row.status != WarningSchedule.Status.HELD:
            is_due_later = row.due_at > now
            row.status = (
                WarningSchedule.Status.PENDING if is_due_later else WarningSchedule.Status.SKIPPED
            )
            row.processed_at = None if is_due_later else now
            row.outcome = "" if is_due_later else "its time had passed when the deadline moved"
        row.save()


# Who may act ----------------------------------------------------------------------------------


def _is_officer(user: AbstractBaseUser, commitment: Commitment) -> bool:
    return (
        commitment.department_id is not None
        and RegulatorMembership.objects.filter(
            user=user, department_id=commitment.department_id, is_active=True
        ).exists()
    )


def _check_officer(user: AbstractBaseUser, commitment: Commitment) -> None:
    if not _is_officer(user, commitment):
        raise CommitmentError(
            ErrorCode.FORBIDDEN,
            _("Only an officer of the department that supervises this commitment can do this."),
        )


def _check_representative(user: AbstractBaseUser, commitment: Commitment) -> None:
    if not SubjectRepresentative.objects.filter(
        user=user, subject_id=commitment.subject_id
    ).exists():
        raise CommitmentError(
            ErrorCode.FORBIDDEN, _("You do not represent this subject."), field="subject"
        )


# Extensions --------------------------------------------------------------------------------


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
    if new_due_date < timezone.localdate():
        raise invalid_input("new_due_date", _("The new due date cannot be in the past."))
    if new_due_date <= current:
        raise invalid_input(
            "new_due_date",
            _("The new due date must be after the current one (%(date)s).")
            % {"date": current.isoformat()},
        )
    reason = (reason or "").strip()
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
    _check_officer(by, locked.commitment)
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
    _replan(locked, now)
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
    calls this inside its own transaction (see ``workflows.verification.services.deadlines``)."""
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    _check_officer(by, locked)
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


# Performance -------------------------------------------------------------------------------


def _store_evidence(upload) -> dict:
    """Check one uploaded file and store it under its SHA-256; the fields of its row."""
    max_bytes = getattr(settings, "OBLIGATION_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
    name = str(getattr(upload, "name", "") or "evidence")[-200:]
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise invalid_input(
            "files",
            _("%(name)s is larger than the limit of %(kib)d KiB.")
            % {"name": name, "kib": max_bytes // 1024},
        )
    digest, total, head = hashlib.sha256(), 0, b""
    upload.seek(0)
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
    ):
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        total += len(chunk)
        if total > max_bytes:
            raise invalid_input(
                "files",
                _("%(name)s is larger than the limit of %(kib)d KiB.")
                % {"name": name, "kib": max_bytes // 1024},
            )
        digest.update(chunk)
    if total == 0:
        raise invalid_input("files", _("%(name)s is empty.") % {"name": name})
    kind = next((kind for magic, kind in EVIDENCE_TYPES.items() if head.startswith(magic)), None)
    if kind is None:
        raise invalid_input(
            "files",
            _("%(name)s is not a PDF, PNG or JPEG file.") % {"name": name},
        )
    content_type, extension = kind
    sha256 = digest.hexdigest()
    stored_name = f"evidence/{sha256[:2]}/{sha256}{extension}"
    if not default_storage.exists(stored_name):
        upload.seek(0)
        saved = default_storage.save(stored_name, File(upload, name=stored_name))
        if saved != stored_name:  # a concurrent upload of the same bytes won the name
            default_storage.delete(saved)
    return {
        "file": stored_name,
        "original_name": name,
        "content_type": content_type or mimetypes.guess_type(name)[0] or "",
        "size": total,
        "sha256": sha256,
    }


@transaction.atomic
def obligation_report_performance(
    *, obligation: Obligation, by: AbstractBaseUser, text: str, files=()
) -> PerformanceReport:
    """The applicant reports that the obligation was performed, with evidence files."""
    locked = (
        Obligation.objects.select_for_update(of=("self",))
        .select_related("commitment")
        .get(pk=obligation.pk)
    )
    _check_representative(by, locked.commitment)
    if locked.status == Obligation.Status.BREACHED:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _(
                "A breach has already been recorded for this obligation, so performance can no "
                "longer be reported against it. To have the record corrected, apply for credit "
                "repair or raise an objection."
            ),
            field="status",
        )
    if locked.status == Obligation.Status.FULFILLED:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This obligation has already been accepted as fulfilled."),
            field="status",
        )
    if locked.performance_reports.filter(status=PerformanceReport.Status.SUBMITTED).exists():
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("A report on this obligation is already awaiting review."),
            field="status",
        )
    text = (text or "").strip()
    if not text:
        raise invalid_input("text", _("Say what was done to perform the obligation."))
    files = list(files or ())
    max_files = getattr(settings, "OBLIGATION_EVIDENCE_MAX_FILES", 10)
    if len(files) > max_files:
        raise invalid_input("files", _("At most %(n)d files.") % {"n": max_files})
    stored = [_store_evidence(upload) for upload in files]
    report = PerformanceReport(
        obligation=locked, text=text, submitted_by=by, submitted_at=timezone.now()
    )
    audited_save(report, by=by, reason="performance reported")
    PerformanceEvidence.objects.bulk_create(
        [PerformanceEvidence(report=report, **fields) for fields in stored]
    )
    return report


def _locked_open_report(report: PerformanceReport, by: AbstractBaseUser) -> PerformanceReport:
    locked = (
        PerformanceReport.objects.select_for_update(of=("self",))
        .select_related("obligation__commitment")
        .get(pk=report.pk)
    )
    _check_officer(by, locked.obligation.commitment)
    if locked.status != PerformanceReport.Status.SUBMITTED:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This report has already been decided."),
            field="status",
        )
    return locked


@transaction.atomic
def obligation_accept_performance(
    *, report: PerformanceReport, by: AbstractBaseUser, note: str = ""
) -> Obligation:
    """A regulator accepts the report: the obligation is fulfilled and its ladder stops."""
    locked = _locked_open_report(report, by)
    obligation = Obligation.objects.select_for_update().get(pk=locked.obligation_id)
    if obligation.status != Obligation.Status.PENDING:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This obligation is %(status)s; the report can no longer be accepted.")
            % {"status": obligation.get_status_display()},
            field="status",
        )
    now = timezone.now()
    locked.accept(by=by, at=now, note=(note or "").strip())
    audited_save(locked, by=by, reason="performance accepted")
    obligation.fulfil()
    audited_save(obligation, by=by, reason="performance accepted")
    WarningSchedule.objects.filter(
        obligation=obligation,
        status__in=(WarningSchedule.Status.PENDING, WarningSchedule.Status.HELD),
    ).update(status=WarningSchedule.Status.SKIPPED, processed_at=now, outcome="fulfilled")
    return obligation


@transaction.atomic
def obligation_reject_performance(
    *, report: PerformanceReport, by: AbstractBaseUser, note: str
) -> PerformanceReport:
    """A regulator rejects the report with a reason; a held breach falls due again."""
    locked = _locked_open_report(report, by)
    note = (note or "").strip()
    if not note:
        raise invalid_input("note", _("Give the reason for rejecting the report."))
    now = timezone.now()
    locked.reject(by=by, at=now, note=note)
    audited_save(locked, by=by, reason="performance rejected")
    WarningSchedule.objects.filter(
        obligation_id=locked.obligation_id, status=WarningSchedule.Status.HELD
    ).update(status=WarningSchedule.Status.PENDING, processed_at=None, outcome="")
    return locked


# The sweep ---------------------------------------------------------------------------------


@dataclass
class SweepResult:
    warned: int = 0
    breached: int = 0
    skipped: int = 0
    held: int = 0
    refused: int = 0
    messages: int = 0

    @property
    def settled(self) -> int:
        return self.warned + self.breached + self.skipped + self.held + self.refused


def _responsible_regulators(commitment: Commitment) -> list:
    """Who answers for the commitment: the verifying regulator, else the task's assignee,
    else the department's supervisors."""
    verification = (
        Verification.objects.filter(commitment=commitment).select_related("regulator").first()
    )
    if verification is not None:
        return [verification.regulator]
    if commitment.process_id:
        from viewflow.workflow.models import Task

        task = (
            Task.objects.filter(process_id=commitment.process_id, owner__isnull=False)
            .select_related("owner")
            .order_by("-pk")
            .first()
        )
        if task is not None:
            return [task.owner]
    if commitment.department_id is None:
        return []
    return [
        membership.user
        for membership in RegulatorMembership.objects.filter(
            department_id=commitment.department_id,
            role=RegulatorMembership.Role.SUPERVISOR,
            is_active=True,
            user__is_active=True,
        ).select_related("user")
    ]


def warning_render(
    *,
    step: WarningStep,
    obligation: Obligation,
    language: str,
    policy: WarningPolicy | None,
    grace_end_on: str | None = None,
) -> tuple[str, str]:
    """The subject line and body of a warning in ``language`` (templates per language)."""
    commitment = obligation.commitment
    if grace_end_on is None:
        grace_end_on = (
            grace_end(policy=policy, due_date=obligation.due_date).due_date.isoformat()
            if policy is not None and policy.records_breach
            else ""
        )
    context = {
        "reference": commitment.reference,
        "subject_name": commitment.subject.name,
        "obligation": obligation.title,
        "due_date": obligation.due_date.isoformat(),
        "offset": step.offset,
        "working_days": step.unit == DeadlineUnit.WORKING_DAYS,
        "grace_end": grace_end_on,
    }
    base = f"notifications/warnings/{step.audience}_{step.relative}"
    template = select_template([f"{base}.{language}.txt", f"{base}.zh-hans.txt"])
    with translation.override(language):
        text = template.render(context).strip()
    subject, _sep, body = text.partition("\n")
    return subject.strip(), body.strip()


@dataclass
class _Batch:
    """What one sweep batch accumulates so it can write the outbox in a few queries."""

    items: list[OutboxItem] = field(default_factory=list)
    languages: dict[int, str] = field(default_factory=dict)
    rendered: dict[tuple, tuple[str, str]] = field(default_factory=dict)
    grace_ends: dict[tuple, str] = field(default_factory=dict)

    def grace_end_on(self, policy: WarningPolicy | None, due_date: datetime.date) -> str:
        if policy is None or not policy.records_breach:
            return ""
        key = (policy.pk, due_date)
        if key not in self.grace_ends:
            self.grace_ends[key] = grace_end(policy=policy, due_date=due_date).due_date.isoformat()
        return self.grace_ends[key]


def _warn(row, obligation, step, policy, pending_report: bool, result, batch: _Batch) -> None:
    commitment = obligation.commitment
    if step.audience == WarningStep.Audience.APPLICANT:
        if pending_report:
            row.status, row.outcome = WarningSchedule.Status.SKIPPED, "performance under review"
            result.skipped += 1
            return
        recipients = [commitment.signed_by or commitment.created_by]
    else:
        recipients = _responsible_regulators(commitment)
    missing = {r.pk for r in recipients} - set(batch.languages)
    if missing:
        batch.languages.update(recipient_languages(user_ids=missing))
    link = reverse("commitments:obligation", args=[obligation.pk])
    for recipient in recipients:
        language = batch.languages[recipient.pk]
        cache_key = (obligation.pk, step.pk, language)
        if cache_key not in batch.rendered:
            batch.rendered[cache_key] = warning_render(
                step=step,
                obligation=obligation,
                language=language,
                policy=policy,
                grace_end_on=batch.grace_end_on(policy, obligation.due_date),
            )
        subject, body = batch.rendered[cache_key]
        for channel in step.channels:
            batch.items.append(
                OutboxItem(
                    key=f"warning:o{obligation.pk}:s{step.pk}:{channel}:u{recipient.pk}",
                    channel=channel,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                    language=language,
                    link=link,
                    audience_group=f"department:{commitment.department_id or 0}",
                    topic=f"obligation:{obligation.pk}",
                )
            )
    row.status = WarningSchedule.Status.DONE
    row.outcome = f"{len(recipients)} recipient(s)"
    result.warned += 1


def _breach(row, obligation, policy, pending_report: bool, result: SweepResult) -> None:
    if pending_report:
        row.status, row.outcome = WarningSchedule.Status.HELD, "performance under review"
        result.held += 1
        return
    from commitments.services.breaches import commitment_breach_record

    try:
        with transaction.atomic():  # a refusal must not undo the rest of the batch
            commitment_breach_record(
                commitment=obligation.commitment,
                by=system_user(),
                severity=policy.breach_severity,
                category_code=policy.breach_category_code,
                # Short: history reasons hold 100 characters; the obligation is linked.
                reason=(
                    f"Obligation due {obligation.due_date.isoformat()} not performed "
                    f"within the grace period."
                ),
                obligation=obligation,
            )
    except CommitmentError as error:
        row.status, row.outcome = WarningSchedule.Status.REFUSED, f"{error.code}: {error.message}"
        result.refused += 1
        logger.warning("Breach of obligation %s refused: %s", obligation.pk, error.message)
        return
    row.status, row.outcome = WarningSchedule.Status.DONE, "breach recorded"
    result.breached += 1


def obligation_warnings_sweep(*, now=None, batch_size: int = 500) -> SweepResult:
    """Settle every due ladder step once: write its warnings to the outbox or record the breach.

    Batches commit one by one; rows (and obligations) another sweep holds are skipped and
    left for it. Cost: a few queries per due row plus one per batch.
    """
    now = now or timezone.now()
    result = SweepResult()
    while _sweep_batch(now=now, batch_size=batch_size, result=result):
        pass
    return result


def _sweep_batch(*, now, batch_size: int, result: SweepResult) -> bool:
    with transaction.atomic():
        rows = list(
            WarningSchedule.objects.select_for_update(skip_locked=True)
            .filter(status=WarningSchedule.Status.PENDING, due_at__lte=now)
            .order_by("due_at", "pk")[:batch_size]
        )
        if not rows:
            return False
        obligations = {
            obligation.pk: obligation
            for obligation in Obligation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "commitment",
                "commitment__subject",
                "commitment__signed_by",
                "commitment__created_by",
            )
            .filter(pk__in={row.obligation_id for row in rows})
        }
        steps = WarningStep.objects.in_bulk({row.step_id for row in rows if row.step_id})
        template_ids = {o.commitment.template_id for o in obligations.values()}
        policies = {
            p.template_id: p for p in WarningPolicy.objects.filter(template_id__in=template_ids)
        }
        under_review = set(
            PerformanceReport.objects.filter(
                obligation_id__in=obligations, status=PerformanceReport.Status.SUBMITTED
            ).values_list("obligation_id", flat=True)
        )
        settled, batch = [], _Batch()
        for row in rows:
            obligation = obligations.get(row.obligation_id)
            if obligation is None:  # another transaction holds it: the next sweep takes it
                continue
            policy = policies.get(obligation.commitment.template_id)
            if obligation.status != Obligation.Status.PENDING:
                row.status, row.outcome = WarningSchedule.Status.SKIPPED, obligation.status
                result.skipped += 1
            elif row.kind == WarningSchedule.Kind.BREACH:
                if policy is None or not policy.records_breach:
                    row.status, row.outcome = WarningSchedule.Status.SKIPPED, "no breach policy"
                    result.skipped += 1
                else:
                    _breach(row, obligation, policy, row.obligation_id in under_review, result)
            else:
                _warn(
                    row,
                    obligation,
                    steps[row.step_id],
                    policy,
                    row.obligation_id in under_review,
                    result,
                    batch,
                )
            row.processed_at = now
            settled.append(row)
        result.messages += outbox_enqueue_many(items=batch.items)
        # Settled rows share a handful of outcomes: one UPDATE per outcome, not a CASE per row.
        by_outcome: dict[tuple[str, str], list[int]] = {}
        for row in settled:
            by_outcome.setdefault((row.status, row.outcome), []).append(row.pk)
        for (status, outcome), pks in by_outcome.items():
            WarningSchedule.objects.filter(pk__in=pks).update(
                status=status, outcome=outcome, processed_at=now
            )
        return len(settled) > 0
