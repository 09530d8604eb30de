"""The pyHanko adapter: sign a PDF (PAdES) and validate the signatures in one.

Only this module imports pyHanko. Callers pass and receive bytes and the small frozen
dataclasses below, and catch ``signing.errors.SigningError``; no pyHanko exception or
object crosses the boundary.

Signing creates every signature field first ("Applicant", then "PlatformSeal" for the
platform's seal, a later issue) and signs "Applicant" in the same revision: a field added
after a signature would make validators judge that signature illegally modified.

Two measured speed traps are avoided here: the stock ``SimpleSigner`` re-parses its key on
every signature (``_KeySigner`` keeps the key object), and without ``bytes_reserved``
pyHanko signs twice to learn the size of the signature.

pyHanko's synchronous calls run ``asyncio.run`` internally: call these functions from
sync code (sync views, Celery prefork workers), or from a thread in async code.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.ca import ORGANISATION_IDENTIFIER_PREFIX, ca_get, issue_signer_certificate
from signing.errors import InvalidPdf, SigningFailed
from signing.identity import SignerIdentity

__all__ = [
    "APPLICANT_FIELD",
    "PLATFORM_SEAL_FIELD",
    "SignatureReport",
    "SignedPdf",
    "SignerIdentity",
    "ValidationReport",
    "sign_pdf",
    "validate_pdf",
]

APPLICANT_FIELD = "Applicant"
PLATFORM_SEAL_FIELD = "PlatformSeal"
SIGNATURE_FIELDS = (APPLICANT_FIELD, PLATFORM_SEAL_FIELD)
# Room for the CMS blob: an ECDSA signature with its two certificates is ~1.5 KB; an
# RFC 3161 token adds ~2-5 KB. Too small fails loudly; too large only pads with zeros.
BYTES_RESERVED = 8 * 1024
BYTES_RESERVED_TIMESTAMP = 8 * 1024
# What a broken or unreadable signature reports instead of a coverage or modification level.
UNKNOWN = "UNKNOWN"

# Errors pyHanko and asn1crypto raise on malformed input; never let them escape.
_MALFORMED_INPUT = (PdfError, SignatureValidationError, ValueError, TypeError, KeyError, IndexError)


@dataclass(frozen=True)
class SignedPdf:
    """A signed PDF and the serial number (hex) of the certificate that signed it."""

    data: bytes
    certificate_serial: str  # hex


@dataclass(frozen=True)
class SignatureReport:
    """What validation found for one signature field."""

    field_name: str
    signer_subject: str  # RFC 4514 DN
    signer_code: str | None  # from organizationIdentifier (NTRCN-) or serialNumber
    signing_time: datetime | None  # as claimed by the signer; trusted only with a timestamp
    intact: bool  # the signed bytes are unaltered
    valid: bool  # the signature value verifies over the signed attributes (not the bytes)
    trusted: bool  # the certificate chains to the platform root
    bottom_line: bool  # all of the above plus pyHanko's modification analysis
    coverage: str  # e.g. "ENTIRE_FILE"
    modification_level: str  # e.g. "NONE", "FORM_FILLING"


@dataclass(frozen=True)
class ValidationReport:
    """The signatures of one PDF, in document order."""

    signatures: tuple[SignatureReport, ...]

    @property
    def is_valid(self) -> bool:
        """Return whether there is a signature and every one is intact and fully valid."""
        return bool(self.signatures) and all(
            signature.bottom_line and signature.intact for signature in self.signatures
        )


class _KeySigner(signers.Signer):
    """A pyHanko signer holding a loaded ``cryptography`` key object.

    The stock ``SimpleSigner`` re-parses its key from DER for every signature, which for
    RSA costs ~40 ms of OpenSSL key checks; this one signs with the object it was given.
    """

    def __init__(
        self,
        *,
        private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
        certificate: asn1_x509.Certificate,
        chain: tuple[asn1_x509.Certificate, ...],
    ) -> None:
        super().__init__(
            signing_cert=certificate,
            cert_registry=SimpleCertificateStore.from_certs(chain),
            embed_roots=True,  # our root is in no trust store: ship it for offline checks
        )
        self._private_key = private_key

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        """Sign ``data`` with the in-memory key (ECDSA, or RSA PKCS#1 v1.5)."""
        hash_algorithm = _HASHES[digest_algorithm.lower()]()
        if isinstance(self._private_key, ec.EllipticCurvePrivateKey):
            return self._private_key.sign(data, ec.ECDSA(hash_algorithm))
        return self._private_key.sign(data, padding.PKCS1v15(), hash_algorithm)


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def sign_pdf(
    pdf: bytes,
    *,
    signer: SignerIdentity,
    reason: str,
    location: str = "",
    timestamper: timestamps.TimeStamper | None = None,
) -> SignedPdf:
    """Sign ``pdf`` as ``signer`` in the "Applicant" field (PAdES B-B; B-T with a timestamper).

    A fresh key and short-lived certificate are issued for this one signature; the key is
    dropped when the function returns. Both signature fields are created first, so the
    platform seal can be added later without invalidating the applicant's signature.
    Raises ``InvalidPdf`` when ``pdf`` cannot be read or already has these fields.
    """
    private_key, certificate = issue_signer_certificate(identity=signer)
    key_signer = _KeySigner(
        private_key=private_key,
        certificate=_to_asn1(certificate),
        chain=(_root_asn1(),),
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        for field_name in SIGNATURE_FIELDS:
            fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=field_name))
    except (*_MALFORMED_INPUT, HankoSigningError) as error:
        raise InvalidPdf(f"Cannot prepare the PDF for signing: {error}") from error
    metadata = signers.PdfSignatureMetadata(
        field_name=APPLICANT_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
    )
    pdf_signer = signers.PdfSigner(metadata, signer=key_signer, timestamper=timestamper)
    reserved = BYTES_RESERVED + (BYTES_RESERVED_TIMESTAMP if timestamper else 0)
    output = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, bytes_reserved=reserved, output=output)
    except HankoSigningError as error:
        raise SigningFailed(f"pyHanko could not sign the PDF: {error}") from error
    except _MALFORMED_INPUT as error:
        raise InvalidPdf(f"Cannot sign this PDF: {error}") from error
    return SignedPdf(data=output.getvalue(), certificate_serial=f"{certificate.serial_number:x}")


def validate_pdf(pdf: bytes, *, moment: datetime | None = None) -> ValidationReport:
    """Validate every signature in ``pdf`` against the platform root only, offline.

    ``moment`` is the time at which certificates must be valid (default: now). A B-B
    signature carries no trusted time, so once its short-lived certificate has expired it
    validates as untrusted at "now"; timestamps (B-T) are what make old signatures hold.
    Raises ``InvalidPdf`` when the bytes are not a readable PDF.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_regular_signatures
    except _MALFORMED_INPUT as error:
        raise InvalidPdf(f"Not a readable PDF: {error}") from error
    root = _root_asn1()
    reports = []
    for signature in embedded:
        context = ValidationContext(trust_roots=[root], allow_fetching=False, moment=moment)
        reports.append(_report(signature, context))
    return ValidationReport(signatures=tuple(reports))


def _report(signature: EmbeddedPdfSignature, context: ValidationContext) -> SignatureReport:
    """Validate one embedded signature; a broken one is reported, not raised."""
    field_name = str(signature.field_name or "")
    try:
        status = validate_pdf_signature(signature, signer_validation_context=context)
    except _MALFORMED_INPUT:
        return SignatureReport(
            field_name=field_name,
            signer_subject="",
            signer_code=None,
            signing_time=None,
            intact=False,
            valid=False,
            trusted=False,
            bottom_line=False,
            coverage=UNKNOWN,
            modification_level=UNKNOWN,
        )
    certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    return SignatureReport(
        field_name=field_name,
        signer_subject=certificate.subject.rfc4514_string(),
        signer_code=_subject_code(certificate.subject),
        signing_time=status.signer_reported_dt,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        bottom_line=bool(status.bottom_line),
        coverage=status.coverage.name if status.coverage is not None else UNKNOWN,
        modification_level=(
            status.modification_level.name if status.modification_level is not None else UNKNOWN
        ),
    )


def _subject_code(subject: x509.Name) -> str | None:
    """Return the subject's code: organizationIdentifier without "NTRCN-", else serialNumber."""
    for attribute in subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER):
        value = str(attribute.value)
        if value.startswith(ORGANISATION_IDENTIFIER_PREFIX):
            return value.removeprefix(ORGANISATION_IDENTIFIER_PREFIX)
    serial_numbers = subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(serial_numbers[0].value) if serial_numbers else None


def _to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    """Convert a ``cryptography`` certificate to the asn1crypto object pyHanko uses."""
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _root_asn1() -> asn1_x509.Certificate:
    """Return the platform root as asn1crypto, converted once per loaded CA."""
    return _root_asn1_for(ca_get().certificate)


@functools.lru_cache(maxsize=4)
def _root_asn1_for(certificate: x509.Certificate) -> asn1_x509.Certificate:
    """Convert (and cache) one root certificate."""
    return _to_asn1(certificate)
