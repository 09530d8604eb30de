"""Issue certificates from the platform CA: applicants' one-signature certificates and the
general helper behind the platform's own keys.

Every applicant signature uses a fresh, short-lived end-entity certificate issued here at
signing time, bound to the subject the applicant authenticated as. The key pair lives only
in memory for the duration of one signature, so the certificate's short life, not
revocation, limits what a leaked key could do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.conf import settings

from signing.ca.authority import CertificateAuthority, ca_get, signature_hash
from signing.errors import InvalidIdentity
from signing.identity import SignerIdentity

# Certificates start slightly in the past so a validator whose clock lags ours accepts them.
CLOCK_SKEW = timedelta(minutes=5)
# cryptography enforces X.520's bound of 64 on a common name, counted in UTF-8 bytes.
COMMON_NAME_MAX_BYTES = 64
ORGANISATION_MAX_CHARACTERS = 64
ORGANISATION_IDENTIFIER_PREFIX = "NTRCN-"  # ETSI EN 319 412-1: national trade register, China
# X.520 serialNumber is a PrintableString; a credit code or identity number always fits.
SUBJECT_CODE_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,64}$")

SIGNER_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,  # nonRepudiation
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def issue_certificate(
    *,
    subject: x509.Name,
    public_key: CertificatePublicKeyTypes,
    validity: timedelta,
    key_usage: x509.KeyUsage,
    extended_key_usage: Sequence[ObjectIdentifier] = (),
    authority: CertificateAuthority | None = None,
    now: datetime | None = None,
    not_before: datetime | None = None,
) -> x509.Certificate:
    """Issue an end-entity certificate from the platform CA.

    The general helper behind ``issue_signer_certificate``, the platform seal and the
    timestamping unit. A CRL distribution point (``SIGNING_CRL_URL``) is written only when
    configured: the signing path embeds that CRL in every PDF it seals (a validator that
    sees a pointer but has no revocation data judges the certificate untrusted). Set it
    empty to issue certificates without pointers.
    """
    authority = authority or ca_get()
    issued_at = now or datetime.now(UTC)
    issuer_public_key = authority.certificate.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(authority.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or issued_at - CLOCK_SKEW)
        .not_valid_after(issued_at + validity)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if extended_key_usage:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(list(extended_key_usage)),
            critical=ExtendedKeyUsageOID.TIME_STAMPING in extended_key_usage,  # RFC 3161 2.3
        )
    crl_url = crl_distribution_url()
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(authority.private_key, signature_hash(authority.private_key))


def signer_subject_name(*, identity: SignerIdentity) -> x509.Name:
    """Build the certificate subject for an applicant.

    Signers are matched on ``serialNumber`` (and, for companies, ``organizationIdentifier``),
    never on the names, which are truncated to the X.520 bounds when too long.
    """
    if not SUBJECT_CODE_PATTERN.fullmatch(identity.subject_code):
        raise InvalidIdentity(
            f"The subject code {identity.subject_code!r} is not 1-64 letters, digits or '-'."
        )
    if not identity.subject_name.strip():
        raise InvalidIdentity("The subject name is empty.")
    if not identity.user_label.strip():
        raise InvalidIdentity("The user label is empty.")
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, _truncate_utf8(identity.subject_name)),
    ]
    if identity.is_organisation:
        attributes += [
            x509.NameAttribute(
                NameOID.ORGANIZATION_NAME, identity.subject_name[:ORGANISATION_MAX_CHARACTERS]
            ),
            x509.NameAttribute(
                NameOID.ORGANIZATION_IDENTIFIER,
                f"{ORGANISATION_IDENTIFIER_PREFIX}{identity.subject_code}",
            ),
        ]
    attributes += [
        x509.NameAttribute(NameOID.SERIAL_NUMBER, identity.subject_code),
        x509.NameAttribute(NameOID.PSEUDONYM, identity.user_label),
    ]
    return x509.Name(attributes)


def issue_signer_certificate(
    *, identity: SignerIdentity
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """Create a fresh ECDSA P-256 key and a short-lived certificate for one signature.

    P-256 because generating the key costs ~0.3 ms (RSA-2048: ~34 ms) and every
    commitment gets its own. Validity is ``SIGNING_SIGNER_CERT_VALIDITY``.
    """
    subject = signer_subject_name(identity=identity)
    private_key = ec.generate_private_key(ec.SECP256R1())
    certificate = issue_certificate(
        subject=subject,
        public_key=private_key.public_key(),
        validity=settings.SIGNING_SIGNER_CERT_VALIDITY,
        key_usage=SIGNER_KEY_USAGE,
    )
    return private_key, certificate


def _truncate_utf8(text: str, limit: int = COMMON_NAME_MAX_BYTES) -> str:
    """Cut ``text`` to at most ``limit`` UTF-8 bytes without splitting a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def crl_distribution_url() -> str:
    """Return the URL written as CRL distribution point in new certificates ("" for none)."""
    return getattr(settings, "SIGNING_CRL_URL", "") or ""
