"""The case list's sorts by decision due and by filing read one department's index (ADR 0021):
PostgreSQL's plan, with sequential scans and sorts priced out, has no Sort node."""

from __future__ import annotations

import pytest
from django.db import connection

from workflows.repair.selectors.cases import (
    CaseFilters,
    objections_for_department,
    repair_applications_for_department,
)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")


@pytest.mark.parametrize(
    ("cases", "sort", "index"),
    [
        (repair_applications_for_department, "due", "repair_dept_due"),
        (repair_applications_for_department, "-filed", "repair_dept_filed"),
        (objections_for_department, "-due", "objection_dept_due"),
        (objections_for_department, "filed", "objection_dept_filed"),
    ],
)
def test_the_case_sorts_read_the_departments_index(world, cases, sort, index):
    rows = cases(department_ids=[world.department.pk], filters=CaseFilters(sort=sort))[:200]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)  # noqa: S608 - Django's own compiled SQL
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert index in plan, plan
    assert "Sort" not in plan, plan
