"""The check log on PostgreSQL is partitioned by month (ADR 0035): a check answered by the
one-statement path logs its row in the partition of its month, and the lookups of the log
still use its indexes on every partition."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from credit.check.models import CheckQuery
from credit.check.services import check_query_log
from tests.factories import CallingSystemFactory, CheckQueryFactory, SubjectFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's (pg_partman)"
)

LOG = CheckQuery._meta.db_table


def _plan(queryset, *, ordered: bool = False) -> str:
    """The plan PostgreSQL would take at volume. On a test's few rows it may prefer a whole
    scan, a bitmap scan or a sort by their statistics of the moment: those are priced out, so
    what shows is whether the indexes can serve the query (a sort that no index can avoid
    still shows)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if ordered:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)  # noqa: S608 - Django's own compiled SQL
        return "\n".join(line for (line,) in cursor.fetchall())


def test_the_logged_check_is_in_the_partition_of_its_month(db):
    # when a check is logged by the service's plain INSERT
    subject = SubjectFactory()
    row = check_query_log(
        calling_system=CallingSystemFactory(),
        subject_id=subject.pk,
        subject_code=subject.code,
        matter_code="",
        purpose="approval",
        reason="案卷 7",
        answer={"found": True},
    )

    # then the row is in this month's partition, found by its id
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text FROM {LOG} WHERE id = %s",  # noqa: S608
            [row.pk],
        )
        (partition,) = cursor.fetchone()
    assert partition == f"{LOG}_p{timezone.now():%Y_%m}"
    assert CheckQuery.objects.get(pk=row.pk).reason == "案卷 7"


def test_who_checked_a_subject_is_read_by_index_on_every_partition(db):
    # given checks about a subject (the lookup that tells systems of a record's change)
    check = CheckQueryFactory()
    plan = _plan(CheckQuery.objects.filter(subject_id=check.subject_id).values("calling_system"))

    # then each partition is read through its (subject, asked_at) index
    assert "Seq Scan" not in plan, plan
    assert f"{LOG}_default_subject_id_asked_at_idx" in plan, plan


def test_a_systems_latest_checks_come_from_its_index_without_sorting(db):
    # given a calling system's checks, newest first (its index leads with the system)
    check = CheckQueryFactory()
    plan = _plan(
        CheckQuery.objects.filter(calling_system_id=check.calling_system_id).order_by("-asked_at")[
            :20
        ],
        ordered=True,
    )

    # then the partitions' indexes are merged in order: no partition scanned whole, no sort
    assert "Seq Scan" not in plan, plan
    assert "calling_system_id_asked_at_idx" in plan, plan
    assert "Sort" not in plan.replace("Sort Key", ""), plan
