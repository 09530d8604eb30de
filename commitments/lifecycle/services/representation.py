"""Authorisation letters: stored tamper-evidently, then put before an officer.

The letter's bytes go to the platform's content-addressed document storage (its key is the
SHA-256, and reading it back checks the hash), so the evidence the directory records (hash,
size, name) always points at the exact bytes the officer saw. The decision is the directory's
(``directory.representation.services``).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.errors import invalid_input
from commitments.lifecycle.services.signatures import upload_limit_bytes
from directory.representation.models import Representation
from directory.representation.services import representation_letter_submit
from signing.errors import SignatureRefused
from signing.models import SignedDocument
from signing.pades.upload import inspect_upload
from signing.storage import document_read, document_store


@transaction.atomic
def representation_letter_upload(
    *, user: AbstractBaseUser, code: str, role: str, data: bytes | None, filename: str = ""
) -> Representation:
    """Check the letter is a plain PDF, store it, and submit it for an officer's review.

    Raises ``CommitmentError`` (field ``file``) for a missing, oversized or unsafe file, and the
    directory's refusal for a code the user may not submit a letter for; nothing is kept then
    but the content-addressed file, which no row points at.
    """
    if not data:
        raise invalid_input("file", _("Choose the authorisation letter (PDF)."))
    if len(data) > upload_limit_bytes():
        raise invalid_input("file", _("The file is too large."))
    try:
        inspect_upload(data)
    except SignatureRefused:
        raise invalid_input(
            "file", _("The letter must be a plain PDF, complete, unencrypted, without scripts.")
        ) from None
    document = document_store(data=data)
    evidence = {
        "sha256": document.sha256,
        "size": document.size,
        "filename": (filename or "letter.pdf")[:200],
        "storage": "signed_document",
        "uploaded_at": timezone.now().isoformat(),
    }
    return representation_letter_submit(user=user, code=code, role=role, evidence=evidence)


def representation_letter_read(*, representation: Representation) -> bytes:
    """The letter's bytes, checked against the SHA-256 recorded as evidence."""
    sha256 = representation.evidence.get("sha256", "")
    document = SignedDocument.objects.get(sha256=sha256)
    return document_read(document)  # raises DocumentTampered if the bytes changed
