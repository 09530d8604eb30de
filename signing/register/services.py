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
from functools import cache

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
    and per subtree it completes (on average one): three or four statements per call. On
    PostgreSQL the new leaves are written by the head's statement (``_advance_head_writing``):
    two or three. A log that starts from nothing gets a new epoch (see ``LogHead``). Inside a
    caller's transaction it adds no savepoint: a database error there fails the caller's
    transaction.
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
        return _epoch_of(cursor, size - count, epoch)


def _epoch_of(cursor, start: int, epoch: int) -> tuple[int, int]:
    """(start, epoch): a log that starts from nothing (``start`` 0) gets a new epoch."""
    if start == 0:
        epoch = new_log_epoch()
        table = LogHead._meta.db_table
        cursor.execute(f"UPDATE {table} SET epoch = %s WHERE id = 1", [epoch])  # noqa: S608
    return start, epoch


@cache
def _head_writing_leaves_sql() -> str:
    """The head's ``UPDATE ... RETURNING`` with the new leaves' ``INSERT`` (PostgreSQL).

    The leaves' indexes are the head's size before the append plus their positions, as
    ``_append`` numbers them; their values are bound as one array per column, as the ORM's
    ``bulk_create`` binds them on PostgreSQL (``UNNEST``).
    """
    quote = connection.ops.quote_name
    meta = LogLeaf._meta
    index, leaf_hash, event_type, created = (
        meta.get_field(name) for name in ("index", "leaf_hash", "event_type", "created")
    )
    columns = ", ".join(quote(f.column) for f in (index, leaf_hash, event_type, created))
    arrays = ", ".join(
        f"%s::{field.db_type(connection)}[]" for field in (index, leaf_hash, event_type)
    )
    head, leaf, entry = quote(LogHead._meta.db_table), quote(meta.db_table), quote("entry")
    # Table and column names come from the models; every value is a placeholder.
    return (
        f"WITH {quote('head')} AS (UPDATE {head} SET {quote('size')} = {quote('size')} + %s "  # noqa: S608
        f"WHERE {quote('id')} = 1 RETURNING {quote('size')}, {quote('epoch')}), "
        f"{quote('leaves')} AS (INSERT INTO {leaf} ({columns}) "
        f"SELECT {quote('head')}.{quote('size')} - %s + {entry}.{quote('position')}, "
        f"{entry}.{quote('leaf_hash')}, {entry}.{quote('event_type')}, "
        f"%s::{created.db_type(connection)} FROM {quote('head')}, UNNEST({arrays}) AS "
        f"{entry} ({quote('position')}, {quote('leaf_hash')}, {quote('event_type')})) "
        f"SELECT {quote('size')}, {quote('epoch')} FROM {quote('head')}"
    )


def _advance_head_writing(
    entries: Sequence[tuple[bytes, str]], moment: datetime
) -> tuple[int, int] | None:
    """``_advance_head`` with the new leaves written by the same statement (PostgreSQL); None
    where the leaves are written on their own (another database, no head row yet: then
    nothing was written)."""
    if connection.vendor != "postgresql":
        return None
    created = LogLeaf._meta.get_field("created").get_db_prep_save(moment, connection)
    count = len(entries)
    with connection.cursor() as cursor:
        cursor.execute(
            _head_writing_leaves_sql(),
            [
                count,
                count,
                created,
                list(range(count)),
                [value for value, _event_type in entries],
                [event_type for _value, event_type in entries],
            ],
        )
        row = cursor.fetchone()
        if row is None:  # the very first append: the head row is made by ``_advance_head``
            return None
        size, epoch = row
        return _epoch_of(cursor, size - count, epoch)


@transaction.atomic(savepoint=False)
def _append(entries: Sequence[tuple[bytes, str]], *, created: datetime | None) -> Appended:
    moment = created or datetime.now(UTC)
    advanced = _advance_head_writing(entries, moment)
    start, epoch = advanced or _advance_head(len(entries))
    frontier = set(perfect_keys(0, start)) if start else set()
    nodes = node_cache.get(frontier) if node_cache.epoch == epoch else {}
    _size, _epoch, found = nodes_query(frontier - nodes.keys(), with_head=False)
    nodes.update(found)
    nodes_check(frontier, nodes)
    new_nodes = []
    written: dict[Key, bytes] = {}
    for offset, (value, _event_type) in enumerate(entries):
        index = start + offset
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
    if advanced is None:
        LogLeaf.objects.bulk_create(
            [
                LogLeaf(
                    index=start + offset, leaf_hash=value, event_type=event_type, created=moment
                )
                for offset, (value, event_type) in enumerate(entries)
            ],
            batch_size=2000,
        )
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
