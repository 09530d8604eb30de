"""The migrations' helpers: a table turned back into a plain one and partitioned again keeps
every row, its indexes and its foreign keys; a table others point at is refused unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from credit.check.models import CheckQuery
from directory.partitions.schema import PartitioningError, table_partition, table_unpartition
from directory.partitions.selectors import managed_tables, partitions_of
from tests.factories import CheckQueryFactory, CommitmentFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's (pg_partman)"
)

LOG = CheckQuery._meta.db_table
HISTORY = "commitments_historicalcommitment"


def _shape(table: str) -> tuple[str, list[str], int]:
    """The table's kind ('p' partitioned, 'r' plain), its index and foreign key names."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
        (kind,) = cursor.fetchone()
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = %s::regclass ORDER BY 1",
            [table],
        )
        indexes = [name for (name,) in cursor.fetchall()]
        cursor.execute(
            "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        (foreign_keys,) = cursor.fetchone()
    return kind, indexes, foreign_keys


def test_unpartitioned_and_partitioned_again_the_log_keeps_every_row(db):
    # given checks in this month and in one long ago
    rows = [CheckQueryFactory(), CheckQueryFactory(asked_at=datetime(2024, 3, 9, tzinfo=UTC))]
    kind, indexes, foreign_keys = _shape(LOG)
    assert kind == "p"

    # when the migration is reversed, the log is one plain table with the same rows
    with connection.schema_editor() as editor:
        table_unpartition(editor, table=LOG)
    assert _shape(LOG) == ("r", indexes, foreign_keys)
    assert (LOG not in managed_tables(), partitions_of(LOG)) == (True, [])
    assert sorted(CheckQuery.objects.values_list("pk", flat=True)) == sorted(r.pk for r in rows)

    # when it is applied again, every row is back in the partition of its month
    with connection.schema_editor() as editor:
        table_partition(editor, table=LOG, column="asked_at")
    assert _shape(LOG) == (kind, indexes, foreign_keys)
    assert LOG in managed_tables()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, tableoid::regclass::text FROM {LOG}")  # noqa: S608
        where = dict(cursor.fetchall())
    assert where == {row.pk: f"{LOG}_p{row.asked_at:%Y_%m}" for row in rows}
    # and the identity goes on after the highest id
    assert CheckQueryFactory().pk > max(row.pk for row in rows)


def test_a_table_that_foreign_keys_point_at_is_refused_unchanged(db):
    before = _shape("directory_region")

    with (
        pytest.raises(PartitioningError, match="foreign keys point at it"),
        connection.schema_editor() as editor,
    ):
        table_partition(editor, table="directory_region", column="code")

    assert _shape("directory_region") == before


def test_two_tables_with_rows_are_partitioned_in_one_transaction(db):
    """A migration partitions several tables in one transaction: the rows pg_partman moves
    out of one table's default partition must not get in the way of the next table's."""
    # given a commitment's history and a check from long ago, both tables plain again
    commitment = CommitmentFactory()
    check = CheckQueryFactory(asked_at=datetime(2023, 11, 2, tzinfo=UTC))
    history = list(commitment.history.values_list("history_id", "history_date"))
    with connection.schema_editor() as editor:
        table_unpartition(editor, table=HISTORY, key="history_id")
        table_unpartition(editor, table=LOG)

    # when both are partitioned again in one transaction
    with connection.schema_editor() as editor:
        table_partition(editor, table=HISTORY, column="history_date", key="history_id")
        table_partition(editor, table=LOG, column="asked_at")

    # then each row is in the partition of its month
    assert {HISTORY, LOG} <= set(managed_tables())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT history_id, tableoid::regclass::text FROM {HISTORY}")  # noqa: S608
        assert dict(cursor.fetchall()) == {pk: f"{HISTORY}_p{at:%Y_%m}" for pk, at in history}
        cursor.execute(f"SELECT tableoid::regclass::text FROM {LOG} WHERE id = %s", [check.pk])  # noqa: S608
        assert cursor.fetchone() == (f"{LOG}_p2023_11",)
