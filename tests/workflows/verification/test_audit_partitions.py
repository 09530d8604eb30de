"""The verification tasks' audit on PostgreSQL is partitioned by month (ADR 0035): each entry
lands in the partition of its month, and the task's story still reads it through an index on
every partition."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.workflows.conftest import task_of
from workflows.audit.models import TaskAuditEntry
from workflows.verification.services.reassignment import verification_task_reassign

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's (pg_partman)"
)

AUDIT = TaskAuditEntry._meta.db_table


def test_a_tasks_audit_lands_in_the_partition_of_its_month(world, submitted_commitment):
    # given a task assigned by the flow, then reassigned by a supervisor
    task = task_of(submitted_commitment)
    verification_task_reassign(
        task=task, to=world.other_regulator, by=world.supervisor, reason="workload"
    )

    # then each audit entry is in the partition of its month
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, tableoid::regclass::text FROM {AUDIT} WHERE task_id = %s",  # noqa: S608
            [task.pk],
        )
        where = dict(cursor.fetchall())
    entries = list(TaskAuditEntry.objects.filter(task=task))
    assert [entry.kind for entry in entries] == ["assigned", "reassigned"]
    assert where == {entry.pk: f"{AUDIT}_p{entry.at:%Y_%m}" for entry in entries}


def test_the_tasks_story_reads_its_audit_by_index_on_every_partition(world, submitted_commitment):
    # given the audit of one task
    task = task_of(submitted_commitment)
    sql, params = TaskAuditEntry.objects.filter(task=task).query.sql_with_params()

    # when PostgreSQL plans the story's query (a sequential scan made unattractive, as on a
    # table of millions of rows)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)  # noqa: S608 - Django's own compiled SQL
        plan = "\n".join(line for (line,) in cursor.fetchall())

    # then every partition is read through its task index, none scanned whole
    assert "Seq Scan" not in plan, plan
    assert f"{AUDIT}_default_task_id_idx" in plan, plan
    assert plan.count("task_id_idx") >= 2, plan
