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

import asyncio
import binascii
import functools
import io
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature as InvalidSignatureError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import content, generic, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import attributes, fields, signers, timestamps
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.ca import ORGANISATION_IDENTIFIER_PREFIX, ca_get, issue_signer_certificate
from signing.errors import InvalidPdf, SignatureRefused, SigningFailed, TimestampUnavailable
from signing.identity import SignerIdentity

__all__ = [
    "APPLICANT_FIELD",
    "PLATFORM_SEAL_FIELD",
    "SignatureReport",
    "SignedPdf",
    "SealedPdf",
    "SignerIdentity",
    "UploadCheck",
    "ValidationReport",
    "check_uploaded_signature",
    "inspect_upload",
    "retimestamp_pdf",
    "seal_pdf",
    "sign_pdf",
    "validate_pdf",
    "validate_pdf_offline",
]

APPLICANT_FIELD = "Applicant"
PLATFORM_SEAL_FIELD = "PlatformSeal"
SIGNATURE_FIELDS = (APPLICANT_FIELD, PLATFORM_SEAL_FIELD)
# Room for the CMS blob: an ECDSA signature with its two certificates is ~1.5 KB; an
# RFC 3161 token adds ~2-5 KB. Too small fails loudly; too large only pads with zeros.
BYTES_RESERVED = 6 * 1024
BYTES_RESERVED_TIMESTAMP = 4 * 1024
# The seal's visible stamp: top right of the first page, inside the 20 mm top margin the
# renderer leaves free, so it never covers the commitment's text.
SEAL_BOX = (311, 793, 538, 841)  # points: x1, y1, x2, y2 (A4 is 595 x 842)
SEAL_BYTES_RESERVED = 10 * 1024  # hex digits: ~5 KB for a ~3.2 KB CMS; pyHanko parses them
# What a broken or unreadable signature reports instead of a coverage or modification level.
UNKNOWN = "UNKNOWN"

# Errors pyHanko and asn1crypto raise on malformed input; never let them escape.
_MALFORMED_INPUT = (PdfError, SignatureValidationError, ValueError, TypeError, KeyError, IndexError)


# -- a faster hex-string reader for pyHanko ------------------------------------------------
#
# pyHanko reads a PDF hex string one character at a time through a generator; a signature's
# /Contents is 12,000-20,000 hex digits, read again every time a document with signatures is
# opened (sealing, validating): ~5-10 ms per signature. This reader takes the same bytes in
# one slice and decodes them with binascii; anything unusual (a comment, a stray character,
# a missing ">") is handed back to pyHanko's own reader from the same position, so the
# result and the errors are exactly pyHanko's.

_pyhanko_read_hex_string = generic.read_hex_string_from_stream
_HEX_CHUNK = 32 * 1024
_NOT_HEX_OR_SPACE = re.compile(rb"[^0-9A-Fa-f \n\r\t\f\x00]")
_PDF_SPACE = b" \n\r\t\f\x00"


def _read_hex_string_fast(stream):  # type: ignore[no-untyped-def]
    """Read ``<...>`` at the stream's position like pyHanko does, in one slice."""
    start = stream.tell()
    stream.read(1)  # "<"
    parts = []
    while True:
        chunk = stream.read(_HEX_CHUNK)
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            stream.seek(start + 1 + sum(len(part) for part in parts) + 1)
            break
        if not chunk:
            stream.seek(start)
            return _pyhanko_read_hex_string(stream)
        parts.append(chunk)
    digits = b"".join(parts)
    if _NOT_HEX_OR_SPACE.search(digits):
        stream.seek(start)
        return _pyhanko_read_hex_string(stream)
    digits = digits.translate(None, _PDF_SPACE)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


generic.read_hex_string_from_stream = _read_hex_string_fast


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
    timestamp_time: datetime | None = None  # the RFC 3161 time, when there is a timestamp
    timestamp_trusted: bool = False  # the timestamp token verifies and chains to the root
    signer_name: str = ""  # the certificate's common name, for people

    @property
    def is_platform_seal(self) -> bool:
        """Return whether this is the platform's seal rather than an applicant's signature."""
        return self.field_name == PLATFORM_SEAL_FIELD


@dataclass(frozen=True)
class TimestampReport:
    """One document timestamp (the archive timestamps of B-LTA)."""

    time: datetime | None
    intact: bool
    trusted: bool
    modification_level: str


@dataclass(frozen=True)
class ValidationReport:
    """The signatures of one PDF, in document order."""

    signatures: tuple[SignatureReport, ...]
    document_timestamps: tuple[TimestampReport, ...] = field(default=())

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
        self._ess_attribute: cms.CMSAttribute | None = None

    def _signed_attr_providers(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """pyHanko's providers, with the signing-certificate attribute built once as DER.

        asn1crypto re-encodes the copied issuer name of a freshly built attribute field by
        field (~5 ms); the attribute only depends on the certificate, which never changes.
        """
        for provider in super()._signed_attr_providers(*args, **kwargs):
            if isinstance(provider, attributes.SigningCertificateV2Provider):
                yield _CachedAttribute(self._signing_certificate_attribute())
            else:
                yield provider

    def _signing_certificate_attribute(self) -> cms.CMSAttribute:
        if self._ess_attribute is None:
            attribute = simple_cms_attribute(
                "signing_certificate_v2", as_signing_certificate_v2(self.signing_cert)
            )
            self._ess_attribute = cms.CMSAttribute.load(attribute.dump())
        return self._ess_attribute

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        """Sign ``data`` with the in-memory key (ECDSA, or RSA PKCS#1 v1.5)."""
        hash_algorithm = _HASHES[digest_algorithm.lower()]()
        if isinstance(self._private_key, ec.EllipticCurvePrivateKey):
            return self._private_key.sign(data, ec.ECDSA(hash_algorithm))
        return self._private_key.sign(data, padding.PKCS1v15(), hash_algorithm)


class _CachedAttribute(attributes.CMSAttributeProvider):
    """A signed attribute whose DER is known in advance."""

    def __init__(self, attribute: cms.CMSAttribute) -> None:
        self.attribute_type = attribute["type"].native
        self._attribute = attribute

    async def get_attribute(self, dry_run: bool = False) -> cms.CMSAttribute:
        """Return the prepared attribute."""
        return self._attribute


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


_CONFIGURED = object()


def sign_pdf(
    pdf: bytes,
    *,
    signer: SignerIdentity,
    reason: str,
    location: str = "",
    timestamper: timestamps.TimeStamper | None | object = _CONFIGURED,
) -> SignedPdf:
    """Sign ``pdf`` as ``signer`` in the "Applicant" field at PAdES B-T.

    The timestamp comes from ``signing.tsa.timestamper()`` unless a timestamper is given;
    ``timestamper=None`` makes a B-B signature (tests of the untimestamped case only).
    Raises ``TimestampUnavailable`` when the timestamp service does not answer.

    A fresh key and short-lived certificate are issued for this one signature; the key is
    dropped when the function returns. Both signature fields are created first, so the
    platform seal can be added later without invalidating the applicant's signature.
    Raises ``InvalidPdf`` when ``pdf`` cannot be read or already has these fields.
    """
    if timestamper is _CONFIGURED:
        from signing.tsa import timestamper as configured_timestamper

        timestamper = configured_timestamper()
    private_key, certificate = issue_signer_certificate(identity=signer)
    key_signer = _KeySigner(
        private_key=private_key,
        certificate=_to_asn1(certificate),
        chain=(_root_asn1(),),
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=APPLICANT_FIELD))
        fields.append_signature_field(writer, _seal_field_spec())
    except (*_MALFORMED_INPUT, HankoSigningError) as error:
        raise InvalidPdf(f"Cannot prepare the PDF for signing: {error}") from error
    metadata = signers.PdfSignatureMetadata(
        field_name=APPLICANT_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=key_signer,
        timestamper=timestamper,  # type: ignore[arg-type]
    )
    reserved = BYTES_RESERVED + (BYTES_RESERVED_TIMESTAMP if timestamper else 0)
    output = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, bytes_reserved=reserved, output=output)
    except TimestampUnavailable:
        raise
    except HankoSigningError as error:
        if isinstance(error.__cause__, TimestampUnavailable):
            raise error.__cause__ from error
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
    reports = []
    for signature in embedded:
        reports.append(_report(signature, _validation_context(moment=moment)))
    document_timestamps = []
    try:
        timestamp_signatures = reader.embedded_timestamp_signatures
    except _MALFORMED_INPUT:
        timestamp_signatures = []
    for timestamp in timestamp_signatures:
        document_timestamps.append(_timestamp_report(timestamp, _validation_context()))
    return ValidationReport(
        signatures=tuple(reports), document_timestamps=tuple(document_timestamps)
    )


def _validation_context(
    *,
    moment: datetime | None = None,
    trust_roots: Sequence[asn1_x509.Certificate] | None = None,
    crls: Sequence[bytes] | None = None,
    revocation_mode: str = "soft-fail",
) -> ValidationContext:
    """Return an offline context: the platform root (or the given roots) and our CRL.

    ``soft-fail``: a certificate whose revocation data is missing is not rejected for that
    alone, but one listed in a CRL at hand is. Sealing uses ``require`` so that the CRL
    really is embedded.
    """
    if trust_roots is None:
        trust_roots = [_root_asn1()]
    if crls is None:
        from signing.revocation import crl_der

        crls = [crl_der()]
    return ValidationContext(
        trust_roots=list(trust_roots),
        crls=list(crls),
        allow_fetching=False,
        moment=moment,
        revocation_mode=revocation_mode,
    )


def _timestamp_report(timestamp, context: ValidationContext) -> TimestampReport:  # type: ignore[no-untyped-def]
    try:
        status = validate_pdf_timestamp(timestamp, validation_context=context)
    except _MALFORMED_INPUT:
        return TimestampReport(time=None, intact=False, trusted=False, modification_level=UNKNOWN)
    return TimestampReport(
        time=status.timestamp,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        modification_level=(
            status.modification_level.name if status.modification_level is not None else UNKNOWN
        ),
    )


def _report(signature: EmbeddedPdfSignature, context: ValidationContext) -> SignatureReport:
    """Validate one embedded signature; a broken one is reported, not raised."""
    field_name = str(signature.field_name or "")
    try:
        status = validate_pdf_signature(
            signature, signer_validation_context=context, ts_validation_context=context
        )
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
    timestamp_status = status.timestamp_validity
    common_names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
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
        timestamp_time=timestamp_status.timestamp if timestamp_status is not None else None,
        timestamp_trusted=bool(
            timestamp_status is not None
            and timestamp_status.intact
            and timestamp_status.valid
            and timestamp_status.trusted
        ),
        signer_name=str(common_names[0].value) if common_names else "",
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


def _seal_field_spec() -> fields.SigFieldSpec:
    """The platform seal's field: visible, top right of the first page."""
    return fields.SigFieldSpec(sig_field_name=PLATFORM_SEAL_FIELD, on_page=0, box=SEAL_BOX)


class _ImportedPdfBytes(content.PdfContent):
    """A page of a PDF held in memory, imported as a form XObject (pyHanko reads files only)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        super().__init__()

    def render(self) -> bytes:
        """Import page one and draw it; the box follows the imported page's size."""
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self._data)), page_ix=0)
        name = "/Import" + binascii.hexlify(uuid.uuid4().bytes).decode("ascii")
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"


@dataclass(frozen=True)
class SealedPdf:
    """A PDF carrying the platform seal at B-LTA, and when its last timestamp stops holding."""

    data: bytes
    timestamp_expires_at: datetime


_seal_signers: dict[str, signers.Signer] = {}


def seal_signer() -> signers.Signer:
    """Return the platform seal's signer: the seal key file, or a PKCS#11 device if configured.

    ``SIGNING_SEAL_PKCS11`` (a dict: ``module``, ``token_label``, ``key_label``, optional
    ``cert_label`` (default: the key label), ``user_pin``, optional ``use_raw_mechanism``
    (default true: ECDSA over a digest computed here; false for an RSA key)) makes pyHanko's
    ``PKCS11Signer`` sign with the key on the device (package ``python-pkcs11``); the
    certificate on the device must be issued by the platform CA (``signing.ca``), whose root
    is added to the chain. Tested with SoftHSM2 (``tests/signing/test_pkcs11.py``).
    """
    from django.conf import settings

    pkcs11 = getattr(settings, "SIGNING_SEAL_PKCS11", None)
    if pkcs11:
        return _pkcs11_seal_signer(pkcs11)
    from signing.keys import platform_key

    seal = platform_key("seal")
    key = f"{seal.certificate.serial_number:x}"
    signer = _seal_signers.get(key)
    if signer is None:
        _seal_signers.clear()
        signer = _seal_signers[key] = _KeySigner(
            private_key=seal.private_key,
            certificate=_to_asn1(seal.certificate),
            chain=(_root_asn1(),),
        )
    return signer


# One PKCS#11 session per process and thread (sessions are neither fork- nor thread-safe).
_pkcs11_signers: dict[tuple, signers.Signer] = {}


def _pkcs11_seal_signer(config: dict) -> signers.Signer:
    """Return the seal's signer on the PKCS#11 device of ``config``, opened once per thread."""
    import os
    import threading

    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as hanko_pkcs11  # needs python-pkcs11

    key_label = config["key_label"]
    cert_label = config.get("cert_label") or key_label
    root = _root_asn1()
    cache_key = (
        os.getpid(),
        threading.get_ident(),
        config["module"],
        config["token_label"],
        key_label,
        cert_label,
        root.sha256,
    )
    signer = _pkcs11_signers.get(cache_key)
    if signer is None:
        session = hanko_pkcs11.open_pkcs11_session(
            config["module"],
            token_criteria=TokenCriteria(label=config["token_label"]),
            user_pin=str(config["user_pin"]),
        )
        signer = hanko_pkcs11.PKCS11Signer(
            session,
            key_label=key_label,
            cert_label=cert_label,
            ca_chain=[root],
            embed_roots=True,  # our root is in no trust store: ship it for offline checks
            # Hash here, let the device sign the digest (CKM_ECDSA): every token implements
            # it, not all the hash-and-sign ones (SoftHSM2 has no CKM_ECDSA_SHA256).
            use_raw_mechanism=bool(config.get("use_raw_mechanism", True)),
        )
        _pkcs11_signers[cache_key] = signer
    return signer


def seal_pdf(
    pdf: bytes,
    *,
    reference: str,
    verify_url: str,
    timestamper: timestamps.TimeStamper | None = None,
    now: datetime | None = None,
    extra_trust_roots_der: Sequence[bytes] = (),
    extra_crls_der: Sequence[bytes] = (),
) -> SealedPdf:
    """Add the platform seal to a signed PDF in two incremental updates, at PAdES B-LTA.

    Revision one: the seal signs its field (with its own RFC 3161 signature timestamp) and
    the pre-drawn stamp as appearance. Revision two: the document security store with the
    validation material of every signature (signers' chains, the timestamps' chains, the
    CRL, a VRI entry per signature), then a document timestamp over all of it. Earlier
    signatures stay valid: both updates are ones pyHanko's modification analysis allows.

    The material is known, not discovered: the chains are built from the certificates in
    the signatures and the trust roots, each link's signature, validity and CRL entry is
    checked here (a revoked, expired or foreign certificate refuses the seal, as pyHanko's
    path validation did), and nothing is fetched. Raises ``TimestampUnavailable`` when the
    timestamp service does not answer. ``extra_trust_roots_der`` / ``extra_crls_der`` let
    the material of a signature made under another CA (an upload) be collected too.
    """
    from signing.stamp import render_seal_stamp
    from signing.tsa import timestamper as configured_timestamper

    stamper = _RecordingTimeStamper(timestamper or configured_timestamper())
    sealed_at = now or datetime.now(UTC)
    signer = seal_signer()
    material = _Material(
        roots=[_root_asn1(), *(asn1_x509.Certificate.load(der) for der in extra_trust_roots_der)],
        crls_der=[_platform_crl_der(), *extra_crls_der],
        moment=datetime.now(UTC),
    )
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        earlier = []
        for signature in reader.embedded_regular_signatures:
            certificates = material.signed_data_chains(signature.signed_data, require_crl=False)
            for token in _signature_timestamp_tokens(signature.signer_info):
                certificates += material.signed_data_chains(token, require_crl=False)
            earlier.append((signature.pkcs7_content.hex().encode("ascii"), certificates))
        seal_chain = material.chain(signer.signing_cert, signer.cert_registry, require_crl=True)
        writer = IncrementalPdfFileWriter.from_reader(reader)
        if PLATFORM_SEAL_FIELD not in {
            name for name, *_rest in fields.enumerate_sig_fields(reader)
        }:
            fields.append_signature_field(writer, _seal_field_spec())
    except (*_MALFORMED_INPUT, HankoSigningError) as error:
        raise InvalidPdf(f"Cannot prepare the PDF for the seal: {error}") from error
    stamp = render_seal_stamp(reference=reference, sealed_at=sealed_at, verify_url=verify_url)
    metadata = signers.PdfSignatureMetadata(
        field_name=PLATFORM_SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=f"Chengnuo platform seal {reference}",
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=signer,
        timestamper=stamper,
        stamp_style=StaticStampStyle(background=_ImportedPdfBytes(stamp), border_width=0),
    )
    output = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, bytes_reserved=SEAL_BYTES_RESERVED, output=output)
        seal_token = stamper.tokens[-1]["content"]
        seal_certificates = seal_chain + material.signed_data_chains(seal_token, require_crl=True)
        final = IncrementalPdfFileWriter(output, strict=False)
        seal_contents = final.prev.embedded_regular_signatures[-1].pkcs7_content.hex()
        _write_dss(
            final,
            entries=[*earlier, (seal_contents.encode("ascii"), seal_certificates)],
            crls=material.crls_used(),
        )
        reserved = 2 * len(seal_token.dump()) + 4096  # hex digits; the same TSA's token size
        asyncio.run(
            signers.PdfTimeStamper(stamper).async_timestamp_pdf(
                final, "sha256", bytes_reserved=reserved, in_place=True
            )
        )
        document_token = stamper.tokens[-1]["content"]
        material.signed_data_chains(document_token, require_crl=True)
    except TimestampUnavailable:
        raise
    except HankoSigningError as error:
        if isinstance(error.__cause__, TimestampUnavailable):
            raise error.__cause__ from error
        raise SigningFailed(f"pyHanko could not seal the PDF: {error}") from error
    except _MALFORMED_INPUT as error:
        raise InvalidPdf(f"Cannot seal this PDF: {error}") from error
    data = output.getvalue()
    return SealedPdf(data=data, timestamp_expires_at=_token_expiry(document_token))


class _RecordingTimeStamper(timestamps.TimeStamper):
    """Delegate to another timestamper and keep the tokens it returned (seal, archive)."""

    def __init__(self, inner: timestamps.TimeStamper) -> None:
        super().__init__()
        self._inner = inner
        self.tokens: list[cms.ContentInfo] = []

    async def async_timestamp(self, message_digest, md_algorithm) -> cms.ContentInfo:  # type: ignore[no-untyped-def]
        """Ask the inner timestamper and remember the token."""
        token = await self._inner.async_timestamp(message_digest, md_algorithm)
        self.tokens.append(token)
        return token

    async def async_dummy_response(self, md_algorithm) -> cms.ContentInfo:  # type: ignore[no-untyped-def]
        """Size estimation only: the inner timestamper's dummy."""
        return await self._inner.async_dummy_response(md_algorithm)


def _signature_timestamp_tokens(signer_info: cms.SignerInfo) -> list[cms.SignedData]:
    """Return the SignedData of every RFC 3161 token attached to a signature."""
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    tokens = []
    for signed in (False, True):
        tokens.extend(extract_tst_data_iter(signer_info, signed=signed))
    return tokens


def _write_dss(
    writer: IncrementalPdfFileWriter,
    *,
    entries: Sequence[tuple[bytes, Sequence[asn1_x509.Certificate]]],
    crls: Sequence[asn1_crl.CertificateList],
) -> None:
    """Add (or extend) the document security store: every certificate and CRL, one VRI
    entry per signature (keyed by its contents)."""
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import ValidationInfoReadingError

    try:
        store = DocumentSecurityStore.read_dss(writer)
        created = False
    except ValidationInfoReadingError:
        store = DocumentSecurityStore(writer=writer)
        created = True
    for contents, certificates in entries:
        store.register_vri(
            DocumentSecurityStore.sig_content_identifier(contents),
            certs=certificates,
            crls=crls,
        )
    dictionary = store.as_pdf_object()
    if created:
        writer.root[pdf_name("/DSS")] = writer.add_object(dictionary)
        writer.update_root()


class _Material:
    """The validation material of one seal: chains to the roots, and the CRLs that cover them.

    Every link is checked the way a validator would: the issuer's signature over the
    certificate, its validity at ``moment``, and its absence from the issuer's CRL (a CRL
    must be at hand for ``require_crl`` chains: the seal's and the timestamps').
    """

    def __init__(
        self,
        *,
        roots: Sequence[asn1_x509.Certificate],
        crls_der: Sequence[bytes],
        moment: datetime,
    ) -> None:
        self._roots = {root.dump(): root for root in roots}
        self._crls = [_parsed_crl(der) for der in crls_der]
        self._moment = moment
        self._used_crls: dict[bytes, asn1_crl.CertificateList] = {}

    def signed_data_chains(
        self, signed_data: cms.SignedData, *, require_crl: bool
    ) -> list[asn1_x509.Certificate]:
        """Return the chain of the signer of ``signed_data`` (its certificates as the pool)."""
        from pyhanko.sign.general import extract_certificate_info

        info = extract_certificate_info(signed_data)
        return self.chain(info.signer_cert, info.other_certs, require_crl=require_crl)

    def chain(
        self, certificate: asn1_x509.Certificate, pool, *, require_crl: bool
    ) -> list[asn1_x509.Certificate]:
        """Return ``certificate`` and its issuers up to a root; raise ``SigningFailed``."""
        candidates = [*pool, *self._roots.values()]
        chain = [certificate]
        current = certificate
        for _depth in range(8):
            if current.dump() in self._roots:
                return chain
            issuer = self._issuer(current, candidates)
            if issuer is None or issuer.dump() == current.dump():  # none, or self-signed
                raise SigningFailed(
                    f"No trusted chain for {current.subject.human_friendly}: cannot seal."
                )
            self._check(current, issuer, require_crl=require_crl)
            chain.append(issuer)
            current = issuer
        raise SigningFailed("The certificate chain is too long: cannot seal.")

    def crls_used(self) -> list[asn1_crl.CertificateList]:
        """Return the CRLs that covered a checked certificate, each once."""
        return list(self._used_crls.values())

    def _issuer(self, certificate, candidates):  # type: ignore[no-untyped-def]
        for candidate in candidates:
            if candidate.subject != certificate.issuer:
                continue
            if _issued_by(certificate.dump(), candidate.dump()):
                return candidate
        return None

    def _check(self, certificate, issuer, *, require_crl: bool) -> None:  # type: ignore[no-untyped-def]
        parsed = _crypto(certificate)
        if not parsed.not_valid_before_utc <= self._moment <= parsed.not_valid_after_utc:
            raise SigningFailed(
                f"The certificate of {certificate.subject.human_friendly} is not valid now."
            )
        covered = False
        for der, crl in self._crls:
            if crl.issuer != parsed.issuer or not _crl_signed_by(der, _crypto(issuer)):
                continue
            if not crl.last_update_utc <= self._moment <= (crl.next_update_utc or self._moment):
                continue
            if crl.get_revoked_certificate_by_serial_number(parsed.serial_number) is not None:
                raise SigningFailed(
                    f"The certificate of {certificate.subject.human_friendly} is revoked."
                )
            covered = True
            self._used_crls.setdefault(der, _asn1_crl(der))
        if require_crl and not covered:
            raise SigningFailed(
                f"No current CRL covers {certificate.subject.human_friendly}: cannot seal."
            )


@functools.lru_cache(maxsize=64)
def _crypto_for(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)


def _crypto(certificate: asn1_x509.Certificate) -> x509.Certificate:
    """The ``cryptography`` view of a certificate (cached: the platform's repeat)."""
    return _crypto_for(certificate.dump())


@functools.lru_cache(maxsize=64)
def _issued_by(certificate_der: bytes, issuer_der: bytes) -> bool:
    """Return whether the issuer's key signed the certificate (cached: the same bytes give
    the same answer, and the platform's certificates repeat in every seal)."""
    try:
        _crypto_for(certificate_der).verify_directly_issued_by(_crypto_for(issuer_der))
    except (ValueError, TypeError, InvalidSignatureError):
        return False
    return True


@functools.lru_cache(maxsize=8)
def _parsed_crl(der: bytes) -> tuple[bytes, x509.CertificateRevocationList]:
    return der, x509.load_der_x509_crl(der)


@functools.lru_cache(maxsize=8)
def _asn1_crl(der: bytes) -> asn1_crl.CertificateList:
    return asn1_crl.CertificateList.load(der)


@functools.lru_cache(maxsize=16)
def _crl_signed_by(der: bytes, issuer: x509.Certificate) -> bool:
    """Return whether the CRL's signature verifies with the issuer's key (cached per CRL)."""
    return _parsed_crl(der)[1].is_signature_valid(issuer.public_key())  # type: ignore[arg-type]


def _platform_crl_der() -> bytes:
    from signing.revocation import crl_der

    return crl_der()


def _token_expiry(token: cms.SignedData) -> datetime:
    """Return when a document timestamp stops holding: its TSA's or the root's end."""
    from pyhanko.sign.general import extract_certificate_info

    signer = extract_certificate_info(token).signer_cert
    return min(signer.not_valid_after, ca_get().certificate.not_valid_after_utc)


def retimestamp_pdf(pdf: bytes, *, timestamper: timestamps.TimeStamper | None = None) -> SealedPdf:
    """Renew a B-LTA archive: embed the last timestamp's validation data, add a new one.

    The input bytes are untouched; the result is a new document (the caller stores it as a
    new version). Raises ``TimestampUnavailable`` when the timestamp service does not answer.
    """
    from signing.tsa import timestamper as configured_timestamper

    stamper = timestamper or configured_timestamper()
    output = io.BytesIO()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signers.PdfTimeStamper(stamper).update_archival_timestamp_chain(
            reader, _validation_context(revocation_mode="require"), in_place=False, output=output
        )
    except TimestampUnavailable:
        raise
    except HankoSigningError as error:
        if isinstance(error.__cause__, TimestampUnavailable):
            raise error.__cause__ from error
        raise SigningFailed(f"pyHanko could not renew the archive timestamp: {error}") from error
    except _MALFORMED_INPUT as error:
        raise InvalidPdf(f"Cannot renew the timestamp of this PDF: {error}") from error
    data = output.getvalue()
    return SealedPdf(data=data, timestamp_expires_at=last_timestamp_expiry(data))


def last_timestamp_expiry(pdf: bytes) -> datetime:
    """Return when the last document timestamp's certificate chain ends (renew before)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    timestamps_found = reader.embedded_timestamp_signatures
    if not timestamps_found:
        raise InvalidPdf("This PDF has no document timestamp.")
    last = timestamps_found[-1]
    ends = [last.signer_cert.not_valid_after]
    ends.append(ca_get().certificate.not_valid_after_utc)
    return min(ends)


def validate_pdf_offline(
    pdf: bytes, *, root_certificate_der: bytes | None = None
) -> tuple[str, ...]:
    """Validate every signature with pyHanko's AdES LTA process, fully offline.

    Only the root certificate is given (the platform root by default); chain, CRLs and
    timestamps must come from the document itself (its DSS and document timestamps).
    Returns one AdES indication per signature: "PASSED", or the sub-indication's name.
    """
    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )
    from pyhanko_certvalidator.registry import SimpleTrustManager

    root = (
        asn1_x509.Certificate.load(root_certificate_der)
        if root_certificate_der is not None
        else _root_asn1()
    )
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[root]),
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(
                ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
                intermediate_ca_cert_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            )
        ),
    )
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_regular_signatures
    except _MALFORMED_INPUT as error:
        raise InvalidPdf(f"Not a readable PDF: {error}") from error

    async def run() -> tuple[str, ...]:
        results = []
        for signature in embedded:
            result = await ades_lta_validation(signature, spec)
            results.append(_indication(result))
        return tuple(results)

    return asyncio.run(run())


def _indication(result) -> str:  # type: ignore[no-untyped-def]
    subindication = result.ades_subindic
    name = getattr(subindication, "name", str(subindication))
    return "PASSED" if name == "OK" else name


# -- bring your own signature ---------------------------------------------------------

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
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        is_encrypted = reader.encrypted
    except _MALFORMED_INPUT as error:
        raise SignatureRefused("truncated", f"The PDF cannot be read: {error}") from error
    if is_encrypted:
        raise SignatureRefused("encrypted", "The PDF is encrypted.")
    try:
        _refuse_active_content(reader)
    except _MALFORMED_INPUT as error:
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
            except _MALFORMED_INPUT:
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
class UploadCheck:
    """What an accepted uploaded signature proved."""

    signer_subject: str
    signer_code: str
    signing_time: datetime | None
    certificate_serial: str
    rendered_length: int  # bytes of the original render the signature covers


def check_uploaded_signature(
    data: bytes,
    *,
    rendered_candidates: Sequence[bytes],
    subject_code: str,
    trust_roots_der: Sequence[bytes],
    crls_der: Sequence[bytes] = (),
    now: datetime | None = None,
) -> UploadCheck:
    """Check a commitment PDF signed elsewhere, or raise ``SignatureRefused`` saying why.

    Accepted when: it is a plain PDF (``inspect_upload``); the first signature's revision is
    exactly one of ``rendered_candidates`` (our deterministic render) plus that signature;
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
    except _MALFORMED_INPUT as error:
        raise SignatureRefused("tampered", f"The signature cannot be checked: {error}") from error
    if not (status.intact and status.valid):
        raise SignatureRefused("tampered", "The signed bytes were changed after signing.")
    signed_length = signature.byte_range[2] + signature.byte_range[3]
    original = next(
        (
            candidate
            for candidate in rendered_candidates
            if data.startswith(candidate) and len(candidate) < signed_length
        ),
        None,
    )
    if original is None or signature.signed_revision != 1:
        raise SignatureRefused(
            "wrong_document",
            "The signed document is not the commitment as rendered by the platform.",
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
    code = _subject_code(certificate.subject)
    if code != subject_code:
        raise SignatureRefused(
            "wrong_subject", "The certificate belongs to someone other than the committing party."
        )
    return UploadCheck(
        signer_subject=certificate.subject.rfc4514_string(),
        signer_code=code,
        signing_time=status.signer_reported_dt,
        certificate_serial=f"{certificate.serial_number:x}",
        rendered_length=len(original),
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
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    try:
        store = DocumentSecurityStore.read_dss(reader)
    except (*_MALFORMED_INPUT, AttributeError):
        return []
    return [crl.dump() for crl in store.crls]
