"""Provision the production CA: create it, import it, check it (``manage.py signing_ca``).

The embedded default creates its CA on first use (``SIGNING_CA_AUTOCREATE``); production
never does. There the operator runs ``signing_ca create`` (a new root whose key is written
encrypted, mode 0600, or generated on a PKCS#11 device), or ``signing_ca import`` (a CA
certificate and key made elsewhere), then ``signing_ca check`` at every deployment. The key's
password comes from ``SIGNING_CA_KEY_PASSWORD`` (the environment) or the file
``SIGNING_CA_KEY_PASSWORD_FILE``; a PKCS#11 PIN from the file ``SIGNING_CA_PKCS11`` names.
Nothing here takes a secret as an argument from the command line.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from django.conf import settings

from signing.ca.authority import (
    CA_COMMON_NAME,
    CA_ORGANISATION,
    CA_VALIDITY,
    CertificateAuthority,
    ca_clear_cache,
    key_pem,
    password_file_path,
    public_key_der,
    root_certificate_build,
)
from signing.ca.pkcs11 import (
    DeviceConfig,
    device_key_exists,
    device_key_generate,
    device_key_load,
    device_sessions_close,
)
from signing.errors import CertificateAuthorityInvalid
from signing.files import write_once

KEY_TYPES = ("ec-p256", "ec-p384", "rsa-3072")
MINIMUM_PASSWORD_LENGTH = 12


class CheckStatus(StrEnum):
    """How one check of ``ca_check`` ended."""

    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"


@dataclass(frozen=True)
class CheckResult:
    """One line of ``signing_ca check``: what was checked, how it ended, and why."""

    name: str
    status: CheckStatus
    detail: str


@dataclass(frozen=True)
class Provisioned:
    """What ``ca_create`` or ``ca_import`` wrote, and where the key is."""

    authority: CertificateAuthority
    key_location: str
    is_key_generated: bool


def device_config() -> DeviceConfig | None:
    """Return the PKCS#11 device of the CA key, or ``None`` when the key is a file."""
    value = getattr(settings, "SIGNING_CA_PKCS11", None)
    return DeviceConfig.from_setting(value) if value else None


def secret_file_problem(path: Path) -> str | None:
    """Say what is wrong with a file holding a secret, or ``None``: it must be ours, mode 0600.

    Refused: a missing or non-regular file, any permission for the group or others, a file
    owned by another user (whoever owns it can replace the key or read it).
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        return f"{path} does not exist."
    except OSError as error:
        return f"{path} cannot be read: {error.strerror}."
    if not stat.S_ISREG(status.st_mode):
        return f"{path} is not a regular file."
    if status.st_uid != os.geteuid():
        return (
            f"{path} is owned by uid {status.st_uid}, not by this service's user"
            f" (uid {os.geteuid()}): chown it."
        )
    mode = stat.S_IMODE(status.st_mode)
    if mode & 0o077:
        return (
            f"{path} has mode {mode:04o}: the group or others may access it; run chmod 600 on it."
        )
    return None


def ca_key_password() -> bytes:
    """Return the password to encrypt a new CA key with; refuse a missing or short one.

    ``SIGNING_CA_KEY_PASSWORD`` (the environment) wins; otherwise the password file
    (``SIGNING_CA_KEY_PASSWORD_FILE``, default ``<key>.password``) written by the operator,
    which must be the service user's own, mode 0600.
    """
    password = settings.SIGNING_CA_KEY_PASSWORD
    if password:
        value = password.encode("utf-8")
    else:
        path = password_file_path()
        if not path.exists():
            raise CertificateAuthorityInvalid(
                "No password for the CA key: set SIGNING_CA_KEY_PASSWORD in the environment or"
                f" write it to {path} (mode 0600; SIGNING_CA_KEY_PASSWORD_FILE names another file)."
            )
        problem = secret_file_problem(path)
        if problem:
            raise CertificateAuthorityInvalid(f"The CA key password file: {problem}")
        value = path.read_bytes().strip()
    if len(value) < MINIMUM_PASSWORD_LENGTH:
        raise CertificateAuthorityInvalid(
            f"The CA key password has {len(value)} characters; at least"
            f" {MINIMUM_PASSWORD_LENGTH} are needed."
        )
    return value


def ca_create(
    *,
    key_type: str = "ec-p256",
    common_name: str = CA_COMMON_NAME,
    organisation: str = CA_ORGANISATION,
    validity: timedelta = CA_VALIDITY,
) -> Provisioned:
    """Create a new self-signed platform root at the configured paths; never overwrite one.

    With a key file: a new key, PKCS#8 encrypted with ``ca_key_password()``, mode 0600. With
    ``SIGNING_CA_PKCS11``: the device's key pair labelled ``key_label`` if there is one, else
    one generated on the device (sensitive, not extractable).
    """
    if key_type not in KEY_TYPES:
        raise CertificateAuthorityInvalid(
            f"Unknown key type {key_type!r}; choose one of {', '.join(KEY_TYPES)}."
        )
    if not common_name.strip() or not organisation.strip():
        raise CertificateAuthorityInvalid("The CA's common name and organisation are required.")
    if validity <= timedelta(0):
        raise CertificateAuthorityInvalid("The CA's validity must be at least one day.")
    cert_path = Path(settings.SIGNING_CA_CERT_PATH)
    device = device_config()
    key_path = Path(settings.SIGNING_CA_KEY_PATH)
    _refuse_existing(cert_path=cert_path, key_path=None if device else key_path)
    private_key: CertificateIssuerPrivateKeyTypes
    if device:
        is_generated = not device_key_exists(device)
        if is_generated:
            private_key = device_key_generate(device, key_type=key_type)
        else:
            private_key = device_key_load(device)
        location = f"PKCS#11 token {device.token_label!r}, key {device.key_label!r}"
    else:
        password = ca_key_password()
        private_key = _generate(key_type)
        _write(path=key_path, data=key_pem(private_key=private_key, password=password), mode=0o600)
        location, is_generated = str(key_path), True
    certificate = root_certificate_build(
        private_key=private_key,
        common_name=common_name,
        organisation=organisation,
        validity=validity,
    )
    return _install_certificate(
        cert_path=cert_path,
        certificate=certificate,
        private_key=private_key,
        key_location=location,
        is_key_generated=is_generated,
    )


def ca_import(
    *,
    certificate_pem: bytes,
    private_key_pem: bytes | None,
    private_key_password: bytes | None,
    now: datetime,
) -> Provisioned:
    """Install a CA made elsewhere at the configured paths, after checking it is usable.

    The certificate must be a CA (basic constraints, key usage ``keyCertSign``), valid
    ``now``, and belong to the key: the key file given (re-encrypted with
    ``ca_key_password()``, mode 0600) or, with ``SIGNING_CA_PKCS11``, the key on the device
    (then no key file is given).
    """
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem)
    except ValueError as error:
        raise CertificateAuthorityInvalid(
            f"The certificate to import is not a PEM X.509 certificate: {error}"
        ) from error
    for problem in (_constraints_problem(certificate), _validity_problem(certificate, now=now)):
        if problem:
            raise CertificateAuthorityInvalid(f"The certificate to import: {problem}")
    cert_path = Path(settings.SIGNING_CA_CERT_PATH)
    key_path = Path(settings.SIGNING_CA_KEY_PATH)
    device = device_config()
    if device:
        if private_key_pem is not None:
            raise CertificateAuthorityInvalid(
                "SIGNING_CA_PKCS11 is set: the key is on the device, import the certificate only."
            )
        _refuse_existing(cert_path=cert_path, key_path=None)
        private_key: CertificateIssuerPrivateKeyTypes = device_key_load(device)
        location = f"PKCS#11 token {device.token_label!r}, key {device.key_label!r}"
    else:
        if private_key_pem is None:
            raise CertificateAuthorityInvalid("The CA key to import is required (--key).")
        _refuse_existing(cert_path=cert_path, key_path=key_path)
        private_key = _read_key(private_key_pem, password=private_key_password)
        location = str(key_path)
    if public_key_der(private_key.public_key()) != public_key_der(certificate.public_key()):
        raise CertificateAuthorityInvalid("The key does not belong to the certificate to import.")
    if not device:
        password = ca_key_password()
        _write(path=key_path, data=key_pem(private_key=private_key, password=password), mode=0o600)
    return _install_certificate(
        cert_path=cert_path,
        certificate=certificate,
        private_key=private_key,
        key_location=location,
        is_key_generated=False,
    )


def ca_check(*, now: datetime, warn_before: timedelta) -> list[CheckResult]:
    """Check the configured CA without changing anything; one result per check.

    The certificate (readable, a CA, valid, warning when less than ``warn_before`` is left),
    then the key: a file (ours, mode 0600, encrypted, opened by the configured password) or
    a PKCS#11 device (PIN file ours and 0600, the key found and signing), and that the key
    belongs to the certificate.
    """
    results: list[CheckResult] = []
    cert_path = Path(settings.SIGNING_CA_CERT_PATH)
    certificate = None
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        results.append(_ok("certificate", f"{cert_path}: {certificate.subject.rfc4514_string()}"))
    except (OSError, ValueError) as error:
        results.append(_failed("certificate", f"Cannot read {cert_path}: {error}"))
    if certificate is not None:
        problem = _constraints_problem(certificate)
        results.append(
            _failed("ca constraints", problem)
            if problem
            else _ok("ca constraints", "basic constraints CA, key usage keyCertSign")
        )
        results.append(_validity_result(certificate, now=now, warn_before=warn_before))
    try:
        device = device_config()
    except CertificateAuthorityInvalid as error:
        results.append(_failed("key", error.message))
        return results
    public_key = _device_checks(device, results) if device else _file_checks(results)
    if public_key is not None and certificate is not None:
        if public_key_der(public_key) == public_key_der(certificate.public_key()):
            results.append(_ok("key matches certificate", "same public key"))
        else:
            results.append(
                _failed("key matches certificate", "the key does not belong to the certificate")
            )
    return results


def _file_checks(results: list[CheckResult]) -> ec.EllipticCurvePublicKey | rsa.RSAPublicKey | None:
    key_path = Path(settings.SIGNING_CA_KEY_PATH)
    problem = secret_file_problem(key_path)
    if problem:
        results.append(_failed("key file", problem))
        return None
    results.append(_ok("key file", f"{key_path}: owned by this user, mode 0600"))
    if settings.SIGNING_CA_KEY_PASSWORD:
        password: bytes | None = settings.SIGNING_CA_KEY_PASSWORD.encode("utf-8")
        source = "SIGNING_CA_KEY_PASSWORD"
    else:
        path = password_file_path()
        source = str(path)
        password = None
        if path.exists():
            problem = secret_file_problem(path)
            if problem:
                results.append(_failed("password file", problem))
                return None
            results.append(_ok("password file", f"{path}: owned by this user, mode 0600"))
            password = path.read_bytes().strip() or None
    if password is None:
        try:
            serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            results.append(
                _failed(
                    "key password",
                    "the key is encrypted but no password is configured"
                    " (SIGNING_CA_KEY_PASSWORD or SIGNING_CA_KEY_PASSWORD_FILE)",
                )
            )
        else:
            results.append(
                _failed(
                    "key password",
                    "the key is not encrypted; import it again with a password (signing_ca import)",
                )
            )
        return None
    try:
        private_key = _read_key(key_path.read_bytes(), password=password)
    except CertificateAuthorityInvalid as error:
        results.append(_failed("key password", f"{source} does not open the key: {error.message}"))
        return None
    results.append(_ok("key password", f"{source} opens the key"))
    return private_key.public_key()  # type: ignore[return-value]


def _device_checks(
    device: DeviceConfig, results: list[CheckResult]
) -> ec.EllipticCurvePublicKey | None:
    problem = secret_file_problem(device.user_pin_file)
    if problem:
        results.append(_failed("PIN file", problem))
        return None
    results.append(_ok("PIN file", f"{device.user_pin_file}: owned by this user, mode 0600"))
    device_sessions_close()  # log in afresh: the PIN on file must open the token today
    try:
        key = device_key_load(device)
    except CertificateAuthorityInvalid as error:
        results.append(_failed("device key", error.message))
        return None
    results.append(
        _ok(
            "device key",
            f"token {device.token_label!r}, key {device.key_label!r} signs ({key.curve.name})",
        )
    )
    return key.public_key()


def _constraints_problem(certificate: x509.Certificate) -> str | None:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return "it has no basic constraints extension, so it is not a CA certificate."
    if not constraints.ca:
        return "its basic constraints say it is not a CA (cA=false)."
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None  # no key usage: any use is allowed (RFC 5280, 4.2.1.3)
    if not usage.key_cert_sign:
        return "its key usage does not allow signing certificates (keyCertSign)."
    return None


def _validity_problem(certificate: x509.Certificate, *, now: datetime) -> str | None:
    if now < certificate.not_valid_before_utc:
        return f"it is not valid before {certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC."
    if now >= certificate.not_valid_after_utc:
        return f"it expired on {certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC."
    return None


def _validity_result(
    certificate: x509.Certificate, *, now: datetime, warn_before: timedelta
) -> CheckResult:
    problem = _validity_problem(certificate, now=now)
    if problem:
        return _failed("validity", problem)
    left = certificate.not_valid_after_utc - now
    detail = f"valid until {certificate.not_valid_after_utc:%Y-%m-%d} UTC ({left.days} days left)"
    if left < warn_before:
        return CheckResult("validity", CheckStatus.WARNING, detail + "; plan a new CA")
    return _ok("validity", detail)


def _install_certificate(
    *,
    cert_path: Path,
    certificate: x509.Certificate,
    private_key: CertificateIssuerPrivateKeyTypes,
    key_location: str,
    is_key_generated: bool,
) -> Provisioned:
    """Write the certificate last (the key is in place), so a crash leaves no CA half-made."""
    _write(path=cert_path, data=certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)
    ca_clear_cache()
    return Provisioned(
        authority=CertificateAuthority(certificate=certificate, private_key=private_key),
        key_location=key_location,
        is_key_generated=is_key_generated,
    )


def _refuse_existing(*, cert_path: Path, key_path: Path | None) -> None:
    existing = [str(path) for path in (cert_path, key_path) if path is not None and path.exists()]
    if existing:
        raise CertificateAuthorityInvalid(
            f"A CA already exists ({', '.join(existing)}); nothing was changed."
            " `signing_ca check` verifies it; move the files away first to replace it."
        )


def _generate(key_type: str) -> CertificateIssuerPrivateKeyTypes:
    if key_type == "rsa-3072":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return ec.generate_private_key(ec.SECP384R1() if key_type == "ec-p384" else ec.SECP256R1())


def _read_key(data: bytes, *, password: bytes | None) -> CertificateIssuerPrivateKeyTypes:
    try:
        private_key = serialization.load_pem_private_key(data, password=password)
    except TypeError as error:
        raise CertificateAuthorityInvalid(
            "the key is encrypted and no password was given"
            if password is None
            else "the key is not encrypted but a password was given"
        ) from error
    except (ValueError, UnsupportedAlgorithm) as error:
        raise CertificateAuthorityInvalid(
            f"the key cannot be read (wrong password, or not a PEM key): {error}"
        ) from error
    if not isinstance(private_key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise CertificateAuthorityInvalid("the key is not an EC or RSA key")
    return private_key


def _write(*, path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not write_once(path=path, data=data, mode=mode):
        raise CertificateAuthorityInvalid(f"{path} appeared while the CA was being written.")


def _ok(name: str, detail: str) -> CheckResult:
    return CheckResult(name, CheckStatus.OK, detail)


def _failed(name: str, detail: str) -> CheckResult:
    return CheckResult(name, CheckStatus.FAILED, detail)
