"""A lifecycle's rows inserted by statements compiled once (a new task's queue row, the finding and
its detail) are the ones the ORM writes."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from commitments.catalogue.models import VerificationMethod
from commitments.lifecycle.models import Verification, VerificationDetail
from commitments.lifecycle.services.verification import verification_record
from directory.audit import audited_save
from tests.workflows.conftest import submit_commitment, task_of
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services.queue import index_open_task
from workflows.verification.services.work import verification_detail_record

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 5, 11, 3, 4, 5, 678_901, tzinfo=datetime.UTC)
FINDING = {
    "method": VerificationMethod.ON_SITE,
    "finding": Verification.Finding.FULFILLED,
    "reason": "",
}
DETAIL = {
    "evidence_summary": "现场核查",
    "inspected_on": datetime.date(2026, 5, 11),
    "inspection_location": "深圳市南山区",
    "inspectors": "张三、李四",
    "is_spot_check": True,
}


def _rows(model, obj, *links: str) -> tuple[dict, list[dict]]:
    """The row and its history rows, but for keys and the rows they link to."""
    unlinked = {"id", "history_id", *links}

    def values(queryset):
        return [{k: v for k, v in row.items() if k not in unlinked} for row in queryset.values()]

    return values(model.objects.filter(pk=obj.pk))[0], values(model.history.filter(id=obj.pk))


@time_machine.travel(AT, tick=False)
def test_a_finding_is_the_row_and_history_row_audited_save_writes(world):
    ours = verification_record(
        commitment=submit_commitment(world), regulator=world.regulator, **FINDING
    )
    orm = Verification(
        commitment=submit_commitment(world), regulator=world.regulator, verified_at=AT, **FINDING
    )
    audited_save(
        orm,
        by=world.regulator,
        reason=f"verification recorded: {FINDING['finding']}",
        unique_by_construction=["commitment"],
    )

    assert _rows(Verification, ours, "commitment_id") == _rows(Verification, orm, "commitment_id")
    history = _rows(Verification, ours, "commitment_id")[1]
    assert [(h["history_user_id"], h["history_type"]) for h in history] == [
        (world.regulator.pk, "+")
    ]


@time_machine.travel(AT, tick=False)
def test_a_findings_detail_is_the_row_and_history_row_save_writes(world):
    verifications = [
        verification_record(
            commitment=submit_commitment(world), regulator=world.regulator, **FINDING
        )
        for _ in range(2)
    ]
    ours = verification_detail_record(verification=verifications[0], by=world.regulator, **DETAIL)
    orm = VerificationDetail(verification=verifications[1], **DETAIL)
    orm._history_user, orm._change_reason = world.regulator, "verification detail recorded"
    orm.save()

    link = "verification_id"
    assert _rows(VerificationDetail, ours, link) == _rows(VerificationDetail, orm, link)
    assert _rows(VerificationDetail, ours, link)[1][0]["history_change_reason"] == (
        "verification detail recorded"
    )


def test_a_new_tasks_queue_row_is_the_row_objects_create_writes(world):
    task = task_of(submit_commitment(world))  # its row inserted by the statement compiled once
    inserted = VerificationTaskIndex.objects.filter(task=task).values().get()
    VerificationTaskIndex.objects.filter(task=task).delete()

    index_open_task(task=task)  # not the first: the ORM's update_or_create writes it

    assert VerificationTaskIndex.objects.filter(task=task).values().get() == inserted
    assert inserted["owner_id"] == task.owner_id
