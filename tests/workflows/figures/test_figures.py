"""Fulfilment figures: rates by kind, matter, department and month, aggregated in SQL; the
officers' page, its CSV, the API and the portal's city figures."""

from __future__ import annotations

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.workflows.conftest import submit_commitment, task_of
from workflows.figures.selectors import fulfilment_figures
from workflows.verification.flows import InformCommitFlow
from workflows.verification.services.rectification import (
    rectification_order,
    rectification_submit,
)
from workflows.verification.services.work import verification_complete


def _verify(world, commitment, finding="fulfilled"):
    reason = "" if finding == "fulfilled" else "不实"
    task = task_of(commitment)
    verification_complete(
        task=task,
        by=task.owner,  # the least-loaded regulator it was assigned to
        method="written",
        finding=finding,
        reason=reason,
    )


def _rectified(world):
    commitment = submit_commitment(world)
    task = task_of(commitment)
    rectification_order(task=task, by=task.owner, method="on_site", gaps="补", working_days=3)
    rectification_submit(reference=commitment.reference, by=world.applicant, text="已补")
    verification_complete(
        task=task_of(commitment, InformCommitFlow.reverify),
        by=task.owner,
        method="on_site",
        finding="fulfilled",
    )
    return commitment


def _cases(world):
    """Fulfilled, rectified, late and (last: a breach excludes the subject) breached."""
    _verify(world, submit_commitment(world))
    _rectified(world)
    late = submit_commitment(world)
    breached = submit_commitment(world)
    with time_machine.travel(late.verification_due_at + datetime.timedelta(hours=1)):
        _verify(world, late)
        _verify(world, breached, "breached")
        return fulfilment_figures(until=timezone.localdate(), months=3)


def test_rates_by_every_dimension(world):
    figures = _cases(world)

    total = figures.total
    assert (total.decided, total.fulfilled, total.late, total.rectified) == (4, 3, 2, 1)
    assert (total.fulfilment_rate, total.late_rate, total.rectification_rate) == (75.0, 50.0, 25.0)
    assert [name for name, _t in figures.rows("department")] == [world.department.name]
    assert figures.by["kind"][world.template.kind].decided == 4
    assert figures.by["matter"][world.template.matter_id].decided == 4
    assert sum(t.decided for _n, t in figures.rows("month")) == 4


def test_the_queries_do_not_grow_with_the_commitments(world):
    _verify(world, submit_commitment(world))
    with CaptureQueriesContext(connection) as few:
        fulfilment_figures(until=timezone.localdate(), months=12)
    for _ in range(3):
        _verify(world, submit_commitment(world))
    with CaptureQueriesContext(connection) as more:
        fulfilment_figures(until=timezone.localdate(), months=12)
    assert len(more.captured_queries) == len(few.captured_queries) <= 4


def test_officers_page_csv_and_api(world, client, api_as):
    _verify(world, submit_commitment(world))
    _rectified(world)
    client.force_login(world.regulator)

    page = client.get("/regulator/figures/")
    assert page.status_code == 200
    assert b'data-testid="chart-department"' in page.content
    csv = client.get("/regulator/figures.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("month,kind,matter,department,decided")
    assert ",2,2,0,1,100.0,0.0,50.0" in csv
    answer = api_as(world.regulator).get("/api/v1/figures/?months=2")
    assert answer.status_code == 200
    assert answer.json()["total"]["rectification_rate"] == 50.0


def test_applicants_cannot_read_the_officers_figures(world, client, api_as):
    client.force_login(world.applicant)
    assert client.get("/regulator/figures/").status_code == 403
    assert client.get("/regulator/figures.csv").status_code == 403
    assert api_as(world.applicant).get("/api/v1/figures/").status_code == 403


def test_the_portal_shows_the_city_figures_without_login(world, client):
    _verify(world, submit_commitment(world))
    page = client.get("/portal/figures/")
    assert page.status_code == 200
    assert "fulfilment rate 100.0%" in page.content.decode()
