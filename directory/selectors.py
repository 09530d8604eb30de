"""Reads of who and where: the subjects a user represents, a regulator's departments, and
the department competent for a matter in a region."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from directory.models import (
    Competence,
    Department,
    Matter,
    Region,
    RegulatorMembership,
    Subject,
    SubjectRepresentative,
)


def subject_list(*, represented_by: AbstractBaseUser) -> QuerySet[Subject]:
    return Subject.objects.filter(subjectrepresentative__user=represented_by).select_related(
        "region"
    )


def department_ids_of(user: AbstractBaseUser, *, role: str | None = None) -> list[int]:
    qs = RegulatorMembership.objects.filter(user=user, is_active=True)
    if role:
        qs = qs.filter(role=role)
    return list(qs.values_list("department_id", flat=True))


def is_regulator(user: AbstractBaseUser) -> bool:
    return RegulatorMembership.objects.filter(user=user, is_active=True).exists()


def competent_department(*, matter: Matter, region: Region) -> Department | None:
    """The department competent for the matter in the region or its nearest ancestor."""
    lineage = region.lineage()
    by_region = {
        c.region_id: c.department
        for c in Competence.objects.filter(matter=matter, region__in=lineage).select_related(
            "department"
        )
    }
    for node in lineage:
        if node.pk in by_region:
            return by_region[node.pk]
    return None


def active_members(*, department: Department, role: str) -> QuerySet[RegulatorMembership]:
    return RegulatorMembership.objects.filter(
        department=department, role=role, is_active=True, user__is_active=True
    ).select_related("user")


def department_member_users(*, department_id: int) -> list[AbstractBaseUser]:
    """Every active member of a department, supervisors included, in the order they joined."""
    return [
        membership.user
        for membership in RegulatorMembership.objects.filter(
            department_id=department_id, is_active=True
        )
        .select_related("user")
        .order_by("pk")
    ]


def subject_representative_users(*, subject_id: int) -> list[AbstractBaseUser]:
    """Every user who represents a subject, in the order they were registered."""
    return [
        representative.user
        for representative in SubjectRepresentative.objects.filter(subject_id=subject_id)
        .select_related("user")
        .order_by("pk")
    ]
