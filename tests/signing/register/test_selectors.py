"""Reads of the register: roots and proofs match RFC 9162, in one query whatever the size."""

from __future__ import annotations

import hashlib

from signing.register.merkle import leaf_hash, node_hash, verify_consistency, verify_inclusion
from signing.register.selectors import consistency_proof, inclusion_proof, root_hash
from signing.register.services import log_append


def _naive_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH, computed the slow obvious way."""
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(_naive_root(leaves[:split]), _naive_root(leaves[split:]))


def _leaves(count: int) -> list[bytes]:
    return [leaf_hash(hashlib.sha256(str(n).encode()).digest()) for n in range(count)]


def test_roots_and_proofs_match_rfc_9162_for_every_size_up_to_33():
    # given 33 leaves appended in uneven batches
    leaves = _leaves(33)
    position = 0
    for batch in (1, 2, 5, 1, 8, 3, 13):
        log_append([(value, "signed") for value in leaves[position : position + batch]])
        position += batch

    # then
    for size in range(1, 34):
        expected = _naive_root(leaves[:size])
        assert root_hash(size) == expected
        for index in range(size):
            proof = inclusion_proof(index=index, tree_size=size)
            assert verify_inclusion(
                index=index, tree_size=size, leaf=leaves[index], proof=proof, root=expected
            )
        for first in range(1, size + 1):
            proof = consistency_proof(first=first, second=size)
            assert verify_consistency(
                first=first,
                second=size,
                first_root=_naive_root(leaves[:first]),
                second_root=expected,
                proof=proof,
            )


def test_an_inclusion_proof_reads_one_query_whatever_the_size(django_assert_num_queries):
    # given
    log_append([(value, "signed") for value in _leaves(1000)])

    # then: the head, the leaves and the stored nodes it needs, in one statement
    with django_assert_num_queries(1):
        proof = inclusion_proof(index=517, tree_size=1000)
    assert len(proof) == 10
