"""Reads of repair and objection cases, scoped to the caller: a subject's own records and
cases, a department's cases, who may decide a case, its open decision task, and an
objection's history told step by step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, QuerySet, Value, When
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from credit.record.models.breaches import Breach
from directory.models import Department, RegulatorMembership
from directory.selectors import department_ids_of, subject_list
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.repair.models import Objection, RepairApplication

# The statuses of a human task still waiting for its decision.
OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED)


# Who and which department --------------------------------------------------------------------


def designating_department(*, breach: Breach) -> Department:
    """The department that designated the record: the breach's own, else the recorder's."""
    if breach.department_id is not None:
        return breach.department
    membership = (
        RegulatorMembership.objects.filter(user_id=breach.recorded_by_id, is_active=True)
        .select_related("department")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise WorkflowError(
            WorkflowErrorCode.INVALID,
            _("The department that designated this record is not known; contact the city."),
            field="breach",
        )
    return membership.department


def case_is_with(*, user: AbstractBaseUser | None, case: RepairApplication | Objection) -> bool:
    """Whether the user holds a seat in the department the case is with: the one rule for who
    may decide or forward a case (the flows' decision nodes ask it too)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return case.department_id in department_ids_of(user)


def subject_represented_check(*, by: AbstractBaseUser, subject_id: int) -> None:
    """Refuse (as if the record did not exist) someone who does not represent the subject."""
    if not subject_list(represented_by=by).filter(pk=subject_id).exists():
        raise WorkflowError(WorkflowErrorCode.NOT_FOUND, _("No such record."), field="breach")


def case_decider_check(*, by: AbstractBaseUser, case) -> None:
    """Refuse (as if the case did not exist) someone outside the department it is with."""
    if not case_is_with(user=by, case=case):
        raise WorkflowError(
            WorkflowErrorCode.NOT_FOUND, _("No such application."), field="application"
        )


def decision_task_open(*, case: RepairApplication | Objection) -> Task | None:
    """The case's human decision task waiting for the department (None once decided, or for a
    case without a process)."""
    if case.process_id is None:
        return None
    return (
        Task.objects.filter(
            process_id=case.process_id,
            flow_task_type="HUMAN",
            status__in=OPEN_TASK_STATUSES,
        )
        .order_by("-pk")
        .first()
    )


# The subject's side --------------------------------------------------------------------------


def breach_list(*, subject_id: int) -> QuerySet[Breach]:
    """A subject's records, newest first, with what the eligibility and the pages read."""
    return (
        Breach.objects.filter(subject_id=subject_id)
        .select_related("category", "rule_set")
        .order_by("-record_date", "-pk")
    )


def subject_breach_get(*, subject_id: int, pk: int) -> Breach | None:
    """One record of the subject, with what its pages show (None: not the subject's)."""
    return (
        Breach.objects.select_related("category", "rule_set", "subject", "department")
        .filter(subject_id=subject_id, pk=pk)
        .first()
    )


def breach_get_own(*, user: AbstractBaseUser, pk: int) -> Breach:
    """A credit record of a subject the user represents; NOT_FOUND for anyone else's."""
    breach = (
        Breach.objects.select_related("category", "rule_set", "subject", "department")
        .filter(pk=pk, subject__in=subject_list(represented_by=user))
        .first()
    )
    if breach is None:
        raise WorkflowError(
            WorkflowErrorCode.NOT_FOUND,
            _("No credit record %(id)s of a subject you represent.") % {"id": pk},
            field="breach",
        )
    return breach


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


def subject_repair_list(*, subject_id: int) -> QuerySet[RepairApplication]:
    """One subject's repair applications for its overview page, newest first."""
    return (
        RepairApplication.objects.filter(subject_id=subject_id)
        .select_related("breach__category", "department")
        .order_by("-pk")
    )


def subject_objection_list(*, subject_id: int) -> QuerySet[Objection]:
    """One subject's objections for its overview page, newest first."""
    return (
        Objection.objects.filter(subject_id=subject_id)
        .select_related("breach__category", "department")
        .order_by("-pk")
    )


def breach_repair_list(*, breach: Breach) -> QuerySet[RepairApplication]:
    """The repair applications of one record, newest first."""
    return breach.repairs.select_related("department", "commitment").order_by("-pk")


def breach_objection_list(*, breach: Breach) -> QuerySet[Objection]:
    """The objections to one record, newest first."""
    return breach.objections.select_related("department").order_by("-pk")


def open_objection(*, breach_id: int) -> Objection | None:
    return Objection.objects.filter(breach_id=breach_id, status__in=Objection.OPEN_STATES).first()


def repair_get(*, pk: int) -> RepairApplication:
    return with_repair_details(RepairApplication.objects).get(pk=pk)


def objection_get(*, pk: int) -> Objection:
    return with_objection_details(Objection.objects).get(pk=pk)


# The department's side -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    """What the officers' case list asked for; empty values do not filter."""

    status: str = ""  # open | decided
    filed_from: date | None = None
    filed_to: date | None = None
    sort: str = ""  # due | filed | subject, "-" first for the other way; "" open first


# Sort key of the case list → the columns of each kind (the primary key breaks ties).
CASE_SORTS = {"due": "decision_due", "filed": "{filed}", "subject": "subject_name"}


def _cases(queryset: QuerySet, *, filed: str, open_states, filters: CaseFilters) -> QuerySet:
    if filters.status == "open":
        queryset = queryset.filter(status__in=open_states)
    elif filters.status == "decided":
        queryset = queryset.exclude(status__in=open_states)
    if filters.filed_from:
        queryset = queryset.filter(**{f"{filed}__gte": filters.filed_from})
    if filters.filed_to:
        queryset = queryset.filter(**{f"{filed}__lte": filters.filed_to})
    key = filters.sort.lstrip("-")
    if key not in CASE_SORTS:  # the open cases first, the most urgent on top
        waiting = Case(When(status__in=open_states, then=Value(0)), default=Value(1))
        return queryset.order_by(waiting, "decision_due", "pk")
    column = CASE_SORTS[key].format(filed=filed)
    sign = "-" if filters.sort.startswith("-") else ""
    return queryset.order_by(f"{sign}{column}", f"{sign}pk")


def repair_applications_for_department(
    *, department_ids, filters: CaseFilters | None = None
) -> QuerySet[RepairApplication]:
    """The departments' repair applications, filtered; open ones first by decision due."""
    return _cases(
        RepairApplication.objects.filter(department_id__in=department_ids).select_related(
            "breach", "breach__category", "subject", "commitment"
        ),
        filed="submitted_on",
        open_states=(RepairApplication.Status.SUBMITTED,),
        filters=filters or CaseFilters(),
    )


def objections_for_department(
    *, department_ids, filters: CaseFilters | None = None
) -> QuerySet[Objection]:
    """The departments' objections, filtered; open ones first by decision due."""
    return _cases(
        Objection.objects.filter(department_id__in=department_ids).select_related(
            "breach", "breach__category", "subject"
        ),
        filed="filed_on",
        open_states=Objection.OPEN_STATES,
        filters=filters or CaseFilters(),
    )


def office_case_get(model: type[RepairApplication] | type[Objection], *, user, pk: int):
    """A repair application or objection with one of the user's departments; NOT_FOUND
    otherwise, so an outsider cannot tell another department's case from a missing one."""
    found = model.objects.filter(pk=pk, department_id__in=department_ids_of(user)).first()
    if found is None:
        raise WorkflowError(
            WorkflowErrorCode.NOT_FOUND,
            _("No case %(id)s is with your department.") % {"id": pk},
            field="id",
        )
    return found


def office_case_detail(
    model: type[RepairApplication] | type[Objection], *, department_ids, pk: int
) -> RepairApplication | Objection | None:
    """A case with one of the departments, with what its page shows (None: not theirs)."""
    return (
        model.objects.select_related(
            "breach", "breach__category", "breach__rule_set", "subject", "department"
        )
        .filter(pk=pk, department_id__in=department_ids)
        .first()
    )


def department_get_by_code(*, code: str) -> Department:
    """The department with this code; INVALID (on ``department``) for an unknown code."""
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise WorkflowError(
            WorkflowErrorCode.INVALID, _("No department has this code."), field="department"
        )
    return department


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
