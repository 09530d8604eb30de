"""The Merkle tree of the register, RFC 9162 style: hashes, proof shapes, offline checks.

Entries are salted hashes, never personal data: the leaf of an event is
``SHA-256(0x00 || SHA-256(salt || canonical JSON of the event))``; the salt and the event stay
private with the record that made them, so the subject can later reveal both and anyone can
recompute the leaf. Interior nodes are ``SHA-256(0x01 || left || right)`` (RFC 9162 2.1.1).

Everything here is pure (no database): which complete subtrees a range or a proof needs,
how to hash them together, and how a verifier checks an inclusion or consistency proof.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

Key = tuple[int, int]  # (level, index): 2**level leaves starting at index * 2**level


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


def perfect_keys(start: int, end: int) -> list[Key]:
    """Decompose [start, end) into the aligned complete subtrees RFC 9162 would hash."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return [(level, start >> level)]
    split = _split(size)
    return perfect_keys(start, start + split) + perfect_keys(start + split, end)


def range_hash(start: int, end: int, nodes: dict[Key, bytes]) -> bytes:
    """Hash of leaves [start, end) from the stored complete subtrees in ``nodes``."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return nodes[(level, start >> level)]
    split = _split(size)
    return node_hash(range_hash(start, start + split, nodes), range_hash(start + split, end, nodes))


# -- proofs as ranges (pure) ------------------------------------------------------------


def inclusion_ranges(index: int, start: int, end: int) -> list[tuple[int, int]]:
    """RFC 9162 PATH(m, D[start:end]) as the subtree ranges whose hashes form the proof."""
    if end - start == 1:
        return []
    split = _split(end - start)
    if index < start + split:
        return [*inclusion_ranges(index, start, start + split), (start + split, end)]
    return [*inclusion_ranges(index, start + split, end), (start, start + split)]


def consistency_ranges(first: int, start: int, end: int, whole: bool) -> list[tuple[int, int]]:
    """RFC 9162 SUBPROOF(m, D[start:end], b) as subtree ranges."""
    if start + first == end:
        return [] if whole else [(start, end)]
    split = _split(end - start)
    if first <= split:
        return [*consistency_ranges(first, start, start + split, whole), (start + split, end)]
    return [*consistency_ranges(first - split, start + split, end, False), (start, start + split)]


def range_hashes(ranges: Sequence[tuple[int, int]], nodes: dict[Key, bytes]) -> list[bytes]:
    """Return the hash of each leaf range, from the complete subtrees in ``nodes``."""
    return [range_hash(start, end, nodes) for start, end in ranges]


def range_keys(ranges: Sequence[tuple[int, int]]) -> set[Key]:
    """Return the complete subtrees whose hashes make up the given leaf ranges."""
    return {key for start, end in ranges for key in perfect_keys(start, end)}


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
