"""Performance reports: the applicant reports that an obligation was performed, with
evidence files stored once under their SHA-256; an officer accepts (the obligation is
fulfilled and its ladder stops) or rejects (a held breach falls due again)."""

from __future__ import annotations

import hashlib
import mimetypes

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.errors import CommitmentError, ErrorCode, invalid_input
from commitments.obligations.models import (
    Obligation,
    PerformanceEvidence,
    PerformanceReport,
    WarningSchedule,
)
from commitments.obligations.services.access import check_officer, check_representative
from commitments.obligations.services.supply import is_supply_later, supply_check
from directory.audit import audited_save
from directory.inputs import file_name_problem

EVIDENCE_TYPES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}


def _store_evidence(upload) -> dict:
    """Check one uploaded file and store it under its SHA-256; the fields of its row."""
    max_bytes = getattr(settings, "OBLIGATION_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
    name = str(getattr(upload, "name", "") or "evidence")
    problem = file_name_problem(name)
    if problem is not None:
        raise invalid_input("files", problem)
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
    check_representative(by, locked.commitment)
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
    files = list(files or ())
    if is_supply_later(locked):
        supply_check(obligation=locked, files=files)
    text = (text or "").strip()
    if not text:
        raise invalid_input("text", _("Say what was done to perform the obligation."))
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
    check_officer(by, locked.obligation.commitment)
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
