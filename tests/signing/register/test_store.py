"""The in-process cache of subtree hashes: the same proofs as storage, never stale, never
filled by a rolled-back append, dropped when the log starts again."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from django.db import transaction

from signing.register import store
from signing.register.merkle import leaf_hash, node_hash, verify_consistency, verify_inclusion
from signing.register.models import LogHead, LogLeaf, LogNode
from signing.register.selectors import consistency_proof, inclusion_proof, root_hash
from signing.register.services import log_append
from signing.register.store import log_cache_clear


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    log_cache_clear()
    yield
    log_cache_clear()


def _naive_root(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(_naive_root(leaves[:split]), _naive_root(leaves[split:]))


def _leaves(count: int, *, seed: str = "") -> list[bytes]:
    return [leaf_hash(hashlib.sha256(f"{seed}{n}".encode()).digest()) for n in range(count)]


def _append(leaves: list[bytes], capture) -> None:
    with capture(execute=True):
        log_append([(value, "signed") for value in leaves])


def _proofs(size: int, indexes: range | list[int]) -> list[list[bytes]]:
    return [inclusion_proof(index=index, tree_size=size) for index in indexes]


def test_a_proof_from_the_cache_equals_the_proof_from_storage(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    # given 700 entries, appended and read in committed transactions
    leaves = _leaves(700)
    _append(leaves[:300], django_capture_on_commit_callbacks)
    _append(leaves[300:], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        inclusion_proof(index=5, tree_size=700)
    cached_levels = {level for level, _index in store.node_cache.nodes}
    assert cached_levels and min(cached_levels) >= store.CACHE_MIN_LEVEL

    # when: every proof with the cache, then every proof from storage alone
    with django_assert_num_queries(1):
        single = inclusion_proof(index=699, tree_size=700)
    from_cache = _proofs(700, range(700))
    cached_root = root_hash(700)
    log_cache_clear()
    from_storage = _proofs(700, range(700))

    # then
    assert from_cache == from_storage
    assert single == from_storage[699]
    assert cached_root == root_hash(700) == _naive_root(leaves)
    assert all(
        verify_inclusion(index=i, tree_size=700, leaf=leaves[i], proof=p, root=cached_root)
        for i, p in enumerate(from_cache)
    )


def test_appending_after_caching_keeps_every_proof_valid(django_capture_on_commit_callbacks):
    # given a cached log of 200 entries
    leaves = _leaves(330)
    _append(leaves[:200], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        old_root = root_hash(200)
    assert store.node_cache.nodes

    # when more entries come, one by one and in a batch
    for value in leaves[200:210]:
        _append([value], django_capture_on_commit_callbacks)
    _append(leaves[210:], django_capture_on_commit_callbacks)

    # then every entry, old and new, proves into the new root, and the old tree is a prefix
    new_root = root_hash(330)
    assert new_root == _naive_root(leaves)
    for index in range(330):
        proof = inclusion_proof(index=index, tree_size=330)
        assert verify_inclusion(
            index=index, tree_size=330, leaf=leaves[index], proof=proof, root=new_root
        )
    assert verify_consistency(
        first=200,
        second=330,
        first_root=old_root,
        second_root=new_root,
        proof=consistency_proof(first=200, second=330),
    )


def test_a_rolled_back_append_leaves_nothing_in_the_cache(django_capture_on_commit_callbacks):
    # given a cached log of 100 entries
    leaves = _leaves(256)
    _append(leaves[:100], django_capture_on_commit_callbacks)
    cached = dict(store.node_cache.nodes)

    # when an append of other entries is rolled back, then the real entries come
    class Abort(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Abort),
        transaction.atomic(),
    ):
        log_append([(value, "signed") for value in _leaves(156, seed="rolled back")])
        inclusion_proof(index=150, tree_size=256)
        raise Abort
    assert store.node_cache.nodes == cached
    _append(leaves[100:], django_capture_on_commit_callbacks)

    # then the log is the real one, with or without the cache
    assert root_hash(256) == _naive_root(leaves)
    with_cache = _proofs(256, range(0, 256, 7))
    log_cache_clear()
    assert with_cache == _proofs(256, range(0, 256, 7))


def test_a_log_that_starts_again_does_not_use_the_old_cache(django_capture_on_commit_callbacks):
    # given a cached log of 128 entries
    _append(_leaves(128), django_capture_on_commit_callbacks)
    old_epoch = store.node_cache.epoch
    assert store.node_cache.nodes

    # when the log is emptied and starts again with other entries
    LogLeaf.objects.all().delete()
    LogNode.objects.all().delete()
    LogHead.objects.update(size=0)
    leaves = _leaves(128, seed="again")
    _append(leaves, django_capture_on_commit_callbacks)

    # then
    assert LogHead.objects.get().epoch != old_epoch
    root = root_hash(128)
    assert root == _naive_root(leaves)
    for index in (0, 63, 64, 127):
        proof = inclusion_proof(index=index, tree_size=128)
        assert verify_inclusion(
            index=index, tree_size=128, leaf=leaves[index], proof=proof, root=root
        )
