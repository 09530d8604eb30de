"""Claiming, releasing and completing verification tasks, and every refusal on the way."""

from __future__ import annotations

import datetime
import threading
from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone, translation
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment, Verification
from directory.models import RegulatorMembership
from tests.workflows.conftest import submit_commitment, task_of
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services.work import (
    verification_complete,
    verification_task_claim,
    verification_task_release,
)


def _snapshot(commitment: Commitment) -> tuple:
    """Everything a refused action must leave untouched."""
    commitment = Commitment.objects.get(pk=commitment.pk)
    tasks = tuple(
        Task.objects.filter(process_id=commitment.process_id)
        .order_by("pk")
        .values_list("pk", "status", "owner_id", "assigned")
    )
    return (
        commitment.status,
        commitment.history.count(),
        Verification.objects.filter(commitment=commitment).count(),
        tasks,
    )


@pytest.fixture
def queued_task(world, submitted_commitment) -> Task:
    """The verify task released back to the department queue."""
    return verification_task_release(task=task_of(submitted_commitment), by=world.regulator)


def test_verifying_fulfilled_finishes_the_process(world, submitted_commitment):
    task = task_of(submitted_commitment)

    verification = verification_complete(
        task=task, by=world.regulator, method="on_site", finding="fulfilled"
    )

    commitment = Commitment.objects.get(pk=submitted_commitment.pk)
    assert commitment.status == Commitment.Status.FULFILLED
    assert verification.finding == Verification.Finding.FULFILLED
    assert commitment.process.status == PROCESS.DONE
    task.refresh_from_db()
    assert (task.status, task.owner) == (STATUS.DONE, world.regulator)
    assert (
        Task.objects.filter(
            process_id=commitment.process_id, flow_task=InformCommitFlow.end_fulfilled
        ).count()
        == 1
    )


def test_breached_with_a_reason_is_recorded_with_who_and_why(world, submitted_commitment):
    verification_complete(
        task=task_of(submitted_commitment),
        by=world.regulator,
        method="on_site",
        finding="breached",
        reason="经营场所与承诺不符",
    )

    commitment = Commitment.objects.get(pk=submitted_commitment.pk)
    assert commitment.status == Commitment.Status.BREACHED
    assert commitment.process.status == PROCESS.DONE
    assert (
        Task.objects.filter(
            process_id=commitment.process_id, flow_task=InformCommitFlow.end_breached
        ).count()
        == 1
    )
    history = [
        (row.status, row.history_user, row.history_change_reason)
        for row in commitment.history.order_by("history_date", "history_id")
    ]
    assert history == [
        ("draft", world.applicant, "draft created"),
        ("signed", world.applicant, "signed"),
        ("under_verification", world.applicant, "verification opened at sz-amr"),
        ("breached", world.regulator, "verified: breached — 经营场所与承诺不符"),
    ]


def test_breached_without_a_reason_is_refused_and_changes_nothing(world, submitted_commitment):
    task = task_of(submitted_commitment)
    before = _snapshot(submitted_commitment)

    with pytest.raises(CommitmentError) as refusal:
        verification_complete(
            task=task, by=world.regulator, method="on_site", finding="breached", reason="  "
        )

    assert refusal.value.code == ErrorCode.INVALID
    assert list(refusal.value.fields) == ["reason"]
    assert _snapshot(submitted_commitment) == before


def test_verifying_twice_is_refused_clearly(world, submitted_commitment):
    task = task_of(submitted_commitment)
    verification_complete(task=task, by=world.regulator, method="on_site", finding="fulfilled")
    before = _snapshot(submitted_commitment)

    with pytest.raises(WorkflowError) as refusal:
        verification_complete(
            task=task, by=world.regulator, method="on_site", finding="breached", reason="改主意"
        )

    assert refusal.value.code == WorkflowErrorCode.INVALID_STATE
    assert refusal.value.message == "This verification has already been recorded."
    assert _snapshot(submitted_commitment) == before


@pytest.mark.parametrize("action", ["claim", "release", "verify"])
def test_a_regulator_of_another_department_is_told_not_found(world, submitted_commitment, action):
    task = task_of(submitted_commitment)
    before = _snapshot(submitted_commitment)
    run = {
        "claim": lambda: verification_task_claim(task=task, by=world.foreign_regulator),
        "release": lambda: verification_task_release(task=task, by=world.foreign_regulator),
        "verify": lambda: verification_complete(
            task=task, by=world.foreign_regulator, method="on_site", finding="fulfilled"
        ),
    }[action]

    with pytest.raises(WorkflowError) as refusal:
        run()

    assert refusal.value.code == WorkflowErrorCode.NOT_FOUND
    assert _snapshot(submitted_commitment) == before


def test_a_former_member_is_told_not_found(world, submitted_commitment):
    RegulatorMembership.objects.filter(user=world.regulator).update(is_active=False)
    before = _snapshot(submitted_commitment)

    with pytest.raises(WorkflowError) as refusal:
        verification_complete(
            task=task_of(submitted_commitment),
            by=world.regulator,
            method="on_site",
            finding="fulfilled",
        )

    assert refusal.value.code == WorkflowErrorCode.NOT_FOUND
    assert _snapshot(submitted_commitment) == before


def test_claiming_from_the_queue_assigns_and_stamps(world, queued_task):
    assert (queued_task.status, queued_task.owner, queued_task.assigned) == (STATUS.NEW, None, None)

    claimed = verification_task_claim(task=queued_task, by=world.other_regulator)

    claimed.refresh_from_db()
    assert (claimed.status, claimed.owner) == (STATUS.ASSIGNED, world.other_regulator)
    assert claimed.assigned is not None


def test_a_task_claimed_by_someone_else_is_refused(world, submitted_commitment):
    task = task_of(submitted_commitment)  # owned by world.regulator
    before = _snapshot(submitted_commitment)

    for attempt in (
        lambda: verification_task_claim(task=task, by=world.other_regulator),
        lambda: verification_complete(
            task=task, by=world.other_regulator, method="on_site", finding="fulfilled"
        ),
    ):
        with pytest.raises(WorkflowError) as refusal:
            attempt()
        assert refusal.value.code == WorkflowErrorCode.INVALID_STATE
        assert refusal.value.message == "This task has already been claimed by regulator."
    assert _snapshot(submitted_commitment) == before


def test_only_the_owner_or_a_supervisor_may_release(world, submitted_commitment):
    task = task_of(submitted_commitment)
    before = _snapshot(submitted_commitment)

    with pytest.raises(WorkflowError) as refusal:
        verification_task_release(task=task, by=world.other_regulator)
    assert refusal.value.code == WorkflowErrorCode.FORBIDDEN
    assert _snapshot(submitted_commitment) == before

    released = verification_task_release(task=task, by=world.supervisor)
    released.refresh_from_db()
    assert (released.status, released.owner, released.assigned) == (STATUS.NEW, None, None)


def test_verifying_an_unclaimed_task_claims_it_in_the_same_step(world, queued_task):
    verification_complete(
        task=queued_task, by=world.other_regulator, method="written", finding="fulfilled"
    )

    queued_task.refresh_from_db()
    assert (queued_task.status, queued_task.owner) == (STATUS.DONE, world.other_regulator)


def test_a_refused_finding_on_an_unclaimed_task_leaves_it_unclaimed(world, queued_task):
    commitment = Commitment.objects.get(process_id=queued_task.process_id)
    before = _snapshot(commitment)

    with pytest.raises(CommitmentError):
        verification_complete(
            task=queued_task, by=world.other_regulator, method="written", finding="breached"
        )

    assert _snapshot(commitment) == before


def test_a_locked_process_is_reported_as_being_processed(world, submitted_commitment, monkeypatch):
    @contextmanager
    def busy_lock(flow_class, process_pk):
        raise FlowLockFailed("locked")
        yield

    monkeypatch.setattr(InformCommitFlow, "lock_impl", busy_lock)
    before = _snapshot(submitted_commitment)

    with pytest.raises(WorkflowError) as refusal:
        verification_task_claim(task=task_of(submitted_commitment), by=world.other_regulator)

    assert refusal.value.code == WorkflowErrorCode.CONCURRENT_CHANGE
    assert "try again" in refusal.value.message
    assert _snapshot(submitted_commitment) == before


def test_a_spot_checked_commitment_must_be_verified_on_site(world, submitted_commitment):
    task = task_of(submitted_commitment)
    VerificationTaskIndex.objects.filter(task=task).update(is_spot_check=True)

    with pytest.raises(WorkflowError) as refused:
        verification_complete(task=task, by=world.regulator, method="written", finding="fulfilled")
    assert (refused.value.code, refused.value.field) == (WorkflowErrorCode.INVALID, "method")

    with pytest.raises(WorkflowError) as incomplete:
        verification_complete(task=task, by=world.regulator, method="on_site", finding="fulfilled")
    assert set(incomplete.value.fields) == {"inspected_on", "inspection_location"}
    assert Commitment.objects.get(pk=submitted_commitment.pk).status == "under_verification"

    verification = verification_complete(
        task=task,
        by=world.regulator,
        method="on_site",
        finding="fulfilled",
        inspected_on=timezone.localdate(),
        inspection_location="南山区科技园1号",
        inspectors="张三、李四",
    )
    assert verification.detail.is_spot_check is True
    assert verification.detail.inspection_location == "南山区科技园1号"


def test_an_inspection_before_the_signing_is_refused_and_records_nothing(
    world, submitted_commitment, english
):
    # given a date before the commitment existed (a typo of the year, say)
    task = task_of(submitted_commitment)
    signed_on = timezone.localdate(submitted_commitment.signed_at)
    before = _snapshot(submitted_commitment)

    # when
    with pytest.raises(WorkflowError) as refused:
        verification_complete(
            task=task,
            by=world.regulator,
            method="on_site",
            finding="fulfilled",
            inspected_on=signed_on - datetime.timedelta(days=400),
            inspection_location="南山区科技园1号",
        )

    # then
    assert (refused.value.field, refused.value.message) == (
        "inspected_on",
        f"Give a date no earlier than {signed_on.isoformat()}.",
    )
    assert _snapshot(submitted_commitment) == before
    assert Verification.objects.count() == 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_regulators_claiming_at_once_one_wins(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite ignores SELECT ... FOR UPDATE; this needs PostgreSQL")
    # given a task in the department queue
    commitment = submit_commitment(world)
    task = verification_task_release(task=task_of(commitment), by=world.regulator)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def claim(user):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                verification_task_claim(task=task_of(commitment), by=user)
            outcomes[user.username] = "claimed"
        except WorkflowError as error:
            outcomes[user.username] = error
        finally:
            connection.close()

    # when both regulators claim it at the same moment
    threads = [
        threading.Thread(target=claim, args=(user,))
        for user in (world.regulator, world.other_regulator)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then exactly one has it and the other was told clearly
    winners = [name for name, outcome in outcomes.items() if outcome == "claimed"]
    losers = [outcome for outcome in outcomes.values() if outcome != "claimed"]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].code in (WorkflowErrorCode.INVALID_STATE, WorkflowErrorCode.CONCURRENT_CHANGE)
    assert losers[0].message in (
        f"This task has already been claimed by {winners[0]}.",
        "This commitment is being processed by someone else. Please try again in a moment.",
    )
    task.refresh_from_db()
    assert (task.status, task.owner.username) == (STATUS.ASSIGNED, winners[0])
