"""Inbox, queue and task reads: only the viewer's departments, most urgent first, no N+1."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.status import STATUS

from commitments.lifecycle.models import Commitment
from directory.models import RegulatorMembership
from tests.workflows.conftest import submit_commitment, task_of
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.selectors.tasks import (
    commitment_tasks,
    task_get,
    task_inbox,
    task_queue,
)
from workflows.verification.services.work import verification_complete, verification_task_release


def test_inbox_holds_the_users_open_tasks(world, submitted_commitment):
    task = task_of(submitted_commitment)

    assert list(task_inbox(user=world.regulator)) == [task]
    assert list(task_inbox(user=world.other_regulator)) == []
    assert list(task_inbox(user=world.foreign_regulator)) == []


def test_queue_holds_unassigned_tasks_of_the_users_departments(world, submitted_commitment):
    task = verification_task_release(task=task_of(submitted_commitment), by=world.regulator)

    assert list(task_queue(user=world.other_regulator)) == [task]
    assert list(task_queue(user=world.supervisor)) == [task]
    assert list(task_queue(user=world.foreign_regulator)) == []
    assert list(task_queue(user=world.applicant)) == []


def test_a_former_member_sees_nothing(world, submitted_commitment):
    RegulatorMembership.objects.filter(user=world.regulator).update(is_active=False)

    assert list(task_inbox(user=world.regulator)) == []
    with pytest.raises(WorkflowError) as refusal:
        task_get(pk=task_of(submitted_commitment).pk, user=world.regulator)
    assert refusal.value.code == WorkflowErrorCode.NOT_FOUND


def test_task_get_hides_other_departments_tasks(world, submitted_commitment):
    task = task_of(submitted_commitment)

    assert task_get(pk=task.pk, user=world.other_regulator) == task
    with pytest.raises(WorkflowError) as refusal:
        task_get(pk=task.pk, user=world.foreign_regulator)
    assert refusal.value.code == WorkflowErrorCode.NOT_FOUND


def test_finished_tasks_stay_readable_but_leave_the_inbox(world, submitted_commitment):
    task = task_of(submitted_commitment)
    verification_complete(task=task, by=world.regulator, method="on_site", finding="fulfilled")

    assert task_get(pk=task.pk, user=world.regulator).status == STATUS.DONE
    assert list(task_inbox(user=world.regulator)) == []


def test_lists_are_sorted_by_verification_deadline_then_creation(world):
    # given three commitments with reordered deadlines
    first, second, third = (submit_commitment(world) for _ in range(3))
    for commitment, days in ((first, 3), (second, 1), (third, 2)):
        Commitment.objects.filter(pk=commitment.pk).update(
            verification_due_at=commitment.verification_due_at + datetime.timedelta(days=days)
        )
    for commitment in (first, second, third):
        task = task_of(commitment)
        verification_task_release(task=task, by=task.owner)

    queue = [task.process.commitment.reference for task in task_queue(user=world.regulator)]

    assert queue == [second.reference, third.reference, first.reference]


def test_listing_costs_the_same_queries_for_one_or_many_tasks(world):
    submit_commitment(world)

    def list_queue():
        with CaptureQueriesContext(connection) as queries:
            for task in task_inbox(user=world.regulator):
                commitment = task.process.commitment
                _shown = (
                    commitment.reference,
                    commitment.subject.name,
                    commitment.template.title,
                    commitment.department.name,
                    task.owner.username,
                    task.title,
                )
        return len(queries)

    one = list_queue()
    for _ in range(3):
        submit_commitment(world)
    assert list_queue() == one


def test_commitment_tasks_show_what_people_did_and_no_timer_or_engine_step(
    world, submitted_commitment
):
    verification_complete(
        task=task_of(submitted_commitment),
        by=world.regulator,
        method="on_site",
        finding="fulfilled",
    )
    commitment = Commitment.objects.get(pk=submitted_commitment.pk)

    story = [
        (str(task.title), task.owner, task.status, task.finished is not None)
        for task in commitment_tasks(commitment=commitment)
    ]

    assert story == [("Verify the commitment", world.regulator, STATUS.DONE, True)]
