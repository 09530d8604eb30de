"""The platform CA's key on a PKCS#11 device (hardware token or HSM).

``SIGNING_CA_PKCS11`` (JSON) names the device and the key: ``{"module":
"/usr/lib/softhsm/libsofthsm2.so", "token_label": "chengnuo-ca", "key_label": "ca",
"user_pin_file": "/etc/chengnuo/ca/pin"}``. The PIN is read from the file (mode 0600, owned by
the service's user), never from the settings or the command line. The key never leaves the
device: ``DeviceKey`` is a ``cryptography`` EC private key whose ``sign`` asks the device to
sign a digest computed here (``CKM_ECDSA``, which every token implements), so the
certificate and CRL builders sign with it like with a key file. EC keys (P-256, P-384) only.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from signing.errors import CertificateAuthorityInvalid

CURVES = {"ec-p256": "secp256r1", "ec-p384": "secp384r1"}


@dataclass(frozen=True)
class DeviceConfig:
    """Where the CA key lives on a PKCS#11 device; the PIN file holds the user PIN."""

    module: str
    token_label: str
    key_label: str
    user_pin_file: Path

    @classmethod
    def from_setting(cls, value: Any) -> DeviceConfig:
        """Read ``SIGNING_CA_PKCS11``; say which key is missing or wrong."""
        if not isinstance(value, dict):
            raise CertificateAuthorityInvalid("SIGNING_CA_PKCS11 must be a JSON object.")
        missing = [
            name
            for name in ("module", "token_label", "key_label", "user_pin_file")
            if not str(value.get(name) or "").strip()
        ]
        if missing:
            raise CertificateAuthorityInvalid(
                f"SIGNING_CA_PKCS11 lacks {', '.join(missing)}"
                " (module, token_label, key_label, user_pin_file are required)."
            )
        if "user_pin" in value:
            raise CertificateAuthorityInvalid(
                "SIGNING_CA_PKCS11 must not hold the PIN: put it in the file user_pin_file names."
            )
        return cls(
            module=str(value["module"]),
            token_label=str(value["token_label"]),
            key_label=str(value["key_label"]),
            user_pin_file=Path(value["user_pin_file"]),
        )


def device_pin(config: DeviceConfig) -> str:
    """Return the user PIN from the PIN file (its permissions are ``signing_ca check``'s job)."""
    try:
        pin = config.user_pin_file.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise CertificateAuthorityInvalid(
            f"Cannot read the PKCS#11 PIN file {config.user_pin_file}: {error.strerror}."
        ) from error
    if not pin:
        raise CertificateAuthorityInvalid(f"The PKCS#11 PIN file {config.user_pin_file} is empty.")
    return pin


class DeviceKey(ec.EllipticCurvePrivateKey):
    """An EC private key that stays on the device; it signs through this process's session."""

    def __init__(self, *, config: DeviceConfig, public_key: ec.EllipticCurvePublicKey) -> None:
        self.config = config
        self._public_key = public_key

    def sign(self, data: bytes, signature_algorithm: ec.EllipticCurveSignatureAlgorithm) -> bytes:
        """Hash ``data`` here, have the device sign the digest, return a DER signature."""
        from pkcs11 import Mechanism, ObjectClass
        from pkcs11.exceptions import PKCS11Error

        algorithm = signature_algorithm.algorithm
        if not isinstance(algorithm, hashes.HashAlgorithm):  # a Prehashed digest
            raise CertificateAuthorityInvalid("The device key signs data, not prehashed digests.")
        digest = hashes.Hash(algorithm)
        digest.update(data)
        with _sessions_lock:
            try:
                key = _session(self.config).get_key(
                    object_class=ObjectClass.PRIVATE_KEY, label=self.config.key_label
                )
                raw = key.sign(digest.finalize(), mechanism=Mechanism.ECDSA)
            except PKCS11Error as error:
                _session_forget(self.config)
                raise CertificateAuthorityInvalid(
                    f"The PKCS#11 device refused to sign with {self.config.key_label!r}:"
                    f" {type(error).__name__}."
                ) from error
        half = len(raw) // 2
        return encode_dss_signature(
            int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
        )

    def public_key(self) -> ec.EllipticCurvePublicKey:
        """Return the public half, read from the device when the key was found."""
        return self._public_key

    @property
    def curve(self) -> ec.EllipticCurve:
        """Return the key's curve."""
        return self._public_key.curve

    @property
    def key_size(self) -> int:
        """Return the curve's size in bits."""
        return self._public_key.key_size

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        """Refuse: the CA key only signs."""
        raise CertificateAuthorityInvalid("The CA key on the device only signs.")

    def private_numbers(self) -> ec.EllipticCurvePrivateNumbers:
        """Refuse: the private key never leaves the device."""
        raise CertificateAuthorityInvalid("The CA key on the device cannot be exported.")

    def private_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        """Refuse: the private key never leaves the device."""
        raise CertificateAuthorityInvalid("The CA key on the device cannot be exported.")

    def __copy__(self) -> DeviceKey:
        return self

    def __deepcopy__(self, memo: dict) -> DeviceKey:
        return self


def device_key_load(config: DeviceConfig) -> DeviceKey:
    """Find the key pair labelled ``key_label`` on the token; prove the device signs with it."""
    from pkcs11 import ObjectClass
    from pkcs11.exceptions import NoSuchKey, PKCS11Error

    try:
        with _sessions_lock:
            public = _session(config).get_key(
                object_class=ObjectClass.PUBLIC_KEY, label=config.key_label
            )
            public_key = _public_key(public)
    except NoSuchKey as error:
        raise CertificateAuthorityInvalid(
            f"No key pair labelled {config.key_label!r} on the PKCS#11 token"
            f" {config.token_label!r}."
        ) from error
    except PKCS11Error as error:
        raise CertificateAuthorityInvalid(
            f"Cannot open the PKCS#11 token {config.token_label!r}"
            f" (check the PIN in {config.user_pin_file}): {type(error).__name__}."
        ) from error
    key = DeviceKey(config=config, public_key=public_key)
    _prove(key)
    return key


def device_key_exists(config: DeviceConfig) -> bool:
    """Say whether the token holds a private key labelled ``key_label``."""
    from pkcs11 import ObjectClass
    from pkcs11.exceptions import NoSuchKey, PKCS11Error

    try:
        with _sessions_lock:
            _session(config).get_key(object_class=ObjectClass.PRIVATE_KEY, label=config.key_label)
    except NoSuchKey:
        return False
    except PKCS11Error as error:
        raise CertificateAuthorityInvalid(
            f"Cannot open the PKCS#11 token {config.token_label!r}"
            f" (check the PIN in {config.user_pin_file}): {type(error).__name__}."
        ) from error
    return True


def device_key_generate(config: DeviceConfig, *, key_type: str) -> DeviceKey:
    """Generate a sensitive, non-extractable EC key pair on the token under ``key_label``."""
    from pkcs11 import Attribute, KeyType
    from pkcs11.exceptions import PKCS11Error
    from pkcs11.util.ec import encode_named_curve_parameters

    if key_type not in CURVES:
        raise CertificateAuthorityInvalid(
            f"A key on a PKCS#11 device is {' or '.join(CURVES)}, not {key_type!r}."
        )
    try:
        with _sessions_lock:
            parameters = _session(config).create_domain_parameters(
                KeyType.EC,
                {Attribute.EC_PARAMS: encode_named_curve_parameters(CURVES[key_type])},
                local=True,
            )
            parameters.generate_keypair(
                store=True,
                label=config.key_label,
                private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False},
            )
    except PKCS11Error as error:
        raise CertificateAuthorityInvalid(
            f"The PKCS#11 token {config.token_label!r} could not generate the key:"
            f" {type(error).__name__}."
        ) from error
    return device_key_load(config)


def device_sessions_close() -> None:
    """Log out and close this process's sessions (tests, key rotation, shutdown)."""
    with _sessions_lock:
        for (pid, _module, _token_label), session in list(_sessions.items()):
            if pid == os.getpid():
                _close_quietly(session)
        _sessions.clear()


# PKCS#11 logs in per application and token, not per session: a second login fails and a
# logout ends every session. So one read-write session per process and token, used under a
# lock (sessions are not thread-safe) and reopened in a forked child.
_sessions: dict[tuple[int, str, str], Any] = {}
_sessions_lock = threading.RLock()


def _session(config: DeviceConfig) -> Any:
    key = (os.getpid(), config.module, config.token_label)
    session = _sessions.get(key)
    if session is None:
        from pkcs11.exceptions import PKCS11Error

        try:
            session = _token(config).open(rw=True, user_pin=device_pin(config))
        except PKCS11Error as error:
            raise CertificateAuthorityInvalid(
                f"Cannot open the PKCS#11 token {config.token_label!r}"
                f" (check the PIN in {config.user_pin_file}): {type(error).__name__}."
            ) from error
        _sessions[key] = session
    return session


def _session_forget(config: DeviceConfig) -> None:
    session = _sessions.pop((os.getpid(), config.module, config.token_label), None)
    if session is not None:
        _close_quietly(session)


def _close_quietly(session: Any) -> None:
    from pkcs11.exceptions import PKCS11Error

    # the device is gone or the session already ended: nothing left to release
    with contextlib.suppress(PKCS11Error):
        session.close()


def _token(config: DeviceConfig) -> Any:
    import pkcs11
    from pkcs11.exceptions import PKCS11Error

    if not Path(config.module).exists():
        raise CertificateAuthorityInvalid(f"The PKCS#11 module {config.module} does not exist.")
    try:
        return pkcs11.lib(config.module).get_token(token_label=config.token_label)
    except (PKCS11Error, pkcs11.exceptions.NoSuchToken) as error:
        raise CertificateAuthorityInvalid(
            f"No PKCS#11 token labelled {config.token_label!r} in {config.module}."
        ) from error


def _public_key(public: Any) -> ec.EllipticCurvePublicKey:
    from pkcs11.util.ec import encode_ec_public_key

    try:
        loaded = serialization.load_der_public_key(encode_ec_public_key(public))
    except (ValueError, TypeError, KeyError) as error:
        raise CertificateAuthorityInvalid(
            "The CA key on the device is not an EC key (P-256 or P-384)."
        ) from error
    if not isinstance(loaded, ec.EllipticCurvePublicKey):
        raise CertificateAuthorityInvalid("The CA key on the device is not an EC key.")
    return loaded


def _prove(key: DeviceKey) -> None:
    """Sign a nonce on the device and verify it with the public key read from it."""
    nonce = os.urandom(32)
    algorithm = ec.ECDSA(hashes.SHA256())
    try:
        key.public_key().verify(key.sign(nonce, algorithm), nonce, algorithm)
    except InvalidSignature as error:
        raise CertificateAuthorityInvalid(
            f"The private and public keys labelled {key.config.key_label!r} on the device do"
            " not belong together."
        ) from error
