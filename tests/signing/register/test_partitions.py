"""On PostgreSQL the register's entries are partitioned by month of ``created`` (ADR 0035) and
kept for good: an entry lands in the partition of its month, one dated where no partition
exists does not fail, maintenance never drops a month of them, and proofs still verify."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from django.db import connection

from directory.partitions.models import RetentionPeriod
from directory.partitions.selectors import managed_tables, partitions_of
from directory.partitions.services import table_maintain
from signing.register.merkle import leaf_hash, verify_inclusion
from signing.register.models import LogLeaf
from signing.register.selectors import inclusion_proof, root_hash
from signing.register.services import log_append

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's (pg_partman)"
)

LEAVES = LogLeaf._meta.db_table


def _leaf(n: int) -> bytes:
    return leaf_hash(hashlib.sha256(str(n).encode()).digest())


def partition_of(index: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT tableoid::regclass::text FROM {LEAVES} WHERE "index" = %s',  # noqa: S608
            [index],
        )
        return cursor.fetchone()[0]


def test_the_register_is_partitioned_and_kept_for_good_in_both_languages(db):
    assert LEAVES in managed_tables()
    period = RetentionPeriod.objects.get(table=LEAVES)
    assert period.months is None
    assert "永久保存，从不删除" in period.legal_basis_zh_hans
    assert "Kept for good, never dropped" in period.legal_basis_en


def test_entries_land_in_their_month_and_old_months_are_never_dropped(db):
    # given an entry of a month ten years back and one of today
    old = log_append([(_leaf(0), "signed")], created=datetime(2016, 2, 3, tzinfo=UTC))
    new = log_append([(_leaf(1), "verified")])
    assert partition_of(old.first_index) == f"{LEAVES}_default"  # no partition then
    assert partition_of(new.first_index).startswith(f"{LEAVES}_p")

    # when maintenance runs with the register's period (none)
    months = RetentionPeriod.objects.get(table=LEAVES).months
    upkeep = table_maintain(table=LEAVES, retention_months=months, premake=4)

    # then the old entry moved into a partition of its own month, which is kept
    assert (upkeep.moved, upkeep.dropped, upkeep.retention_months) == (1, [], None)
    assert partition_of(old.first_index) == f"{LEAVES}_p2016_02"
    assert f"{LEAVES}_p2016_02" in {p.name for p in partitions_of(LEAVES)}
    # and a proof over both still verifies
    size = new.tree_size
    proof = inclusion_proof(index=old.first_index, tree_size=size)
    assert verify_inclusion(
        index=old.first_index, tree_size=size, leaf=_leaf(0), proof=proof, root=root_hash(size)
    )
