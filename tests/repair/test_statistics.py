"""City statistics by month and by department, as SVG charts and CSV, for supervisors and
administrators only, with a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.urls import reverse

from commitments.services.credit_repair import credit_objection_file, credit_repair_apply
from commitments.statistics import city_statistics
from tests.factories import UserFactory
from tests.repair.conftest import proof, record
from tests.workflows.conftest import submit_commitment


def _activity(world):
    submit_commitment(world)
    submit_commitment(world)
    breach = record(world, on=date(2026, 3, 31))
    credit_repair_apply(breach=breach, by=world.applicant, statement="已整改", proofs=[proof()])
    credit_objection_file(
        breach=record(world, on=date(2026, 4, 2)),
        by=world.applicant,
        kind="content",
        grounds="有误",
    )


def test_series_by_month_and_department(repair_city, today):
    world = repair_city
    _activity(world)

    stats = city_statistics(until=today, months=12)

    assert stats.months[0] == date(2026, 1, 1) and stats.months[-1] == date(2026, 12, 1)
    assert stats.by_month["commitments"][date(2026, 12, 1)] >= 2  # signed today (repair too)
    assert stats.by_month["breaches"][date(2026, 3, 1)] == 1
    assert stats.by_month["breaches"][date(2026, 4, 1)] == 1
    assert stats.by_month["repairs"][date(2026, 12, 1)] == 1
    assert stats.by_month["objections"][date(2026, 12, 1)] == 1
    assert stats.by_department["repairs"] == {world.department.pk: 1}
    assert stats.by_department["objections"] == {world.department.pk: 1}


def test_the_page_and_csv_for_a_supervisor(
    client, repair_city, today, django_assert_max_num_queries
):
    world = repair_city
    _activity(world)
    client.force_login(world.supervisor)

    with django_assert_max_num_queries(15):
        response = client.get(reverse("repair_office:statistics"))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("commitments", "verifications", "warnings", "breaches", "objections", "repairs"):
        assert f'data-testid="chart-{name}"' in html
    assert html.count("<svg") >= 6
    assert 'data-testid="total-repairs">1<' in html

    download = client.get(reverse("repair_office:statistics-csv"))
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["series", "month", "department", "count"]
    assert ["repairs", "2026-12", world.department.name, "1"] in rows
    assert ["breaches", "2026-03", "No department", "1"] in rows


def test_regulators_and_applicants_are_refused(client, world):
    for user in (world.regulator, world.applicant):
        client.force_login(user)
        assert client.get(reverse("repair_office:statistics")).status_code == 403
        assert client.get(reverse("repair_office:statistics-csv")).status_code == 403
    client.force_login(UserFactory(username="admin", is_staff=True))
    assert client.get(reverse("repair_office:statistics")).status_code == 200
