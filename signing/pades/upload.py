"""Bring your own signature: check a commitment PDF signed with another tool and CA.

``inspect_upload`` refuses anything but a plain, complete, unencrypted PDF without active
content; ``check_uploaded_signature`` accepts a signature only over a form the platform issued
(known by its ``FormDigest``), by the committing party, under a trusted and unrevoked
certificate.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature as InvalidSignatureError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext

from signing.errors import SignatureRefused
from signing.pades.reader import MALFORMED_INPUT
from signing.pades.validate import certificate_subject_code

# After the last end marker: what begins a revision (an object, a cross-reference table or
# stream's pointer, a trailer). Other trailing bytes (line ends, NULs a tool pads with) are
# tolerated, as readers do.
_UNFINISHED_REVISION = re.compile(rb"\d+\s+\d+\s+obj\b|\bxref\b|\btrailer\b|\bstartxref\b")
_ACTIVE_CONTENT_KEYS = ("/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/RichMedia", "/XFA")


def inspect_upload(data: bytes) -> PdfFileReader:
    """Refuse bytes that are not a plain, complete, unencrypted PDF without active content.

    Returns the reader. Raises ``SignatureRefused`` with reason ``not_pdf``, ``truncated``,
    ``encrypted`` or ``active_content``.
    """
    if not data.startswith(b"%PDF-"):
        raise SignatureRefused("not_pdf", "The file is not a PDF (it does not start with %PDF-).")
    if b"%%EOF" not in data[-1024:]:
        raise SignatureRefused("truncated", "The PDF is incomplete: its end marker is missing.")
    if _UNFINISHED_REVISION.search(data, data.rfind(b"%%EOF") + len(b"%%EOF")):
        # A later revision cut before its end marker: read on, it would pass as the last
        # complete revision, which is not the file that was sent.
        raise SignatureRefused(
            "truncated", "The PDF is incomplete: its last revision ends before its end marker."
        )
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        is_encrypted = reader.encrypted
    except MALFORMED_INPUT as error:
        raise SignatureRefused("truncated", f"The PDF cannot be read: {error}") from error
    if is_encrypted:
        raise SignatureRefused("encrypted", "The PDF is encrypted.")
    try:
        _refuse_active_content(reader)
    except MALFORMED_INPUT as error:
        raise SignatureRefused("truncated", f"The PDF cannot be read: {error}") from error
    return reader


def _refuse_active_content(reader: PdfFileReader) -> None:
    """Walk every object of every revision; refuse scripts, launch actions, attachments."""
    for raw in (b"/JavaScript", b"/Launch", b"/RichMedia"):
        if raw in reader.stream.getvalue():  # type: ignore[attr-defined]
            raise SignatureRefused("active_content", "The PDF contains scripts or actions.")
    xrefs = reader.xrefs
    seen = 0
    for revision in range(xrefs.total_revisions):
        for reference in xrefs.explicit_refs_in_revision(revision):
            seen += 1
            try:
                value = reader.get_object(reference)
            except MALFORMED_INPUT:
                continue
            if isinstance(value, generic.DictionaryObject) and any(
                key in value for key in _ACTIVE_CONTENT_KEYS
            ):
                raise SignatureRefused("active_content", "The PDF contains scripts or actions.")
            if isinstance(value, generic.DictionaryObject) and value.get("/S") in (
                "/JavaScript",
                "/Launch",
            ):
                raise SignatureRefused("active_content", "The PDF contains scripts or actions.")
    del seen


@dataclass(frozen=True)
class FormDigest:
    """An issued unsigned form, known by its SHA-256 (hex) and its length in bytes.

    A signature made elsewhere is an incremental update, so the upload starts with the issued
    form's bytes: its digest and length are enough to recognise it, whatever renders today.
    """

    sha256: str
    size: int

    @classmethod
    def of(cls, data: bytes) -> FormDigest:
        """Return the digest of a form's bytes."""
        return cls(sha256=hashlib.sha256(data).hexdigest(), size=len(data))

    def is_prefix_of(self, data: bytes) -> bool:
        """Return whether ``data`` starts with exactly the form this digest names."""
        return len(data) >= self.size and hashlib.sha256(data[: self.size]).hexdigest() == (
            self.sha256
        )


@dataclass(frozen=True)
class UploadCheck:
    """What an accepted uploaded signature proved."""

    signer_subject: str
    signer_code: str
    signing_time: datetime | None
    certificate_serial: str
    form: FormDigest  # the issued form the signature covers
    certificate_issuer: str = ""


def check_uploaded_signature(
    data: bytes,
    *,
    issued_forms: Sequence[FormDigest],
    subject_code: str,
    trust_roots_der: Sequence[bytes],
    crls_der: Sequence[bytes] = (),
    now: datetime | None = None,
) -> UploadCheck:
    """Check a commitment PDF signed elsewhere, or raise ``SignatureRefused`` saying why.

    Accepted when: it is a plain PDF (``inspect_upload``); the first signature's revision is
    exactly one of ``issued_forms`` (the forms the platform issued) plus that signature;
    its bytes are intact; its certificate chains to one of ``trust_roots_der``, is within
    its validity now, is not listed in a CRL at hand (``crls_der`` and the PDF's own DSS);
    and it belongs to ``subject_code`` (organizationIdentifier NTRCN-<code> or serialNumber).
    """
    reader = inspect_upload(data)
    moment = now or datetime.now(UTC)
    signatures = reader.embedded_regular_signatures
    if not signatures:
        raise SignatureRefused("unsigned", "The PDF has no signature.")
    signature = signatures[0]
    roots = [asn1_x509.Certificate.load(der) for der in trust_roots_der]
    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, moment=moment, revocation_mode="soft-fail"
    )
    try:
        status = validate_pdf_signature(signature, signer_validation_context=context)
    except MALFORMED_INPUT as error:
        raise SignatureRefused("tampered", f"The signature cannot be checked: {error}") from error
    if not (status.intact and status.valid):
        raise SignatureRefused("tampered", "The signed bytes were changed after signing.")
    signed_length = signature.byte_range[2] + signature.byte_range[3]
    original = next(
        (form for form in issued_forms if form.size < signed_length and form.is_prefix_of(data)),
        None,
    )
    if original is None or signature.signed_revision != 1:
        raise SignatureRefused(
            "wrong_document",
            "The signed document is not a commitment form the platform issued.",
        )
    certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    issuer_ok = _chains_to(certificate, roots=trust_roots_der, embedded=signature)
    if not issuer_ok:
        raise SignatureRefused("untrusted", "The certificate is not issued by a trusted CA.")
    if not certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc:
        raise SignatureRefused("expired", "The signing certificate is expired or not yet valid.")
    if _is_revoked(certificate, crls=[*crls_der, *_dss_crls(reader)], roots=trust_roots_der):
        raise SignatureRefused("revoked", "The signing certificate has been revoked.")
    if not status.trusted:
        raise SignatureRefused("untrusted", "The certificate is not issued by a trusted CA.")
    code = certificate_subject_code(certificate.subject)
    if code != subject_code:
        raise SignatureRefused(
            "wrong_subject", "The certificate belongs to someone other than the committing party."
        )
    return UploadCheck(
        signer_subject=certificate.subject.rfc4514_string(),
        signer_code=code,
        signing_time=status.signer_reported_dt,
        certificate_serial=f"{certificate.serial_number:x}",
        form=original,
        certificate_issuer=certificate.issuer.rfc4514_string(),
    )


def _chains_to(certificate: x509.Certificate, *, roots: Sequence[bytes], embedded) -> bool:  # type: ignore[no-untyped-def]
    """Return whether ``certificate`` is issued by a root, directly or via an embedded CA."""
    root_certificates = [x509.load_der_x509_certificate(der) for der in roots]
    issuers = list(root_certificates)
    for other in embedded.other_embedded_certs:
        candidate = x509.load_der_x509_certificate(other.dump())
        for root in root_certificates:
            try:
                candidate.verify_directly_issued_by(root)
            except (ValueError, TypeError, InvalidSignatureError):
                continue
            issuers.append(candidate)
    for issuer in issuers:
        try:
            certificate.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignatureError):
            continue
        return True
    return False


def _is_revoked(
    certificate: x509.Certificate, *, crls: Sequence[bytes], roots: Sequence[bytes]
) -> bool:
    """Return whether a CRL issued (and signed) by the certificate's issuer lists it."""
    issuers = [x509.load_der_x509_certificate(der) for der in roots]
    for der in crls:
        try:
            crl = x509.load_der_x509_crl(der)
        except ValueError:
            continue
        if crl.issuer != certificate.issuer:
            continue
        signed_by_issuer = any(
            issuer.subject == crl.issuer and crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
            for issuer in issuers
        )
        if not signed_by_issuer:
            continue
        if crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
            return True
    return False


def _dss_crls(reader: PdfFileReader) -> list[bytes]:
    """Return the CRLs in the PDF's document security store, if any."""
    try:
        store = DocumentSecurityStore.read_dss(reader)
    except (*MALFORMED_INPUT, AttributeError):
        return []
    return [crl.dump() for crl in store.crls]
