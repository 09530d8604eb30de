"""Performance reports: evidence stored by content, refused after a breach with a clear reason,
accepted by the department (fulfilled, the ladder stops) or rejected (a held breach resumes)."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments.errors import CommitmentError, ErrorCode
from commitments.obligations.models import (
    Obligation,
    PerformanceEvidence,
    PerformanceReport,
    WarningSchedule,
)
from commitments.obligations.services.reports import (
    obligation_accept_performance,
    obligation_reject_performance,
    obligation_report_performance,
)
from commitments.obligations.services.sweep import obligation_warnings_sweep
from credit.record.models.breaches import Breach
from notifications.models import OutboxMessage
from tests.commitments.obligations.conftest import at

# The obligations' warnings, not the e-mails that notifications of the submission wrote.
WARNINGS = OutboxMessage.objects.filter(key__startswith="warning:")

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
AFTER_GRACE = at(datetime.date(2026, 4, 8), 0, 5)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_a_report_keeps_its_evidence_under_the_content_hash(world, obligation):
    report = obligation_report_performance(
        obligation=obligation,
        by=world.applicant,
        text="已取得场所租赁合同及产权证明。",
        files=[upload("租赁合同.pdf", PDF), upload("照片.png", PNG), upload("copy.pdf", PDF)],
    )

    assert report.status == PerformanceReport.Status.SUBMITTED
    digest = hashlib.sha256(PDF).hexdigest()
    rows = list(report.evidence.values_list("original_name", "content_type", "size", "file"))
    assert rows == [
        ("租赁合同.pdf", "application/pdf", len(PDF), f"evidence/{digest[:2]}/{digest}.pdf"),
        (
            "照片.png",
            "image/png",
            len(PNG),
            f"evidence/{hashlib.sha256(PNG).hexdigest()[:2]}/{hashlib.sha256(PNG).hexdigest()}.png",
        ),
        ("copy.pdf", "application/pdf", len(PDF), f"evidence/{digest[:2]}/{digest}.pdf"),
    ]
    with default_storage.open(f"evidence/{digest[:2]}/{digest}.pdf") as stored:
        assert stored.read() == PDF
    assert obligation.performance_reports.get().history.latest().history_user == world.applicant


@pytest.mark.parametrize(
    ("files", "text", "field", "message"),
    [
        (
            [upload("notes.txt", b"just text")],
            "done",
            "files",
            "notes.txt is not a PDF, PNG or JPEG file.",
        ),
        ([upload("empty.pdf", b"")], "done", "files", "empty.pdf is empty."),
        (
            [upload("big.pdf", PDF + b"0" * 2048)],
            "done",
            "files",
            "big.pdf is larger than the limit of 1 KiB.",
        ),
        ([], "   ", "text", "Say what was done to perform the obligation."),
        (
            [upload("报告\u202egpj.pdf", PDF)],
            "done",
            "files",
            "The file name contains control characters.",
        ),
        (
            [upload("r" * 240 + ".pdf", PDF)],
            "done",
            "files",
            "The file name is longer than 200 characters.",
        ),
    ],
)
def test_bad_reports_are_refused_and_store_nothing(
    world, obligation, settings, files, text, field, message
):
    settings.OBLIGATION_EVIDENCE_MAX_BYTES = 1024

    with pytest.raises(CommitmentError) as refusal:
        obligation_report_performance(
            obligation=obligation, by=world.applicant, text=text, files=files
        )

    assert (refusal.value.code, refusal.value.field, str(refusal.value.message)) == (
        ErrorCode.INVALID,
        field,
        message,
    )
    assert PerformanceReport.objects.count() == 0
    assert PerformanceEvidence.objects.count() == 0


def test_someone_else_cannot_report(world, obligation):
    with pytest.raises(CommitmentError) as refusal:
        obligation_report_performance(obligation=obligation, by=world.stranger, text="done")

    assert refusal.value.code == ErrorCode.FORBIDDEN
    assert PerformanceReport.objects.count() == 0


def test_a_report_after_the_breach_is_refused_with_the_reason(world, obligation):
    with time_machine.travel(AFTER_GRACE, tick=False):
        obligation_warnings_sweep()
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.BREACHED

    with pytest.raises(CommitmentError) as refusal:
        obligation_report_performance(
            obligation=obligation, by=world.applicant, text="补交了", files=[upload("a.pdf", PDF)]
        )

    assert refusal.value.code == ErrorCode.INVALID_STATE
    assert refusal.value.field == "status"
    assert str(refusal.value.message).startswith(
        "A breach has already been recorded for this obligation"
    )
    assert PerformanceReport.objects.count() == 0
    assert PerformanceEvidence.objects.count() == 0


def test_only_one_report_waits_for_review_at_a_time(world, obligation):
    obligation_report_performance(obligation=obligation, by=world.applicant, text="first")

    with pytest.raises(CommitmentError) as refusal:
        obligation_report_performance(obligation=obligation, by=world.applicant, text="second")

    assert str(refusal.value.message) == "A report on this obligation is already awaiting review."
    assert PerformanceReport.objects.count() == 1


def test_accepting_fulfils_the_obligation_and_stops_its_ladder(world, obligation):
    report = obligation_report_performance(obligation=obligation, by=world.applicant, text="done")

    with time_machine.travel(at(datetime.date(2026, 3, 20)), tick=False):
        fulfilled = obligation_accept_performance(
            report=report, by=world.regulator, note="核实无误"
        )

    assert fulfilled.status == Obligation.Status.FULFILLED
    report.refresh_from_db()
    assert (report.status, report.decided_by, report.decision_note) == (
        "accepted",
        world.regulator,
        "核实无误",
    )
    assert set(
        WarningSchedule.objects.filter(obligation=obligation)
        .exclude(due_at__lt=at(datetime.date(2026, 3, 20)))
        .values_list("status", flat=True)
    ) == {"skipped"}
    with time_machine.travel(AFTER_GRACE, tick=False):
        result = obligation_warnings_sweep()
    assert (result.warned, result.breached) == (0, 0)
    assert WARNINGS.count() == 0
    assert Breach.objects.count() == 0


def test_another_department_cannot_accept(world, obligation):
    report = obligation_report_performance(obligation=obligation, by=world.applicant, text="done")

    with pytest.raises(CommitmentError) as refusal:
        obligation_accept_performance(report=report, by=world.foreign_regulator)

    assert refusal.value.code == ErrorCode.FORBIDDEN
    assert Obligation.objects.get(pk=obligation.pk).status == Obligation.Status.PENDING
    assert PerformanceReport.objects.get().status == PerformanceReport.Status.SUBMITTED


def test_a_report_under_review_holds_the_breach_until_it_is_rejected(world, obligation):
    # given a report sent on the due date and not yet reviewed when the grace period ends
    with time_machine.travel(at(datetime.date(2026, 3, 30), 15), tick=False):
        report = obligation_report_performance(
            obligation=obligation, by=world.applicant, text="done"
        )
    with time_machine.travel(AFTER_GRACE, tick=False):
        held = obligation_warnings_sweep()

    # then no breach is recorded against someone who may have performed on time
    assert (held.held, held.breached) == (1, 0)
    assert Breach.objects.count() == 0
    assert Obligation.objects.get(pk=obligation.pk).status == Obligation.Status.PENDING

    # when the department rejects the report, the breach falls due and is recorded once
    with time_machine.travel(at(datetime.date(2026, 4, 9)), tick=False):
        with pytest.raises(CommitmentError):
            obligation_reject_performance(report=report, by=world.regulator, note="  ")
        obligation_reject_performance(report=report, by=world.regulator, note="合同未备案")
        recorded = obligation_warnings_sweep()
        again = obligation_warnings_sweep()

    assert (recorded.breached, again.breached) == (1, 0)
    assert Breach.objects.filter(source_kind="obligation", source_id=obligation.pk).count() == 1
    assert Obligation.objects.get(pk=obligation.pk).status == Obligation.Status.BREACHED
