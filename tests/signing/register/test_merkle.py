"""Offline proof checks refuse a wrong leaf, index or root."""

from __future__ import annotations

import hashlib

from signing.register.merkle import leaf_hash, verify_consistency, verify_inclusion
from signing.register.selectors import consistency_proof, inclusion_proof, root_hash
from signing.register.services import log_append


def _leaves(count: int) -> list[bytes]:
    return [leaf_hash(hashlib.sha256(str(n).encode()).digest()) for n in range(count)]


def test_a_wrong_leaf_or_root_does_not_verify():
    # given
    leaves = _leaves(7)
    log_append([(value, "signed") for value in leaves])
    proof = inclusion_proof(index=3, tree_size=7)
    good_root = root_hash(7)

    # then
    assert verify_inclusion(index=3, tree_size=7, leaf=leaves[3], proof=proof, root=good_root)
    assert not verify_inclusion(index=3, tree_size=7, leaf=leaves[4], proof=proof, root=good_root)
    assert not verify_inclusion(index=2, tree_size=7, leaf=leaves[3], proof=proof, root=good_root)
    assert not verify_consistency(
        first=3,
        second=7,
        first_root=root_hash(2),
        second_root=good_root,
        proof=consistency_proof(first=3, second=7),
    )
