"""Offline proof checks refuse a wrong leaf, index or root."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from signing.register.merkle import (
    consistency_ranges,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    range_hash,
    range_hashes,
    verify_consistency,
    verify_inclusion,
)
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


# Properties over every size and index (Hypothesis) ------------------------------------------


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 2.1.1 MTH, written from the text and nothing else: the oracle."""
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(_reference_root(leaves[:split]), _reference_root(leaves[split:]))


def _nodes(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every complete subtree of the leaves, as the register stores them."""
    nodes = {(0, index): leaf for index, leaf in enumerate(leaves)}
    level = 0
    while len(leaves) >> (level + 1):
        for index in range(len(leaves) >> (level + 1)):
            nodes[(level + 1, index)] = node_hash(
                nodes[(level, 2 * index)], nodes[(level, 2 * index + 1)]
            )
        level += 1
    return nodes


@st.composite
def _tree_and_index(draw):
    size = draw(st.integers(min_value=1, max_value=300))
    return _leaves(size), draw(st.integers(min_value=0, max_value=size - 1))


@st.composite
def _tree_and_prefix(draw):
    second = draw(st.integers(min_value=1, max_value=300))
    return _leaves(second), draw(st.integers(min_value=1, max_value=second))


def _flip(proof: list[bytes], position: int, bit: int) -> list[bytes]:
    altered = bytearray(proof[position])
    altered[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:position], bytes(altered), *proof[position + 1 :]]


@given(_tree_and_index(), st.data())
def test_every_inclusion_proof_verifies_and_any_alteration_fails(tree, data):
    # given a tree of any size, its root by the RFC's own definition, and any entry
    leaves, index = tree
    size = len(leaves)
    nodes = _nodes(leaves)
    root = range_hash(0, size, nodes)
    proof = range_hashes(inclusion_ranges(index, 0, size), nodes)

    # then the root is the RFC's, and the proof of the entry verifies
    assert root == _reference_root(leaves)
    assert verify_inclusion(index=index, tree_size=size, leaf=leaves[index], proof=proof, root=root)

    # and another leaf, another index, a shortened or a flipped proof does not
    if size > 1:
        other = data.draw(st.integers(min_value=0, max_value=size - 1).filter(lambda n: n != index))
        assert not verify_inclusion(
            index=index, tree_size=size, leaf=leaves[other], proof=proof, root=root
        )
        assert not verify_inclusion(
            index=other, tree_size=size, leaf=leaves[index], proof=proof, root=root
        )
    if proof:
        assert not verify_inclusion(
            index=index, tree_size=size, leaf=leaves[index], proof=proof[:-1], root=root
        )
        position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bit = data.draw(st.integers(min_value=0, max_value=255))
        assert not verify_inclusion(
            index=index,
            tree_size=size,
            leaf=leaves[index],
            proof=_flip(proof, position, bit),
            root=root,
        )
    assert not verify_inclusion(
        index=index, tree_size=size, leaf=leaves[index], proof=[*proof, root], root=root
    )


@given(_tree_and_prefix(), st.data())
def test_every_consistency_proof_verifies_and_any_alteration_fails(tree, data):
    # given a tree and any prefix of it
    leaves, first = tree
    second = len(leaves)
    nodes = _nodes(leaves)
    first_root, second_root = range_hash(0, first, nodes), range_hash(0, second, nodes)
    proof = range_hashes(consistency_ranges(first, 0, second, True), nodes)

    # then the prefix's root is the RFC's, and the proof verifies
    assert first_root == _reference_root(leaves[:first])
    assert verify_consistency(
        first=first, second=second, first_root=first_root, second_root=second_root, proof=proof
    )

    # and a flipped proof element or a different old root does not
    if proof:
        position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bit = data.draw(st.integers(min_value=0, max_value=255))
        assert not verify_consistency(
            first=first,
            second=second,
            first_root=first_root,
            second_root=second_root,
            proof=_flip(proof, position, bit),
        )
    assert not verify_consistency(
        first=first,
        second=second,
        first_root=leaf_hash(b"not the old root"),
        second_root=second_root,
        proof=proof,
    )
