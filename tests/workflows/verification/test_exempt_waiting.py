"""The supervisor's list of exempt cases waiting for a spot-check draw, and the draw over the
API (ADR 0032): only the supervised departments' cases, filtered, counted, sorted, in one
language; the draw authorised per department, attributable, in the error envelope."""

from __future__ import annotations

import csv
import io
import re

import pytest

from commitments.lifecycle.models import Commitment, VerificationExemption
from tests.factories import ExemptionRuleFactory, MembershipFactory, SubjectFactory, UserFactory
from tests.homes import signed_in
from tests.workflows.conftest import submit_commitment, task_of
from workflows.lists.models import SavedListFilter
from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import SamplingDraw, VerificationTaskIndex
from workflows.verification.pages import supervision_lists
from workflows.verification.selectors.supervision import (
    exempt_waiting_counts,
    exempt_waiting_rows,
)

PAGE = "/regulator/exempt/"
DRAW = "/api/v1/sampling/draws/"


@pytest.fixture
def waiting(world):
    """Two exempt cases of the world's department waiting for a draw, of two subjects."""
    ExemptionRuleFactory(matter=world.matter, spot_checks_drawn=True)
    other = SubjectFactory(
        name="深圳市另一餐饮有限公司", region=world.region, representative=world.applicant
    )
    return [submit_commitment(world), submit_commitment(world, subject=other)]


@pytest.fixture
def foreign_supervisor(world):
    """A supervisor of the other department only."""
    user = UserFactory(username="housing-supervisor")
    MembershipFactory(user=user, department=world.other_department, supervisor=True)
    return user


def _references(html: str) -> list[str]:
    return re.findall(r'data-testid="exempt-row" data-reference="([^"]+)"', html)


def test_the_selector_lists_only_open_drawable_cases_of_the_departments(world, waiting):
    first, second = waiting
    Commitment.objects.filter(pk=second.pk).update(department=world.other_department)

    rows = exempt_waiting_rows(department_ids=[world.department.pk])

    assert [row.commitment_id for row in rows] == [first.pk]
    assert exempt_waiting_counts(rows=rows) == {"waiting": 1, "closing_soon": 0}
    both = exempt_waiting_rows(department_ids=[world.department.pk, world.other_department.pk])
    assert both.count() == 2
    # a case no longer open (drawn, closed, withdrawn) is not waiting
    VerificationExemption.objects.filter(commitment=first).update(status="closed")
    assert not exempt_waiting_rows(department_ids=[world.department.pk]).exists()


def test_the_supervisor_sees_the_waiting_cases_with_counts_in_english(world, waiting):
    response = signed_in(world.supervisor).get(PAGE, {"sort": "subject"})

    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(_references(html)) == sorted(c.reference for c in waiting)
    assert "2 exempt cases waiting" in html
    assert "close within 5 working days" in html
    assert "working days left" in html
    assert 'data-testid="to-sampling"' in html and 'data-testid="nav-exempt"' in html
    # sorted by the subject's name, descending on request
    names = [c.subject.name for c in waiting]
    html_desc = signed_in(world.supervisor).get(PAGE, {"sort": "-subject"}).content.decode()
    by_name = dict(zip(names, (c.reference for c in waiting), strict=True))
    assert _references(html_desc) == [by_name[name] for name in sorted(names, reverse=True)]


def test_the_filters_narrow_the_list_and_its_count(world, waiting):
    first, second = waiting
    client = signed_in(world.supervisor)

    found = client.get(PAGE, {"search": second.subject.name}).content.decode()
    assert _references(found) == [second.reference]
    assert "1 exempt case waiting" in found
    none = client.get(PAGE, {"department": world.other_department.pk}).content.decode()
    # not a supervised department: the choice is refused and the filter ignored
    assert sorted(_references(none)) == sorted([first.reference, second.reference])
    by_department = client.get(PAGE, {"department": world.department.pk}).content.decode()
    assert len(_references(by_department)) == 2


def test_the_page_speaks_chinese_only_in_chinese(world, waiting):
    html = signed_in(world.supervisor, "zh-hans").get(PAGE).content.decode()

    assert "等待抽查的免核查案件" in html
    assert "件免核查案件等待抽查" in html
    for english in ("exempt case", "Window closes", "working day", "Draw spot checks"):
        assert english not in html, english


def test_the_page_is_for_supervisors_and_their_departments_only(world, waiting, foreign_supervisor):
    assert signed_in(world.regulator).get(PAGE).status_code == 403
    assert signed_in(world.applicant).get(PAGE).status_code == 403
    anonymous = signed_in(world.supervisor)
    anonymous.logout()
    assert anonymous.get(PAGE).status_code == 302
    # a supervisor of another department sees none of this department's cases
    html = signed_in(foreign_supervisor).get(PAGE).content.decode()
    assert _references(html) == []
    assert "0 exempt cases waiting" in html


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads the Chinese
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_list_downloads_as_csv_every_matching_row_with_its_filters(world, waiting, monkeypatch):
    monkeypatch.setattr(supervision_lists, "EXEMPT_PAGE_ROWS", 1)  # the page shows one
    client = signed_in(world.supervisor, "zh-hans")
    first, second = waiting
    names = sorted([first.subject.name, second.subject.name], reverse=True)
    by_name = {c.subject.name: c for c in waiting}

    rows = _csv_rows(client.get(PAGE, {"sort": "-subject", "format": "csv"}))

    assert rows[0] == [
        "编号",
        "主体",
        "统一社会信用代码",
        "事项",
        "部门",
        "风险等级",
        "免核查时间",
        "核查期限届满",
        "剩余时间",
    ]
    # every matching row, not the page's one, in the list's order
    assert [row[0] for row in rows[1:]] == [by_name[name].reference for name in names]
    top = by_name[names[0]]
    assert rows[1][1:6] == [
        top.subject.name,
        top.subject.code,
        world.matter.name,
        world.department.name,
        "A",
    ]
    assert rows[1][8].startswith("剩余") and "工作日" in rows[1][8]
    filtered = _csv_rows(client.get(PAGE, {"search": second.subject.name, "format": "csv"}))
    assert [row[0] for row in filtered[1:]] == [second.reference]
    assert not SavedListFilter.objects.exists()  # a download is not a visit
    page = client.get(PAGE).content.decode()
    assert 'data-testid="csv-export"' in page and len(_references(page)) == 1


def test_the_csv_keeps_the_lists_permissions(world, waiting, foreign_supervisor):
    query = {"format": "csv"}
    assert signed_in(world.regulator).get(PAGE, query).status_code == 403
    assert signed_in(world.applicant).get(PAGE, query).status_code == 403
    assert _csv_rows(signed_in(foreign_supervisor).get(PAGE, query))[1:] == []


def test_a_supervisor_draws_over_the_api_and_the_exempt_cases_are_drawn(
    world, waiting, api_as, every_grade_a_drawn
):
    waits = [task_of(c, InformCommitFlow.exempted) for c in waiting]

    response = api_as(world.supervisor).post(
        DRAW, {"department": world.department.code, "seed": "第一次"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    draw = SamplingDraw.objects.get()
    assert body["id"] == draw.pk and body["department"] == world.department.code
    assert (body["drawn_by"], body["matter"], body["is_replayed"]) == ("supervisor", None, True)
    assert sorted(body["exempt_population"]) == sorted(t.pk for t in waits)
    assert sorted(body["selected"]["A"]) == sorted(t.pk for t in waits)
    assert sorted(body["selected_references"].values()) == sorted(c.reference for c in waiting)
    # attributable: the draw and each exemption say who and when
    assert draw.drawn_by == world.supervisor
    for commitment in waiting:
        exemption = VerificationExemption.objects.get(commitment=commitment)
        assert (exemption.status, exemption.draw_number) == ("drawn", draw.pk)
        assert exemption.history.first().history_user == world.supervisor
        row = VerificationTaskIndex.objects.get(task_id=task_of(commitment).pk)
        assert row.is_spot_check and row.spot_check_draw_id == draw.pk
    # and the list is empty now
    assert _references(signed_in(world.supervisor).get(PAGE).content.decode()) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "department"),
        ({"department": "no-such-department"}, "department"),
        ({"department": "sz-amr", "matter": "no-such-matter"}, "matter"),
        ({"department": "sz-amr", "seed": "x" * 65}, "seed"),
    ],
    ids=["missing", "unknown-department", "unknown-matter", "seed-too-long"],
)
def test_bad_input_is_refused_by_field_and_nothing_is_drawn(world, waiting, api_as, body, field):
    response = api_as(world.supervisor).post(DRAW, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()
    assert not SamplingDraw.objects.exists()
    assert set(VerificationExemption.objects.values_list("status", flat=True)) == {"open"}


def test_only_a_supervisor_of_that_department_may_draw(
    world, waiting, api_as, foreign_supervisor, every_grade_a_drawn
):
    body = {"department": world.department.code}

    for user in (world.regulator, world.applicant, foreign_supervisor):
        response = api_as(user).post(DRAW, body, format="json")
        assert response.status_code == 403, user
        assert response.json()["code"] == "forbidden"
    assert api_as(world.regulator).post(DRAW, {}, format="json").status_code == 403
    anonymous = api_as(world.supervisor)
    anonymous.credentials()
    assert anonymous.post(DRAW, body, format="json").status_code == 401
    assert not SamplingDraw.objects.exists()
    assert set(VerificationExemption.objects.values_list("status", flat=True)) == {"open"}
