"""Reassignment (one and many) and delegation: who may, to whom, and every refusal."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.errors import CommitmentError, ErrorCode
from directory.models import RegulatorMembership
from notifications.models import Notification
from tests.factories import MembershipFactory, UserFactory
from tests.workflows.conftest import submit_commitment, task_of
from workflows.models import Delegation, TaskAuditEntry, VerificationTaskIndex
from workflows.queue_services import (
    delegation_create,
    delegation_revoke,
    delegations_apply_due,
    verification_task_reassign,
    verification_tasks_reassign_bulk,
)


def _holder(task) -> tuple:
    task = Task.objects.get(pk=task.pk)
    row = VerificationTaskIndex.objects.filter(task=task).values_list("owner_id", flat=True).first()
    return task.status, task.owner_id, row, TaskAuditEntry.objects.filter(task=task).count()


# Reassignment -------------------------------------------------------------------------------


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
    from workflows.services import verification_task_release

    task = verification_task_release(task=task_of(submitted_commitment), by=world.regulator)

    verification_task_reassign(task=task, to=world.regulator, by=world.supervisor)

    task.refresh_from_db()
    assert (task.status, task.owner) == (STATUS.ASSIGNED, world.regulator)


@pytest.mark.parametrize(
    "case,code,message",
    [
        (
            "not supervisor",
            ErrorCode.FORBIDDEN,
            "Only a supervisor of the department can reassign its tasks.",
        ),
        ("inactive user", ErrorCode.INVALID, "ghost is inactive."),
        (
            "outsider",
            ErrorCode.INVALID,
            "housing-regulator is not an active member of the department.",
        ),
        ("same holder", ErrorCode.INVALID_STATE, "regulator already holds this task."),
        ("other department", ErrorCode.NOT_FOUND, "No such task."),
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

    with pytest.raises(CommitmentError) as refused:
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
            reverse("workflows:reassign", args=[task.pk]), {"to": outsider_supervisor.pk}
        )
        assert response.status_code == 404
    else:
        response = client.post(
            reverse("workflows:bulk-reassign"), {"tasks": [task.pk], "to": outsider_supervisor.pk}
        )
        assert 'data-outcome="failed"' in response.content.decode()
    assert _holder(task) == before


def test_the_api_reassigns_and_hides_other_departments(world, submitted_commitment):
    from rest_framework.test import APIClient

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


# Delegation ---------------------------------------------------------------------------------


def _period(days: int = 5):
    now = timezone.now()
    return now - datetime.timedelta(minutes=1), now + datetime.timedelta(days=days)


def test_a_delegation_hands_over_open_tasks_and_new_assignments(world):
    # given regulator holds a task
    held = task_of(submit_commitment(world))
    assert held.owner == world.regulator
    starts, ends = _period()

    # when regulator goes on leave and delegates to regulator2
    delegation = delegation_create(
        department=world.department,
        delegator=world.regulator,
        delegate=world.other_regulator,
        starts=starts,
        ends=ends,
        reason="annual leave",
        by=world.regulator,
    )

    # then the held task moved, audited as a delegation
    held.refresh_from_db()
    assert held.owner == world.other_regulator
    entry = TaskAuditEntry.objects.filter(task=held).latest("pk")
    assert (entry.kind, entry.from_user, entry.to_user) == (
        "delegated",
        world.regulator,
        world.other_regulator,
    )
    assert delegation.applied_at is not None
    assert delegation.history.count() >= 1
    assert Notification.objects.filter(
        key=f"workflows:delegated:{delegation.pk}:{world.other_regulator.pk}"
    ).exists()
    # and new work never lands on the absent regulator
    assert {task_of(submit_commitment(world)).owner for _ in range(3)} == {world.other_regulator}


def test_only_eligible_absent_regulators_work_goes_to_the_delegate(world):
    from directory.models import RoutingRule

    rule = RoutingRule.objects.create(
        name="only regulator", matter=world.matter, region=world.region, department=world.department
    )
    rule.eligible_regulators.set([world.regulator, world.other_regulator])
    third = UserFactory(username="regulator3")
    MembershipFactory(user=third, department=world.department)
    starts, ends = _period()
    delegation_create(
        department=world.department,
        delegator=world.regulator,
        delegate=third,
        starts=starts,
        ends=ends,
        reason="training",
        by=world.supervisor,
    )
    RegulatorMembership.objects.filter(user=world.other_regulator).update(is_active=False)

    task = task_of(submit_commitment(world))

    assert task.owner == third


@pytest.mark.parametrize(
    "case,field,message",
    [
        ("outside", "delegate", "housing-regulator is not an active member of this department."),
        ("inactive", "delegate", "ghost is inactive."),
        (
            "loop",
            "delegate",
            "regulator2 hands their own work back to regulator in this period: "
            "the delegation would go round in a loop.",
        ),
        ("self", "delegate", "Choose someone else as the delegate."),
        ("backwards", "ends", "The end must be after the start."),
        ("no reason", "reason", "Say why (e.g. annual leave, training)."),
    ],
)
def test_refused_delegations_change_nothing(world, case, field, message):
    ghost = UserFactory(username="ghost", is_active=False)
    MembershipFactory(user=ghost, department=world.department)
    starts, ends = _period()
    if case == "loop":
        delegation_create(
            department=world.department,
            delegator=world.other_regulator,
            delegate=world.regulator,
            starts=starts + datetime.timedelta(days=1),
            ends=ends + datetime.timedelta(days=3),
            reason="leave",
            by=world.other_regulator,
        )
    delegate = {
        "outside": world.foreign_regulator,
        "inactive": ghost,
        "self": world.regulator,
    }.get(case, world.other_regulator)
    if case == "backwards":
        starts, ends = ends, starts
    before = Delegation.objects.count()

    with pytest.raises(CommitmentError) as refused:
        delegation_create(
            department=world.department,
            delegator=world.regulator,
            delegate=delegate,
            starts=starts,
            ends=ends,
            reason="" if case == "no reason" else "leave",
            by=world.regulator,
        )

    assert (refused.value.code, refused.value.field, str(refused.value.message)) == (
        ErrorCode.INVALID,
        field,
        message,
    )
    assert Delegation.objects.count() == before


def test_a_longer_loop_is_refused_too(world):
    third = UserFactory(username="regulator3")
    MembershipFactory(user=third, department=world.department)
    starts, ends = _period()
    for delegator, delegate in ((world.other_regulator, third), (third, world.regulator)):
        delegation_create(
            department=world.department,
            delegator=delegator,
            delegate=delegate,
            starts=starts,
            ends=ends,
            reason="leave",
            by=world.supervisor,
        )

    with pytest.raises(CommitmentError) as refused:
        delegation_create(
            department=world.department,
            delegator=world.regulator,
            delegate=world.other_regulator,
            starts=starts,
            ends=ends,
            reason="leave",
            by=world.supervisor,
        )

    assert "loop" in str(refused.value.message)


def test_a_colleague_cannot_delegate_someone_elses_work(world):
    starts, ends = _period()

    with pytest.raises(CommitmentError) as refused:
        delegation_create(
            department=world.department,
            delegator=world.regulator,
            delegate=world.other_regulator,
            starts=starts,
            ends=ends,
            reason="leave",
            by=world.other_regulator,
        )

    assert refused.value.code == ErrorCode.FORBIDDEN
    assert Delegation.objects.count() == 0


def test_a_future_delegation_hands_over_when_it_begins(world, time_machine):
    held = task_of(submit_commitment(world))
    now = timezone.now()
    delegation = delegation_create(
        department=world.department,
        delegator=world.regulator,
        delegate=world.other_regulator,
        starts=now + datetime.timedelta(days=1),
        ends=now + datetime.timedelta(days=2),
        reason="conference",
        by=world.regulator,
    )
    held.refresh_from_db()
    assert held.owner == world.regulator

    time_machine.move_to(now + datetime.timedelta(days=1, minutes=1))
    assert delegations_apply_due() == 1
    assert delegations_apply_due() == 0

    held.refresh_from_db()
    delegation.refresh_from_db()
    assert held.owner == world.other_regulator
    assert delegation.applied_at is not None


def test_revoking_ends_the_absence(world):
    starts, ends = _period()
    delegation = delegation_create(
        department=world.department,
        delegator=world.regulator,
        delegate=world.other_regulator,
        starts=starts,
        ends=ends,
        reason="leave",
        by=world.regulator,
    )

    delegation_revoke(delegation=delegation, by=world.regulator)

    assert task_of(submit_commitment(world)).owner == world.regulator


def test_the_delegation_page_shows_refusals(world, client):
    client.force_login(world.regulator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    starts, ends = _period()

    response = client.post(
        reverse("workflows:delegations"),
        {
            "department": world.department.pk,
            "delegator": world.regulator.pk,
            "delegate": world.supervisor.pk,
            "starts": timezone.localtime(ends).strftime("%Y-%m-%d %H:%M"),
            "ends": timezone.localtime(starts).strftime("%Y-%m-%d %H:%M"),
            "reason": "leave",
        },
    )

    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    assert Delegation.objects.count() == 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_opposite_delegations_at_once_make_no_loop(world):
    import threading

    from django.db import connection
    from django.utils import translation

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers anyway; the advisory lock needs PostgreSQL")
    # given two regulators each delegating to the other at the same moment
    starts, ends = _period()
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def delegate(delegator, to):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                delegation_create(
                    department=world.department,
                    delegator=delegator,
                    delegate=to,
                    starts=starts,
                    ends=ends,
                    reason="leave",
                    by=delegator,
                )
            outcomes[delegator.username] = "created"
        except CommitmentError as error:
            outcomes[delegator.username] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=delegate, args=pair)
        for pair in (
            (world.regulator, world.other_regulator),
            (world.other_regulator, world.regulator),
        )
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then exactly one delegation exists and the other was refused as a loop
    assert sorted(str(o) if o == "created" else "refused" for o in outcomes.values()) == [
        "created",
        "refused",
    ]
    refused = next(o for o in outcomes.values() if o != "created")
    assert refused.field == "delegate" and "loop" in str(refused.message)
    assert Delegation.objects.count() == 1
