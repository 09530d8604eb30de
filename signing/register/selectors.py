"""Reads of the register: its size, root hashes and proofs, each in one query at most."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from signing.register.merkle import (
    Key,
    consistency_ranges,
    inclusion_ranges,
    range_hashes,
    range_keys,
)
from signing.register.models import LogHead
from signing.register.store import nodes_check, nodes_load, nodes_read


def log_size() -> int:
    """Return the number of entries in the log."""
    head = LogHead.objects.filter(pk=1).values_list("size", flat=True).first()
    return head or 0


def root_hash(tree_size: int) -> bytes:
    """Return the Merkle tree hash of the first ``tree_size`` entries (RFC 9162 MTH)."""
    if tree_size == 0:
        return hashlib.sha256(b"").digest()
    ranges = [(0, tree_size)]
    return range_hashes(ranges, nodes_load(range_keys(ranges)))[0]


def _inclusion(index: int, tree_size: int, extra: Iterable[Key] = ()) -> tuple[list[bytes], dict]:
    ranges = inclusion_ranges(index, 0, tree_size) if tree_size > 0 else []
    keys = range_keys(ranges) | set(extra)
    size, found = nodes_read(keys)
    if not 0 <= index < tree_size <= size:
        raise ValueError(f"No entry {index} in a tree of {tree_size} entries.")
    nodes_check(keys, found)
    return range_hashes(ranges, found), found


def inclusion_proof_with_leaf(*, index: int, tree_size: int) -> tuple[list[bytes], bytes]:
    """Return the audit path of entry ``index`` and its leaf hash, in the same one query."""
    proof, nodes = _inclusion(index, tree_size, extra=[(0, index)])
    return proof, nodes[(0, index)]


def inclusion_proof(*, index: int, tree_size: int) -> list[bytes]:
    """Return the audit path of entry ``index`` in the tree of ``tree_size`` entries.

    One query (head and every node not cached), whatever the size of the log.
    """
    return _inclusion(index, tree_size)[0]


def consistency_proof(*, first: int, second: int) -> list[bytes]:
    """Return the proof that the tree of ``first`` entries is a prefix of that of ``second``."""
    ranges = consistency_ranges(first, 0, second, True) if 0 < first < second else []
    keys = range_keys(ranges)
    size, found = nodes_read(keys)
    if not 0 < first <= second <= size:
        raise ValueError(f"Cannot prove {first} -> {second} on a log of {size} entries.")
    nodes_check(keys, found)
    return range_hashes(ranges, found)
