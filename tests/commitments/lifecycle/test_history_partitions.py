"""On PostgreSQL the histories that grow with every commitment, credit record and case are
partitioned by month of ``history_date`` (ADR 0035): a change's history row lands in the
partition of its month, one dated where no partition exists does not fail, and a
commitment's history is still read by index on every partition."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.utils import timezone

from commitments.lifecycle.models import Commitment
from directory.partitions.models import RetentionPeriod
from directory.partitions.selectors import managed_tables
from tests.factories import (
    BreachFactory,
    CommitmentFactory,
    ObjectionFactory,
    ObligationFactory,
    PerformanceReportFactory,
    RectificationFactory,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's (pg_partman)"
)

HISTORY = Commitment.history.model._meta.db_table


def _partitions(table: str, history_ids: list[int]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT tableoid::regclass::text FROM {table}"  # noqa: S608
            " WHERE history_id = ANY(%s)",
            [history_ids],
        )
        return {name for (name,) in cursor.fetchall()}


def test_the_lifecycle_histories_are_partitioned(db):
    assert {
        "commitments_historicalcommitment",
        "commitments_historicalobligation",
        "commitments_historicalverification",
        "commitments_historicalsigningrequest",
    } <= set(managed_tables())


# The histories that grow with the records, beyond the lifecycle's four; the catalogue's stay
# plain (they are small).
RECORD_HISTORIES = {
    "commitments_historicalverificationexemption",
    "commitments_historicalverificationdetail",
    "commitments_historicalverificationevidence",
    "commitments_historicalperformancereport",
    "commitments_historicalbidpledge",
    "credit_historicalbreach",
    "credit_historicalmeasure",
    "credit_historicallistentry",
    "workflows_historicalrepairapplication",
    "workflows_historicalobjection",
    "workflows_historicalrectification",
    "workflows_historicalrectificationevidence",
}


def test_the_record_and_case_histories_are_partitioned_with_a_period_in_both_languages(db):
    assert set(managed_tables()) >= RECORD_HISTORIES
    assert "credit_historicalrepairrule" not in set(managed_tables())

    periods = RetentionPeriod.objects.filter(table__in=RECORD_HISTORIES)
    assert periods.count() == len(RECORD_HISTORIES)
    for period in periods:
        assert period.months == 360
        assert "国家档案局令第8号" in period.legal_basis_zh_hans
        assert "National Archives Administration Order No. 8" in period.legal_basis_en


@pytest.mark.parametrize(
    "factory", [BreachFactory, ObjectionFactory, PerformanceReportFactory, RectificationFactory]
)
def test_a_records_history_lands_in_the_partition_of_its_month(db, factory):
    record = factory()

    table = type(record).history.model._meta.db_table
    ids = list(record.history.values_list("history_id", flat=True))
    assert ids
    assert _partitions(table, ids) == {f"{table}_p{timezone.now():%Y_%m}"}


def test_a_commitments_history_lands_in_the_partition_of_its_month(db):
    # when a commitment and an obligation of it are saved (each save writes a history row)
    obligation = ObligationFactory()
    commitment = obligation.commitment

    # then their history rows are in this month's partitions
    month = f"{timezone.now():%Y_%m}"
    ids = list(commitment.history.values_list("history_id", flat=True))
    assert ids
    assert _partitions(HISTORY, ids) == {f"{HISTORY}_p{month}"}
    table = type(obligation).history.model._meta.db_table
    ids = list(obligation.history.values_list("history_id", flat=True))
    assert _partitions(table, ids) == {f"{table}_p{month}"}


def test_a_change_dated_where_no_partition_exists_is_kept_in_the_default(db):
    # given a commitment changed in a month ten years ahead (a clock far off)
    commitment = CommitmentFactory()
    record = commitment.history.latest()
    record.pk = None
    record.history_date = datetime(2036, 5, 4, tzinfo=UTC)
    record.save()

    # then the write succeeded, into the default partition
    assert _partitions(HISTORY, [record.pk]) == {f"{HISTORY}_default"}
    assert commitment.history.filter(history_date__year=2036).count() == 1


def test_a_commitments_history_is_read_by_index_on_every_partition(db):
    commitment = CommitmentFactory()
    sql, params = commitment.history.all().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)  # noqa: S608 - Django's own compiled SQL
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert "Seq Scan" not in plan, plan
    assert f"{HISTORY}_default_id_idx" in plan, plan
