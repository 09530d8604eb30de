"""Every cancel a repair or objection timer makes is audited like the verification's: the
decision task an interrupting time limit cancels, and a reminder the escalation disarms, each
leave a cancelled entry with the platform as actor, the state the task left and why."""

from __future__ import annotations

import datetime as dt
from datetime import date

import time_machine
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from directory.audit import SYSTEM_USERNAME
from tests.workflows.repair.conftest import SHANGHAI, proof, record
from workflows.audit.models import TaskAuditEntry
from workflows.repair.flows import DISARMED_REASON
from workflows.repair.models import Objection, RepairApplication
from workflows.repair.services.objections import objection_forward, objection_submit
from workflows.repair.services.repair import repair_submit
from workflows.tasks import workflow_timers_fire_task


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def _fire_at(moment: dt.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return workflow_timers_fire_task()


def _task(case, name: str) -> Task:
    process = type(case).objects.get(pk=case.pk).process
    return Task.objects.get(process=process, flow_task=getattr(process.flow_class, name))


def _cancels(case) -> list[TaskAuditEntry]:
    process_id = type(case).objects.get(pk=case.pk).process_id
    return list(
        TaskAuditEntry.objects.filter(
            task__process_id=process_id, kind=TaskAuditEntry.Kind.CANCELLED
        ).select_related("actor", "task")
    )


def test_the_repair_limit_cancels_the_decision_task_and_audits_it(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    decide = _task(application, "decide")
    assert _fire_at(_at(date(2026, 12, 4), 23, 59, 58)) == 1  # the warning only
    assert _cancels(application) == []

    assert _fire_at(_at(date(2026, 12, 5), 0, 0, 0)) == 1

    decide.refresh_from_db()
    assert decide.status == STATUS.CANCELED
    (entry,) = _cancels(application)
    assert entry.task == decide
    assert (entry.actor.username, entry.from_status, entry.from_user) == (
        SYSTEM_USERNAME,
        STATUS.NEW,
        None,
    )
    assert entry.reason == (
        "decision time limit passed at 2026-12-04T23:59+08:00: escalated to the department's "
        "supervisor"
    )
    assert RepairApplication.objects.get(pk=application.pk).status == "submitted"


def test_a_reminder_the_escalation_disarms_is_audited_too(world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    # a reminder still armed when the limit lapses (due after it): the escalation disarms it
    warning = _task(application, "decide_warning")
    Task.objects.filter(pk=warning.pk).update(scheduled=_at(date(2026, 12, 5), 0, 0, 30))

    assert _fire_at(_at(date(2026, 12, 5), 0, 0, 0)) == 1
    assert _fire_at(_at(date(2026, 12, 5), 0, 1)) == 0  # disarmed: it never fires

    warning.refresh_from_db()
    assert warning.status == STATUS.CANCELED
    entries = {entry.task.flow_task.name: entry for entry in _cancels(application)}
    assert sorted(entries) == ["decide", "decide_warning"]
    disarmed = entries["decide_warning"]
    assert (disarmed.actor.username, disarmed.from_status, disarmed.reason) == (
        SYSTEM_USERNAME,
        STATUS.SCHEDULED,
        DISARMED_REASON,
    )


def test_the_providers_limit_cancels_its_decision_task_and_audits_it(world, repair_city, today):
    breach = record(world, on=date(2026, 4, 1))
    objection = objection_submit(breach=breach, by=world.applicant, kind="content", grounds="有误")
    with time_machine.travel(_at(date(2026, 12, 2), 15), tick=False):
        objection_forward(
            objection=objection,
            by=world.regulator,
            department=world.other_department,
            reason="该记录由住房和建设局提供",
        )
    provider = _task(objection, "provider_decide")
    assert _cancels(objection) == []  # the department's own timers were disarmed by its step

    assert _fire_at(_at(date(2026, 12, 10), 0, 0, 1)) == 2  # the reminder, then the limit

    provider.refresh_from_db()
    assert provider.status == STATUS.CANCELED
    (entry,) = _cancels(objection)
    assert (entry.task, entry.actor.username, entry.from_status) == (
        provider,
        SYSTEM_USERNAME,
        STATUS.NEW,
    )
    assert entry.reason == (
        "the providing department's decision time limit passed at 2026-12-09T23:59+08:00: "
        "escalated to its supervisor"
    )
    assert _task(objection, "provider_decide_overdue").status == STATUS.NEW
    assert Objection.objects.get(pk=objection.pk).status == "forwarded"
