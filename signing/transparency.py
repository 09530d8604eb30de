"""A transparency log in the style of RFC 9162: append-only Merkle tree, proofs, checkpoints.

Entries are salted hashes, never personal data: the leaf of an event is
``SHA-256(0x00 || SHA-256(salt || canonical JSON of the event))``; the salt and the event stay
private with the record that made them, so the subject can later reveal both and anyone can
recompute the leaf. Interior nodes are ``SHA-256(0x01 || left || right)`` (RFC 9162 2.1.1).

Storage makes proofs cheap: level-0 hashes are ``LogLeaf`` rows, and every *complete*
subtree (2**level leaves, aligned) is a ``LogNode`` row written once when it completes. Any
subtree hash RFC 9162 needs is either one stored node or the hash of at most log2(n) stored
nodes (the right edge of a tree that is not a power of two), so an inclusion or consistency
proof reads O(log n) rows in ONE query (the head and every node, keys computed up front) and
never rehashes leaves; the upper levels, immutable once complete, are also cached in process.
Appends lock the single ``LogHead`` row, read the right edge (the "frontier", at most log2(n)
nodes) and write the new leaves and the nodes they complete.

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
from django.db import connection, transaction

from signing.errors import ReceiptInvalid
from signing.models import Checkpoint, LogHead, LogLeaf, LogNode, new_log_epoch

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

# Complete subtrees never change once written, so their hashes may be kept in process. Only
# the upper levels are kept (at a million entries, levels >= 6 are ~31,000 hashes, ~5 MB),
# bounded, and only once the transaction that read or wrote them has committed (a rolled-back
# append must not leave hashes behind). The cache belongs to one ``LogHead.epoch``: a log that
# starts again from nothing (tests, a restore) gets a new epoch and the cache is dropped.
CACHE_MIN_LEVEL = 6
CACHE_MAX_NODES = 1 << 17


class _NodeCache:
    def __init__(self) -> None:
        self.epoch: int | None = None
        self.nodes: dict[Key, bytes] = {}

    def get(self, keys: Iterable[Key]) -> dict[Key, bytes]:
        nodes = self.nodes
        return {key: nodes[key] for key in keys if key in nodes}

    def store(self, epoch: int, found: dict[Key, bytes]) -> None:
        if epoch != self.epoch:
            self.epoch, self.nodes = epoch, {}
        if len(self.nodes) + len(found) > CACHE_MAX_NODES:
            self.nodes = {}
        self.nodes.update(found)


_cache = _NodeCache()


def log_cache_clear() -> None:
    """Forget every cached subtree hash (tests; the cache also resets itself on a new epoch)."""
    _cache.epoch, _cache.nodes = None, {}


def _remember(epoch: int, nodes: dict[Key, bytes]) -> None:
    """Cache the upper-level hashes in ``nodes`` once the current transaction commits."""
    upper = {key: value for key, value in nodes.items() if key[0] >= CACHE_MIN_LEVEL}
    cached = _cache.nodes
    if upper and (epoch != _cache.epoch or any(key not in cached for key in upper)):
        transaction.on_commit(lambda: _cache.store(epoch, upper))


def _query(keys: Iterable[Key], *, with_head: bool) -> tuple[int, int | None, dict[Key, bytes]]:
    """Read the head (optionally) and the given complete subtrees in ONE statement.

    Level 0 comes from ``LogLeaf`` (primary key ``index``), higher levels from ``LogNode``
    (primary key ``key``): a UNION ALL of primary-key lookups, one round trip.
    Returns ``(size, epoch, nodes)``; size and epoch are 0 and None without the head.
    """
    leaves = sorted({index for level, index in keys if level == 0})
    upper = sorted({node_key(level, index) for level, index in keys if level > 0})
    # Table and column names come from the models; every value is a placeholder.
    parts: list[str] = []
    params: list[int] = []
    if with_head:
        table = LogHead._meta.db_table
        parts.append(f"SELECT 0, size, epoch, NULL FROM {table} WHERE id = 1")  # noqa: S608
    if leaves:
        marks = ", ".join(["%s"] * len(leaves))
        column = _quote("index")
        table = LogLeaf._meta.db_table
        sql = f"SELECT 1, {column}, NULL, leaf_hash FROM {table} WHERE {column} IN ({marks})"  # noqa: S608
        parts.append(sql)
        params.extend(leaves)
    if upper:
        marks = ", ".join(["%s"] * len(upper))
        column = _quote("key")
        table = LogNode._meta.db_table
        sql = f"SELECT 2, {column}, NULL, hash FROM {table} WHERE {column} IN ({marks})"  # noqa: S608
        parts.append(sql)
        params.extend(upper)
    size, epoch, found = 0, None, {}
    if not parts:
        return size, epoch, found
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, number, extra, value in cursor.fetchall():
            if kind == 0:
                size, epoch = number, extra
            elif kind == 1:
                found[(0, number)] = bytes(value)
            else:
                found[(number >> 48, number & ((1 << 48) - 1))] = bytes(value)
    return size, epoch, found


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _missing(keys: set[Key], found: dict[Key, bytes]) -> None:
    missing = keys - found.keys()
    if missing:
        raise LookupError(f"The log is missing nodes {sorted(missing)[:5]}")


def _read(keys: Iterable[Key]) -> tuple[int, dict[Key, bytes]]:
    """Return the log size and the given complete subtrees: cached ones, the rest in one query.

    The head is read in the same statement, so the size and the nodes are one snapshot and
    the cache is checked against the head's epoch.
    """
    keys = set(keys)
    cached = _cache.get(keys) if _cache.epoch is not None else {}
    epoch_seen = _cache.epoch
    size, epoch, found = _query(keys - cached.keys(), with_head=True)
    if cached and epoch != epoch_seen:  # another log than the one cached: read everything
        log_cache_clear()
        size, epoch, found = _query(keys, with_head=True)
        cached = {}
    found.update(cached)
    if epoch is not None:
        _remember(epoch, found)
    return size, found


def _load_nodes(keys: Iterable[Key]) -> dict[Key, bytes]:
    """Read the given complete subtrees (with the cache); raise if any is missing."""
    keys = set(keys)
    _size, found = _read(keys)
    _missing(keys, found)
    return found


def _hashes_of(ranges: Sequence[tuple[int, int]], nodes: dict[Key, bytes]) -> list[bytes]:
    return [_range_hash(start, end, nodes) for start, end in ranges]


def _keys_of(ranges: Sequence[tuple[int, int]]) -> set[Key]:
    return {key for start, end in ranges for key in _perfect_keys(start, end)}


def log_size() -> int:
    """Return the number of entries in the log."""
    head = LogHead.objects.filter(pk=1).values_list("size", flat=True).first()
    return head or 0


def root_hash(tree_size: int) -> bytes:
    """Return the Merkle tree hash of the first ``tree_size`` entries (RFC 9162 MTH)."""
    if tree_size == 0:
        return hashlib.sha256(b"").digest()
    ranges = [(0, tree_size)]
    return _hashes_of(ranges, _load_nodes(_keys_of(ranges)))[0]


def _inclusion(index: int, tree_size: int, extra: Iterable[Key] = ()) -> tuple[list[bytes], dict]:
    ranges = _inclusion_ranges(index, 0, tree_size) if tree_size > 0 else []
    keys = _keys_of(ranges) | set(extra)
    size, found = _read(keys)
    if not 0 <= index < tree_size <= size:
        raise ValueError(f"No entry {index} in a tree of {tree_size} entries.")
    _missing(keys, found)
    return _hashes_of(ranges, found), found


def inclusion_proof(*, index: int, tree_size: int) -> list[bytes]:
    """Return the audit path of entry ``index`` in the tree of ``tree_size`` entries.

    One query (head and every node not cached), whatever the size of the log.
    """
    return _inclusion(index, tree_size)[0]


def consistency_proof(*, first: int, second: int) -> list[bytes]:
    """Return the proof that the tree of ``first`` entries is a prefix of that of ``second``."""
    ranges = _consistency_ranges(first, 0, second, True) if 0 < first < second else []
    keys = _keys_of(ranges)
    size, found = _read(keys)
    if not 0 < first <= second <= size:
        raise ValueError(f"Cannot prove {first} -> {second} on a log of {size} entries.")
    _missing(keys, found)
    return _hashes_of(ranges, found)


@dataclass(frozen=True)
class Appended:
    """Where entries went: the first index and the tree size after the append."""

    first_index: int
    tree_size: int
    root_hash: bytes


def log_append(
    entries: Sequence[tuple[bytes, str]], *, created: datetime | None = None
) -> Appended:
    """Append ``(leaf_hash, event_type)`` entries in order, in one transaction.

    Locks the log head by advancing it (one ``UPDATE ... RETURNING``), so concurrent appends
    queue; reads the frontier's uncached nodes in one query and writes one row per new leaf
    and per subtree it completes (on average one): three or four statements per call. A log
    that starts from nothing gets a new epoch (see ``LogHead``). Inside a caller's
    transaction it adds no savepoint: a database error there fails the caller's transaction.
    """
    if not entries:
        raise ValueError("Nothing to append.")
    if any(len(value) != 32 for value, _event_type in entries):
        raise ValueError("A leaf hash has 32 bytes.")
    return _append(entries, created=created)


def _advance_head(count: int) -> tuple[int, int]:
    """Lock the head and add ``count`` to its size; return (size before, epoch)."""
    table = LogHead._meta.db_table
    sql = f"UPDATE {table} SET size = size + %s WHERE id = 1 RETURNING size, epoch"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [count])
        row = cursor.fetchone()
        if row is None:  # the very first append: create the head, then lock it as above
            LogHead.objects.bulk_create([LogHead(pk=1, size=0)], ignore_conflicts=True)
            cursor.execute(sql, [count])
            row = cursor.fetchone()
        size, epoch = row
        start = size - count
        if start == 0:
            epoch = new_log_epoch()
            cursor.execute(f"UPDATE {table} SET epoch = %s WHERE id = 1", [epoch])  # noqa: S608
    return start, epoch


@transaction.atomic(savepoint=False)
def _append(entries: Sequence[tuple[bytes, str]], *, created: datetime | None) -> Appended:
    start, epoch = _advance_head(len(entries))
    frontier = set(_perfect_keys(0, start)) if start else set()
    nodes = _cache.get(frontier) if _cache.epoch == epoch else {}
    _size, _epoch, found = _query(frontier - nodes.keys(), with_head=False)
    nodes.update(found)
    _missing(frontier, nodes)
    moment = created or datetime.now(UTC)
    new_leaves, new_nodes = [], []
    written: dict[Key, bytes] = {}
    for offset, (value, event_type) in enumerate(entries):
        index = start + offset
        new_leaves.append(
            LogLeaf(index=index, leaf_hash=value, event_type=event_type, created=moment)
        )
        nodes[(0, index)] = value
        level, position = 0, index
        while position % 2 == 1:
            parent = (level + 1, position // 2)
            nodes[parent] = node_hash(nodes[(level, position - 1)], nodes[(level, position)])
            written[parent] = nodes[parent]
            new_nodes.append(
                LogNode(key=node_key(*parent), level=parent[0], index=parent[1], hash=nodes[parent])
            )
            level, position = parent
    LogLeaf.objects.bulk_create(new_leaves, batch_size=2000)
    if new_nodes:
        LogNode.objects.bulk_create(new_nodes, batch_size=2000)
    size = start + len(entries)
    _remember(epoch, {**{key: nodes[key] for key in frontier}, **written})
    return Appended(first_index=start, tree_size=size, root_hash=_range_hash(0, size, nodes))


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


def checkpoint_create(*, tree_size: int | None = None, root: bytes | None = None) -> Checkpoint:
    """Sign and store a checkpoint for the current size (or return the existing one).

    One ``INSERT ... ON CONFLICT DO NOTHING`` in the common case (a new size), no savepoint.
    """
    from signing.keys import platform_key

    size = tree_size if tree_size is not None else log_size()
    root = root if root is not None else root_hash(size)
    now = datetime.now(UTC)
    body = checkpoint_body(origin=log_origin(), tree_size=size, root=root, timestamp=now)
    signature = platform_key("seal").private_key.sign(body, ec.ECDSA(hashes.SHA256()))
    checkpoint = Checkpoint(tree_size=size, root_hash=root, timestamp=now, signature=signature)
    table = Checkpoint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (tree_size, root_hash, timestamp, signature)"  # noqa: S608
            " VALUES (%s, %s, %s, %s) ON CONFLICT (tree_size) DO NOTHING RETURNING id",
            [size, root, _db_datetime(now), signature],
        )
        row = cursor.fetchone()
    if row is None:  # signed before: the first checkpoint of a size is the one published
        return Checkpoint.objects.get(tree_size=size)
    checkpoint.pk = row[0]
    checkpoint._state.adding = False
    return checkpoint


def _db_datetime(value: datetime) -> object:
    return Checkpoint._meta.get_field("timestamp").get_db_prep_value(value, connection)


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
    proof, nodes = _inclusion(index, checkpoint.tree_size, extra=[(0, index)])
    return {
        "version": RECEIPT_VERSION,
        "leaf_index": index,
        "leaf_hash": nodes[(0, index)].hex(),
        "event": event,
        "salt": salt.hex(),
        "inclusion_proof": [value.hex() for value in proof],
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
