"""Delegation during an absence: the hand-over of open and new work, refusals and loops,
revocation, and the page."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from directory.inputs import horizon_end
from directory.models import RegulatorMembership, RoutingRule
from notifications.models import Notification
from tests.factories import MembershipFactory, UserFactory
from tests.workflows.conftest import submit_commitment, task_of
from workflows.audit.models import TaskAuditEntry
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.models import Delegation
from workflows.verification.services.delegation import (
    delegation_create,
    delegation_revoke,
    delegations_apply_due,
)


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
        ("far", "ends", "Give a date no later than {horizon}."),
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
    if case == "far":
        ends = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)
        message = message.format(horizon=horizon_end(today=timezone.localdate()).isoformat())
    before = Delegation.objects.count()

    with pytest.raises(WorkflowError) as refused:
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
        WorkflowErrorCode.INVALID,
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

    with pytest.raises(WorkflowError) as refused:
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

    with pytest.raises(WorkflowError) as refused:
        delegation_create(
            department=world.department,
            delegator=world.regulator,
            delegate=world.other_regulator,
            starts=starts,
            ends=ends,
            reason="leave",
            by=world.other_regulator,
        )

    assert refused.value.code == WorkflowErrorCode.FORBIDDEN
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
        except WorkflowError as error:
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
