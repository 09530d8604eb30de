"""viewflow's processes and tasks in the admin, named in the reader's language."""

from __future__ import annotations

import pytest
from django.test import Client
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from tests.factories import UserFactory
from workflows.verification.flows import InformCommitFlow


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def started_task(db) -> Task:
    process = Process.objects.create(flow_class=InformCommitFlow, status=PROCESS.NEW)
    return Task.objects.create(
        process=process,
        flow_task=InformCommitFlow.start,
        flow_task_type="START",
        status=STATUS.DONE,
    )


def _page(client: Client, url: str, language: str) -> str:
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


def test_a_process_shows_its_flows_title_and_its_tasks_steps_by_label(admin_client, started_task):
    process = started_task.process

    chinese = _page(admin_client, f"/admin/viewflow/process/{process.pk}/change/", "zh-hans")
    english = _page(admin_client, f"/admin/viewflow/process/{process.pk}/change/", "en")

    assert "承诺核查" in chinese and "承诺书已签署" in chinese and "已办结" in chinese
    assert "开始" in chinese  # the kind of step, not "START"
    assert "START" not in chinese and "DONE" not in chinese
    assert "Commitment verification" in english and "Commitment signed" in english


def test_a_task_is_named_by_its_process_step_and_status(admin_client, started_task):
    url = f"/admin/viewflow/task/{started_task.pk}/"
    name = f"承诺核查 #{started_task.process_id}：承诺书已签署（已办结）"

    change = _page(admin_client, f"{url}change/", "zh-hans")
    history = _page(admin_client, f"{url}history/", "zh-hans")
    listed = _page(admin_client, "/admin/viewflow/task/", "zh-hans")

    assert f"<title>{name} |" in change
    assert name in history and ">DONE<" not in history
    assert "承诺书已签署" in listed and ">DONE<" not in listed


def test_deleting_a_task_names_it_and_its_links_to_other_steps(admin_client, started_task):
    later = Task.objects.create(
        process=started_task.process,
        flow_task=InformCommitFlow.check_exemption,
        flow_task_type="CONDITION",
        status=STATUS.DONE,
    )
    later.previous.add(started_task)

    page = _page(admin_client, f"/admin/viewflow/task/{started_task.pk}/delete/", "zh-hans")

    process = f"承诺核查 #{started_task.process_id}"
    assert f"{process}：承诺书已签署（已办结）" in page
    assert f"从{process}：承诺书已签署（已办结）到{process}：" in page
    assert "object (" not in page and ">DONE<" not in page
