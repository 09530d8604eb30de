"""The verification process: start on signing, routing, the window timer and escalation."""

from __future__ import annotations

import datetime

import time_machine
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.timers import fire_due_timers

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.verification import verification_record
from directory.audit import SYSTEM_USERNAME
from directory.models import RegulatorMembership
from notifications.models import Notification
from tests.factories import MembershipFactory, UserFactory
from tests.workflows.conftest import submit_commitment, task_of
from workflows.audit.models import TaskAuditEntry
from workflows.verification.flows import InformCommitFlow
from workflows.verification.services.work import verification_complete


def _past_due(commitment: Commitment):
    return time_machine.travel(commitment.verification_due_at + datetime.timedelta(seconds=1))


def test_submitting_opens_verification_and_assigns_a_regulator(world, submitted_commitment):
    # given a commitment submitted by its applicant
    commitment = submitted_commitment

    # then the domain holds the status and the process is linked to it
    assert commitment.status == Commitment.Status.UNDER_VERIFICATION
    assert commitment.department == world.department
    assert commitment.process.flow_class is InformCommitFlow
    assert commitment.process.status == PROCESS.NEW
    assert commitment.process.data == {}
    # and the verify task is assigned to the least-loaded regulator (tie: lower pk)
    task = task_of(commitment)
    assert (task.status, task.owner) == (STATUS.ASSIGNED, world.regulator)
    assert task.assigned is not None
    # and the task names the right it needs, which the department's membership decides
    assert task.owner_permission == "workflows.verify_commitment"
    # and the window timer is armed at the domain's deadline
    timer = Task.objects.get(
        process_id=commitment.process_id, flow_task=InformCommitFlow.verification_overdue
    )
    assert (timer.status, timer.scheduled) == (STATUS.SCHEDULED, commitment.verification_due_at)


def test_the_next_commitment_goes_to_the_less_loaded_regulator(world, submitted_commitment):
    # given world.regulator already owns one open verification
    assert task_of(submitted_commitment).owner == world.regulator

    # when two more commitments are submitted
    second = submit_commitment(world)
    third = submit_commitment(world)

    # then the idle colleague gets the second, and the tie on the third goes to the lower pk
    assert task_of(second).owner == world.other_regulator
    assert task_of(third).owner == world.regulator


def test_assignee_is_notified_once(world, submitted_commitment):
    task = task_of(submitted_commitment)

    notifications = Notification.objects.filter(recipient=world.regulator)

    assert list(notifications.values_list("key", "link")) == [
        (f"workflows:assigned:{task.pk}:{world.regulator.pk}", f"/regulator/tasks/{task.pk}/")
    ]
    assert submitted_commitment.reference in notifications.get().subject


def test_without_an_active_regulator_the_task_waits_in_the_queue(world):
    # given the department's regulators are all inactive (membership or account)
    RegulatorMembership.objects.filter(user=world.regulator).update(is_active=False)
    world.other_regulator.is_active = False
    world.other_regulator.save()

    # when a commitment is submitted
    commitment = submit_commitment(world)

    # then nobody is assigned: the task is in the department queue
    task = task_of(commitment)
    assert (task.status, task.owner, task.assigned) == (STATUS.NEW, None, None)
    assert not Notification.objects.filter(key__startswith="workflows:assigned:").exists()


def test_an_inactive_regulator_is_never_chosen_even_when_idle(world, submitted_commitment):
    # given world.regulator is busy and an idle regulator whose account is disabled
    idle_but_disabled = UserFactory(username="aaa-disabled", is_active=False)
    MembershipFactory(user=idle_but_disabled, department=world.department)
    idle_membership_off = UserFactory(username="aaa-membership-off")
    MembershipFactory(user=idle_membership_off, department=world.department, is_active=False)

    # when two more commitments are submitted
    second = submit_commitment(world)
    third = submit_commitment(world)

    # then only the two active regulators get them
    assert {task_of(second).owner, task_of(third).owner} == {world.regulator, world.other_regulator}


def test_a_supervisor_is_not_routed_verify_tasks(world):
    RegulatorMembership.objects.filter(role=RegulatorMembership.Role.REGULATOR).update(
        is_active=False
    )

    commitment = submit_commitment(world)

    assert task_of(commitment).owner is None


def test_past_the_window_the_task_is_escalated_to_the_supervisor(world, submitted_commitment):
    # given a verification nobody recorded
    commitment = submitted_commitment
    verify_task = task_of(commitment)

    # when the timer dispatcher runs after the deadline (twice)
    with _past_due(commitment):
        first, second = fire_due_timers(), fire_due_timers()

    # then the timer fired once, the regulator's task is cancelled
    assert (first, second) == (1, 0)
    verify_task.refresh_from_db()
    assert verify_task.status == STATUS.CANCELED
    # and the cancel is audited: the platform's timer, the state and holder it left, why
    entry = TaskAuditEntry.objects.get(task=verify_task, kind=TaskAuditEntry.Kind.CANCELLED)
    assert entry.actor.username == SYSTEM_USERNAME
    assert (entry.from_status, entry.from_user) == (STATUS.ASSIGNED, verify_task.owner)
    assert entry.reason.startswith("verification window passed at ")
    assert "escalated to the department's supervisor" in entry.reason
    # and the escalated task is assigned to the supervisor
    escalated = task_of(commitment, InformCommitFlow.escalate)
    assert (escalated.status, escalated.owner) == (STATUS.ASSIGNED, world.supervisor)
    # and the supervisor and the regulators are told once each
    keys = Notification.objects.filter(key__startswith="workflows:escalated:")
    assert sorted(keys.values_list("recipient__username", flat=True)) == [
        "regulator",
        "regulator2",
        "supervisor",
    ]
    assert keys.filter(recipient=world.supervisor).count() == 1
    assert (
        Notification.objects.filter(
            key=f"workflows:assigned:{escalated.pk}:{world.supervisor.pk}"
        ).count()
        == 1
    )
    # and the legal status did not move
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.UNDER_VERIFICATION


def test_without_a_supervisor_the_escalated_task_waits_in_the_queue(world, submitted_commitment):
    RegulatorMembership.objects.filter(user=world.supervisor).update(is_active=False)

    with _past_due(submitted_commitment):
        fire_due_timers()

    escalated = task_of(submitted_commitment, InformCommitFlow.escalate)
    assert (escalated.status, escalated.owner) == (STATUS.NEW, None)


def test_the_supervisor_completes_an_escalated_verification(world, submitted_commitment):
    with _past_due(submitted_commitment):
        fire_due_timers()
        escalated = task_of(submitted_commitment, InformCommitFlow.escalate)

        verification_complete(
            task=escalated, by=world.supervisor, method="on_site", finding="fulfilled"
        )

    commitment = Commitment.objects.get(pk=submitted_commitment.pk)
    assert commitment.status == Commitment.Status.FULFILLED
    assert commitment.process.status == PROCESS.DONE
    assert commitment.verification.regulator == world.supervisor


def test_a_verified_commitment_is_never_escalated(world, submitted_commitment):
    # given the regulator verified in time
    verification_complete(
        task=task_of(submitted_commitment),
        by=world.regulator,
        method="on_site",
        finding="fulfilled",
    )

    # when the dispatcher runs after the deadline
    with _past_due(submitted_commitment):
        fired = fire_due_timers()

    # then the timer had been disarmed and nothing escalates
    assert fired == 0
    timer = Task.objects.get(
        process_id=submitted_commitment.process_id, flow_task=InformCommitFlow.verification_overdue
    )
    assert timer.status == STATUS.CANCELED
    assert not Task.objects.filter(flow_task=InformCommitFlow.escalate).exists()
    assert not Notification.objects.filter(key__startswith="workflows:escalated:").exists()


def test_escalation_rechecks_the_domain_when_decided_outside_the_task(world, submitted_commitment):
    # given the finding was recorded on the commitment without completing the task
    verification_record(
        commitment=submitted_commitment,
        regulator=world.regulator,
        method="on_site",
        finding="breached",
        reason="场所不存在",
    )

    # when the window passes
    with _past_due(submitted_commitment):
        fire_due_timers()

    # then no escalation task or message: the process ends on the recorded finding
    commitment = Commitment.objects.get(pk=submitted_commitment.pk)
    assert commitment.status == Commitment.Status.BREACHED
    assert not Task.objects.filter(flow_task=InformCommitFlow.escalate).exists()
    assert not Notification.objects.filter(key__startswith="workflows:escalated:").exists()
    assert commitment.process.status == PROCESS.DONE
    ends = Task.objects.filter(
        process_id=commitment.process_id, flow_task=InformCommitFlow.end_breached
    )
    assert ends.count() == 1
