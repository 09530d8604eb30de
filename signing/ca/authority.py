"""The platform root: load it (or, in the embedded default, create it) once per process.

Production points ``SIGNING_CA_CERT_PATH`` / ``SIGNING_CA_KEY_PATH`` at files made by the
operator (the key optionally encrypted with ``SIGNING_CA_KEY_PASSWORD``). The embedded
default and the tests set ``SIGNING_CA_AUTOCREATE`` so the first process to need the CA
creates a self-signed root; creation is serialised with a file lock and every file is
written to a temporary name then hard-linked into place, so concurrent first starts end
with exactly one CA and a crash never leaves a half-written file. Certificates are issued
by ``signing.ca.issue``.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.x509.oid import NameOID
from django.conf import settings

from signing.ca.pkcs11 import DeviceConfig, DeviceKey, device_key_load, device_sessions_close
from signing.errors import CertificateAuthorityInvalid, CertificateAuthorityMissing
from signing.files import exclusive_lock, write_once

CA_COMMON_NAME = "Chengnuo Platform Root CA"
CA_ORGANISATION = "Chengnuo"
CA_VALIDITY = timedelta(days=3652)
CA_BACKDATE = timedelta(days=731)
CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


@dataclass(frozen=True)
class CertificateAuthority:
    """A loaded CA: its certificate and the private key object kept for the process."""

    certificate: x509.Certificate
    private_key: CertificateIssuerPrivateKeyTypes

    @property
    def fingerprint_sha256(self) -> str:
        """Return the SHA-256 of the DER certificate as colon-separated upper-case hex."""
        digest = self.certificate.fingerprint(hashes.SHA256()).hex().upper()
        return ":".join(digest[index : index + 2] for index in range(0, len(digest), 2))


_cache: dict[tuple[str, str], CertificateAuthority] = {}
_cache_lock = threading.Lock()


def ca_get() -> CertificateAuthority:
    """Return the platform CA, loading it (or creating it when allowed) once per process.

    The cache is keyed by the configured paths so that tests overriding the settings get
    their own CA instead of a stale one.
    """
    key = (str(settings.SIGNING_CA_CERT_PATH), str(settings.SIGNING_CA_KEY_PATH))
    authority = _cache.get(key)
    if authority is not None:
        return authority
    with _cache_lock:
        authority = _cache.get(key)
        if authority is None:
            authority, _created = ca_ensure()
            _cache[key] = authority
    return authority


def ca_clear_cache() -> None:
    """Forget loaded CAs, so the next ``ca_get`` reads the files again (tests, key rotation)."""
    with _cache_lock:
        if any(isinstance(loaded.private_key, DeviceKey) for loaded in _cache.values()):
            device_sessions_close()
        _cache.clear()


def ca_ensure() -> tuple[CertificateAuthority, bool]:
    """Load the CA from the configured files, creating them first if allowed; say if created.

    Raises ``CertificateAuthorityMissing`` when the files are absent and
    ``SIGNING_CA_AUTOCREATE`` is false, and ``CertificateAuthorityInvalid`` when they cannot
    be read or do not belong together.
    """
    cert_path = Path(settings.SIGNING_CA_CERT_PATH)
    device = getattr(settings, "SIGNING_CA_PKCS11", None)
    if device:
        config = DeviceConfig.from_setting(device)
        return _load_with_device(cert_path=cert_path, config=config), False
    key_path = Path(settings.SIGNING_CA_KEY_PATH)
    password = _password()
    if cert_path.exists() and key_path.exists():
        return _load(cert_path=cert_path, key_path=key_path, password=password), False
    if not settings.SIGNING_CA_AUTOCREATE:
        raise CertificateAuthorityMissing(
            f"The platform CA is missing ({cert_path}, {key_path}). Create it with"
            " `manage.py signing_ca create`, or install one with `signing_ca import` (README,"
            ' "A production CA"); or point SIGNING_CA_CERT_PATH and SIGNING_CA_KEY_PATH at'
            " existing files. Only the embedded default sets SIGNING_CA_AUTOCREATE=true."
        )
    return _create(cert_path=cert_path, key_path=key_path, password=password)


def signature_hash(private_key: CertificateIssuerPrivateKeyTypes) -> hashes.HashAlgorithm:
    """Return the digest to sign certificates with: SHA-256 for P-256, SHA-384 for RSA-3072."""
    if isinstance(private_key, rsa.RSAPrivateKey):
        return hashes.SHA384()
    return hashes.SHA256()


def _password(*, create: bool = False) -> bytes | None:
    """Return the password of the platform keys: the setting, else the password file.

    ``SIGNING_CA_KEY_PASSWORD`` wins. Without it, the embedded default keeps a random
    password in ``SIGNING_CA_KEY_PASSWORD_FILE`` (default: ``<CA key>.password``, mode 0600),
    written once when the CA is created (``create``), so every key is encrypted at rest. A
    CA made before the file existed has no file and stays readable without a password.
    """
    password = settings.SIGNING_CA_KEY_PASSWORD
    if password:
        return password.encode("utf-8")
    path = password_file_path()
    if path.exists():
        return path.read_bytes().strip() or None
    if not create:
        return None
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_once(path=path, data=secrets.token_urlsafe(32).encode("ascii"), mode=0o600)
    return path.read_bytes().strip()


def password_file_path() -> Path:
    """Return where the embedded default keeps the generated key password."""
    configured = getattr(settings, "SIGNING_CA_KEY_PASSWORD_FILE", "")
    if configured:
        return Path(configured)
    key_path = Path(settings.SIGNING_CA_KEY_PATH)
    return key_path.with_name(key_path.name + ".password")


def key_password() -> bytes | None:
    """Return the password protecting the platform keys at rest (never log it)."""
    return _password()


def _load(*, cert_path: Path, key_path: Path, password: bytes | None) -> CertificateAuthority:
    """Read and check the CA files; raise ``CertificateAuthorityInvalid`` on any library error."""
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=password)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise CertificateAuthorityInvalid(
            f"Cannot read the platform CA from {cert_path} and {key_path}"
            f" (check SIGNING_CA_KEY_PASSWORD): {error}"
        ) from error
    if not isinstance(private_key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise CertificateAuthorityInvalid(f"The CA key in {key_path} is not an EC or RSA key.")
    if public_key_der(private_key.public_key()) != public_key_der(certificate.public_key()):
        raise CertificateAuthorityInvalid(
            f"The CA key in {key_path} does not belong to the certificate in {cert_path}."
        )
    return CertificateAuthority(certificate=certificate, private_key=private_key)


def _load_with_device(*, cert_path: Path, config: DeviceConfig) -> CertificateAuthority:
    """Read the CA certificate from its file and find its key on the PKCS#11 device."""
    if not cert_path.exists():
        raise CertificateAuthorityMissing(
            f"The platform CA certificate {cert_path} is missing. With SIGNING_CA_PKCS11 the"
            " key stays on the device: run `manage.py signing_ca create` (or `import`)."
        )
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError) as error:
        raise CertificateAuthorityInvalid(
            f"Cannot read the CA certificate {cert_path}: {error}"
        ) from error
    private_key = device_key_load(config)
    if public_key_der(private_key.public_key()) != public_key_der(certificate.public_key()):
        raise CertificateAuthorityInvalid(
            f"The key {config.key_label!r} on the PKCS#11 token {config.token_label!r} does not"
            f" belong to the certificate in {cert_path}."
        )
    return CertificateAuthority(certificate=certificate, private_key=private_key)


def _create(
    *, cert_path: Path, key_path: Path, password: bytes | None
) -> tuple[CertificateAuthority, bool]:
    """Create the CA files unless another process did; return the CA and whether we made it."""
    for directory in {cert_path.parent, key_path.parent}:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with exclusive_lock(key_path.with_name(key_path.name + ".lock")):
        password = password or _password()  # another process may have written the file
        if cert_path.exists() and key_path.exists():  # another process won the race
            return _load(cert_path=cert_path, key_path=key_path, password=password), False
        if cert_path.exists():
            raise CertificateAuthorityInvalid(
                f"The CA certificate {cert_path} exists but its key {key_path} does not;"
                " restore the key or remove the certificate."
            )
        if key_path.exists():
            # A crash between the two links below: finish the job with the key on disk.
            private_key = _load_key(key_path=key_path, password=password)
        else:
            password = password or _password(create=True)
            private_key = ec.generate_private_key(ec.SECP256R1())
            _write_new(path=key_path, data=key_pem(private_key=private_key, password=password))
        certificate = root_certificate_build(private_key=private_key)
        _write_new(path=cert_path, data=certificate.public_bytes(serialization.Encoding.PEM))
    return CertificateAuthority(certificate=certificate, private_key=private_key), True


def _load_key(*, key_path: Path, password: bytes | None) -> CertificateIssuerPrivateKeyTypes:
    """Read the CA key alone (used only to recover from a half-finished creation)."""
    try:
        private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=password)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise CertificateAuthorityInvalid(f"Cannot read the CA key {key_path}: {error}") from error
    if not isinstance(private_key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise CertificateAuthorityInvalid(f"The CA key in {key_path} is not an EC or RSA key.")
    return private_key


def key_pem(*, private_key: CertificateIssuerPrivateKeyTypes, password: bytes | None) -> bytes:
    """Serialise the key as PKCS#8 PEM, encrypted when a password is configured."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def root_certificate_build(
    *,
    private_key: CertificateIssuerPrivateKeyTypes,
    common_name: str = CA_COMMON_NAME,
    organisation: str = CA_ORGANISATION,
    validity: timedelta = CA_VALIDITY,
) -> x509.Certificate:
    """Build the self-signed root certificate for ``private_key`` (ten years by default).

    ``path_length=0``: the root signs end-entity certificates only; an intermediate would
    need a deliberate new root.
    """
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    public_key = private_key.public_key()
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        # Back-dated: records dated before the CA was made (imported history, a clock set
        # back in tests) must still chain to it. Only end-entity dates carry meaning.
        .not_valid_before(now - CA_BACKDATE)
        .not_valid_after(now + validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(private_key, signature_hash(private_key))
    )


def _write_new(*, path: Path, data: bytes) -> None:
    """Write a CA file (mode 0600); under the lock it cannot exist, so finding one is an error."""
    if not write_once(path=path, data=data, mode=0o600):
        raise CertificateAuthorityInvalid(f"{path} appeared while the CA was being created.")


def public_key_der(public_key: CertificatePublicKeyTypes) -> bytes:
    """Return a public key's SubjectPublicKeyInfo DER, to compare keys of any type."""
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
