"""Reads for repair and objection cases, scoped to the caller: a subject's own cases and
records, a department's cases, and an objection's history told step by step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from commitments.errors import CommitmentError, ErrorCode
from credit.models import Objection, RepairApplication
from credit.record.models.breaches import Breach
from directory.models import Department
from directory.selectors import department_ids_of, subject_list


def with_repair_details(queryset: QuerySet) -> QuerySet[RepairApplication]:
    return queryset.select_related("subject", "department", "commitment").prefetch_related("proofs")


def with_objection_details(queryset: QuerySet) -> QuerySet[Objection]:
    return queryset.select_related("subject", "department", "forwarded_from")


def repair_list(*, represented_by: AbstractBaseUser) -> QuerySet[RepairApplication]:
    """Repair applications of the subjects the user represents, newest first."""
    subjects = subject_list(represented_by=represented_by)
    return with_repair_details(RepairApplication.objects.filter(subject__in=subjects)).order_by(
        "-pk"
    )


def objection_list(*, represented_by: AbstractBaseUser) -> QuerySet[Objection]:
    """Objections of the subjects the user represents, newest first."""
    subjects = subject_list(represented_by=represented_by)
    return with_objection_details(Objection.objects.filter(subject__in=subjects)).order_by("-pk")


def repair_get(*, pk: int) -> RepairApplication:
    return with_repair_details(RepairApplication.objects).get(pk=pk)


def objection_get(*, pk: int) -> Objection:
    return with_objection_details(Objection.objects).get(pk=pk)


def breach_get_own(*, user: AbstractBaseUser, pk: int) -> Breach:
    """A credit record of a subject the user represents; NOT_FOUND for anyone else's."""
    breach = (
        Breach.objects.select_related("category", "rule_set", "subject", "department")
        .filter(pk=pk, subject__in=subject_list(represented_by=user))
        .first()
    )
    if breach is None:
        raise CommitmentError(
            ErrorCode.NOT_FOUND,
            _("No credit record %(id)s of a subject you represent.") % {"id": pk},
            field="breach",
        )
    return breach


def office_case_get(model: type[RepairApplication] | type[Objection], *, user, pk: int):
    """A repair application or objection with one of the user's departments; NOT_FOUND
    otherwise, so an outsider cannot tell another department's case from a missing one."""
    found = model.objects.filter(pk=pk, department_id__in=department_ids_of(user)).first()
    if found is None:
        raise CommitmentError(
            ErrorCode.NOT_FOUND,
            _("No case %(id)s is with your department.") % {"id": pk},
            field="id",
        )
    return found


@dataclass(frozen=True)
class HistoryStep:
    at: datetime
    what: str
    by: str
    reason: str


def objection_history(*, objection: Objection) -> list[HistoryStep]:
    """Filing, marking, forwarding (who, when, why, from and to which department) and the
    decision, from the objection's audited history, oldest first."""
    steps = []
    previous = None
    records = objection.history.select_related("history_user").order_by("history_date", "pk")
    departments = {}
    for record in records:
        reason = ""
        if previous is None:
            what = _("Objection filed")
        elif record.marked_on and not previous.marked_on:
            what = _("Record marked under objection")
        elif record.status == Objection.Status.FORWARDED and previous.status != record.status:
            if not departments:
                departments = dict(Department.objects.values_list("pk", "name"))
            what = _("Forwarded from %(source)s to %(target)s") % {
                "source": departments.get(record.forwarded_from_id, "-"),
                "target": departments.get(record.department_id, "-"),
            }
            reason = record.forward_reason
        elif record.status != previous.status:
            what = _("Decided: %(outcome)s") % {"outcome": record.get_status_display()}
            reason = record.decision_reason
        else:
            previous = record
            continue
        user = record.history_user
        steps.append(
            HistoryStep(
                at=record.history_date,
                what=what,
                by=(user.get_full_name() or user.get_username()) if user else "",
                reason=reason,
            )
        )
        previous = record
    return steps
