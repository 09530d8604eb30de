"""Who gets a verification task: the least-loaded active member of the competent department.

Two commitments signed at the same moment must not both land on the same idle regulator, so
the choice is serialised per department with a PostgreSQL transaction-level advisory lock.
SQLite serialises writers anyway, so there the lock is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.models import Department, RegulatorMembership
from commitments.selectors import active_members

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


def least_loaded_member(
    *, department: Department, role: str, flow_tasks: Iterable[str]
) -> AbstractBaseUser | None:
    """The active member with the fewest open tasks among ``flow_tasks``; ties go to the lower
    user pk so the choice is stable. None when the department has nobody active in the role."""
    department_lock(department)
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
    membership: RegulatorMembership | None = (
        active_members(department=department, role=role)
        .annotate(load=Coalesce(Subquery(open_tasks, output_field=IntegerField()), Value(0)))
        .order_by("load", "user_id")
        .first()
    )
    return membership.user if membership is not None else None
