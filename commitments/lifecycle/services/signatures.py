"""Signatures of commitments: the applicant's signature with trusted time and the platform
seal, and commitments signed elsewhere and uploaded.

This module orchestrates the ``signing`` app (which knows PDFs and keys but nothing of
commitments) for a commitment:

- ``commitment_document_sign``: the applicant's B-T signature, the platform seal at B-LTA,
  content-addressed storage, the archive timestamp's expiry for the renewal job;
- ``issued_form_record``: the unsigned form downloaded to be signed elsewhere, remembered by
  its digest, day and language;
- ``commitment_upload_accept``: a commitment PDF signed elsewhere, checked against the forms
  issued for it (ADR 0039) and sealed;
- ``upload_refused`` / ``refusal_message`` / ``upload_limit_bytes``: what an uploaded file is
  refused for, in words a person understands, and how large it may be.

A timestamp service that does not answer raises ``SigningPending`` (a ``CommitmentError``):
the caller keeps the draft and records a ``SigningRequest`` (``signing_requests``) that a task
completes later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment, IssuedForm
from directory.bulk import bulk_insert
from directory.models import Subject
from signing.errors import SignatureRefused, SigningError, TimestampUnavailable
from signing.identity import SignerIdentity
from signing.models import ArchiveTimestamp, SignedDocument
from signing.pades.seal import seal_pdf
from signing.pades.sign import PreparedSigner, sign_pdf, signer_prepare
from signing.pades.upload import FormDigest, UploadCheck, check_uploaded_signature
from signing.storage import document_store

REFUSAL_MESSAGES = {
    "not_pdf": gettext_lazy("This file is not a PDF document."),
    "too_large": gettext_lazy("This file is too large (at most %(limit)s MB)."),
    "truncated": gettext_lazy("This PDF is incomplete or damaged; upload the whole file again."),
    "encrypted": gettext_lazy(
        "This PDF is password-protected; upload the signed file without a password."
    ),
    "active_content": gettext_lazy(
        "This PDF contains scripts or automatic actions, which are not accepted."
    ),
    "unsigned": gettext_lazy("This PDF carries no electronic signature."),
    "tampered": gettext_lazy(
        "The document was changed after it was signed: the signature no longer matches it."
    ),
    "wrong_document": gettext_lazy(
        "This is not the commitment as the platform rendered it: download the commitment PDF "
        "from the platform, sign that file without changing it, and upload it again."
    ),
    "superseded": gettext_lazy(
        "This form was downloaded before the commitment was last edited, so it no longer says "
        "what the commitment says: download the form again, sign the new file and upload it."
    ),
    "untrusted": gettext_lazy(
        "The signing certificate was not issued by a certification authority this platform trusts."
    ),
    "expired": gettext_lazy("The signing certificate has expired (or is not valid yet)."),
    "revoked": gettext_lazy("The signing certificate has been revoked by its issuer."),
    "wrong_subject": gettext_lazy(
        "The signing certificate belongs to someone else: it does not carry the credit code "
        "or identity number of the committing party."
    ),
}
UPLOAD_LOOKBACK_DAYS = 7  # an uploaded commitment may have been rendered up to a week ago


class SigningPending(CommitmentError):
    """The signature could not be completed now (timestamp service down); retry later."""

    def __init__(self, message: str, *, uploaded_pdf: bytes | None = None) -> None:
        super().__init__(ErrorCode.INVALID_STATE, message, field="status")
        self.uploaded_pdf = uploaded_pdf


def refusal_message(reason: str) -> str:
    """Return the explanation a person understands for a refusal reason."""
    message = REFUSAL_MESSAGES.get(reason)
    if message is None:
        return _("The document was refused.")
    if reason == "too_large":
        return str(message) % {"limit": upload_limit_bytes() // (1024 * 1024)}
    return str(message)


def upload_limit_bytes() -> int:
    """Return the largest signed PDF accepted for upload or verification."""
    return int(getattr(settings, "SIGNING_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def public_verify_url(reference: str) -> str:
    """Return the absolute address of a commitment's public verification page (the QR code)."""
    return settings.SITE_URL.rstrip("/") + reverse("public:verify-reference", args=[reference])


def _identity(commitment: Commitment, by: AbstractBaseUser) -> SignerIdentity:
    return SignerIdentity(
        subject_code=commitment.subject.code,
        subject_name=commitment.subject.name,
        is_organisation=commitment.subject.kind == Subject.Kind.COMPANY,
        user_label=by.get_username(),
    )


def _seal_and_store(
    *, data: bytes, commitment: Commitment, serial: str, uploaded: bool = False
) -> SignedDocument:
    """Seal (B-LTA) and store; record when its archive timestamp must be renewed."""
    sealed = seal_pdf(
        data,
        reference=commitment.reference,
        verify_url=public_verify_url(commitment.reference),
        extra_trust_roots_der=trust_roots_der() if uploaded else (),
        extra_crls_der=trust_crls_der() if uploaded else (),
    )
    stored = document_store(data=sealed.data, signer_certificate_serial=serial)
    # The row of bytes stored before keeps its own (one statement either way).
    bulk_insert(
        ArchiveTimestamp,
        [ArchiveTimestamp(document=stored, expires_at=sealed.timestamp_expires_at)],
        ignore_conflicts=True,
    )
    return stored


def commitment_signer_prepare(*, commitment: Commitment, by: AbstractBaseUser) -> PreparedSigner:
    """Issue the one-off certificate ``by`` signs ``commitment`` with, before it is drawn."""
    try:
        return signer_prepare(identity=_identity(commitment, by))
    except SigningError as error:
        raise CommitmentError(ErrorCode.INVALID_STATE, str(error)) from error


def commitment_document_sign(
    *,
    commitment: Commitment,
    by: AbstractBaseUser,
    pdf: bytes,
    signer: PreparedSigner | None = None,
) -> SignedDocument:
    """Sign the rendered commitment (B-T), seal it (B-LTA) and store it; return the document.

    Raises ``SigningPending`` when the timestamp service does not answer, and a
    ``CommitmentError`` for any other signing failure. Nothing is stored on failure.
    """
    try:
        signed = sign_pdf(
            pdf,
            signer=signer or _identity(commitment, by),
            reason=f"{commitment.template.title} {commitment.reference}",
        )
        return _seal_and_store(
            data=signed.data, commitment=commitment, serial=signed.certificate_serial
        )
    except TimestampUnavailable as error:
        raise SigningPending(
            _("Signing in progress, waiting for the timestamp service.")
        ) from error
    except SigningError as error:
        raise CommitmentError(ErrorCode.INVALID_STATE, str(error)) from error


@dataclass(frozen=True)
class UploadAccepted:
    """An uploaded signature that passed every check, sealed and stored."""

    document: SignedDocument
    rendered_on: date
    certificate_serial: str = ""
    certificate_issuer: str = ""


def issued_form_record(
    *, commitment: Commitment, by: AbstractBaseUser, pdf: bytes, rendered_on: date, language: str
) -> IssuedForm:
    """Remember ``pdf``, the unsigned form of ``commitment`` for ``rendered_on`` in
    ``language``, as issued to ``by`` to be signed elsewhere; once per distinct bytes."""
    digest = FormDigest.of(pdf)
    issued = IssuedForm(
        commitment=commitment,
        sha256=digest.sha256,
        size=digest.size,
        rendered_on=rendered_on,
        language=language,
        issued_at=timezone.now(),
        issued_by=by,
    )
    issued.full_clean(validate_unique=False, validate_constraints=False)
    # The same bytes downloaded again (the same day and language) keep their first record.
    IssuedForm.objects.bulk_create([issued], ignore_conflicts=True)
    return issued


@dataclass(frozen=True)
class UploadCandidates:
    """The forms an upload may be signed over (with their days), and those an edit of the
    draft superseded, which are refused with their own reason."""

    current: dict[FormDigest, date]
    superseded: frozenset[FormDigest] = frozenset()


def issued_forms_supersede(*, commitment: Commitment) -> int:
    """Mark every form issued for ``commitment`` so far as superseded (the draft was edited);
    return how many. Call it inside the edit's transaction."""
    return IssuedForm.objects.filter(commitment=commitment, superseded_at__isnull=True).update(
        superseded_at=timezone.now()
    )


def upload_candidates(
    *, commitment: Commitment, render: Callable[[date, str], bytes]
) -> UploadCandidates:
    """Return the forms an upload for ``commitment`` may be signed over, with their days.

    The forms issued for it in the last week and not superseded by an edit of the draft
    (``IssuedForm``). A commitment with no form recorded at all had its form downloaded
    before forms were recorded (or never): for it, as before, the renders of the last week
    in both languages (``render(on, language)``), which show the draft as it is now and
    match only while the renderer writes the same bytes (ADR 0039).
    """
    today = timezone.localdate()
    since = today - timedelta(days=UPLOAD_LOOKBACK_DAYS)
    issued = list(
        IssuedForm.objects.filter(commitment=commitment).values_list(
            "sha256", "size", "rendered_on", "superseded_at"
        )
    )
    if issued:
        current = {
            FormDigest(sha256=sha256, size=size): on
            for sha256, size, on, superseded_at in issued
            if on >= since and superseded_at is None
        }
        superseded = frozenset(
            FormDigest(sha256=sha256, size=size)
            for sha256, size, _on, superseded_at in issued
            if superseded_at is not None
        )
        return UploadCandidates(current=current, superseded=superseded - current.keys())
    candidates: dict[FormDigest, date] = {}
    for days_back in range(UPLOAD_LOOKBACK_DAYS + 1):
        on = today - timedelta(days=days_back)
        for language in ("zh-hans", "en"):
            candidates.setdefault(FormDigest.of(render(on, language)), on)
    return UploadCandidates(current=candidates)


def commitment_upload_check(
    *, commitment: Commitment, data: bytes, render: Callable[[date, str], bytes]
) -> tuple[date, UploadCheck]:
    """Check an uploaded signed commitment PDF; return (the form's day, what the check proved).

    The upload must be one of ``upload_candidates`` plus a signature. Raises a
    ``CommitmentError`` (code ``invalid``, field ``file``) with a reason a person understands:
    ``superseded`` for a form issued before the draft was last edited.
    """
    if len(data) > upload_limit_bytes():
        raise upload_refused("too_large")
    candidates = upload_candidates(commitment=commitment, render=render)
    try:
        check = check_uploaded_signature(
            data,
            issued_forms=[*candidates.current, *candidates.superseded],
            subject_code=commitment.subject.code,
            trust_roots_der=trust_roots_der(),
            crls_der=trust_crls_der(),
        )
    except SignatureRefused as refusal:
        raise upload_refused(refusal.reason) from refusal
    if check.form in candidates.superseded:
        raise upload_refused("superseded")
    return candidates.current[check.form], check


def commitment_upload_accept(
    *, commitment: Commitment, data: bytes, render: Callable[[date, str], bytes]
) -> UploadAccepted:
    """Check, seal and store an uploaded signed commitment (see ``commitment_upload_check``)."""
    rendered_on, check = commitment_upload_check(commitment=commitment, data=data, render=render)
    try:
        document = _seal_and_store(
            data=data, commitment=commitment, serial=check.certificate_serial, uploaded=True
        )
    except TimestampUnavailable as error:
        raise SigningPending(
            _("Signing in progress, waiting for the timestamp service."), uploaded_pdf=data
        ) from error
    except SigningError as error:
        raise CommitmentError(ErrorCode.INVALID_STATE, str(error)) from error
    return UploadAccepted(
        document=document,
        rendered_on=rendered_on,
        certificate_serial=check.certificate_serial,
        certificate_issuer=check.certificate_issuer,
    )


def upload_refused(reason: str) -> CommitmentError:
    """Return the refusal of an uploaded file, with ``reason`` (a stable word) attached."""
    error = CommitmentError(ErrorCode.INVALID, refusal_message(reason), field="file")
    error.reason = reason  # type: ignore[attr-defined]
    return error


def trust_roots_der() -> list[bytes]:
    """Return the trust list for uploaded signatures: SIGNING_TRUST_ROOTS files (PEM or DER)."""
    return [_certificate_der(Path(path)) for path in getattr(settings, "SIGNING_TRUST_ROOTS", ())]


def trust_crls_der() -> list[bytes]:
    """Return CRLs configured for the trust list (SIGNING_TRUST_CRLS files, PEM or DER)."""
    crls = []
    for path in getattr(settings, "SIGNING_TRUST_CRLS", ()):
        raw = Path(path).read_bytes()
        crl = x509.load_pem_x509_crl(raw) if b"-----BEGIN" in raw else x509.load_der_x509_crl(raw)
        crls.append(crl.public_bytes(serialization.Encoding.DER))
    return crls


def _certificate_der(path: Path) -> bytes:
    raw = path.read_bytes()
    certificate = (
        x509.load_pem_x509_certificate(raw)
        if b"-----BEGIN" in raw
        else x509.load_der_x509_certificate(raw)
    )
    return certificate.public_bytes(serialization.Encoding.DER)
