"""Validate the signatures of a PDF against the platform root, offline.

``validate_pdf`` reports every signature and document timestamp as small frozen dataclasses
(judge a signature on ``bottom_line``); ``validate_pdf_offline`` runs pyHanko's AdES LTA
process with nothing but the root, reading chains, CRLs and timestamps from the document.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager

from signing.ca.issue import ORGANISATION_IDENTIFIER_PREFIX
from signing.ca.revocation import crl_der
from signing.errors import InvalidPdf
from signing.pades.fields import PLATFORM_SEAL_FIELD
from signing.pades.reader import MALFORMED_INPUT
from signing.pades.signers import root_asn1

# What a broken or unreadable signature reports instead of a coverage or modification level.
UNKNOWN = "UNKNOWN"
# The validator's ways of saying the certificate was not valid at the moment that counts.
CERTIFICATE_OUT_OF_TIME = frozenset(
    {
        AdESIndeterminate.EXPIRED,
        AdESIndeterminate.NOT_YET_VALID,
        AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
        AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
        AdESFailure.NOT_YET_VALID,
    }
)


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
    readable: bool = True  # the signature could be parsed at all
    revoked: bool = False  # the certificate is listed in the platform's CRL
    expired: bool = False  # the certificate was not valid at the moment of validation
    changes_permitted: bool = True  # what was added after this signature is allowed

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
    except MALFORMED_INPUT as error:
        raise InvalidPdf(f"Not a readable PDF: {error}") from error
    reports = []
    for signature in embedded:
        reports.append(_report(signature, validation_context(moment=moment)))
    document_timestamps = []
    try:
        timestamp_signatures = reader.embedded_timestamp_signatures
    except MALFORMED_INPUT:
        timestamp_signatures = []
    for timestamp in timestamp_signatures:
        document_timestamps.append(_timestamp_report(timestamp, validation_context()))
    return ValidationReport(
        signatures=tuple(reports), document_timestamps=tuple(document_timestamps)
    )


def validation_context(
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
        trust_roots = [root_asn1()]
    if crls is None:
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
    except MALFORMED_INPUT:
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
    except (*MALFORMED_INPUT, AttributeError):
        # pyHanko meets a CMS whose digest algorithm is unreadable with an AttributeError of
        # its own (no external_md_algorithm); it is a damaged signature, not our bug.
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
            readable=False,
        )
    certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    timestamp_status = status.timestamp_validity
    common_names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return SignatureReport(
        field_name=field_name,
        signer_subject=certificate.subject.rfc4514_string(),
        signer_code=certificate_subject_code(certificate.subject),
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
        revoked=bool(status.revoked),
        expired=status.trust_problem_indic in CERTIFICATE_OUT_OF_TIME,
        changes_permitted=status.docmdp_ok is not False,
    )


def certificate_subject_code(subject: x509.Name) -> str | None:
    """Return the subject's code: organizationIdentifier without "NTRCN-", else serialNumber."""
    for attribute in subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER):
        value = str(attribute.value)
        if value.startswith(ORGANISATION_IDENTIFIER_PREFIX):
            return value.removeprefix(ORGANISATION_IDENTIFIER_PREFIX)
    serial_numbers = subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(serial_numbers[0].value) if serial_numbers else None


def validate_pdf_offline(
    pdf: bytes, *, root_certificate_der: bytes | None = None
) -> tuple[str, ...]:
    """Validate every signature with pyHanko's AdES LTA process, fully offline.

    Only the root certificate is given (the platform root by default); chain, CRLs and
    timestamps must come from the document itself (its DSS and document timestamps).
    Returns one AdES indication per signature: "PASSED", or the sub-indication's name.
    """
    root = (
        asn1_x509.Certificate.load(root_certificate_der)
        if root_certificate_der is not None
        else root_asn1()
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
    except MALFORMED_INPUT as error:
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
