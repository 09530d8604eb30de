"""Supervisors' pages: evidence downloads for the department only, the service-level dashboard,
the sampling page."""

from __future__ import annotations

import datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.workflows.conftest import submit_commitment, task_of
from tests.workflows.verification.bulk import bulk_open_tasks
from workflows.verification.models import SamplingDraw
from workflows.verification.selectors.supervision import sla_lines
from workflows.verification.services.work import verification_complete

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_evidence_is_served_to_the_department_only(world, submitted_commitment, client):
    verification = verification_complete(
        task=task_of(submitted_commitment),
        by=world.regulator,
        method="on_site",
        finding="fulfilled",
        files=[SimpleUploadedFile("photo.png", PNG)],
    )
    evidence = verification.evidence.get()
    url = reverse("workflows:evidence", args=[evidence.pk])

    client.force_login(world.foreign_regulator)
    assert client.get(url).status_code == 404
    client.force_login(world.other_regulator)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


def test_the_dashboard_counts_backlog_ageing_and_on_time(world, client):
    # given one verified on time, one verified late, one open and overdue
    on_time, late, open_one = (submit_commitment(world) for _ in range(3))
    verification_complete(
        task=task_of(on_time), by=world.regulator, method="on_site", finding="fulfilled"
    )
    with time_machine.travel(late.verification_due_at + datetime.timedelta(hours=1)):
        verification_complete(
            task=task_of(late), by=task_of(late).owner, method="on_site", finding="fulfilled"
        )
        lines = sla_lines(department_ids=[world.department.pk])

    (line,) = lines
    assert (line.backlog, line.overdue, line.verified, line.on_time) == (1, 1, 2, 1)
    assert line.on_time_percent == 50.0
    assert sum(line.ages) == 1

    client.force_login(world.supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("workflows:dashboard")).content.decode()
    assert 'data-testid="chart-on-time"' in page and 'data-chart="chart-data-on-time"' in page
    assert "echarts.common.min.js" in page and "<svg" not in page
    assert 'data-testid="backlog-total">1<' in page
    assert client.get(reverse("workflows:dashboard")).status_code == 200

    client.force_login(world.regulator)
    assert client.get(reverse("workflows:dashboard")).status_code == 403


def test_the_dashboard_charts_carry_values_and_links_to_the_tasks_behind_them(world, client):
    # given two open verifications of one department and matter
    commitment = submit_commitment(world)
    submit_commitment(world)

    client.force_login(world.supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    context = client.get(reverse("workflows:dashboard")).context

    backlog = context["backlog_chart"]
    label = f"{world.department.name} · {commitment.template.matter.name}"
    assert backlog.categories == [label]
    assert [series.name for series in backlog.series] == [
        "0–5 days",
        "6–10 days",
        "11–20 days",
        "> 20 days",
    ]
    assert [series.values for series in backlog.series] == [[2], [0], [0], [0]]
    team = reverse("workflows:team")
    link = f"{team}?department={world.department.pk}&matter={commitment.template.matter_id}"
    assert backlog.links == [link]
    assert backlog.rows == [{"category": label, "values": ["2", "0", "0", "0"], "link": link}]
    assert not context["on_time_chart"].has_data  # nothing verified yet: no empty chart
    # and the link opens the team list with those two tasks
    assert client.get(link).content.decode().count('data-testid="task-row"') == 2


def test_the_sampling_page_draws_and_shows_the_replay(world, submitted_commitment, client):
    bulk_open_tasks(submitted_commitment, 10, risk_grade="D")
    client.force_login(world.supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post(
        reverse("workflows:sampling"),
        {"department": world.department.pk, "seed": "abc"},
        follow=True,
    )

    page = response.content.decode()
    seed = SamplingDraw.objects.get().seed  # from the register's checkpoint, "abc" mixed in
    assert f"Drawn with seed {seed}: 8 commitments get an on-site spot check." in page
    assert "same result" in page
