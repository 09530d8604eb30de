"""Who holds a verification task: the least-loaded active member of the competent department
chosen when the task is created, and the audit entry of every change of holder.

Two commitments signed at the same moment must not both land on the same idle regulator, so
the choice is serialised per department with a PostgreSQL transaction-level advisory lock.
SQLite serialises writers anyway, so there the lock is a no-op.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from directory.audit import system_user
from directory.compiled import CompiledQuery
from directory.models import Department, RegulatorMembership
from directory.rows import save_new
from directory.selectors import active_members
from workflows.audit.models import TaskAuditEntry
from workflows.verification.selectors.delegation import absent_user_ids, absent_users, stand_in

# The first key of the advisory lock: a constant naming "workflow assignment" (any int4 works
# as long as no other code uses it); the second key is the department.
ADVISORY_LOCK_NAMESPACE = 7_301_001
OPEN_OWNED_STATUSES = (STATUS.ASSIGNED, STATUS.STARTED)


def department_lock(department: Department) -> None:
    """Serialise assignment decisions for one department until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_NAMESPACE, department.pk]
            )


def _members_by_load(*, department: Department, role: str, flow_tasks: tuple[str, ...]) -> QuerySet:
    """The department's active members in ``role``, the least loaded first (ties: lower pk)."""
    open_tasks = (
        Task.objects.filter(
            owner=OuterRef("user_id"),
            flow_task__in=list(flow_tasks),
            status__in=OPEN_OWNED_STATUSES,
        )
        .order_by()
        .values("owner")
        .annotate(open_count=Count("pk"))
        .values("open_count")
    )
    return (
        active_members(department=department, role=role)
        # The chosen is told of the task in their language: read with them (ADR 0036).
        .select_related("user__notification_preference")
        .annotate(load=Coalesce(Subquery(open_tasks, output_field=IntegerField()), Value(0)))
        .order_by("load", "user_id")
    )


# The least-loaded present member, asked for every task created: compiled once per role and
# flow (directory.compiled), bound to the department and the moment.
_LEAST_LOADED_PRESENT: dict[tuple, CompiledQuery] = {}


def _least_loaded_present(*, role: str, flow_tasks: tuple[str, ...]) -> CompiledQuery:
    key = (role, flow_tasks)
    if key not in _LEAST_LOADED_PRESENT:

        def build(department_id: int, at: datetime.datetime) -> QuerySet:
            members = _members_by_load(
                department=Department(pk=department_id), role=role, flow_tasks=flow_tasks
            )
            return members.exclude(user_id__in=absent_users(department_id=department_id, at=at))[:1]

        _LEAST_LOADED_PRESENT[key] = CompiledQuery(
            build, -1_730_100_501, datetime.datetime(1, 1, 3, tzinfo=datetime.UTC)
        )
    return _LEAST_LOADED_PRESENT[key]


def least_loaded_member(
    *,
    department: Department,
    role: str,
    flow_tasks: Iterable[str],
    eligible_user_ids: Collection[int] | None = None,
) -> AbstractBaseUser | None:
    """The active member with the fewest open tasks among ``flow_tasks``; ties go to the lower
    user pk so the choice is stable. None when the department has nobody active in the role.

    Only ``eligible_user_ids`` are considered when given (a routing rule's regulators).
    Members absent under a delegation are passed over; when only absent members are
    eligible, the task goes to the stand-in of the least-loaded of them.
    """
    department_lock(department)
    flow_tasks = tuple(flow_tasks)
    # The absent are left out inside the same statement; they are listed only if nobody else.
    if eligible_user_ids is None:
        present = _least_loaded_present(role=role, flow_tasks=flow_tasks)
        chosen = present.models(department.pk, timezone.now())
        if chosen:
            return chosen[0].user
    members = _members_by_load(department=department, role=role, flow_tasks=flow_tasks)
    if eligible_user_ids is not None:
        members = members.filter(user_id__in=list(eligible_user_ids))
        absent_now = absent_users(department_id=department.pk)
        chosen = list(members.exclude(user_id__in=absent_now)[:1])
        if chosen:
            return chosen[0].user
    absent = absent_user_ids(department_id=department.pk)
    absent_member = members.filter(user_id__in=absent).first()
    if absent_member is None:
        return None
    delegate_id = stand_in(user_id=absent_member.user_id, department_id=department.pk)
    delegate = (
        RegulatorMembership.objects.filter(
            user_id=delegate_id, department=department, is_active=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    return delegate.user if delegate is not None else None


def audit_task(
    *,
    task: Task,
    kind: str,
    by: AbstractBaseUser,
    from_user: AbstractBaseUser | None = None,
    to_user: AbstractBaseUser | None = None,
    reason: str = "",
) -> TaskAuditEntry:
    """Record a change of holder made by a person (claim, release, reassignment, delegation)."""
    return TaskAuditEntry.objects.create(
        task=task,
        kind=kind,
        actor=by,
        from_user=from_user,
        to_user=to_user,
        reason=reason,
        at=timezone.now(),
    )


def audit_assignment(*, task: Task, kind: str) -> TaskAuditEntry:
    """Record who the flow gave the task to when it created it (the system acted)."""
    entry = TaskAuditEntry(
        task=task, kind=kind, actor=system_user(), to_user=task.owner, at=task.created
    )
    save_new(entry)  # ``objects.create()``, its insert compiled once (``directory.rows``)
    return entry
