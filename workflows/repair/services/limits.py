"""The statutory time limits of repair and objections, and the steps the flows run to keep them.

Limits in working days on the official calendar (State Council General Office 2025 No. 22;
Shanghai Social Credit Regulations art. 36); a city may set its own in
``settings.CREDIT_TIME_LIMITS``:

- ``repair_feedback`` (10): the subject hears the result within 10 working days of applying
  (``RepairApplication.feedback_due``);
- ``repair_decision`` (3, or the rule set's ``decision_working_days``): the designating
  department decides (``decision_due``);
- ``objection_forward`` (2): the department forwards an objection to the department that
  provided the record (``Objection.forward_due``);
- ``objection_decision`` (5): the department decides (``decision_due``);
- ``objection_provider_decision`` (5): the providing department decides a forwarded one.

Two limits of art. 36 need no timer because their step runs at once: the record is marked
"under objection" by the flow's ``mark`` step as the objection is filed (limit: 1 working
day), and a corrected or revoked record leaves publication in the decision's own transaction
(limit: 3 working days).

The steps here are what the flows' ``Function`` nodes run (``workflows.repair.flows``): mark
the record, warn the deciding department the working day before its limit, escalate when it
lapses, and tell people when the feedback or forwarding limit lapsed. Each re-checks the case
(a decided case notifies nobody) and every message has a unique outbox key, so a timer fired
twice sends nothing twice.
"""

from __future__ import annotations

import datetime
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from credit.record.models.breaches import Breach
from credit.record.services.repair import breach_objection_mark
from directory.audit import audited_save, system_user
from directory.calendar import add_working_days, is_working_day
from directory.selectors import department_member_users, subject_representative_users
from notifications.services.inbox import notification_send
from workflows.repair.models import Objection, RepairApplication

DEFAULT_LIMITS = {
    "repair_feedback": 10,
    "repair_decision": 3,
    "objection_forward": 2,
    "objection_decision": 5,
    "objection_provider_decision": 5,
}
WARNING_HOUR = 9


def time_limit(name: str) -> int:
    """The working days of a limit: the city's setting, else the default above."""
    return {**DEFAULT_LIMITS, **getattr(settings, "CREDIT_TIME_LIMITS", {})}[name]


# Due dates and the instants the timers are armed at ---------------------------------------------


def repair_due_dates(*, breach: Breach, on: date) -> tuple[date, date, dict]:
    """The feedback and decision due dates of an application filed ``on``, and their basis."""
    feedback = add_working_days(on, time_limit("repair_feedback"))
    decision = add_working_days(
        on, breach.rule_set.decision_working_days or time_limit("repair_decision")
    )
    basis = {"feedback": feedback.as_basis(), "decision": decision.as_basis()}
    return feedback.due_date, decision.due_date, basis


def objection_due_dates(*, on: date) -> tuple[date, date]:
    """The decision and forwarding due dates of an objection filed ``on``."""
    return (
        add_working_days(on, time_limit("objection_decision")).due_date,
        add_working_days(on, time_limit("objection_forward")).due_date,
    )


def provider_decision_due(*, on: date) -> date:
    """When the providing department must decide an objection forwarded ``on``."""
    return add_working_days(on, time_limit("objection_provider_decision")).due_date


def warning_instant(due: date) -> datetime.datetime:
    """09:00 (city time) on the last working day before ``due``."""
    day = due - datetime.timedelta(days=1)
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return datetime.datetime.combine(
        day, datetime.time(WARNING_HOUR), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def limit_instant(due: date) -> datetime.datetime:
    """The last second of the due date (city time): the limit lapses after it."""
    return datetime.datetime.combine(
        due, datetime.time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


# Steps the flows run ---------------------------------------------------------------------------


@transaction.atomic
def objection_mark(*, objection_id: int) -> Objection:
    """Mark the objection's record "under objection" (not published meanwhile), acting as the
    system; a no-op for an objection already marked or no longer open."""
    objection = Objection.objects.select_for_update().get(pk=objection_id)
    if objection.marked_on is not None or not objection.is_open:
        return objection
    by = system_user()
    today = timezone.localdate()
    breach_objection_mark(
        breach_id=objection.breach_id, by=by, on=today, case=f"objection {objection.pk}"
    )
    objection.marked_on = today
    audited_save(objection, by=by, reason="record marked under objection")
    return objection


def _warn_members(*, department_id: int, key: str, subject: str, body: str, link: str) -> int:
    """One message per active member of the department (its supervisors included), each
    once per ``key``; the number of members."""
    members = department_member_users(department_id=department_id)
    for user in members:
        notification_send(
            recipient=user, key=f"{key}-{user.pk}", subject=subject, body=body, link=link
        )
    return len(members)


def repair_deadline_warn(*, application_id: int) -> int:
    """Warn the deciding department that a repair decision is due soon (once per due date);
    nothing if it was already decided. The number of people warned."""
    application = RepairApplication.objects.select_related("subject").get(pk=application_id)
    if not application.is_open:
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


def repair_deadline_lapsed(*, application_id: int) -> int:
    """Tell the deciding department and its supervisor that the repair's time limit lapsed
    undecided (once per due date); nothing if it was decided meanwhile."""
    application = RepairApplication.objects.select_related("subject").get(pk=application_id)
    if not application.is_open:
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


def repair_feedback_lapsed(*, application_id: int) -> int:
    """Tell the subject, and the deciding department, that the subject was owed the result by
    the feedback due date and has not had it (once per due date); nothing once decided. The
    number of people told."""
    application = RepairApplication.objects.select_related("subject", "breach").get(
        pk=application_id
    )
    if not application.is_open:
        return 0
    values = {
        "id": application.breach_id,
        "subject": application.subject.name,
        "day": application.feedback_due,
    }
    key = f"repair-{application.pk}-feedback-lapsed-{application.feedback_due}"
    representatives = subject_representative_users(subject_id=application.subject_id)
    subject_link = reverse("repair:repair", args=[application.subject.code, application.breach_id])
    for user in representatives:
        notification_send(
            recipient=user,
            key=f"{key}-{user.pk}",
            subject=_("Your credit repair is still undecided"),
            body=_(
                "The decision on repairing record %(id)s was owed to you by %(day)s. The "
                "department's supervisor has been asked to see it decided now."
            )
            % values,
            link=subject_link,
        )
    members = _warn_members(
        department_id=application.department_id,
        key=key,
        subject=_("Credit repair feedback overdue since %(day)s") % values,
        body=_(
            "%(subject)s was owed the result of its repair application by %(day)s and has not "
            "had it: decide the application now."
        )
        % values,
        link=reverse("repair_office:repair", args=[application.pk]),
    )
    return len(representatives) + members


def objection_deadline_warn(*, objection_id: int) -> int:
    """Warn the department that has the objection that its decision is due soon (once per
    department and due date); nothing if it was decided meanwhile."""
    objection = Objection.objects.select_related("subject").get(pk=objection_id)
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


def objection_deadline_lapsed(*, objection_id: int) -> int:
    """Tell the department that has the objection, and its supervisor, that the time limit
    lapsed undecided (once per department and due date)."""
    objection = Objection.objects.select_related("subject").get(pk=objection_id)
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


def objection_forward_lapsed(*, objection_id: int) -> int:
    """Tell the department that the limit to forward the objection to the providing
    department has passed, so it decides the objection itself (once per due date); nothing
    if it was forwarded or decided meanwhile."""
    objection = Objection.objects.select_related("subject").get(pk=objection_id)
    if objection.status != Objection.Status.OPEN:
        return 0
    values = {
        "subject": objection.subject.name,
        "day": objection.forward_due,
        "decision_day": objection.decision_due,
    }
    return _warn_members(
        department_id=objection.department_id,
        key=f"objection-{objection.pk}-forward-lapsed-{objection.forward_due}",
        subject=_("Objection forwarding limit passed on %(day)s") % values,
        body=_(
            "The objection of %(subject)s could be forwarded to the department that provided "
            "the record until %(day)s: your department decides it, by %(decision_day)s."
        )
        % values,
        link=reverse("repair_office:objection", args=[objection.pk]),
    )
