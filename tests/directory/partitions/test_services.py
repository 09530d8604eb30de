"""The time-partitioned tables on PostgreSQL (pg_partman): rows land in the partition of
their month, a month without a partition does not fail a write, maintenance makes partitions
ahead and drops those past the legal retention period (held as data), keeping the rest.

The check log (``credit_checkquery``) is the table exercised; every partitioned table is
maintained by the same code. The tests run in a transaction, and PostgreSQL's DDL is
transactional: the partitions made or dropped here vanish with the test.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from credit.check.models import CheckQuery
from directory.partitions.models import PartitionEvent, RetentionPeriod
from directory.partitions.selectors import default_rows, managed_tables, partitions_of
from directory.partitions.services import partitions_maintain
from directory.partitions.tasks import partitions_maintain_task
from tests.factories import CheckQueryFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's (pg_partman)"
)

LOG = CheckQuery._meta.db_table


def months_from(moment: datetime, months: int) -> datetime:
    """The first instant of the month ``months`` after (or before) ``moment``'s month."""
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1, hour=0, minute=0)


def partition_of(row: CheckQuery) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text FROM {LOG} WHERE id = %s",  # noqa: S608
            [row.pk],
        )
        found = cursor.fetchone()
    return found[0] if found else ""


def month_partition(moment: datetime) -> str:
    return f"{LOG}_p{moment:%Y_%m}"


def names() -> list[str]:
    return [partition.name for partition in partitions_of(LOG)]


def test_the_check_log_is_partitioned_by_month_with_a_default(db):
    # given the migrated database
    now = timezone.now()

    # then the check log is a table pg_partman manages, with this month, the next and a default
    assert LOG in managed_tables()
    assert {month_partition(now), month_partition(months_from(now, 1)), f"{LOG}_default"} <= set(
        names()
    )
    # and its legal retention period is data
    assert RetentionPeriod.objects.get(table=LOG).months == 60


def test_a_check_is_logged_in_the_partition_of_its_month(db):
    # when a check is logged now
    row = CheckQueryFactory()

    # then its row is in this month's partition
    assert partition_of(row) == month_partition(row.asked_at)
    assert CheckQuery.objects.get(pk=row.pk).subject_code == row.subject_code


def test_a_row_for_a_month_without_a_partition_waits_in_the_default_then_moves(db):
    # given a row dated three years ahead, far past the partitions made ahead
    later = timezone.now() + timedelta(days=3 * 366)
    assert month_partition(later) not in names()

    # when it is written, the write succeeds: it lands in the default partition
    row = CheckQueryFactory(asked_at=later)
    assert partition_of(row) == f"{LOG}_default"

    # when maintenance runs
    (upkeep,) = [done for done in partitions_maintain() if done.table == LOG]

    # then the row moved into a partition of its own month, and the default is empty
    assert partition_of(row) == month_partition(later)
    assert (upkeep.moved, default_rows(LOG)) == (1, 0)
    assert month_partition(later) in upkeep.created
    assert PartitionEvent.objects.filter(
        table=LOG, action=PartitionEvent.Action.MOVED, rows=1
    ).exists()


def test_maintenance_makes_partitions_ahead(db):
    # given partitions made four months ahead by the migration
    now = timezone.now()
    ahead = [month_partition(months_from(now, n)) for n in range(0, 9)]
    assert ahead[8] not in names()

    # when maintenance runs keeping eight months ahead
    partitions_maintain(premake=8)

    # then this month and each of the next eight have a partition
    assert set(ahead) <= set(names())
    made = PartitionEvent.objects.filter(table=LOG, action=PartitionEvent.Action.CREATED)
    assert month_partition(months_from(now, 8)) in set(made.values_list("partition", flat=True))

    # and running it again makes nothing more
    (again,) = [done for done in partitions_maintain(premake=8) if done.table == LOG]
    assert (again.created, again.dropped, again.moved) == ([], [], 0)


def test_retention_drops_partitions_older_than_the_legal_period_and_keeps_the_rest(db):
    # given check log rows three years and eighteen months old, in partitions of their months
    now = timezone.now()
    old = CheckQueryFactory(asked_at=months_from(now, -36) + timedelta(days=3))
    recent = CheckQueryFactory(asked_at=months_from(now, -18) + timedelta(days=3))
    current = CheckQueryFactory()
    RetentionPeriod.objects.update_or_create(
        table=LOG, defaults={"months": 60, "legal_basis": "《征信业管理条例》第十六条"}
    )
    partitions_maintain()
    assert {month_partition(old.asked_at), month_partition(recent.asked_at)} <= set(names())

    # when the legal period becomes two years and maintenance runs
    RetentionPeriod.objects.filter(table=LOG).update(months=24)
    (upkeep,) = [done for done in partitions_maintain() if done.table == LOG]

    # then the partition older than two years is detached and dropped with its rows
    assert upkeep.dropped == [month_partition(old.asked_at)]
    assert month_partition(old.asked_at) not in names()
    assert not CheckQuery.objects.filter(pk=old.pk).exists()
    # and the younger ones stay, with their rows
    assert month_partition(recent.asked_at) in names()
    assert set(CheckQuery.objects.values_list("pk", flat=True)) == {recent.pk, current.pk}
    # and the drop is on record with the period that caused it
    dropped = PartitionEvent.objects.get(table=LOG, action=PartitionEvent.Action.DROPPED)
    assert (dropped.partition, dropped.retention_months) == (month_partition(old.asked_at), 24)


def test_a_table_without_a_retention_period_keeps_every_partition(db):
    # given a row ten years old and no retention period for the check log
    row = CheckQueryFactory(asked_at=months_from(timezone.now(), -120) + timedelta(days=1))
    RetentionPeriod.objects.filter(table=LOG).delete()

    # when maintenance runs
    (upkeep,) = [done for done in partitions_maintain() if done.table == LOG]

    # then nothing is dropped: the row is kept in its month's partition
    assert upkeep.retention_months is None
    assert upkeep.dropped == []
    assert partition_of(row) == month_partition(row.asked_at)


def test_the_scheduled_task_and_the_command_report_what_they_did(db, capsys):
    # given a row waiting in the default partition, and the log's five-year period
    CheckQueryFactory(asked_at=months_from(timezone.now(), 40))
    RetentionPeriod.objects.update_or_create(
        table=LOG, defaults={"months": 60, "legal_basis": "《征信业管理条例》第十六条"}
    )

    # when the scheduler's task runs, then the command
    done = partitions_maintain_task()
    call_command("partitions_maintain")

    # then the task moved the row, and the command found nothing left to do
    assert done[LOG]["moved"] == 1
    assert f"{LOG}: kept 60 months; 0 partitions created, 0 dropped, 0 rows moved" in (
        capsys.readouterr().out
    )
