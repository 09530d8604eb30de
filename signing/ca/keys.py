"""The platform's own keys besides the CA: the timestamping unit and the platform seal.

Each is an end-entity certificate issued by ``signing.ca.issue`` with its own key usage,
kept as two files next to the CA (``tsa.crt``/``tsa.key``, ``seal.crt``/``seal.key``; the
key PKCS#8 encrypted with the platform key password, see
``signing.ca.authority.key_password``). They are created on first use under a file lock,
like the CA, and loaded once per process: a key object kept in memory is what makes
signing fast (the notes' first speed trap). A certificate whose end
is near (``RENEW_BEFORE``) is replaced by a fresh one on the next load; the old files are
kept beside it with their serial number in the name.

Production may keep the seal key on a PKCS#11 device instead (``SIGNING_SEAL_PKCS11``; see
``signing.pades.signers.seal_signer``) and use an external TSA (``SIGNING_TSA_URL``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from signing.ca.authority import CA_ORGANISATION, CertificateAuthority, ca_get, key_password
from signing.ca.issue import issue_certificate
from signing.errors import CertificateAuthorityInvalid
from signing.files import exclusive_lock, write_once

RENEW_BEFORE = timedelta(days=30)

_SIGNATURE_ONLY = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


@dataclass(frozen=True)
class PlatformKey:
    """A loaded platform key and its certificate."""

    name: str
    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class _Profile:
    common_name: str
    extended_key_usage: tuple[x509.ObjectIdentifier, ...]
    validity_setting: str
    default_days: int


PROFILES = {
    "tsa": _Profile(
        "Chengnuo Timestamping Unit", (ExtendedKeyUsageOID.TIME_STAMPING,), "SIGNING_TSA_DAYS", 1826
    ),
    "seal": _Profile("Chengnuo Platform Seal", (), "SIGNING_SEAL_DAYS", 1095),
}

_cache: dict[tuple[str, str], PlatformKey] = {}
_lock = threading.Lock()


def platform_key(name: str) -> PlatformKey:
    """Return the named platform key ("tsa" or "seal"), creating or renewing it if needed."""
    folder = Path(settings.SIGNING_CA_KEY_PATH).parent
    cache_key = (name, str(folder))
    loaded = _cache.get(cache_key)
    now = datetime.now(UTC)
    if (
        loaded is not None
        and loaded.certificate.not_valid_before_utc <= now
        and loaded.certificate.not_valid_after_utc - now > RENEW_BEFORE
    ):
        return loaded
    with _lock:
        loaded = _load_or_create(name=name, folder=folder, now=now)
        _cache[cache_key] = loaded
    return loaded


def platform_certificate_issue(
    name: str,
    *,
    public_key: ec.EllipticCurvePublicKey,
    authority: CertificateAuthority | None = None,
) -> x509.Certificate:
    """Issue the certificate of platform key ``name`` ("tsa" or "seal") for ``public_key``.

    Used for the key files created here, and to certify a key generated on a PKCS#11 device
    (``SIGNING_SEAL_PKCS11``): the device keeps the key, the platform CA vouches for it.
    """
    profile = PROFILES[name]
    authority = authority or ca_get()
    return issue_certificate(
        subject=x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, profile.common_name),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, CA_ORGANISATION),
            ]
        ),
        public_key=public_key,
        validity=timedelta(
            days=int(getattr(settings, profile.validity_setting, profile.default_days))
        ),
        key_usage=_SIGNATURE_ONLY,
        extended_key_usage=profile.extended_key_usage,
        authority=authority,
        # valid as long as the CA: a timestamp or seal dated in the past still chains
        not_before=authority.certificate.not_valid_before_utc,
    )


def platform_keys_clear_cache() -> None:
    """Forget loaded platform keys (tests, rotation)."""
    with _lock:
        _cache.clear()


def _load_or_create(*, name: str, folder: Path, now: datetime) -> PlatformKey:
    cert_path, key_path = folder / f"{name}.crt", folder / f"{name}.key"
    authority = ca_get()  # first: creating the CA creates the password file
    password = key_password()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with exclusive_lock(folder / f"{name}.lock"):
        if cert_path.exists() and key_path.exists():
            loaded = _load(name=name, cert_path=cert_path, key_path=key_path, password=password)
            same_issuer = loaded.certificate.issuer == authority.certificate.subject
            if (
                same_issuer
                and loaded.certificate.not_valid_before_utc <= now
                and loaded.certificate.not_valid_after_utc - now > RENEW_BEFORE
            ):
                return loaded
            serial = f"{loaded.certificate.serial_number:x}"
            cert_path.rename(folder / f"{name}.{serial}.crt")
            key_path.rename(folder / f"{name}.{serial}.key")
        private_key = ec.generate_private_key(ec.SECP256R1())
        certificate = platform_certificate_issue(
            name, public_key=private_key.public_key(), authority=authority
        )
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        write_once(
            path=key_path,
            data=private_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
            ),
            mode=0o600,
        )
        write_once(
            path=cert_path, data=certificate.public_bytes(serialization.Encoding.PEM), mode=0o644
        )
    return PlatformKey(name=name, certificate=certificate, private_key=private_key)


def _load(*, name: str, cert_path: Path, key_path: Path, password: bytes | None) -> PlatformKey:
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=password)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise CertificateAuthorityInvalid(
            f"Cannot read the platform {name} key from {cert_path} and {key_path}"
            f" (check SIGNING_CA_KEY_PASSWORD): {error}"
        ) from error
    if not isinstance(private_key, ec.EllipticCurvePrivateKey):
        raise CertificateAuthorityInvalid(f"The {name} key in {key_path} is not an EC key.")
    return PlatformKey(name=name, certificate=certificate, private_key=private_key)
