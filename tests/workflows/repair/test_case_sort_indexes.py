"""The case list's sorts by decision due, filing and subject read one department's index (ADR
0021, 0034): PostgreSQL's plan, with sequential scans and sorts priced out, has no Sort node.
The subject's name is kept on the case for it, and follows a renamed subject."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import ObjectionFactory, RepairApplicationFactory, SubjectFactory
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
        (repair_applications_for_department, "subject", "repair_dept_subject"),
        (repair_applications_for_department, "-subject", "repair_dept_subject"),
        (objections_for_department, "subject", "objection_dept_subject"),
        (objections_for_department, "-subject", "objection_dept_subject"),
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


def test_the_subject_sort_reads_the_name_kept_on_the_case_which_follows_a_rename(world):
    department = world.department
    names = ["丙餐饮", "甲餐饮", "乙餐饮"]
    subjects = [SubjectFactory(name=name, region=world.region) for name in names]
    repairs = [
        RepairApplicationFactory(breach__subject=subject, subject=subject, department=department)
        for subject in subjects
    ]
    objections = [
        ObjectionFactory(breach__subject=subject, subject=subject, department=department)
        for subject in subjects
    ]

    def order(cases, sort):
        return list(
            cases(department_ids=[department.pk], filters=CaseFilters(sort=sort)).values_list(
                "subject_name", flat=True
            )
        )

    assert [case.subject_name for case in repairs + objections] == names + names
    assert order(repair_applications_for_department, "subject") == sorted(names)
    assert order(objections_for_department, "-subject") == sorted(names, reverse=True)

    subjects[1].name = "戊餐饮"
    subjects[1].save()

    assert order(repair_applications_for_department, "subject") == ["丙餐饮", "乙餐饮", "戊餐饮"]
    assert order(objections_for_department, "subject") == ["丙餐饮", "乙餐饮", "戊餐饮"]
