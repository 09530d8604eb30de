"""Appending to the register refuses nothing and malformed hashes, and changes nothing then;
the leaves it writes are the ORM's rows, value for value, in the head's statement on
PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from signing.register.merkle import leaf_hash
from signing.register.models import LogHead, LogLeaf
from signing.register.services import log_append

AT = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


def _leaves(count: int, *, seed: str) -> list[tuple[bytes, str]]:
    return [
        (leaf_hash(hashlib.sha256(f"{seed}{n}".encode()).digest()), ("signed", "verified")[n % 2])
        for n in range(count)
    ]


def _rows(indexes: range) -> list[dict]:
    return list(LogLeaf.objects.filter(index__in=indexes).order_by("index").values())


def test_appending_nothing_or_a_bad_hash_changes_nothing():
    # when / then
    with pytest.raises(ValueError):
        log_append([])
    with pytest.raises(ValueError):
        log_append([(b"short", "signed")])
    assert LogLeaf.objects.count() == 0


def test_the_leaves_are_the_rows_bulk_create_writes_value_for_value():
    # given a log of three entries, and the rows the ORM writes for the next three
    log_append(_leaves(3, seed="before"))
    entries = _leaves(3, seed="appended")
    with transaction.atomic():
        LogLeaf.objects.bulk_create(
            [
                LogLeaf(index=3 + n, leaf_hash=value, event_type=event_type, created=AT)
                for n, (value, event_type) in enumerate(entries)
            ]
        )
        orm = _rows(range(3, 6))
        transaction.set_rollback(True)

    # when
    with CaptureQueriesContext(connection) as queries:
        appended = log_append(entries, created=AT)

    # then
    assert (appended.first_index, appended.tree_size) == (3, 6)
    assert _rows(range(3, 6)) == orm
    assert [row["leaf_hash"] for row in orm] == [value for value, _event_type in entries]
    assert LogHead.objects.get().size == 6
    leaves_alone = [
        q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "signing_logleaf"')
    ]
    # on PostgreSQL the head's UPDATE writes the leaves (one statement fewer)
    assert len(leaves_alone) == (0 if connection.vendor == "postgresql" else 1)


def test_the_first_append_makes_the_head_and_writes_its_leaves():
    # when: a log that starts from nothing (no head row yet)
    appended = log_append(_leaves(2, seed="first"), created=AT)

    # then
    assert (appended.first_index, appended.tree_size) == (0, 2)
    assert LogHead.objects.get().size == 2
    assert [row["index"] for row in _rows(range(2))] == [0, 1]
