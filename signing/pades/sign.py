"""The applicant's signature: PAdES B-T in the "Applicant" field, with a one-off certificate.

Two measured speed traps are avoided: the stock ``SimpleSigner`` re-parses its key on every
signature (``KeySigner`` keeps the key object), and without ``bytes_reserved`` pyHanko signs
twice to learn the size of the signature.

pyHanko's coroutines run on the thread's own event loop (``run_sync``): call these functions
from sync code (sync views, Celery prefork workers), or from a thread in async code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError as HankoSigningError

from signing.ca.issue import issue_signer_certificate
from signing.errors import InvalidPdf, SigningFailed, TimestampUnavailable
from signing.identity import SignerIdentity
from signing.pades.fields import APPLICANT_FIELD, seal_field_describe, seal_field_spec
from signing.pades.reader import MALFORMED_INPUT
from signing.pades.signers import KeySigner, root_asn1, run_sync, to_asn1
from signing.pades.writer import RevisionWriter
from signing.tsa import timestamper as configured_timestamper

# Room for the CMS blob: an ECDSA signature with its two certificates is ~1.5 KB; an
# RFC 3161 token adds ~2-5 KB. Too small fails loudly; too large only pads with zeros.
BYTES_RESERVED = 6 * 1024
BYTES_RESERVED_TIMESTAMP = 4 * 1024


@dataclass(frozen=True)
class SignedPdf:
    """A signed PDF and the serial number (hex) of the certificate that signed it."""

    data: bytes
    certificate_serial: str  # hex


@dataclass(frozen=True)
class PreparedSigner:
    """A one-off key and certificate issued before the document is drawn.

    Issuing first lets the document's visible signature block name the certificate that
    then signs it (``certificate_holder``, ``certificate_serial``, ``certificate_issuer``).
    The key lives only as long as this object.
    """

    identity: SignerIdentity
    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def certificate_serial(self) -> str:
        """The certificate's serial number in hex, as stored with the signed document."""
        return f"{self.certificate.serial_number:x}"

    @property
    def certificate_holder(self) -> str:
        """The holder as people read it: common name and the code it is matched on."""
        name = _name_part(self.certificate.subject, NameOID.COMMON_NAME)
        return f"{name} ({self.identity.subject_code})"

    @property
    def certificate_issuer(self) -> str:
        """The issuing authority's common name (its full name when it has none)."""
        issuer = self.certificate.issuer
        return _name_part(issuer, NameOID.COMMON_NAME) or issuer.rfc4514_string()


def _name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def signer_prepare(*, identity: SignerIdentity) -> PreparedSigner:
    """Issue the fresh key and short-lived certificate for one signature by ``identity``."""
    private_key, certificate = issue_signer_certificate(identity=identity)
    return PreparedSigner(identity=identity, private_key=private_key, certificate=certificate)


_CONFIGURED = object()


def sign_pdf(
    pdf: bytes,
    *,
    signer: SignerIdentity | PreparedSigner,
    reason: str,
    location: str = "",
    timestamper: timestamps.TimeStamper | None | object = _CONFIGURED,
) -> SignedPdf:
    """Sign ``pdf`` as ``signer`` in the "Applicant" field at PAdES B-T.

    The timestamp comes from ``signing.tsa.timestamper()`` unless a timestamper is given;
    ``timestamper=None`` makes a B-B signature (tests of the untimestamped case only).
    Raises ``TimestampUnavailable`` when the timestamp service does not answer.

    A fresh key and short-lived certificate are issued for this one signature (or were, by
    ``signer_prepare``, when the document shows the certificate); the key is dropped when
    the function returns. Both signature fields are created first, so the
    platform seal can be added later without invalidating the applicant's signature.
    Raises ``InvalidPdf`` when ``pdf`` cannot be read or already has these fields.
    """
    if timestamper is _CONFIGURED:
        timestamper = configured_timestamper()
    prepared = signer if isinstance(signer, PreparedSigner) else signer_prepare(identity=signer)
    private_key, certificate = prepared.private_key, prepared.certificate
    key_signer = KeySigner(
        private_key=private_key,
        certificate=to_asn1(certificate),
        chain=(root_asn1(),),
    )
    try:
        writer = RevisionWriter(io.BytesIO(pdf), strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=APPLICANT_FIELD))
        fields.append_signature_field(writer, seal_field_spec())
        seal_field_describe(writer)
    except (*MALFORMED_INPUT, HankoSigningError) as error:
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
        run_sync(pdf_signer.async_sign_pdf(writer, bytes_reserved=reserved, output=output))
    except TimestampUnavailable:
        raise
    except HankoSigningError as error:
        if isinstance(error.__cause__, TimestampUnavailable):
            raise error.__cause__ from error
        raise SigningFailed(f"pyHanko could not sign the PDF: {error}") from error
    except MALFORMED_INPUT as error:
        raise InvalidPdf(f"Cannot sign this PDF: {error}") from error
    return SignedPdf(data=output.getvalue(), certificate_serial=f"{certificate.serial_number:x}")
