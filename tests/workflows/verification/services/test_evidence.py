"""Evidence of a verification: files checked by their first bytes, kept content-addressed."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments.lifecycle.models import Verification, VerificationEvidence
from tests.workflows.conftest import task_of
from workflows.errors import WorkflowError
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services.work import verification_complete

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


PDF = b"%PDF-1.7\n%test\n"


def test_evidence_files_are_kept_content_addressed(world, submitted_commitment):
    task = task_of(submitted_commitment)

    verification = verification_complete(
        task=task,
        by=world.regulator,
        method="online",
        finding="fulfilled",
        evidence_summary="国家企业信用信息公示系统 查询结果一致",
        files=[SimpleUploadedFile("现场照片.png", PNG), SimpleUploadedFile("记录.pdf", PDF)],
    )

    stored = list(verification.evidence.order_by("pk"))
    digest = hashlib.sha256(PNG).hexdigest()
    assert [(e.original_name, e.content_type, e.size) for e in stored] == [
        ("现场照片.png", "image/png", len(PNG)),
        ("记录.pdf", "application/pdf", len(PDF)),
    ]
    assert stored[0].file.name == f"evidence/{digest[:2]}/{digest}.png"
    with default_storage.open(stored[0].file.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == stored[0].sha256 == digest
    assert verification.detail.evidence_summary == "国家企业信用信息公示系统 查询结果一致"


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("a.exe", b"MZ\x90\x00"), "a.exe is not a PDF, PNG or JPEG file."),
        (SimpleUploadedFile("fake.png", b"GIF89a"), "fake.png is not a PDF, PNG or JPEG file."),
        (SimpleUploadedFile("empty.pdf", b""), "empty.pdf is empty."),
        (
            SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)),
            "big.pdf is larger than 10 MB.",
        ),
        (SimpleUploadedFile("a\x07.pdf", b"%PDF-"), "The file name contains control characters."),
        (
            SimpleUploadedFile("e" * 230 + ".pdf", b"%PDF-"),
            "The file name is longer than 200 characters.",
        ),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_recorded(
    world, submitted_commitment, upload, message
):
    task = task_of(submitted_commitment)

    with pytest.raises(WorkflowError) as refused:
        verification_complete(
            task=task, by=world.regulator, method="on_site", finding="fulfilled", files=[upload]
        )

    assert (refused.value.field, str(refused.value.message)) == ("evidence", message)
    assert Verification.objects.count() == 0
    assert VerificationEvidence.objects.count() == 0
    assert VerificationTaskIndex.objects.filter(task=task).exists()
