"""The open data feed's detached signatures: the platform seal over exactly the bytes served."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from signing.ca.keys import platform_key
from signing.register.receipts import platform_root_certificate

SIGNATURE_HEADER = "Chengnuo-Signature"
KEY_HEADER = "Chengnuo-Signature-Key"


@dataclass(frozen=True)
class SignedBody:
    """Bytes as served, with the detached signature over exactly them."""

    body: bytes
    signature: str  # base64 of the DER ECDSA P-256 / SHA-256 signature
    certificate_sha256: str  # hex fingerprint (DER) of the certificate that verifies it


def open_data_sign(body: bytes) -> SignedBody:
    """Sign served bytes with the platform seal key (the key that signs register checkpoints)."""
    signed = open_data_sign_digest(hashlib.sha256(body).digest())
    return SignedBody(
        body=body, signature=signed.signature, certificate_sha256=signed.certificate_sha256
    )


def open_data_sign_digest(digest: bytes) -> SignedBody:
    """Sign bytes known by their SHA-256 alone (a file hashed as it was written): the same
    ECDSA P-256 / SHA-256 signature ``open_data_sign`` makes over the bytes themselves."""
    key = platform_key("seal")
    signature = key.private_key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    fingerprint = key.certificate.fingerprint(hashes.SHA256()).hex()
    return SignedBody(
        body=b"",
        signature=base64.b64encode(signature).decode("ascii"),
        certificate_sha256=fingerprint,
    )


def open_data_certificates() -> bytes:
    """The seal certificate and the platform root that issued it, PEM, seal first."""
    seal = platform_key("seal").certificate.public_bytes(serialization.Encoding.PEM)
    root = platform_root_certificate().public_bytes(serialization.Encoding.PEM)
    return seal + root


def open_data_verifies(*, digest: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64 DER) is the seal's over the bytes whose SHA-256 is
    ``digest``."""
    try:
        der = base64.b64decode(signature, validate=True)
        public_key = platform_key("seal").certificate.public_key()
        public_key.verify(der, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    except (ValueError, InvalidSignature):
        return False
    return True
