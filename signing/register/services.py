"""Writes to the register: append entries, and sign a checkpoint of its current state.

Appends lock the single ``LogHead`` row, read the right edge (the "frontier", at most
log2(n) nodes) and write the new leaves and the nodes they complete. Checkpoints are signed
by the platform seal key (ECDSA P-256, SHA-256) over a small text body (origin, size, root,
time); see ``signing.register.receipts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import connection, transaction

from signing.ca.keys import platform_key
from signing.register.merkle import Key, node_hash, node_key, perfect_keys, range_hash
from signing.register.models import Checkpoint, LogHead, LogLeaf, LogNode, new_log_epoch
from signing.register.receipts import checkpoint_body, log_origin
from signing.register.selectors import log_size, root_hash
from signing.register.store import cache_on_commit, node_cache, nodes_check, nodes_query


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
    frontier = set(perfect_keys(0, start)) if start else set()
    nodes = node_cache.get(frontier) if node_cache.epoch == epoch else {}
    _size, _epoch, found = nodes_query(frontier - nodes.keys(), with_head=False)
    nodes.update(found)
    nodes_check(frontier, nodes)
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
    cache_on_commit(epoch, {**{key: nodes[key] for key in frontier}, **written})
    return Appended(first_index=start, tree_size=size, root_hash=range_hash(0, size, nodes))


# -- checkpoints -----------------------------------------------------------------------


def checkpoint_create(*, tree_size: int | None = None, root: bytes | None = None) -> Checkpoint:
    """Sign and store a checkpoint for the current size (or return the existing one).

    One ``INSERT ... ON CONFLICT DO NOTHING`` in the common case (a new size), no savepoint.
    """
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
