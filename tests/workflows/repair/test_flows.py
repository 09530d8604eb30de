"""Repair and objection cases as viewflow processes with their working-day time limits as
boundary timers: filing starts a process the case links to; the decision task is warned
about the working day before its limit (non-interrupting) and escalated at the limit
(interrupting); the repair's feedback limit and the objection's forwarding limit are timers
too; forwarding an objection is a step that creates the provider's decision task. Timers
fire from the one beat task, in frozen time; nothing is ever sent twice."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from credit.record.models.breaches import Breach
from notifications.models import Notification
from tests.workflows.repair.conftest import SHANGHAI, proof, record
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.repair.flows import CreditRepairFlow, ObjectionFlow
from workflows.repair.models import (
    Objection,
    ObjectionProcess,
    RepairApplication,
    RepairProcess,
)
from workflows.repair.selectors.cases import decision_task_open, objection_history
from workflows.repair.services.objections import (
    objection_decide,
    objection_forward,
    objection_submit,
)
from workflows.repair.services.repair import repair_decide, repair_submit
from workflows.tasks import workflow_timers_fire_task


def _process(case):
    """The process the case links to (read again: the link is written by the flow)."""
    return type(case).objects.get(pk=case.pk).process


def _decision_task(case) -> Task | None:
    return decision_task_open(case=type(case).objects.get(pk=case.pk))


def _statuses(process) -> dict[str, str]:
    """Each node's task status (every node runs at most once in these tests)."""
    return {
        task.flow_task.name: task.status
        for task in Task.objects.filter(process=process).order_by("pk")
    }


def _timer(process, name: str) -> Task:
    return Task.objects.get(process=process, flow_task=getattr(process.flow_class, name))


def _fire_at(moment: dt.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return workflow_timers_fire_task()


def _recipients(prefix: str) -> list[str]:
    return sorted(
        Notification.objects.filter(key__startswith=prefix).values_list(
            "recipient__username", flat=True
        )
    )


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


# Repair ---------------------------------------------------------------------------------------


def test_a_repair_runs_from_filing_to_decision_with_its_timers_armed(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    process = _process(application)
    assert process.status == STATUS.NEW
    assert _statuses(process) == dict(
        [
            ("start", STATUS.DONE),
            ("decide", STATUS.NEW),
            ("decide_warning", STATUS.SCHEDULED),
            ("decide_lapsed", STATUS.SCHEDULED),
        ]
    )
    # Decision due Friday 2026-12-04 (3 working days): warned Thursday 09:00, lapses at midnight.
    assert application.decision_due == date(2026, 12, 4)
    assert _timer(process, "decide_warning").scheduled == _at(date(2026, 12, 3), 9)
    assert _timer(process, "decide_lapsed").scheduled == _at(date(2026, 12, 4), 23, 59, 59)

    repair_decide(application=application, by=world.regulator, grant=True, reason="")

    process.refresh_from_db()
    assert process.status == STATUS.DONE
    assert _statuses(process) == dict(
        [
            ("start", STATUS.DONE),
            ("decide", STATUS.DONE),
            ("decide_warning", STATUS.CANCELED),
            ("decide_lapsed", STATUS.CANCELED),
            ("end", STATUS.DONE),
        ]
    )
    assert _fire_at(_at(date(2026, 12, 7), 9)) == 0
    assert Notification.objects.filter(key__contains=f"repair-{application.pk}-due").count() == 0


def test_the_department_is_warned_once_before_the_repair_limit_lapses(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    prefix = f"repair-{application.pk}-due-2026-12-04-"

    assert _fire_at(_at(date(2026, 12, 3), 8, 59)) == 0
    assert _recipients(prefix) == []

    assert _fire_at(_at(date(2026, 12, 3), 9, 1)) == 1
    assert _recipients(prefix) == ["regulator", "regulator2", "supervisor"]
    assert _fire_at(_at(date(2026, 12, 3), 9, 2)) == 0  # beat again: nothing twice
    assert _recipients(prefix) == ["regulator", "regulator2", "supervisor"]

    process = _process(application)
    assert _decision_task(application).flow_task.name == "decide"
    assert _timer(process, "decide_lapsed").status == STATUS.SCHEDULED
    assert RepairApplication.objects.get(pk=application.pk).warned_on == date(2026, 12, 3)


def test_at_the_repair_limit_the_decision_escalates_to_the_supervisor(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    assert _fire_at(_at(date(2026, 12, 3), 9, 1)) == 1
    assert _fire_at(_at(date(2026, 12, 4), 23, 59, 58)) == 0
    assert _recipients(f"repair-{application.pk}-lapsed-") == []

    assert _fire_at(_at(date(2026, 12, 5), 0, 0, 0)) == 1
    assert _fire_at(_at(date(2026, 12, 5), 0, 1)) == 0

    assert _recipients(f"repair-{application.pk}-lapsed-2026-12-04-") == [
        "regulator",
        "regulator2",
        "supervisor",
    ]
    assert len(_recipients(f"repair-{application.pk}-due-")) == 3  # the warning, still once
    process = _process(application)
    assert _statuses(process) == dict(
        [
            ("start", STATUS.DONE),
            ("decide", STATUS.CANCELED),
            ("decide_warning", STATUS.DONE),
            ("decide_lapsed", STATUS.DONE),
            ("warn", STATUS.DONE),
            ("end_warned", STATUS.DONE),
            ("escalate", STATUS.DONE),
            ("decide_overdue", STATUS.NEW),
            ("feedback_lapsed", STATUS.SCHEDULED),
        ]
    )

    repair_decide(application=application, by=world.supervisor, grant=False, reason="材料不全")

    process.refresh_from_db()
    assert process.status == STATUS.DONE
    assert RepairApplication.objects.get(pk=application.pk).status == "refused"


def test_a_limit_missed_by_beat_warns_then_escalates_in_one_run(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )

    assert _fire_at(_at(date(2026, 12, 7), 10)) == 2
    assert _fire_at(_at(date(2026, 12, 7), 11)) == 0

    assert len(_recipients(f"repair-{application.pk}-due-")) == 3
    assert len(_recipients(f"repair-{application.pk}-lapsed-")) == 3


def test_the_case_holds_its_process_and_the_decision_node_its_permission(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )

    process = _process(application)
    assert (type(process), process.flow_class) == (RepairProcess, CreditRepairFlow)
    assert process.repair_application == RepairApplication.objects.get(pk=application.pk)
    assert (process.seed_content_type_id, process.seed_object_id) == (None, None)
    task = _decision_task(application)
    assert (task.flow_task.name, task.owner_permission, task.owner) == (
        "decide",
        "workflows.decide_repair",
        None,
    )
    assert [
        task.flow_task.can_assign(user, task) for user in (world.regulator, world.supervisor)
    ] == [
        True,
        True,
    ]
    assert [
        task.flow_task.can_assign(user, task)
        for user in (world.foreign_regulator, world.applicant, world.stranger)
    ] == [False, False, False]

    repair_decide(application=application, by=world.regulator, grant=True, reason="")

    task.refresh_from_db()
    assert (task.status, task.owner) == (STATUS.DONE, world.regulator)


def test_the_subject_is_told_when_the_feedback_limit_lapses_undecided(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    assert application.feedback_due == date(2026, 12, 15)  # 10 working days
    assert _fire_at(_at(date(2026, 12, 5), 0, 0, 0)) == 2  # the warning and the lapse
    process = _process(application)
    assert _timer(process, "feedback_lapsed").scheduled == _at(date(2026, 12, 15), 23, 59, 59)

    assert _fire_at(_at(date(2026, 12, 15), 23, 59, 58)) == 0
    assert _recipients(f"repair-{application.pk}-feedback-lapsed-") == []
    assert _fire_at(_at(date(2026, 12, 16), 0, 0, 0)) == 1
    assert _fire_at(_at(date(2026, 12, 16), 0, 1)) == 0

    assert _recipients(f"repair-{application.pk}-feedback-lapsed-2026-12-15-") == [
        "applicant",
        "regulator",
        "regulator2",
        "supervisor",
    ]
    told = Notification.objects.get(
        key=f"repair-{application.pk}-feedback-lapsed-2026-12-15-{world.applicant.pk}"
    )
    assert told.subject == "Your credit repair is still undecided"
    assert _decision_task(application).flow_task.name == "decide_overdue"

    repair_decide(application=application, by=world.supervisor, grant=True, reason="")

    process.refresh_from_db()
    assert process.status == STATUS.DONE
    assert _statuses(process) == dict(
        [
            ("start", STATUS.DONE),
            ("decide", STATUS.CANCELED),
            ("decide_warning", STATUS.DONE),
            ("decide_lapsed", STATUS.DONE),
            ("warn", STATUS.DONE),
            ("end_warned", STATUS.DONE),
            ("escalate", STATUS.DONE),
            ("decide_overdue", STATUS.DONE),
            ("feedback_lapsed", STATUS.DONE),
            ("tell_feedback_lapsed", STATUS.DONE),
            ("end_feedback_lapsed", STATUS.DONE),
            ("end", STATUS.DONE),
        ]
    )


def test_a_repair_decided_late_but_within_feedback_never_fires_the_feedback_timer(
    world, old_breach
):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    assert _fire_at(_at(date(2026, 12, 7), 10)) == 2

    repair_decide(application=application, by=world.regulator, grant=True, reason="")

    process = _process(application)
    assert (process.status, _timer(process, "feedback_lapsed").status) == (
        STATUS.DONE,
        STATUS.CANCELED,
    )
    assert _fire_at(_at(date(2026, 12, 16), 9)) == 0
    assert _recipients(f"repair-{application.pk}-feedback-lapsed-") == []


def test_a_refused_filing_starts_no_process(world, new_breach):
    with pytest.raises(WorkflowError):
        repair_submit(breach=new_breach, by=world.applicant, statement="已整改", proofs=[proof()])
    assert not Task.objects.filter(process__flow_class=CreditRepairFlow).exists()


def test_a_failed_decision_leaves_the_process_waiting(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    with pytest.raises(WorkflowError):
        repair_decide(application=application, by=world.regulator, grant=False, reason="")
    assert _process(application).status == STATUS.NEW
    assert _decision_task(application).flow_task.name == "decide"


# Objections -----------------------------------------------------------------------------------


def test_the_record_is_marked_under_objection_by_its_own_step(world, repair_city, today):
    breach = record(world, on=date(2026, 4, 1))

    objection = objection_submit(breach=breach, by=world.applicant, kind="content", grounds="有误")

    process = _process(objection)
    assert _statuses(process) == dict(
        [
            ("start", STATUS.DONE),
            ("mark", STATUS.DONE),
            ("decide", STATUS.NEW),
            ("forward_lapsed", STATUS.SCHEDULED),
            ("decide_warning", STATUS.SCHEDULED),
            ("decide_lapsed", STATUS.SCHEDULED),
        ]
    )
    assert objection.marked_on == date(2026, 12, 1)
    assert Breach.objects.get(pk=breach.pk).status == "under_objection"
    # Decision due 2026-12-08 (5 working days): warned Monday 12-07 09:00.
    assert _timer(process, "decide_warning").scheduled == _at(date(2026, 12, 7), 9)
    assert _timer(process, "decide_lapsed").scheduled == _at(date(2026, 12, 8), 23, 59, 59)


def test_the_objection_limit_warns_once_and_escalates(world, repair_city, today):
    breach = record(world, on=date(2026, 4, 1))
    objection = objection_submit(breach=breach, by=world.applicant, kind="content", grounds="有误")

    assert _fire_at(_at(date(2026, 12, 4), 17)) == 1  # the forwarding limit (12-03) lapsed
    assert _recipients(f"objection-{objection.pk}-due-") == []
    assert _fire_at(_at(date(2026, 12, 7), 9, 30)) == 1
    assert _fire_at(_at(date(2026, 12, 7), 9, 31)) == 0
    assert _recipients(f"objection-{objection.pk}-due-2026-12-08-") == [
        "regulator",
        "regulator2",
        "supervisor",
    ]
    assert _fire_at(_at(date(2026, 12, 9), 0, 0, 1)) == 1
    assert _recipients(f"objection-{objection.pk}-lapsed-2026-12-08-") == [
        "regulator",
        "regulator2",
        "supervisor",
    ]
    assert _decision_task(objection).flow_task.name == "decide_overdue"

    objection_decide(objection=objection, by=world.regulator, outcome="rejected", reason="不成立")

    assert _process(objection).status == STATUS.DONE
    assert Breach.objects.get(pk=breach.pk).status == "published"


def test_the_department_is_told_once_when_the_forwarding_limit_lapses(world, repair_city, today):
    breach = record(world, on=date(2026, 4, 1))
    objection = objection_submit(breach=breach, by=world.applicant, kind="content", grounds="有误")
    assert objection.forward_due == date(2026, 12, 3)  # 2 working days
    process = _process(objection)
    assert _timer(process, "forward_lapsed").scheduled == _at(date(2026, 12, 3), 23, 59, 59)

    assert _fire_at(_at(date(2026, 12, 3), 23, 59, 58)) == 0
    assert _fire_at(_at(date(2026, 12, 4), 0, 0, 0)) == 1
    assert _fire_at(_at(date(2026, 12, 4), 0, 1)) == 0

    assert _recipients(f"objection-{objection.pk}-forward-lapsed-2026-12-03-") == [
        "regulator",
        "regulator2",
        "supervisor",
    ]
    assert _statuses(process) == dict(
        [
            ("start", STATUS.DONE),
            ("mark", STATUS.DONE),
            ("decide", STATUS.NEW),
            ("forward_lapsed", STATUS.DONE),
            ("decide_warning", STATUS.SCHEDULED),
            ("decide_lapsed", STATUS.SCHEDULED),
            ("tell_forward_lapsed", STATUS.DONE),
            ("end_forward_lapsed", STATUS.DONE),
        ]
    )
    assert process.status == STATUS.NEW  # the decision is still the department's to take

    objection_decide(objection=objection, by=world.regulator, outcome="rejected", reason="不成立")

    process.refresh_from_db()
    assert process.status == STATUS.DONE


def test_an_objection_decided_before_the_forwarding_limit_tells_nobody(world, repair_city, today):
    breach = record(world, on=date(2026, 4, 1))
    objection = objection_submit(breach=breach, by=world.applicant, kind="content", grounds="有误")

    objection_decide(objection=objection, by=world.regulator, outcome="rejected", reason="不成立")

    process = _process(objection)
    assert (process.status, _timer(process, "forward_lapsed").status) == (
        STATUS.DONE,
        STATUS.CANCELED,
    )
    assert _fire_at(_at(date(2026, 12, 10), 9)) == 0
    assert _recipients(f"objection-{objection.pk}-forward-lapsed-") == []


def test_the_objection_decision_nodes_carry_their_permission(world, repair_city, today):
    breach = record(world, on=date(2026, 4, 1))
    objection = objection_submit(breach=breach, by=world.applicant, kind="content", grounds="有误")

    process = _process(objection)
    task = _decision_task(objection)
    assert (type(process), process.flow_class) == (ObjectionProcess, ObjectionFlow)
    assert process.objection == Objection.objects.get(pk=objection.pk)
    assert (task.flow_task.name, task.owner_permission) == ("decide", "workflows.decide_objection")
    assert task.flow_task.can_assign(world.regulator, task) is True
    assert task.flow_task.can_assign(world.foreign_regulator, task) is False

    objection_forward(
        objection=objection,
        by=world.regulator,
        department=world.other_department,
        reason="该记录由住房和建设局提供",
    )

    provider_task = _decision_task(objection)
    assert (provider_task.flow_task.name, provider_task.owner_permission) == (
        "provider_decide",
        "workflows.decide_objection",
    )
    assert provider_task.flow_task.can_assign(world.foreign_regulator, provider_task) is True
    assert provider_task.flow_task.can_assign(world.regulator, provider_task) is False


def test_forwarding_creates_the_providers_decision_task_with_its_own_limit(
    world, repair_city, today
):
    breach = record(world, on=date(2026, 4, 1))
    objection = objection_submit(breach=breach, by=world.applicant, kind="content", grounds="有误")

    with time_machine.travel(_at(date(2026, 12, 2), 15), tick=False):
        objection = objection_forward(
            objection=objection,
            by=world.regulator,
            department=world.other_department,
            reason="该记录由住房和建设局提供",
        )

    process = _process(objection)
    assert _statuses(process) == dict(
        [
            ("start", STATUS.DONE),
            ("mark", STATUS.DONE),
            ("decide", STATUS.DONE),
            ("forward_lapsed", STATUS.CANCELED),
            ("decide_warning", STATUS.CANCELED),
            ("decide_lapsed", STATUS.CANCELED),
            ("check_forwarded", STATUS.DONE),
            ("provider_decide", STATUS.NEW),
            ("provider_warning", STATUS.SCHEDULED),
            ("provider_lapsed", STATUS.SCHEDULED),
        ]
    )
    # Forwarded Wednesday 12-02: the provider decides within 5 working days, by 12-09.
    assert (objection.status, objection.department, objection.decision_due) == (
        "forwarded",
        world.other_department,
        date(2026, 12, 9),
    )
    assert (objection.forwarded_by, objection.forwarded_from, objection.forward_reason) == (
        world.regulator,
        world.department,
        "该记录由住房和建设局提供",
    )
    assert _timer(process, "provider_warning").scheduled == _at(date(2026, 12, 8), 9)
    assert _recipients(f"objection-{objection.pk}-forwarded-") == ["housing-regulator"]
    history = objection_history(objection=objection)
    assert [(step.what, step.by, step.reason) for step in history] == [
        ("Objection filed", "applicant", ""),
        ("Record marked under objection", "system", ""),
        (
            f"Forwarded from {world.department.name} to {world.other_department.name}",
            "regulator",
            "该记录由住房和建设局提供",
        ),
    ]
    assert history[2].at == _at(date(2026, 12, 2), 15)

    assert _fire_at(_at(date(2026, 12, 8), 9, 1)) == 1
    assert _fire_at(_at(date(2026, 12, 8), 9, 2)) == 0
    assert _recipients(f"objection-{objection.pk}-due-2026-12-09-") == ["housing-regulator"]

    with pytest.raises(WorkflowError):  # the first department no longer has it
        objection_decide(objection=objection, by=world.regulator, outcome="revoked", reason="x")
    objection_decide(
        objection=objection, by=world.foreign_regulator, outcome="revoked", reason="提供部门核实"
    )
    process.refresh_from_db()
    assert process.status == STATUS.DONE
    assert Breach.objects.get(pk=breach.pk).status == "revoked"


@pytest.mark.parametrize(
    ("who", "department", "reason", "code", "field"),
    [
        ("regulator", "other_department", "  ", WorkflowErrorCode.INVALID, "reason"),
        ("regulator", "department", "自己", WorkflowErrorCode.INVALID, "department"),
        (
            "foreign_regulator",
            "other_department",
            "越权",
            WorkflowErrorCode.NOT_FOUND,
            "application",
        ),
    ],
)
def test_a_refused_forwarding_changes_nothing(
    world, repair_city, today, who, department, reason, code, field
):
    breach = record(world, on=date(2026, 4, 1))
    objection = objection_submit(breach=breach, by=world.applicant, kind="content", grounds="有误")
    process = _process(objection)
    before = (_statuses(process), Objection.objects.get(pk=objection.pk).history.count())

    with pytest.raises(WorkflowError) as refused:
        objection_forward(
            objection=objection,
            by=getattr(world, who),
            department=getattr(world, department),
            reason=reason,
        )

    assert (refused.value.code, refused.value.field) == (code, field)
    after = Objection.objects.get(pk=objection.pk)
    assert (after.status, after.department, after.forwarded_on) == ("open", world.department, None)
    assert (_statuses(process), after.history.count()) == before
