"""The officers' list of recorded breaches: only the department's own, filtered, sorted on
indexes of the department's rows, remembered, downloadable as CSV with the same checks."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from credit.record.models.breaches import Breach
from tests.factories import (
    BreachCategoryFactory,
    BreachFactory,
    MeasureFactory,
    MeasureTypeFactory,
    RepairRuleFactory,
    SubjectFactory,
)
from tests.homes import signed_in
from workflows.lists.models import SavedListFilter
from workflows.repair.selectors.breaches import BreachFilters, department_breaches

URL = reverse("repair_office:breaches")


@pytest.fixture
def breaches(world):
    """Three breaches of the world's department and one of the housing department."""
    amr = world.department
    late = BreachCategoryFactory(code="late", name="逾期未履行", name_en="Obligation missed")
    false = BreachCategoryFactory(code="false", name="虚假承诺", name_en="False commitment")
    RepairRuleFactory(category=false, not_repairable=True)
    first = BreachFactory(
        subject=world.subject, category=late, department=amr, record_date=date(2026, 3, 2)
    )
    MeasureFactory(
        breach=first, measure_type=MeasureTypeFactory(name="信用扣分", name_en="Point deduction")
    )
    second = BreachFactory(
        subject=SubjectFactory(name="乙公司"),
        category=false,
        department=amr,
        record_date=date(2026, 5, 4),
        published=True,
    )
    third = BreachFactory(
        subject=SubjectFactory(name="丙公司"),
        category=late,
        department=amr,
        record_date=date(2026, 1, 10),
        status=Breach.Status.REPAIRED,
    )
    foreign = BreachFactory(
        subject=SubjectFactory(name="住建公司"),
        category=late,
        department=world.other_department,
        record_date=date(2026, 4, 1),
    )
    return {"first": first, "second": second, "third": third, "foreign": foreign}


def _ids(html: str) -> list[int]:
    return [int(part.split('"')[0]) for part in html.split('data-breach="')[1:]]


def test_officers_and_supervisors_list_only_their_departments_breaches(world, breaches):
    for user in (world.regulator, world.supervisor):
        html = signed_in(user).get(URL).content.decode()
        # newest record first by default
        assert _ids(html) == [breaches[k].pk for k in ("second", "first", "third")]
    foreign = signed_in(world.foreign_regulator).get(URL).content.decode()
    assert _ids(foreign) == [breaches["foreign"].pk]


def test_applicants_may_not_open_the_list_or_its_csv(world, breaches):
    assert signed_in(world.applicant).get(URL).status_code == 403
    assert signed_in(world.applicant).get(URL + "?format=csv").status_code == 403


def test_a_department_filter_outside_ones_own_shows_nothing_of_it(world, breaches):
    client = signed_in(world.regulator)
    html = client.get(URL + f"?department={world.other_department.pk}").content.decode()

    assert breaches["foreign"].pk not in _ids(html)
    rows = department_breaches(
        department_ids=[world.department.pk],
        filters=BreachFilters(department=world.other_department.pk),
    )
    assert list(rows) == []


def test_the_list_shows_measures_publicity_and_repair(world, breaches):
    html = signed_in(world.regulator, "zh-hans").get(URL + "?sort=recorded").content.decode()

    assert "信用扣分" in html
    assert "2027-03-02" in html  # publicity ends a year after 2026-03-02
    assert "2026-06-02" in html  # repair possible after the three-month minimum
    assert "不可修复" in html
    assert 'aria-sort="ascending"' in html


def test_filters_by_status_category_and_date_and_sorts_both_ways(world, breaches):
    client = signed_in(world.regulator)
    late = breaches["first"].category.pk

    assert _ids(client.get(URL + "?status=published").content.decode()) == [breaches["second"].pk]
    assert _ids(client.get(URL + f"?category={late}&sort=recorded").content.decode()) == [
        breaches["third"].pk,
        breaches["first"].pk,
    ]
    assert _ids(
        client.get(URL + "?recorded_from=2026-03-01&recorded_to=2026-04-30").content.decode()
    ) == [breaches["first"].pk]
    assert _ids(client.get(URL + "?status=counting&sort=-publicity").content.decode()) == [
        breaches["second"].pk,
        breaches["first"].pk,
    ]
    assert _ids(client.get(URL + "?q=乙公司").content.decode()) == [breaches["second"].pk]
    # an unknown sort falls back to the newest first, filters kept
    assert _ids(client.get(URL + "?status=counting&sort=reason").content.decode()) == [
        breaches["second"].pk,
        breaches["first"].pk,
    ]


def test_the_filters_are_remembered(world, breaches):
    client = signed_in(world.regulator)
    client.get(URL + "?status=published&sort=repair")

    again = client.get(URL)

    assert again.status_code == 302 and again["Location"] == URL + "?status=published&sort=repair"
    assert SavedListFilter.objects.filter(user=world.regulator, list_name="breaches").exists()


def test_the_csv_streams_every_matching_breach_with_a_bom(world, breaches):
    response = signed_in(world.regulator, "zh-hans").get(URL + "?status=counting&format=csv")
    body = b"".join(response.streaming_content).decode("utf-8")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][0] == "主体"
    assert [row[0] for row in rows[1:]] == ["乙公司", world.subject.name]
    assert rows[1][7] == "不可修复"
    assert rows[2][4] == "信用扣分"
    foreign = signed_in(world.foreign_regulator).get(URL + "?format=csv")
    assert "乙公司" not in b"".join(foreign.streaming_content).decode("utf-8")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("-recorded", "breach_dept_recorded"),
        ("publicity", "breach_dept_publicity"),
        ("-repair", "breach_dept_repair"),
    ],
)
def test_each_offered_sort_reads_the_departments_index(world, breaches, sort, index):
    rows = department_breaches(
        department_ids=[world.department.pk], filters=BreachFilters(sort=sort)
    )[:201]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)  # noqa: S608 - Django's own compiled SQL
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert index in plan, plan
    assert "Sort" not in plan, plan
