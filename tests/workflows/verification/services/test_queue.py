"""The queue index row follows its task: written, re-owned and dropped with it."""

from __future__ import annotations

from django.utils import translation

from tests.workflows.conftest import task_of
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services.work import (
    verification_complete,
    verification_task_claim,
    verification_task_release,
)


def test_the_index_follows_the_task_through_its_life(world, submitted_commitment):
    # given a signed commitment: its task is indexed with the deadline and its holder
    task = task_of(submitted_commitment)
    row = VerificationTaskIndex.objects.get(task=task)
    assert (row.owner, row.department, row.due_at, row.reference, row.method) == (
        world.regulator,
        world.department,
        submitted_commitment.verification_due_at,
        submitted_commitment.reference,
        "on_site",
    )
    assert row.remind_at is not None and row.remind_at < row.due_at

    # when it is released, claimed and verified
    verification_task_release(task=task, by=world.regulator)
    assert VerificationTaskIndex.objects.get(task=task).owner is None
    verification_task_claim(task=task, by=world.other_regulator)
    assert VerificationTaskIndex.objects.get(task=task).owner == world.other_regulator
    verification_complete(
        task=task, by=world.other_regulator, method="on_site", finding="fulfilled"
    )

    # then the finished task has left the index
    assert not VerificationTaskIndex.objects.filter(task=task).exists()


def test_the_index_names_its_step_in_the_readers_language(world, submitted_commitment):
    row = VerificationTaskIndex.objects.get(task=task_of(submitted_commitment))

    with translation.override("zh-hans"):
        chinese = str(row)
    with translation.override("en"):
        english = str(row)

    assert chinese == f"{submitted_commitment.reference}: 核查承诺书"
    assert english == f"{submitted_commitment.reference}: Verify the commitment"
