"""Where the register's hashes live: stored complete subtrees, read in one query, and cached.

Level-0 hashes are ``LogLeaf`` rows, and every *complete* subtree (2**level leaves, aligned)
is a ``LogNode`` row written once when it completes. Any subtree hash RFC 9162 needs is
either one stored node or the hash of at most log2(n) stored nodes (the right edge of a tree
that is not a power of two), so a proof reads O(log n) rows in ONE query (the head and every
node, keys computed up front) and never rehashes leaves; the upper levels, immutable once
complete, are also cached in process.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from signing.register.merkle import Key, node_key
from signing.register.models import LogHead, LogLeaf, LogNode

# Complete subtrees never change once written, so their hashes may be kept in process. Only
# the upper levels are kept (at a million entries, levels >= 6 are ~31,000 hashes, ~5 MB),
# bounded, and only once the transaction that read or wrote them has committed (a rolled-back
# append must not leave hashes behind). The cache belongs to one ``LogHead.epoch``: a log that
# starts again from nothing (tests, a restore) gets a new epoch and the cache is dropped.
CACHE_MIN_LEVEL = 6
CACHE_MAX_NODES = 1 << 17


class NodeCache:
    """The process-wide cache of upper-level subtree hashes of one log epoch."""

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


node_cache = NodeCache()


def log_cache_clear() -> None:
    """Forget every cached subtree hash (tests; the cache also resets itself on a new epoch)."""
    node_cache.epoch, node_cache.nodes = None, {}


def cache_on_commit(epoch: int, nodes: dict[Key, bytes]) -> None:
    """Cache the upper-level hashes in ``nodes`` once the current transaction commits."""
    upper = {key: value for key, value in nodes.items() if key[0] >= CACHE_MIN_LEVEL}
    cached = node_cache.nodes
    if upper and (epoch != node_cache.epoch or any(key not in cached for key in upper)):
        transaction.on_commit(lambda: node_cache.store(epoch, upper))


def nodes_query(
    keys: Iterable[Key], *, with_head: bool
) -> tuple[int, int | None, dict[Key, bytes]]:
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


def nodes_check(keys: set[Key], found: dict[Key, bytes]) -> None:
    missing = keys - found.keys()
    if missing:
        raise LookupError(f"The log is missing nodes {sorted(missing)[:5]}")


def nodes_read(keys: Iterable[Key]) -> tuple[int, dict[Key, bytes]]:
    """Return the log size and the given complete subtrees: cached ones, the rest in one query.

    The head is read in the same statement, so the size and the nodes are one snapshot and
    the cache is checked against the head's epoch.
    """
    keys = set(keys)
    cached = node_cache.get(keys) if node_cache.epoch is not None else {}
    epoch_seen = node_cache.epoch
    size, epoch, found = nodes_query(keys - cached.keys(), with_head=True)
    if cached and epoch != epoch_seen:  # another log than the one cached: read everything
        log_cache_clear()
        size, epoch, found = nodes_query(keys, with_head=True)
        cached = {}
    found.update(cached)
    if epoch is not None:
        cache_on_commit(epoch, found)
    return size, found


def nodes_load(keys: Iterable[Key]) -> dict[Key, bytes]:
    """Read the given complete subtrees (with the cache); raise if any is missing."""
    keys = set(keys)
    _size, found = nodes_read(keys)
    nodes_check(keys, found)
    return found
