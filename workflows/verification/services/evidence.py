"""Evidence files of a verification: checked, then stored once under their SHA-256.

The type is decided from the file's first bytes, not from the name or the browser's claim.
Files are written to the default storage before the rows; a rolled-back transaction can
leave a stored file nobody references, which is harmless (the next upload of the same
bytes reuses it) and never the other way round.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.lifecycle.models import Verification, VerificationEvidence
from directory.inputs import file_name_problem
from workflows.errors import WorkflowError, WorkflowErrorCode

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
# First bytes → (content type, extension).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    sha256: str
    content_type: str
    extension: str


def _refuse(message: str) -> WorkflowError:
    return WorkflowError(WorkflowErrorCode.INVALID, message, field="evidence")


def evidence_check(files: Sequence) -> list[CheckedFile]:
    """Read and check uploaded files; refuse the lot if any is too big or of the wrong type."""
    if len(files) > MAX_FILES:
        raise _refuse(_("Attach at most %(count)d files.") % {"count": MAX_FILES})
    checked = []
    for upload in files:
        name = getattr(upload, "name", "") or "evidence"
        problem = file_name_problem(name)
        if problem is not None:
            raise _refuse(problem)
        size = getattr(upload, "size", None)
        if size is not None and size > MAX_FILE_BYTES:
            raise _refuse(_("%(name)s is larger than 10 MB.") % {"name": name})
        content = upload.read(MAX_FILE_BYTES + 1)
        if len(content) > MAX_FILE_BYTES:
            raise _refuse(_("%(name)s is larger than 10 MB.") % {"name": name})
        if not content:
            raise _refuse(_("%(name)s is empty.") % {"name": name})
        kind = next((sig for sig in SIGNATURES if content.startswith(sig[0])), None)
        if kind is None:
            raise _refuse(_("%(name)s is not a PDF, PNG or JPEG file.") % {"name": name})
        checked.append(
            CheckedFile(name, content, hashlib.sha256(content).hexdigest(), kind[1], kind[2])
        )
    return checked


def evidence_file_save(item: CheckedFile) -> str:
    """Store a checked file once under its SHA-256; the storage path."""
    path = f"evidence/{item.sha256[:2]}/{item.sha256}.{item.extension}"
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(item.content))
        if saved != path:  # a concurrent upload of the same bytes won the name
            default_storage.delete(saved)
    return path


def evidence_store(
    *, verification: Verification, files: Sequence[CheckedFile], by
) -> list[VerificationEvidence]:
    """Store checked files content-addressed and link them to the verification."""
    stored = []
    now = timezone.now()
    for item in files:
        evidence = VerificationEvidence(
            verification=verification,
            file=evidence_file_save(item),
            sha256=item.sha256,
            size=len(item.content),
            content_type=item.content_type,
            original_name=item.name,
            uploaded_by=by,
            uploaded_at=now,
        )
        evidence._history_user = by
        evidence._change_reason = "evidence attached"
        evidence.full_clean()
        evidence.save()
        stored.append(evidence)
    return stored
