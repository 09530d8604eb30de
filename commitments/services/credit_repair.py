"""Credit repair and objections as the commitment domain runs them: who may act, the
department that designated the record, working-day due dates on the official calendar, the
signed public repair commitment, and telling people.

The credit app keeps the record and its rules (``credit.services_repair``,
``credit.services_objection``); this module calls them and maps their refusals.

Interfaces:

- ``credit_repair_apply(*, breach, by, statement, proofs, uploaded_pdf=None)``
- ``credit_repair_decide(*, application, by, grant, reason)``
- ``credit_objection_file(*, breach, by, kind, grounds)``
- ``credit_objection_mark(*, objection)`` — the record goes "under objection"
- ``credit_objection_forward(*, objection, by, department, reason)``
- ``credit_objection_decide(*, objection, by, outcome, reason, ...)``
- ``credit_repair_deadline_warn`` / ``credit_repair_deadline_lapsed`` and the objection
  pair: what the flows' boundary timers (``workflows.repair_flows``) tell the deciding
  department before its working-day limit lapses and when it has lapsed. Each message has a
  unique outbox key, so a timer fired twice notifies nobody twice.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.services import active_template
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.services.breaches import as_commitment_error
from commitments.lifecycle.services.commitments import commitment_create, commitment_sign
from credit import services_objection, services_repair
from credit.errors import CreditError
from credit.models import (
    Breach,
    CallingSystem,
    Objection,
    RecordChangeNotice,
    RepairApplication,
)
from credit.services_repair import ProofFile, RecordCleared
from directory.audit import system_user
from directory.calendar import add_working_days
from directory.models import Department, RegulatorMembership, SubjectRepresentative
from notifications.services import notification_send

# Working-day limits (Shanghai Social Credit Regulations art. 36; 2025 No. 22). A city may
# configure its own in settings.CREDIT_TIME_LIMITS.
DEFAULT_LIMITS = {
    "repair_feedback": 10,
    "repair_decision": 3,
    "objection_mark": 1,
    "objection_decision": 5,
    "objection_forward": 2,
    "objection_provider_decision": 5,
    "unpublish_after_decision": 3,
    "pledge_payment": 10,
}


def time_limit(name: str) -> int:
    return {**DEFAULT_LIMITS, **getattr(settings, "CREDIT_TIME_LIMITS", {})}[name]


def _not_found() -> CommitmentError:
    return CommitmentError(ErrorCode.NOT_FOUND, _("No such record."), field="breach")


def _check_represents(by: AbstractBaseUser, subject_id: int) -> None:
    if not SubjectRepresentative.objects.filter(user=by, subject_id=subject_id).exists():
        raise _not_found()


def _check_member(by: AbstractBaseUser, department_id: int) -> None:
    if not RegulatorMembership.objects.filter(
        user=by, department_id=department_id, is_active=True
    ).exists():
        raise CommitmentError(ErrorCode.NOT_FOUND, _("No such application."), field="application")


def breach_department(breach: Breach) -> Department:
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
        raise CommitmentError(
            ErrorCode.INVALID,
            _("The department that designated this record is not known; contact the city."),
            field="breach",
        )
    return membership.department


def repair_template() -> CommitmentTemplate:
    return active_template(CommitmentTemplate.Kind.CREDIT_REPAIR)


def _members(department_id: int) -> list[AbstractBaseUser]:
    return [
        m.user
        for m in RegulatorMembership.objects.filter(department_id=department_id, is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def _representatives(subject_id: int) -> list[AbstractBaseUser]:
    return [
        r.user
        for r in SubjectRepresentative.objects.filter(subject_id=subject_id)
        .select_related("user")
        .order_by("pk")
    ]


def _change_message(change: str, *, record: int, subject: str, day: date) -> tuple[str, str]:
    """The subject line and body telling a calling system that a record changed: one
    translatable sentence per kind of change (word order differs between languages)."""
    values = {"id": record, "subject": subject, "day": day}
    if change == RecordChangeNotice.Change.REPAIRED:
        return (
            _("Credit record %(id)s repaired") % values,
            _(
                "The credit record %(id)s of subject %(subject)s that you received was "
                "repaired on %(day)s: stop using it."
            )
            % values,
        )
    if change == RecordChangeNotice.Change.REVOKED:
        return (
            _("Credit record %(id)s revoked") % values,
            _(
                "The credit record %(id)s of subject %(subject)s that you received was "
                "revoked on %(day)s: stop using it."
            )
            % values,
        )
    return (
        _("Credit record %(id)s corrected") % values,
        _(
            "The credit record %(id)s of subject %(subject)s that you received was "
            "corrected on %(day)s: ask for it again before using it."
        )
        % values,
    )


def _notify_systems(cleared: RecordCleared) -> None:
    """Tell every calling system that received the record (its outbox row + its user)."""
    if not cleared.notices:
        return
    systems = CallingSystem.objects.in_bulk([n.calling_system_id for n in cleared.notices])
    breach = cleared.breach
    for notice in cleared.notices:
        subject, body = _change_message(
            notice.change, record=breach.pk, subject=breach.subject_id, day=timezone.localdate()
        )
        notification_send(
            recipient=systems[notice.calling_system_id].user,
            key=f"credit-change-{notice.pk}",
            subject=subject,
            body=body,
        )


# Repair -------------------------------------------------------------------------------------


def repair_due_dates(*, breach: Breach, on: date) -> tuple[date, date, dict]:
    feedback = add_working_days(on, time_limit("repair_feedback"))
    decision = add_working_days(
        on, breach.rule_set.decision_working_days or time_limit("repair_decision")
    )
    basis = {"feedback": feedback.as_basis(), "decision": decision.as_basis()}
    return feedback.due_date, decision.due_date, basis


@transaction.atomic
def credit_repair_apply(
    *,
    breach: Breach,
    by: AbstractBaseUser,
    statement: str,
    proofs: list[ProofFile],
    uploaded_pdf: bytes | None = None,
) -> RepairApplication:
    """Sign the public repair commitment and file the application with its proofs, in one
    transaction: a refusal leaves no commitment and no application behind."""
    _check_represents(by, breach.subject_id)
    department = breach_department(breach)
    on = timezone.localdate()
    feedback_due, decision_due, basis = repair_due_dates(breach=breach, on=on)
    # Check eligibility before signing: the refusal names the rule, nothing is signed.
    from credit.repair import repair_eligibility

    eligibility = repair_eligibility(breach=breach, on=on)
    if not eligibility.is_eligible:
        refusal = eligibility.refusals[0]
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            f"{refusal.message} ({_('Rule')}: {refusal.rule})",
            field=refusal.field,
        )
    if not (statement or "").strip():
        raise CommitmentError(
            ErrorCode.INVALID,
            _("Say how the act was corrected and the obligations performed."),
            field="statement",
        )
    try:
        services_repair._check_proofs(proofs)
    except CreditError as error:
        raise as_commitment_error(error) from None
    draft = commitment_create(
        by=by,
        subject=breach.subject,
        template=repair_template(),
        field_values={"breach": str(breach.pk), "correction": statement.strip()[:1000]},
    )
    signed = commitment_sign(commitment=draft, by=by, uploaded_pdf=uploaded_pdf).commitment
    try:
        application = services_repair.repair_apply(
            breach_id=breach.pk,
            department_id=department.pk,
            commitment_id=signed.pk,
            statement=statement,
            proofs=proofs,
            by=by,
            feedback_due=feedback_due,
            decision_due=decision_due,
            due_basis=basis,
            on=on,
        )
    except CreditError as error:
        raise as_commitment_error(error) from None
    link = reverse("repair_office:repair", args=[application.pk])
    for user in _members(department.pk):
        notification_send(
            recipient=user,
            key=f"repair-{application.pk}-received-{user.pk}",
            subject=_("Credit repair application to decide by %(day)s")
            % {"day": decision_due.isoformat()},
            body=_("%(subject)s applied to repair record %(id)s.")
            % {"subject": breach.subject.name, "id": breach.pk},
            link=link,
        )
    return application


@transaction.atomic
def credit_repair_decide(
    *, application: RepairApplication, by: AbstractBaseUser, grant: bool, reason: str
) -> RepairApplication:
    _check_member(by, application.department_id)
    try:
        decision = services_repair.repair_decide(
            application_id=application.pk, grant=grant, reason=reason, by=by
        )
    except CreditError as error:
        raise as_commitment_error(error) from None
    application = decision.application
    breach = application.breach
    if grant:
        subject_text = _("Your credit repair was granted")
        body = _(
            "Record %(id)s is repaired: it is no longer published or shared, its measures "
            "are lifted and commit-instead-of-prove is available again."
        ) % {"id": breach.pk}
    else:
        subject_text = _("Your credit repair was refused")
        body = _("Record %(id)s was not repaired. Reason: %(reason)s") % {
            "id": breach.pk,
            "reason": application.decision_reason,
        }
    link = reverse("repair:repair", args=[breach.subject.code, breach.pk])
    for user in _representatives(breach.subject_id):
        notification_send(
            recipient=user,
            key=f"repair-{application.pk}-decided-{user.pk}",
            subject=subject_text,
            body=body,
            link=link,
        )
    if decision.cleared is not None:
        _notify_systems(decision.cleared)
    return application


# Objections ---------------------------------------------------------------------------------


@transaction.atomic
def credit_objection_file(
    *, breach: Breach, by: AbstractBaseUser, kind: str, grounds: str
) -> Objection:
    _check_represents(by, breach.subject_id)
    department = breach_department(breach)
    on = timezone.localdate()
    try:
        objection = services_objection.objection_file(
            breach_id=breach.pk,
            department_id=department.pk,
            kind=kind,
            grounds=grounds,
            by=by,
            decision_due=add_working_days(on, time_limit("objection_decision")).due_date,
            forward_due=add_working_days(on, time_limit("objection_forward")).due_date,
            on=on,
        )
    except CreditError as error:
        raise as_commitment_error(error) from None
    link = reverse("repair_office:objection", args=[objection.pk])
    for user in _members(department.pk):
        notification_send(
            recipient=user,
            key=f"objection-{objection.pk}-received-{user.pk}",
            subject=_("Objection to decide by %(day)s") % {"day": objection.decision_due},
            body=_("%(subject)s objects to record %(id)s.")
            % {"subject": breach.subject.name, "id": breach.pk},
            link=link,
        )
    return objection


@transaction.atomic
def credit_objection_mark(*, objection: Objection) -> Objection:
    """Mark the objection's record "under objection" (the system acts, on the flow's step)."""
    try:
        return services_objection.objection_mark(objection_id=objection.pk, by=system_user())
    except CreditError as error:
        raise as_commitment_error(error) from None


@transaction.atomic
def credit_objection_forward(
    *, objection: Objection, by: AbstractBaseUser, department: Department, reason: str
) -> Objection:
    """Forward an open objection, with the reason, to the department that provided the
    record; that department decides within its own working-day limit."""
    _check_member(by, objection.department_id)
    try:
        objection = services_objection.objection_forward(
            objection_id=objection.pk,
            department_id=department.pk,
            by=by,
            reason=reason,
            decision_due=add_working_days(
                timezone.localdate(), time_limit("objection_provider_decision")
            ).due_date,
        )
    except CreditError as error:
        raise as_commitment_error(error) from None
    for user in _members(department.pk):
        notification_send(
            recipient=user,
            key=f"objection-{objection.pk}-forwarded-{user.pk}",
            subject=_("Objection forwarded to you, to decide by %(day)s")
            % {"day": objection.decision_due},
            body=_("Objection %(id)s was forwarded to your department. Reason: %(reason)s")
            % {"id": objection.pk, "reason": objection.forward_reason},
            link=reverse("repair_office:objection", args=[objection.pk]),
        )
    return objection


_OBJECTION_DECIDED = {
    Objection.Status.UPHELD_CORRECTED: lambda: _(
        "Your objection was upheld: the record is corrected"
    ),
    Objection.Status.UPHELD_REVOKED: lambda: _("Your objection was upheld: the record is revoked"),
    Objection.Status.REJECTED: lambda: _("Your objection was rejected: the record stands"),
}


@transaction.atomic
def credit_objection_decide(
    *,
    objection: Objection,
    by: AbstractBaseUser,
    outcome: str,
    reason: str,
    corrected_reason: str = "",
    corrected_max_until: date | None = None,
) -> Objection:
    _check_member(by, objection.department_id)
    try:
        decision = services_objection.objection_decide(
            objection_id=objection.pk,
            outcome=outcome,
            reason=reason,
            by=by,
            corrected_reason=corrected_reason,
            corrected_max_until=corrected_max_until,
        )
    except CreditError as error:
        raise as_commitment_error(error) from None
    objection = decision.objection
    breach = objection.breach
    for user in _representatives(breach.subject_id):
        notification_send(
            recipient=user,
            key=f"objection-{objection.pk}-decided-{user.pk}",
            subject=_OBJECTION_DECIDED[objection.status](),
            body=objection.decision_reason,
            link=reverse("repair:objection", args=[breach.subject.code, breach.pk]),
        )
    if decision.cleared is not None:
        _notify_systems(decision.cleared)
    return objection


# Deadlines ----------------------------------------------------------------------------------


def _warn_members(*, department_id: int, key: str, subject: str, body: str, link: str) -> int:
    """One message per active member of the department (its supervisors included), each
    once per ``key``; the number of members."""
    members = _members(department_id)
    for user in members:
        notification_send(
            recipient=user, key=f"{key}-{user.pk}", subject=subject, body=body, link=link
        )
    return len(members)


def credit_repair_deadline_warn(*, application: RepairApplication) -> int:
    """Warn the deciding department that a repair decision is due soon (once per due date);
    nothing if it was already decided. The number of people warned."""
    application = RepairApplication.objects.select_related("subject").get(pk=application.pk)
    if application.status != RepairApplication.Status.SUBMITTED:
        return 0
    values = {"subject": application.subject.name, "day": application.decision_due}
    warned = _warn_members(
        department_id=application.department_id,
        key=f"repair-{application.pk}-due-{application.decision_due}",
        subject=_("Credit repair decision due on %(day)s") % values,
        body=_("The repair application of %(subject)s must be decided by %(day)s.") % values,
        link=reverse("repair_office:repair", args=[application.pk]),
    )
    RepairApplication.objects.filter(pk=application.pk).update(warned_on=timezone.localdate())
    return warned


def credit_repair_deadline_lapsed(*, application: RepairApplication) -> int:
    """Tell the deciding department and its supervisor that the repair's time limit lapsed
    undecided (once per due date); nothing if it was decided meanwhile."""
    application = RepairApplication.objects.select_related("subject").get(pk=application.pk)
    if application.status != RepairApplication.Status.SUBMITTED:
        return 0
    values = {"subject": application.subject.name, "day": application.decision_due}
    return _warn_members(
        department_id=application.department_id,
        key=f"repair-{application.pk}-lapsed-{application.decision_due}",
        subject=_("Credit repair decision overdue since %(day)s") % values,
        body=_(
            "The repair application of %(subject)s was due to be decided by %(day)s and has "
            "not been: the department's supervisor is asked to see it decided now."
        )
        % values,
        link=reverse("repair_office:repair", args=[application.pk]),
    )


def credit_objection_deadline_warn(*, objection: Objection) -> int:
    """Warn the department that has the objection that its decision is due soon (once per
    department and due date); nothing if it was decided meanwhile."""
    objection = Objection.objects.select_related("subject").get(pk=objection.pk)
    if not objection.is_open:
        return 0
    values = {"subject": objection.subject.name, "day": objection.decision_due}
    return _warn_members(
        department_id=objection.department_id,
        key=f"objection-{objection.pk}-due-{objection.decision_due}",
        subject=_("Objection decision due on %(day)s") % values,
        body=_("The objection of %(subject)s must be decided by %(day)s.") % values,
        link=reverse("repair_office:objection", args=[objection.pk]),
    )


def credit_objection_deadline_lapsed(*, objection: Objection) -> int:
    """Tell the department that has the objection, and its supervisor, that the time limit
    lapsed undecided (once per department and due date)."""
    objection = Objection.objects.select_related("subject").get(pk=objection.pk)
    if not objection.is_open:
        return 0
    values = {"subject": objection.subject.name, "day": objection.decision_due}
    return _warn_members(
        department_id=objection.department_id,
        key=f"objection-{objection.pk}-lapsed-{objection.decision_due}",
        subject=_("Objection decision overdue since %(day)s") % values,
        body=_(
            "The objection of %(subject)s was due to be decided by %(day)s and has not been: "
            "the department's supervisor is asked to see it decided now."
        )
        % values,
        link=reverse("repair_office:objection", args=[objection.pk]),
    )
