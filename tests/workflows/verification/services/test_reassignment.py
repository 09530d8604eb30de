"""Reassignment (one and many): who may, to whom, and every refusal, from the service, the
pages and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from notifications.models import Notification
from tests.factories import MembershipFactory, UserFactory
from tests.workflows.conftest import submit_commitment, task_of
from workflows.audit.models import TaskAuditEntry
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services.reassignment import (
    verification_task_reassign,
    verification_tasks_reassign_bulk,
)
from workflows.verification.services.work import verification_task_release


def _holder(task) -> tuple:
    task = Task.objects.get(pk=task.pk)
    row = VerificationTaskIndex.objects.filter(task=task).values_list("owner_id", flat=True).first()
    return task.status, task.owner_id, row, TaskAuditEntry.objects.filter(task=task).count()


def test_a_supervisor_reassigns_with_audit_and_notifications(world, submitted_commitment):
    task = task_of(submitted_commitment)

    verification_task_reassign(
        task=task, to=world.other_regulator, by=world.supervisor, reason="workload"
    )

    task.refresh_from_db()
    assert (task.status, task.owner) == (STATUS.ASSIGNED, world.other_regulator)
    assert VerificationTaskIndex.objects.get(task=task).owner == world.other_regulator
    entry = TaskAuditEntry.objects.filter(task=task).latest("pk")
    assert (entry.kind, entry.actor, entry.from_user, entry.to_user, entry.reason) == (
        "reassigned",
        world.supervisor,
        world.regulator,
        world.other_regulator,
        "workload",
    )
    assert Notification.objects.filter(
        key=f"workflows:reassigned:{entry.pk}:{world.other_regulator.pk}"
    ).exists()
    assert Notification.objects.filter(
        key=f"workflows:reassigned-away:{entry.pk}:{world.regulator.pk}"
    ).exists()


def test_a_queued_task_can_be_reassigned_too(world, submitted_commitment):
    task = verification_task_release(task=task_of(submitted_commitment), by=world.regulator)

    verification_task_reassign(task=task, to=world.regulator, by=world.supervisor)

    task.refresh_from_db()
    assert (task.status, task.owner) == (STATUS.ASSIGNED, world.regulator)


@pytest.mark.parametrize(
    "case,code,message",
    [
        (
            "not supervisor",
            WorkflowErrorCode.FORBIDDEN,
            "Only a supervisor of the department can reassign its tasks.",
        ),
        ("inactive user", WorkflowErrorCode.INVALID, "ghost is inactive."),
        (
            "outsider",
            WorkflowErrorCode.INVALID,
            "housing-regulator is not an active member of the department.",
        ),
        ("same holder", WorkflowErrorCode.INVALID_STATE, "regulator already holds this task."),
        ("other department", WorkflowErrorCode.NOT_FOUND, "No such task."),
    ],
)
def test_refused_reassignments_change_nothing(world, submitted_commitment, case, code, message):
    task = task_of(submitted_commitment)
    ghost = UserFactory(username="ghost", is_active=False)
    MembershipFactory(user=ghost, department=world.department)
    by, to = {
        "not supervisor": (world.other_regulator, world.other_regulator),
        "inactive user": (world.supervisor, ghost),
        "outsider": (world.supervisor, world.foreign_regulator),
        "same holder": (world.supervisor, world.regulator),
        "other department": (world.foreign_regulator, world.foreign_regulator),
    }[case]
    before = _holder(task)

    with pytest.raises(WorkflowError) as refused:
        verification_task_reassign(task=task, to=to, by=by)

    assert (refused.value.code, str(refused.value.message)) == (code, message)
    assert _holder(task) == before


def test_bulk_reassignment_reports_each_task(world):
    # given three tasks of the department, one already held by the supervisor
    first, second, third = (submit_commitment(world) for _ in range(3))
    tasks = [task_of(c) for c in (first, second, third)]
    verification_task_reassign(task=tasks[2], to=world.supervisor, by=world.supervisor)

    # when the supervisor takes all three (and a missing one) over
    outcomes = verification_tasks_reassign_bulk(
        task_ids=[t.pk for t in tasks] + [999_999], to=world.supervisor, by=world.supervisor
    )

    # then each has its own result
    assert [(o.task_id, o.is_done, o.code) for o in outcomes] == [
        (tasks[0].pk, True, "reassigned"),
        (tasks[1].pk, True, "reassigned"),
        (tasks[2].pk, False, "invalid_state"),
        (999_999, False, "not_found"),
    ]
    assert set(
        Task.objects.filter(pk__in=[t.pk for t in tasks]).values_list("owner_id", flat=True)
    ) == {world.supervisor.pk}


def test_bulk_reassignment_page_shows_each_result(world, client):
    tasks = [task_of(submit_commitment(world)) for _ in range(2)]
    client.force_login(world.supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post(
        reverse("workflows:bulk-reassign"),
        {"tasks": [tasks[0].pk, tasks[1].pk], "to": world.regulator.pk, "reason": "balance"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-outcome="ok"') == 1  # one already belonged to regulator
    assert page.count('data-outcome="failed"') == 1
    assert "regulator already holds this task." in page


@pytest.mark.parametrize("action", ["reassign", "bulk"])
def test_another_departments_supervisor_cannot_reassign_by_url(
    world, submitted_commitment, client, action
):
    outsider_supervisor = UserFactory(username="housing-boss")
    MembershipFactory(user=outsider_supervisor, department=world.other_department, supervisor=True)
    task = task_of(submitted_commitment)
    before = _holder(task)
    client.force_login(outsider_supervisor)

    if action == "reassign":
        response = client.post(
            reverse("workflows:reassign", args=[task.pk]), {"reassign-to": outsider_supervisor.pk}
        )
        assert response.status_code == 404
    else:
        response = client.post(
            reverse("workflows:bulk-reassign"), {"tasks": [task.pk], "to": outsider_supervisor.pk}
        )
        assert 'data-outcome="failed"' in response.content.decode()
    assert _holder(task) == before


def test_the_api_reassigns_and_hides_other_departments(world, submitted_commitment):
    task = task_of(submitted_commitment)
    api = APIClient()
    api.force_authenticate(world.foreign_regulator)
    url = reverse("workflows_api:task-reassign", args=[task.pk])

    assert api.post(url, {"to": world.foreign_regulator.pk}, format="json").status_code == 404

    api.force_authenticate(world.supervisor)
    response = api.post(url, {"to": world.other_regulator.pk, "reason": "r"}, format="json")
    assert response.status_code == 200
    assert response.json()["owner"] == "regulator2"

    inactive = UserFactory(username="inactive", is_active=False)
    MembershipFactory(user=inactive, department=world.department)
    refused = api.post(url, {"to": inactive.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"to": ["inactive is inactive."]}
