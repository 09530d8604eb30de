"""Evidence of commitments: signing with trusted time and the platform seal, uploaded
signatures, the public register's events and receipts, and the public verification report.

This module orchestrates the ``signing`` app (which knows PDFs, keys and the Merkle log but
nothing of commitments) for the commitment domain:

- ``commitment_document_sign``: the applicant's B-T signature, the platform seal at B-LTA,
  content-addressed storage, the archive timestamp's expiry for the renewal job;
- ``commitment_upload_accept``: a commitment PDF signed elsewhere, checked and sealed;
- ``registry_event_append``: one registry event as a salted leaf of the transparency log,
  with a signed checkpoint, for every engineer's events (signed, verified, breached, ...);
- ``registry_receipts`` / ``public_report_*`` / ``evidence_certificate_pdf``: reads.

A timestamp service that does not answer raises ``SigningPending`` (a ``CommitmentError``):
the caller keeps the draft and records a ``SigningRequest`` that a task completes later.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment, RegistryEvent, SigningRequest
from directory.models import Subject
from signing.errors import SignatureRefused, SigningError, TimestampUnavailable
from signing.identity import SignerIdentity
from signing.models import ArchiveTimestamp, SignedDocument
from signing.pades.seal import seal_pdf
from signing.pades.sign import sign_pdf
from signing.pades.upload import check_uploaded_signature
from signing.pades.validate import ValidationReport, validate_pdf
from signing.register.merkle import leaf_hash, salted_digest
from signing.register.models import Checkpoint
from signing.register.receipts import receipt_build
from signing.register.services import checkpoint_create, log_append
from signing.render.evidence import EvidenceCertificate, EvidenceLine, render_evidence_certificate
from signing.storage import document_read, document_store

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
    ArchiveTimestamp.objects.get_or_create(
        document=stored, defaults={"expires_at": sealed.timestamp_expires_at}
    )
    return stored


def commitment_document_sign(
    *, commitment: Commitment, by: AbstractBaseUser, pdf: bytes
) -> SignedDocument:
    """Sign the rendered commitment (B-T), seal it (B-LTA) and store it; return the document.

    Raises ``SigningPending`` when the timestamp service does not answer, and a
    ``CommitmentError`` for any other signing failure. Nothing is stored on failure.
    """
    try:
        signed = sign_pdf(
            pdf,
            signer=_identity(commitment, by),
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


def commitment_upload_check(
    *, commitment: Commitment, data: bytes, render: Callable[[date, str], bytes]
) -> tuple[date, str]:
    """Check an uploaded signed commitment PDF; return (render date, signer serial).

    ``render(on, language)`` renders the commitment as of a date in a language: the upload
    must be one of those renders (the last week, both languages) plus a signature. Raises a
    ``CommitmentError`` (code ``invalid``, field ``file``) with a reason a person understands.
    """
    if len(data) > upload_limit_bytes():
        raise _refused("too_large")
    today = timezone.localdate()
    candidates: dict[bytes, date] = {}
    for days_back in range(UPLOAD_LOOKBACK_DAYS + 1):
        on = today - timedelta(days=days_back)
        for language in ("zh-hans", "en"):
            candidates.setdefault(render(on, language), on)
    try:
        check = check_uploaded_signature(
            data,
            rendered_candidates=list(candidates),
            subject_code=commitment.subject.code,
            trust_roots_der=trust_roots_der(),
            crls_der=trust_crls_der(),
        )
    except SignatureRefused as refusal:
        raise _refused(refusal.reason) from refusal
    rendered_on = next(on for pdf, on in candidates.items() if len(pdf) == check.rendered_length)
    return rendered_on, check.certificate_serial


def commitment_upload_accept(
    *, commitment: Commitment, data: bytes, render: Callable[[date, str], bytes]
) -> UploadAccepted:
    """Check, seal and store an uploaded signed commitment (see ``commitment_upload_check``)."""
    rendered_on, serial = commitment_upload_check(commitment=commitment, data=data, render=render)
    try:
        document = _seal_and_store(data=data, commitment=commitment, serial=serial, uploaded=True)
    except TimestampUnavailable as error:
        raise SigningPending(
            _("Signing in progress, waiting for the timestamp service."), uploaded_pdf=data
        ) from error
    except SigningError as error:
        raise CommitmentError(ErrorCode.INVALID_STATE, str(error)) from error
    return UploadAccepted(document=document, rendered_on=rendered_on)


def _refused(reason: str) -> CommitmentError:
    error = CommitmentError(ErrorCode.INVALID, refusal_message(reason), field="file")
    error.reason = reason  # type: ignore[attr-defined]
    return error


def trust_roots_der() -> list[bytes]:
    """Return the trust list for uploaded signatures: SIGNING_TRUST_ROOTS files (PEM or DER)."""
    return [_certificate_der(Path(path)) for path in getattr(settings, "SIGNING_TRUST_ROOTS", ())]


def trust_crls_der() -> list[bytes]:
    """Return CRLs configured for the trust list (SIGNING_TRUST_CRLS files, PEM or DER)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    crls = []
    for path in getattr(settings, "SIGNING_TRUST_CRLS", ()):
        raw = Path(path).read_bytes()
        crl = x509.load_pem_x509_crl(raw) if b"-----BEGIN" in raw else x509.load_der_x509_crl(raw)
        crls.append(crl.public_bytes(serialization.Encoding.DER))
    return crls


def _certificate_der(path: Path) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    raw = path.read_bytes()
    certificate = (
        x509.load_pem_x509_certificate(raw)
        if b"-----BEGIN" in raw
        else x509.load_der_x509_certificate(raw)
    )
    return certificate.public_bytes(serialization.Encoding.DER)


# -- signing requests --------------------------------------------------------------------


def signing_request_record(
    *, commitment: Commitment, by: AbstractBaseUser, pending: SigningPending
) -> tuple[SigningRequest, bool]:
    """Keep a commitment whose signing must be finished later; say whether to enqueue.

    A request already pending only counts the attempt (its task is already retrying).
    """
    from directory.audit import audited_save

    uploaded = None
    if pending.uploaded_pdf is not None:
        uploaded = document_store(data=pending.uploaded_pdf)
    request = SigningRequest.objects.select_for_update().filter(commitment=commitment).first()
    enqueue = False
    if request is None:
        request = SigningRequest(
            commitment=commitment,
            requested_by=by,
            kind=SigningRequest.Kind.UPLOADED if uploaded else SigningRequest.Kind.PLATFORM,
        )
        enqueue = True
    elif request.status != SigningRequest.Status.PENDING:
        request.reopen()
        request.requested_by = by
        enqueue = True
    request.uploaded_document = uploaded or request.uploaded_document
    request.attempts += 1
    request.last_error = str(pending.message)
    audited_save(request, by=by, reason="signing waits for the timestamp service")
    return request, enqueue


def signing_request_close(*, commitment: Commitment, by: AbstractBaseUser) -> None:
    """Mark the commitment's pending signing request completed (it has just been signed)."""
    from directory.audit import audited_save

    request = (
        SigningRequest.objects.select_for_update()
        .filter(commitment=commitment, status=SigningRequest.Status.PENDING)
        .first()
    )
    if request is not None:
        request.complete()
        audited_save(request, by=by, reason="signed")


def signing_request_fail(*, request_id: int, error: str) -> None:
    """Give up on a request after the last retry; the applicant can sign again."""
    from directory.audit import audited_save, system_user

    with transaction.atomic():
        request = SigningRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is not None and request.status == SigningRequest.Status.PENDING:
            request.fail(error=error)
            audited_save(request, by=system_user(), reason="timestamp service did not answer")


# -- the register ---------------------------------------------------------------------------


@transaction.atomic
def registry_event_append(
    *,
    event_type: str,
    commitment: Commitment | None = None,
    subject: Subject | None = None,
    payload: dict,
    actor: AbstractBaseUser | None = None,
) -> RegistryEvent:
    """Append one registry event to the transparency log and sign a new checkpoint.

    The log receives only SHA-256(0x00 || SHA-256(salt || event)); the event (type, the
    commitment's reference, the subject's code, the time and ``payload``) and its 32-byte
    random salt stay in the returned ``RegistryEvent``, from which a receipt can be built.
    ``payload`` must be JSON-serialisable and should hold no more personal data than needed.
    """
    if event_type not in RegistryEvent.Type.values:
        raise CommitmentError(
            ErrorCode.INVALID, _("Unknown registry event %(type)s.") % {"type": event_type}
        )
    subject = subject or (commitment.subject if commitment is not None else None)
    now = timezone.now()
    event = {
        "type": event_type,
        "reference": commitment.reference if commitment is not None else None,
        "subject": subject.code if subject is not None else None,
        "time": now.isoformat(),
        "payload": payload,
    }
    salt = secrets.token_bytes(32)
    appended = log_append([(leaf_hash(salted_digest(salt=salt, event=event)), event_type)])
    checkpoint_create(tree_size=appended.tree_size, root=appended.root_hash)
    record = RegistryEvent(
        event_type=event_type,
        commitment=commitment,
        subject=subject,
        actor=actor,
        event=event,
        salt=salt.hex(),
        leaf_index=appended.first_index,
        created_at=now,
    )
    record.full_clean()
    record.save()
    return record


def registry_receipt(*, event: RegistryEvent, checkpoint: Checkpoint | None = None) -> dict:
    """Return the receipt of an event against the latest (or the given) checkpoint."""
    checkpoint = checkpoint or Checkpoint.objects.order_by("-tree_size").first()
    if checkpoint is None or checkpoint.tree_size <= event.leaf_index:
        checkpoint = checkpoint_create()
    return receipt_build(
        index=event.leaf_index,
        salt=bytes.fromhex(event.salt),
        event=event.event,
        checkpoint=checkpoint,
    )


def registry_receipts(*, commitment: Commitment) -> list[dict]:
    """Return a receipt for every registry event of a commitment, against one checkpoint."""
    checkpoint = Checkpoint.objects.order_by("-tree_size").first()
    return [
        registry_receipt(event=event, checkpoint=checkpoint)
        for event in commitment.registry_events.order_by("leaf_index")
    ]


# -- public verification -----------------------------------------------------------------------


PUBLIC_STATUS = {
    Commitment.Status.DRAFT: gettext_lazy("Not signed"),
    Commitment.Status.SIGNED: gettext_lazy("Signed, awaiting verification"),
    Commitment.Status.UNDER_VERIFICATION: gettext_lazy("Signed, under verification"),
    Commitment.Status.FULFILLED: gettext_lazy("Verified: fulfilled"),
    Commitment.Status.BREACHED: gettext_lazy("Verified: breached"),
    Commitment.Status.WITHDRAWN: gettext_lazy("Withdrawn"),
}


def _latest_version(document: SignedDocument) -> SignedDocument:
    """Follow renewals (new archive timestamps) to the newest version of a document."""
    current = document
    for _hop in range(100):
        following = getattr(current, "next_version", None)
        if following is None:
            return current
        current = following.document
    return current


def _signatures_json(report: ValidationReport) -> list[dict]:
    return [
        {
            "field": signature.field_name,
            "kind": "platform_seal" if signature.is_platform_seal else "applicant",
            "signer": signature.signer_name,
            "signer_code": signature.signer_code,
            "signed_at": signature.timestamp_time.isoformat() if signature.timestamp_time else None,
            "claimed_time": signature.signing_time.isoformat() if signature.signing_time else None,
            "timestamped": signature.timestamp_time is not None,
            "timestamp_trusted": signature.timestamp_trusted,
            "intact": signature.intact,
            "trusted": signature.trusted,
            "valid": signature.bottom_line and signature.intact,
        }
        for signature in report.signatures
    ]


def _commitment_json(commitment: Commitment | None) -> dict | None:
    if commitment is None:
        return None
    return {
        "reference": commitment.reference,
        "title": commitment.template.title,
        "subject": commitment.subject.name
        if commitment.subject.kind == Subject.Kind.COMPANY
        else None,
        "status": commitment.status,
        "status_label": str(PUBLIC_STATUS.get(commitment.status, commitment.status)),
        "signed_at": commitment.signed_at.isoformat() if commitment.signed_at else None,
        "register_entries": list(
            commitment.registry_events.order_by("leaf_index").values_list("leaf_index", flat=True)
        ),
    }


def public_report_for_pdf(data: bytes) -> dict:
    """Validate a PDF anyone uploaded and say what it proves; nothing is stored.

    Raises a ``CommitmentError`` (field ``file``) for bytes that are not a plain PDF.
    """
    from signing.pades.upload import inspect_upload

    if len(data) > upload_limit_bytes():
        raise _refused("too_large")
    try:
        inspect_upload(data)
        report = validate_pdf(data)
    except SignatureRefused as refusal:
        raise _refused(refusal.reason) from refusal
    except SigningError as error:
        raise _refused("truncated") from error
    sha256 = hashlib.sha256(data).hexdigest()
    document = SignedDocument.objects.filter(sha256=sha256).first()
    commitment = None
    if document is not None:
        commitment = _commitment_of(document)
    return _report(report=report, sha256=sha256, known=document is not None, commitment=commitment)


def _commitment_of(document: SignedDocument) -> Commitment | None:
    current: SignedDocument | None = document
    for _hop in range(100):
        if current is None:
            return None
        found = (
            Commitment.objects.select_related("template", "subject")
            .filter(signed_document=current)
            .first()
        )
        if found is not None:
            return found
        version = getattr(current, "version_of", None)
        current = version.previous if version is not None else None
    return None


def public_report_for_reference(reference: str) -> dict | None:
    """Return the report of a commitment's stored signed document, or None if unknown."""
    commitment = (
        Commitment.objects.select_related("template", "subject", "signed_document")
        .filter(reference=reference.strip().upper())
        .first()
    )
    if commitment is None or commitment.signed_document is None:
        return None
    document = _latest_version(commitment.signed_document)
    data = document_read(document)
    return _report(
        report=validate_pdf(data), sha256=document.sha256, known=True, commitment=commitment
    )


def _report(
    *, report: ValidationReport, sha256: str, known: bool, commitment: Commitment | None
) -> dict:
    signatures = _signatures_json(report)
    applicant = [s for s in signatures if s["kind"] == "applicant"]
    seal = [s for s in signatures if s["kind"] == "platform_seal"]
    return {
        "sha256": sha256,
        "known_to_platform": known,
        "is_valid": report.is_valid,
        "signatures": signatures,
        "applicant_signed": bool(applicant) and all(s["valid"] for s in applicant),
        "platform_sealed": bool(seal) and all(s["valid"] for s in seal),
        "document_timestamps": [
            {
                "time": stamp.time.isoformat() if stamp.time else None,
                "intact": stamp.intact,
                "trusted": stamp.trusted,
            }
            for stamp in report.document_timestamps
        ],
        "commitment": _commitment_json(commitment),
    }


# -- evidence certificate -----------------------------------------------------------------------


def evidence_certificate_pdf(*, commitment: Commitment) -> bytes:
    """Render the certificate of completion: the document, its signatures, every event."""
    from commitments.lifecycle.selectors import commitment_timeline

    lines: list[EvidenceLine] = []
    for entry in commitment_timeline(commitment=commitment):
        actor = entry["actor"]
        lines.append(
            EvidenceLine(
                at=entry["at"],
                actor=actor.get_username() if actor is not None else "system",
                what=f"{entry['from_status'] or '-'} -> {entry['to_status']}",
                detail=entry["reason"],
            )
        )
    for event in commitment.registry_events.select_related("actor").order_by("leaf_index"):
        lines.append(
            EvidenceLine(
                at=event.created_at,
                actor=event.actor.get_username() if event.actor is not None else "system",
                what=f"register: {event.event_type}",
                detail=f"log entry {event.leaf_index}",
            )
        )
    lines.sort(key=lambda line: line.at)
    report = public_report_for_reference(commitment.reference) if commitment.is_signed else None
    signatures: Sequence[dict] = report["signatures"] if report else ()
    return render_evidence_certificate(
        EvidenceCertificate(
            reference=commitment.reference,
            title=commitment.template.title,
            subject_name=commitment.subject.name,
            status=str(PUBLIC_STATUS.get(commitment.status, commitment.status)),
            document_sha256=report["sha256"] if report else "",
            signatures=tuple(
                (
                    s["signer"],
                    s["signer_code"] or "",
                    s["signed_at"] or s["claimed_time"] or "",
                    "valid" if s["valid"] else "INVALID",
                )
                for s in signatures
            ),
            lines=tuple(lines),
            generated_at=timezone.now(),
            verify_url=public_verify_url(commitment.reference),
        )
    )


def signed_at_of(event: RegistryEvent) -> datetime:
    """Return when an event was recorded (for templates)."""
    return event.created_at
