"""Repair and objection cases as viewflow processes: filing starts one seeded with the case,
the decision completes its ``decide`` task and ends it; a refusal starts nothing."""

from __future__ import annotations

from datetime import date

import pytest
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.errors import CommitmentError
from workflows.repair_flows import (
    CreditRepairFlow,
    ObjectionFlow,
    objection_decide,
    objection_forward,
    objection_submit,
    process_of,
    repair_decide,
    repair_submit,
)

from .conftest import proof, record


def _statuses(process) -> list[tuple[str, str]]:
    return [
        (task.flow_task.name, task.status)
        for task in Task.objects.filter(process=process).order_by("pk")
    ]


def test_a_repair_runs_from_filing_to_decision(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    process = process_of(CreditRepairFlow, application)
    assert process.status == STATUS.NEW
    assert _statuses(process) == [("start", STATUS.DONE), ("decide", STATUS.NEW)]

    repair_decide(application=application, by=world.regulator, grant=True, reason="")

    process.refresh_from_db()
    assert process.status == STATUS.DONE
    assert _statuses(process)[-2:] == [("decide", STATUS.DONE), ("end", STATUS.DONE)]


def test_a_refused_filing_starts_no_process(world, new_breach):
    with pytest.raises(CommitmentError):
        repair_submit(breach=new_breach, by=world.applicant, statement="已整改", proofs=[proof()])
    assert not Task.objects.filter(process__flow_class=CreditRepairFlow).exists()


def test_a_failed_decision_leaves_the_process_waiting(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    with pytest.raises(CommitmentError):
        repair_decide(application=application, by=world.regulator, grant=False, reason="")
    assert process_of(CreditRepairFlow, application).status == STATUS.NEW


def test_an_objection_runs_through_forwarding_to_decision(world, repair_city, today):
    breach = record(world, on=date(2026, 4, 1))
    objection = objection_submit(breach=breach, by=world.applicant, kind="content", grounds="有误")
    objection = objection_forward(
        objection=objection, by=world.regulator, department=world.other_department
    )
    process = process_of(ObjectionFlow, objection)
    assert process.status == STATUS.NEW

    objection_decide(
        objection=objection, by=world.foreign_regulator, outcome="rejected", reason="不成立"
    )

    process.refresh_from_db()
    assert process.status == STATUS.DONE
