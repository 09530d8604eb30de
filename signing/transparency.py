"""A transparency log in the style of RFC 9162: append-only Merkle tree, proofs, checkpoints.

Entries are salted hashes, never personal data: the leaf of an event is
``SHA-256(0x00 || SHA-256(salt || canonical JSON of the event))``; the salt and the event stay
private with the record that made them, so the subject can later reveal both and anyone can
recompute the leaf. Interior nodes are ``SHA-256(0x01 || left || right)`` (RFC 9162 2.1.1).

Storage makes proofs cheap: level-0 hashes are ``LogLeaf`` rows, and every *complete*
subtree (2**level leaves, aligned) is a ``LogNode`` row written once when it completes. Any
subtree hash RFC 9162 needs is either one stored node or the hash of at most log2(n) stored
nodes (the right edge of a tree that is not a power of two), so an inclusion or consistency
proof reads O(log n) rows in two queries and never rehashes leaves. Appends lock the single
``LogHead`` row, read the right edge (the "frontier", at most log2(n) nodes) and write the
new leaves and the nodes they complete.

Checkpoints are signed by the platform seal key (ECDSA P-256, SHA-256) over a small text
body (origin, size, root, time); the seal certificate, issued by the platform root, ships
with every checkpoint and receipt, so a receipt verifies offline with the root alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction

from signing.errors import ReceiptInvalid
from signing.models import Checkpoint, LogHead, LogLeaf, LogNode

RECEIPT_VERSION = 1
DEFAULT_ORIGIN = "chengnuo-register"

Key = tuple[int, int]  # (level, index): 2**level leaves starting at index * 2**level


# -- hashing ---------------------------------------------------------------------------


def canonical_json(value: object) -> bytes:
    """Serialise ``value`` the one way every verifier must (sorted keys, no spaces, UTF-8)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def salted_digest(*, salt: bytes, event: dict) -> bytes:
    """Return SHA-256(salt || canonical JSON of ``event``): what the log commits to."""
    return hashlib.sha256(salt + canonical_json(event)).digest()


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def node_key(level: int, index: int) -> int:
    """Return the stored key of a complete subtree (level in the top bits)."""
    return (level << 48) | index


def _split(size: int) -> int:
    """Return the largest power of two smaller than ``size`` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def _perfect_keys(start: int, end: int) -> list[Key]:
    """Decompose [start, end) into the aligned complete subtrees RFC 9162 would hash."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return [(level, start >> level)]
    split = _split(size)
    return _perfect_keys(start, start + split) + _perfect_keys(start + split, end)


def _range_hash(start: int, end: int, nodes: dict[Key, bytes]) -> bytes:
    """Hash of leaves [start, end) from the stored complete subtrees in ``nodes``."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return nodes[(level, start >> level)]
    split = _split(size)
    return node_hash(
        _range_hash(start, start + split, nodes), _range_hash(start + split, end, nodes)
    )


# -- proofs as ranges (pure) ------------------------------------------------------------


def _inclusion_ranges(index: int, start: int, end: int) -> list[tuple[int, int]]:
    """RFC 9162 PATH(m, D[start:end]) as the subtree ranges whose hashes form the proof."""
    if end - start == 1:
        return []
    split = _split(end - start)
    if index < start + split:
        return [*_inclusion_ranges(index, start, start + split), (start + split, end)]
    return [*_inclusion_ranges(index, start + split, end), (start, start + split)]


def _consistency_ranges(first: int, start: int, end: int, whole: bool) -> list[tuple[int, int]]:
    """RFC 9162 SUBPROOF(m, D[start:end], b) as subtree ranges."""
    if start + first == end:
        return [] if whole else [(start, end)]
    split = _split(end - start)
    if first <= split:
        return [*_consistency_ranges(first, start, start + split, whole), (start + split, end)]
    return [*_consistency_ranges(first - split, start + split, end, False), (start, start + split)]


# -- storage ---------------------------------------------------------------------------


def _load_nodes(keys: Iterable[Key]) -> dict[Key, bytes]:
    """Read the given complete subtrees: level 0 from ``LogLeaf``, others from ``LogNode``."""
    keys = set(keys)
    leaves = [index for level, index in keys if level == 0]
    found: dict[Key, bytes] = {}
    if leaves:
        for index, value in LogLeaf.objects.filter(index__in=leaves).values_list(
            "index", "leaf_hash"
        ):
            found[(0, index)] = bytes(value)
    upper = [node_key(level, index) for level, index in keys if level > 0]
    if upper:
        for level, index, value in LogNode.objects.filter(key__in=upper).values_list(
            "level", "index", "hash"
        ):
            found[(level, index)] = bytes(value)
    missing = keys - found.keys()
    if missing:
        raise LookupError(f"The log is missing nodes {sorted(missing)[:5]}")
    return found


def _hashes_of(ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    keys = [key for start, end in ranges for key in _perfect_keys(start, end)]
    nodes = _load_nodes(keys)
    return [_range_hash(start, end, nodes) for start, end in ranges]


def log_size() -> int:
    """Return the number of entries in the log."""
    head = LogHead.objects.filter(pk=1).values_list("size", flat=True).first()
    return head or 0


def root_hash(tree_size: int) -> bytes:
    """Return the Merkle tree hash of the first ``tree_size`` entries (RFC 9162 MTH)."""
    if tree_size == 0:
        return hashlib.sha256(b"").digest()
    return _hashes_of([(0, tree_size)])[0]


def inclusion_proof(*, index: int, tree_size: int) -> list[bytes]:
    """Return the audit path of entry ``index`` in the tree of ``tree_size`` entries."""
    if not 0 <= index < tree_size <= log_size():
        raise ValueError(f"No entry {index} in a tree of {tree_size} entries.")
    return _hashes_of(_inclusion_ranges(index, 0, tree_size))


def consistency_proof(*, first: int, second: int) -> list[bytes]:
    """Return the proof that the tree of ``first`` entries is a prefix of that of ``second``."""
    if not 0 < first <= second <= log_size():
        raise ValueError(f"Cannot prove {first} -> {second} on a log of {log_size()} entries.")
    if first == second:
        return []
    return _hashes_of(_consistency_ranges(first, 0, second, True))


@dataclass(frozen=True)
class Appended:
    """Where entries went: the first index and the tree size after the append."""

    first_index: int
    tree_size: int
    root_hash: bytes


@transaction.atomic
def log_append(
    entries: Sequence[tuple[bytes, str]], *, created: datetime | None = None
) -> Appended:
    """Append ``(leaf_hash, event_type)`` entries in order, in one transaction.

    Locks the log head, so concurrent appends queue; the cost per call is five queries plus
    one row per new leaf and per subtree it completes (on average one).
    """
    if not entries:
        raise ValueError("Nothing to append.")
    LogHead.objects.get_or_create(pk=1)
    head = LogHead.objects.select_for_update().get(pk=1)
    start = head.size
    nodes = _load_nodes(_perfect_keys(0, start)) if start else {}
    moment = created or datetime.now(UTC)
    new_leaves, new_nodes = [], []
    for offset, (value, event_type) in enumerate(entries):
        if len(value) != 32:
            raise ValueError("A leaf hash has 32 bytes.")
        index = start + offset
        new_leaves.append(
            LogLeaf(index=index, leaf_hash=value, event_type=event_type, created=moment)
        )
        nodes[(0, index)] = value
        level, position = 0, index
        while position % 2 == 1:
            parent = (level + 1, position // 2)
            nodes[parent] = node_hash(nodes[(level, position - 1)], nodes[(level, position)])
            new_nodes.append(
                LogNode(key=node_key(*parent), level=parent[0], index=parent[1], hash=nodes[parent])
            )
            level, position = parent
    LogLeaf.objects.bulk_create(new_leaves, batch_size=2000)
    LogNode.objects.bulk_create(new_nodes, batch_size=2000)
    head.size = start + len(entries)
    head.save(update_fields=["size"])
    return Appended(
        first_index=start, tree_size=head.size, root_hash=_range_hash(0, head.size, nodes)
    )


# -- checkpoints -----------------------------------------------------------------------


def log_origin() -> str:
    """Return the log's name, the first line of every checkpoint."""
    return getattr(settings, "SIGNING_LOG_ORIGIN", "") or DEFAULT_ORIGIN


def checkpoint_body(*, origin: str, tree_size: int, root: bytes, timestamp: datetime) -> bytes:
    """Return the signed text of a checkpoint (C2SP-like: origin, size, root, time)."""
    return (
        f"{origin}\n{tree_size}\n{base64.b64encode(root).decode('ascii')}\n"
        f"{timestamp.astimezone(UTC).isoformat()}\n"
    ).encode()


@transaction.atomic
def checkpoint_create(*, tree_size: int | None = None, root: bytes | None = None) -> Checkpoint:
    """Sign and store a checkpoint for the current size (or return the existing one)."""
    from signing.keys import platform_key

    size = tree_size if tree_size is not None else log_size()
    existing = Checkpoint.objects.filter(tree_size=size).first()
    if existing is not None:
        return existing
    root = root if root is not None else root_hash(size)
    now = datetime.now(UTC)
    body = checkpoint_body(origin=log_origin(), tree_size=size, root=root, timestamp=now)
    signature = platform_key("seal").private_key.sign(body, ec.ECDSA(hashes.SHA256()))
    checkpoint, _created = Checkpoint.objects.get_or_create(
        tree_size=size, defaults={"root_hash": root, "timestamp": now, "signature": signature}
    )
    return checkpoint


def checkpoint_json(checkpoint: Checkpoint) -> dict:
    """Return a checkpoint as published: everything needed to check its signature."""
    from signing.keys import platform_key

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
    return {
        "version": RECEIPT_VERSION,
        "leaf_index": index,
        "leaf_hash": bytes(LogLeaf.objects.get(index=index).leaf_hash).hex(),
        "event": event,
        "salt": salt.hex(),
        "inclusion_proof": [
            value.hex() for value in inclusion_proof(index=index, tree_size=checkpoint.tree_size)
        ],
        "checkpoint": checkpoint_json(checkpoint),
    }


# -- offline verification (no database) ---------------------------------------------------


def verify_inclusion(
    *, index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: check that ``leaf`` is entry ``index`` of the tree with ``root``."""
    if index >= tree_size:
        return False
    fn, sn, r = index, tree_size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    *, first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: check that tree ``first`` is a prefix of tree ``second``."""
    if first == second:
        return not proof and first_root == second_root
    if not 0 < first < second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


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
    from signing.ca import ca_get

    return ca_get().certificate


HashOracle = Callable[[int, int], bytes]
