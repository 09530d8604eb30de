"""What the register publishes and how anyone checks it: checkpoints and receipts.

Checkpoints are signed by the platform seal key (ECDSA P-256, SHA-256) over a small text
body (origin, size, root, time); the seal certificate, issued by the platform root, ships
with every checkpoint and receipt, so a receipt verifies offline with the root alone.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from signing.ca.authority import ca_get
from signing.ca.keys import platform_key
from signing.errors import ReceiptInvalid
from signing.register.merkle import leaf_hash, salted_digest, verify_inclusion
from signing.register.models import Checkpoint
from signing.register.selectors import inclusion_proof_with_leaf

RECEIPT_VERSION = 1
DEFAULT_ORIGIN = "chengnuo-register"


def log_origin() -> str:
    """Return the log's name, the first line of every checkpoint."""
    return getattr(settings, "SIGNING_LOG_ORIGIN", "") or DEFAULT_ORIGIN


def checkpoint_body(*, origin: str, tree_size: int, root: bytes, timestamp: datetime) -> bytes:
    """Return the signed text of a checkpoint (C2SP-like: origin, size, root, time)."""
    return (
        f"{origin}\n{tree_size}\n{base64.b64encode(root).decode('ascii')}\n"
        f"{timestamp.astimezone(UTC).isoformat()}\n"
    ).encode()


def checkpoint_json(checkpoint: Checkpoint) -> dict:
    """Return a checkpoint as published: everything needed to check its signature."""
    return {
        "origin": log_origin(),
        "tree_size": checkpoint.tree_size,
        "root_hash": bytes(checkpoint.root_hash).hex(),
        "timestamp": checkpoint.timestamp.astimezone(UTC).isoformat(),
        "signature": base64.b64encode(bytes(checkpoint.signature)).decode("ascii"),
        "certificate": platform_key("seal")
        .certificate.public_bytes(serialization.Encoding.PEM)
        .decode("ascii"),
    }


def receipt_build(*, index: int, salt: bytes, event: dict, checkpoint: Checkpoint) -> dict:
    """Return the receipt of entry ``index``: the event, its salt, the proof, the checkpoint."""
    proof, leaf = inclusion_proof_with_leaf(index=index, tree_size=checkpoint.tree_size)
    return {
        "version": RECEIPT_VERSION,
        "leaf_index": index,
        "leaf_hash": leaf.hex(),
        "event": event,
        "salt": salt.hex(),
        "inclusion_proof": [value.hex() for value in proof],
        "checkpoint": checkpoint_json(checkpoint),
    }


# -- offline verification (no database) ---------------------------------------------------


def verify_checkpoint(checkpoint: dict, *, root_certificate: x509.Certificate) -> bytes:
    """Check a published checkpoint's signature and certificate; return its root hash."""
    try:
        certificate = x509.load_pem_x509_certificate(checkpoint["certificate"].encode("ascii"))
        root = bytes.fromhex(checkpoint["root_hash"])
        body = checkpoint_body(
            origin=str(checkpoint["origin"]),
            tree_size=int(checkpoint["tree_size"]),
            root=root,
            timestamp=datetime.fromisoformat(checkpoint["timestamp"]),
        )
        signature = base64.b64decode(checkpoint["signature"], validate=True)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ReceiptInvalid("malformed", f"The checkpoint is malformed: {error}") from error
    try:
        certificate.verify_directly_issued_by(root_certificate)
    except (ValueError, TypeError, InvalidSignature) as error:
        raise ReceiptInvalid(
            "untrusted_certificate", "The checkpoint's certificate is not issued by the root."
        ) from error
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise ReceiptInvalid("untrusted_certificate", "The checkpoint key is not an EC key.")
    try:
        public_key.verify(signature, body, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise ReceiptInvalid(
            "bad_signature", "The checkpoint's signature does not match its contents."
        ) from error
    return root


@dataclass(frozen=True)
class VerifiedReceipt:
    """What a valid receipt proves."""

    leaf_index: int
    tree_size: int
    event: dict
    checkpoint_time: datetime


def receipt_verify(receipt: dict, *, root_certificate: x509.Certificate) -> VerifiedReceipt:
    """Verify a receipt offline (no database): leaf, inclusion proof, signed checkpoint.

    Raises ``ReceiptInvalid`` with reason ``malformed``, ``leaf_mismatch``, ``proof``,
    ``bad_signature`` or ``untrusted_certificate``.
    """
    if not isinstance(receipt, dict) or receipt.get("version") != RECEIPT_VERSION:
        raise ReceiptInvalid("malformed", "This is not a version 1 register receipt.")
    root = verify_checkpoint(receipt.get("checkpoint") or {}, root_certificate=root_certificate)
    try:
        index = int(receipt["leaf_index"])
        tree_size = int(receipt["checkpoint"]["tree_size"])
        leaf = bytes.fromhex(receipt["leaf_hash"])
        proof = [bytes.fromhex(value) for value in receipt["inclusion_proof"]]
        event = receipt.get("event")
        salt = bytes.fromhex(receipt.get("salt") or "")
    except (KeyError, TypeError, ValueError) as error:
        raise ReceiptInvalid("malformed", f"The receipt is malformed: {error}") from error
    event_matches = isinstance(event, dict) and (
        leaf_hash(salted_digest(salt=salt, event=event)) == leaf
    )
    if event is not None and not event_matches:
        raise ReceiptInvalid(
            "leaf_mismatch", "The event in the receipt does not match its entry in the log."
        )
    if not verify_inclusion(index=index, tree_size=tree_size, leaf=leaf, proof=proof, root=root):
        raise ReceiptInvalid(
            "proof", "The inclusion proof does not lead to the checkpoint's root hash."
        )
    return VerifiedReceipt(
        leaf_index=index,
        tree_size=tree_size,
        event=event or {},
        checkpoint_time=datetime.fromisoformat(receipt["checkpoint"]["timestamp"]),
    )


def platform_root_certificate() -> x509.Certificate:
    """Return the platform root (the default trust anchor for receipts)."""
    return ca_get().certificate
