"""What a verification found, as one code and one plain sentence.

``VerificationCode`` is the one set of codes the public verification page and its JSON give;
``signature_outcome`` maps what the validator found for one signature to exactly one code,
``document_outcome`` the whole file (the worst of its signatures, or what the file lacks),
and ``upload_outcome`` a refused upload. ``verification_reason`` says a code in the active
language, for people.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from signing.pades.validate import SignatureReport, ValidationReport


class VerificationCode(StrEnum):
    """Stable, machine-readable outcomes of verifying a PDF; worst first."""

    MALFORMED_PDF = "malformed_pdf"
    ENCRYPTED_PDF = "encrypted_pdf"
    ACTIVE_CONTENT = "active_content"
    UNKNOWN_DOCUMENT = "unknown_document"
    NOT_SIGNED = "not_signed"
    SIGNATURE_UNREADABLE = "signature_unreadable"
    CHANGED_AFTER_SEAL = "changed_after_seal"
    CHANGED_AFTER_SIGNING = "changed_after_signing"
    SIGNATURE_INVALID = "signature_invalid"
    REVOKED_CERTIFICATE = "revoked_certificate"
    UNTRUSTED_CERTIFICATE = "untrusted_certificate"
    EXPIRED_CERTIFICATE = "expired_certificate"
    TIMESTAMP_UNTRUSTED = "timestamp_untrusted"
    TIMESTAMP_MISSING = "timestamp_missing"
    NOT_SEALED = "not_sealed"
    VALID = "valid"


REASONS = {
    VerificationCode.MALFORMED_PDF: _("This is not a readable PDF: it is damaged or incomplete."),
    VerificationCode.ENCRYPTED_PDF: _("The PDF is encrypted, so its signatures cannot be checked."),
    VerificationCode.ACTIVE_CONTENT: _(
        "The PDF contains scripts or actions; the platform never produces such a file."
    ),
    VerificationCode.UNKNOWN_DOCUMENT: _("No signed commitment has this reference."),
    VerificationCode.NOT_SIGNED: _("Not signed: this looks like a preview."),
    VerificationCode.SIGNATURE_UNREADABLE: _(
        "A signature in the file is damaged and cannot be read."
    ),
    VerificationCode.CHANGED_AFTER_SEAL: _("The file was changed after the platform sealed it."),
    VerificationCode.CHANGED_AFTER_SIGNING: _("The file was changed after it was signed."),
    VerificationCode.SIGNATURE_INVALID: _(
        "A signature does not verify: it was not made over this content."
    ),
    VerificationCode.REVOKED_CERTIFICATE: _(
        "It was signed with a certificate the platform has revoked."
    ),
    VerificationCode.UNTRUSTED_CERTIFICATE: _(
        "It was signed with a certificate the platform does not trust."
    ),
    VerificationCode.EXPIRED_CERTIFICATE: _(
        "A signing certificate had expired and no trusted timestamp proves it was signed in time."
    ),
    VerificationCode.TIMESTAMP_UNTRUSTED: _(
        "A signature's timestamp does not come from a time source the platform trusts."
    ),
    VerificationCode.TIMESTAMP_MISSING: _(
        "A signature's timestamp is missing, so when it was signed is not proven."
    ),
    VerificationCode.NOT_SEALED: _(
        "The signature is valid, but the platform has not sealed this file: it was not accepted."
    ),
    VerificationCode.VALID: _(
        "Signed and sealed by the platform, and unchanged since: the file is authentic."
    ),
}
# Worst first: the document's outcome is the first of its signatures' outcomes in this order.
SEVERITY = {code: rank for rank, code in enumerate(VerificationCode)}


def verification_reason(code: VerificationCode) -> str:
    """Say what ``code`` means, in the active language."""
    return str(REASONS[code])


def signature_outcome(signature: SignatureReport) -> VerificationCode:
    """Map what the validator found for one signature to exactly one code."""
    changed = (
        VerificationCode.CHANGED_AFTER_SEAL
        if signature.is_platform_seal
        else VerificationCode.CHANGED_AFTER_SIGNING
    )
    if not signature.readable:
        return VerificationCode.SIGNATURE_UNREADABLE
    if not signature.intact or not signature.changes_permitted:
        return changed
    if not signature.valid:
        return VerificationCode.SIGNATURE_INVALID
    if signature.revoked:
        return VerificationCode.REVOKED_CERTIFICATE
    if signature.expired:
        return VerificationCode.EXPIRED_CERTIFICATE
    if not signature.trusted:
        return VerificationCode.UNTRUSTED_CERTIFICATE
    if signature.timestamp_time is None:
        return VerificationCode.TIMESTAMP_MISSING
    if not signature.timestamp_trusted:
        return VerificationCode.TIMESTAMP_UNTRUSTED
    if not signature.bottom_line:  # any other rule of the validator's, e.g. seed values
        return VerificationCode.SIGNATURE_INVALID
    return VerificationCode.VALID


def document_outcome(report: ValidationReport) -> VerificationCode:
    """Map a whole file to one code: the worst of its signatures, or what it lacks.

    A change anywhere in a sealed file is a change after the seal, whichever signature
    noticed it first.
    """
    if not report.signatures:
        return VerificationCode.NOT_SIGNED
    sealed = any(signature.is_platform_seal for signature in report.signatures)
    worst = min((signature_outcome(s) for s in report.signatures), key=SEVERITY.__getitem__)
    if worst == VerificationCode.CHANGED_AFTER_SIGNING and sealed:
        return VerificationCode.CHANGED_AFTER_SEAL
    if worst == VerificationCode.VALID and not sealed:
        return VerificationCode.NOT_SEALED
    return worst


# What an upload is refused for (``signing.errors.SignatureRefused.reason``), as an outcome.
UPLOAD_REFUSALS = {
    "not_pdf": VerificationCode.MALFORMED_PDF,
    "truncated": VerificationCode.MALFORMED_PDF,
    "encrypted": VerificationCode.ENCRYPTED_PDF,
    "active_content": VerificationCode.ACTIVE_CONTENT,
}


def upload_outcome(refusal_reason: str | None) -> VerificationCode | None:
    """Return the outcome of an upload refused for ``refusal_reason``, or None if the
    refusal is about the request (too large, nothing chosen), not the file."""
    return UPLOAD_REFUSALS.get(refusal_reason or "")
