"""The queue index: one ``VerificationTaskIndex`` row per open verification task.

The inbox, queue and team pages sort and filter on this one table (indexed for each list),
so a page costs the same few queries with a thousand or a hundred thousand open tasks. Only
the flow callbacks and services call these functions, inside the transaction that changes
the task, so the row and the task never disagree after a commit.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone
from viewflow.workflow.models import Task

from commitments.lifecycle.models import Commitment
from credit.record.selectors import risk_grade
from directory.calendar import is_working_day
from directory.rows import model_insert
from workflows.verification.models import RiskGrade, TaskPriority, VerificationTaskIndex

DEFAULT_REMINDER_WORKING_DAYS = 3
REMINDER_HOUR = 9


def reminder_working_days() -> int:
    """How many working days before the due date regulators are warned."""
    return int(
        getattr(settings, "VERIFICATION_REMINDER_WORKING_DAYS", DEFAULT_REMINDER_WORKING_DAYS)
    )


def subject_risk_grade(*, subject_id: int) -> str:
    """The subject's risk grade from its credit record ('' when it is none of A to D)."""
    grade = risk_grade(subject_id=subject_id) or ""
    return grade if grade in RiskGrade.values else ""


def task_priority(*, grade: str, is_escalated: bool) -> int:
    """Escalated work first, then the riskier subjects, among tasks due at the same time."""
    if is_escalated:
        return TaskPriority.URGENT
    if grade in (RiskGrade.D, RiskGrade.C):
        return TaskPriority.HIGH
    if grade == RiskGrade.A:
        return TaskPriority.LOW
    return TaskPriority.NORMAL


def reminder_instant(due_at: datetime.datetime, *, working_days: int | None = None):
    """09:00 on the working day ``working_days`` working days before the due date."""
    count = reminder_working_days() if working_days is None else working_days
    tz = ZoneInfo(settings.TIME_ZONE)
    day = timezone.localtime(due_at, tz).date()
    counted = 0
    while counted < count:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.datetime.combine(day, datetime.time(REMINDER_HOUR), tzinfo=tz)


def index_open_task(
    *,
    task: Task,
    commitment: Commitment | None = None,
    is_escalated: bool = False,
    is_spot_check: bool | None = None,
    spot_check_draw_id: int | None = None,
    is_first: bool = False,
) -> VerificationTaskIndex | None:
    """Create or refresh the row of an open task (a flow callback calls this).

    A case drawn for an on-site spot check stays one (with its draw) on every later task of
    its process: the previous task's row says so, or the caller does (a re-verification,
    whose previous row was closed when the rectification was ordered).

    ``is_first``: the process's first task, created in this transaction, so there is no
    earlier row to carry the spot check over from or to replace: the row is just inserted.
    """
    commitment = commitment or (
        Commitment.objects.select_related("subject", "template", "region")
        .filter(process_id=task.process_id)
        .first()
    )
    if commitment is None or commitment.department_id is None:
        return None
    previous = (
        None
        if is_first
        else VerificationTaskIndex.objects.filter(process_id=task.process_id)
        .exclude(task_id=task.pk)
        .values("is_spot_check", "method", "spot_check_draw_id")
        .first()
    )
    if is_spot_check is None:
        is_spot_check = bool(previous and previous["is_spot_check"])
    if spot_check_draw_id is None and is_spot_check and previous:
        spot_check_draw_id = previous["spot_check_draw_id"]
    grade = subject_risk_grade(subject_id=commitment.subject_id)
    template = commitment.template
    due_at = commitment.verification_due_at
    rule_id = (task.process.data or {}).get("routing_rule") if task.process_id else None
    values = {
        "process_id": task.process_id,
        "commitment_id": commitment.pk,
        "department_id": commitment.department_id,
        "owner_id": task.owner_id,
        "routing_rule_id": rule_id,
        "is_escalated": is_escalated,
        "due_at": due_at,
        "priority": task_priority(grade=grade, is_escalated=is_escalated),
        "matter_id": template.matter_id,
        "region_id": commitment.region_id,
        "risk_grade": grade,
        "method": "on_site" if is_spot_check else template.verification_method,
        "is_spot_check": is_spot_check,
        "spot_check_draw_id": spot_check_draw_id if is_spot_check else None,
        "reference": commitment.reference,
        "subject_code": commitment.subject.display_code,
        "subject_name": commitment.subject.name[:200],
        "template_title": template.title[:200],
        "template_title_zh_hans": (template.title_zh_hans or "")[:200],
        "template_title_en": (template.title_en or "")[:200] or None,
        "created_at": task.created,
        "remind_at": None if is_escalated else reminder_instant(due_at),
    }
    if is_first:
        # ``objects.create()`` (modeltranslation's populates nothing here: each language's
        # title is given), its insert compiled once (``directory.rows``).
        row = VerificationTaskIndex(task_id=task.pk, **values)
        model_insert(row, force_insert=True)
        return row
    row, _created = VerificationTaskIndex.objects.update_or_create(task_id=task.pk, defaults=values)
    # A task replaced in the same process (escalation cancels the regulator's) leaves the list.
    VerificationTaskIndex.objects.filter(process_id=task.process_id).exclude(
        task_id=task.pk
    ).delete()
    return row


def index_set_owner(*, task_id: int, owner_id: int | None) -> None:
    VerificationTaskIndex.objects.filter(task_id=task_id).update(owner_id=owner_id)


def index_close(*, task_id: int) -> bool:
    """Take a task off the lists; return whether it had been drawn for an on-site spot check.

    One statement (``DELETE … RETURNING``): the flag is read as the row leaves, so a caller
    that refuses because of it undoes the removal with the rest of its transaction.
    """
    table = connection.ops.quote_name(VerificationTaskIndex._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE task_id = %s RETURNING is_spot_check",  # noqa: S608
            [task_id],
        )
        row = cursor.fetchone()
    return bool(row and row[0])
