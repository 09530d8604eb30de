"""The warning ladder of obligations: when each step falls due, the default ladder, and the
plan of ``WarningSchedule`` rows made at signing, moved at an extension and backfilled.

Each ladder step of each obligation is one ``WarningSchedule`` row, planned at signing and
re-planned at an extension; the sweep (``commitments.obligations.services.sweep``) reads only
the due ``pending`` rows, so its cost follows the number of items due, not the number stored.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commitments.catalogue.models import CommitmentTemplate
from commitments.obligations.models import (
    Obligation,
    WarningPolicy,
    WarningSchedule,
    WarningStep,
)
from directory.audit import audited_save, system_user
from directory.bulk import bulk_insert
from directory.calendar import Deadline, deadline_after, is_working_day, overrides_between
from directory.compiled import CompiledQuery
from directory.models import DeadlineUnit

WARNING_HOUR = datetime.time(9, 0)


# Time --------------------------------------------------------------------------------------


def _local(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _days_before(day: datetime.date, count: int, unit: str) -> datetime.date:
    if unit != DeadlineUnit.WORKING_DAYS:
        return day - datetime.timedelta(days=count)
    overrides = overrides_between(day - datetime.timedelta(days=count * 3 + 40), day)
    counted = 0
    while counted < count:
        day -= datetime.timedelta(days=1)
        if is_working_day(day, overrides):
            counted += 1
    return day


def warning_due_at(*, step: WarningStep, due_date: datetime.date) -> datetime.datetime:
    """When a ladder step falls due for an obligation due on ``due_date`` (09:00 local)."""
    if step.relative == WarningStep.Relative.BEFORE:
        day = _days_before(due_date, step.offset, step.unit)
    elif step.relative == WarningStep.Relative.AFTER:
        day = deadline_after(due_date, step.offset, step.unit).due_date
    else:
        day = due_date
    return _local(day, WARNING_HOUR)


def grace_end(*, policy: WarningPolicy, due_date: datetime.date) -> Deadline:
    """The last day of the grace period; the breach falls due when it ends."""
    return deadline_after(due_date, policy.grace_period, policy.grace_unit)


# Planning the ladder -------------------------------------------------------------------------


def _policy_of(template_id: int) -> WarningPolicy | None:
    return WarningPolicy.objects.filter(template_id=template_id).first()


def _policy_of_template(template: CommitmentTemplate) -> WarningPolicy | None:
    """The template's policy, from memory when the template was read with it (signing reads
    it with the commitment: ``select_related("template__warning_policy")``)."""
    relation = WarningPolicy.template.field.remote_field
    if relation.is_cached(template):
        return relation.get_cached_value(template)
    return _policy_of(template.pk)


def _plan(obligation: Obligation, steps, policy: WarningPolicy | None) -> list[WarningSchedule]:
    rows = [
        WarningSchedule(
            obligation=obligation,
            step=step,
            kind=WarningSchedule.Kind.WARNING,
            due_at=warning_due_at(step=step, due_date=obligation.due_date),
        )
        for step in steps
    ]
    if policy is not None and policy.records_breach:
        rows.append(
            WarningSchedule(
                obligation=obligation,
                kind=WarningSchedule.Kind.BREACH,
                due_at=grace_end(policy=policy, due_date=obligation.due_date).end_of_day(),
            )
        )
    return rows


# The default ladder: what a template warns when nobody configured its ladder (ADR 0009).
# (relative, offset, unit, audience, channels); ``None`` as offset is the grace period.
_ALL_CHANNELS = ["email", "sms", "inapp"]
DEFAULT_LADDER: tuple[tuple, ...] = (
    (WarningStep.Relative.BEFORE, 7, DeadlineUnit.WORKING_DAYS, "applicant", ["email", "inapp"]),
    (WarningStep.Relative.BEFORE, 1, DeadlineUnit.WORKING_DAYS, "applicant", _ALL_CHANNELS),
    (WarningStep.Relative.AT, 0, DeadlineUnit.WORKING_DAYS, "applicant", _ALL_CHANNELS),
    (WarningStep.Relative.AFTER, 1, DeadlineUnit.WORKING_DAYS, "applicant", _ALL_CHANNELS),
    (WarningStep.Relative.AFTER, 1, DeadlineUnit.WORKING_DAYS, "regulator", ["email", "inapp"]),
    (WarningStep.Relative.AFTER, None, None, "applicant", _ALL_CHANNELS),
    (WarningStep.Relative.AFTER, None, None, "regulator", ["email", "inapp"]),
)
DEFAULT_GRACE = (5, DeadlineUnit.WORKING_DAYS)


def default_ladder(*, policy: WarningPolicy | None) -> list[dict]:
    """The default rungs for a template with ``policy`` (its grace period, else 5 working days).

    The applicant is warned 7 and 1 working days before, on the due date and 1 working day
    after; the responsible regulator joins once it is past due; both are warned again on the
    last day of the grace period (the breach, if the policy records one, follows that night).
    """
    grace, grace_unit = (policy.grace_period, policy.grace_unit) if policy else DEFAULT_GRACE
    rungs, seen = [], set()
    for relative, offset, unit, audience, channels in DEFAULT_LADDER:
        if offset is None:
            offset, unit = grace, grace_unit
        key = (relative, offset, unit, audience)
        if key in seen or (relative != WarningStep.Relative.AT and offset < 1):
            continue
        seen.add(key)
        rungs.append(
            {
                "relative": relative,
                "offset": offset,
                "unit": unit,
                "audience": audience,
                "channels": list(channels),
            }
        )
    return rungs


@transaction.atomic
def warning_ladder_install_default(*, template_id: int) -> list[WarningStep]:
    """Give a template without a ladder the default one; its steps either way.

    Called when a ladder is first needed (signing, extensions), so every template warns even
    if nobody configured it; a template whose ladder was given keeps it untouched. The
    template row is locked so two first signings install it once.
    """
    CommitmentTemplate.objects.select_for_update().filter(pk=template_id).first()
    steps = list(WarningStep.objects.filter(template_id=template_id))
    if steps:
        return steps
    actor = system_user()
    for rung in default_ladder(policy=_policy_of(template_id)):
        step = WarningStep(template_id=template_id, **rung)
        audited_save(step, by=actor, reason="default warning ladder")
        steps.append(step)
    return steps


# Read at every signing: compiled once (directory.compiled).
_LADDER = CompiledQuery(
    lambda template_id: WarningStep.objects.filter(template_id=template_id), -1_730_101_001
)


def _ladder_of(template_id: int) -> list[WarningStep]:
    return _LADDER.models(template_id) or warning_ladder_install_default(template_id=template_id)


def warning_schedule_create(*, obligations: list[Obligation]) -> list[WarningSchedule]:
    """Plan the template's warning ladder for newly signed obligations (inside signing).

    A template without a ladder gets the default one first. A step whose instant has
    already passed (a short deadline) is recorded as skipped: a "7 days before" warning sent
    2 days before would mislead.
    """
    if not obligations:
        return []
    template = obligations[0].commitment.template
    steps = _ladder_of(template.pk)
    policy = _policy_of_template(template)
    now = timezone.now()
    rows = []
    for obligation in obligations:
        for row in _plan(obligation, steps, policy):
            if row.due_at <= now:
                row.status = WarningSchedule.Status.SKIPPED
                row.outcome = "its time had passed when the deadline was set"
                row.processed_at = now
            rows.append(row)
    return bulk_insert(WarningSchedule, rows)  # ``bulk_create``, compiled once


def warning_schedule_backfill(*, chunk_size: int = 500) -> int:
    """Plan the ladder rows pending obligations are missing (their template got its ladder
    after they were signed, e.g. the default one from migration 0007); the rows written.

    Idempotent: planned rows are left alone; an instant already past is recorded as skipped,
    as at signing. Each obligation is planned under its row lock, in its own transaction.
    """
    now, written = timezone.now(), 0
    ladders: dict[int, tuple[list[WarningStep], WarningPolicy | None]] = {}
    pending = Obligation.objects.filter(status=Obligation.Status.PENDING).values_list(
        "pk", flat=True
    )
    for pk in pending.order_by("pk").iterator(chunk_size=chunk_size):
        with transaction.atomic():
            obligation = (
                Obligation.objects.select_for_update(of=("self",))
                .select_related("commitment")
                .get(pk=pk)
            )
            if obligation.status != Obligation.Status.PENDING:
                continue
            template_id = obligation.commitment.template_id
            if template_id not in ladders:
                ladders[template_id] = (_ladder_of(template_id), _policy_of(template_id))
            steps, policy = ladders[template_id]
            planned = set(
                WarningSchedule.objects.filter(obligation=obligation).values_list("kind", "step_id")
            )
            rows = []
            for row in _plan(obligation, steps, policy):
                if (row.kind, row.step_id) in planned:
                    continue
                if row.due_at <= now:
                    row.status = WarningSchedule.Status.SKIPPED
                    row.outcome = "its time had passed when the ladder was planned"
                    row.processed_at = now
                rows.append(row)
            written += len(WarningSchedule.objects.bulk_create(rows))
    return written


def warning_schedule_replan(*, obligation: Obligation, now: datetime.datetime) -> None:
    """Move the not-yet-settled steps to the new due date; sent warnings stay sent."""
    steps = _ladder_of(obligation.commitment.template_id)
    policy = _policy_of(obligation.commitment.template_id)
    existing = {
        (row.kind, row.step_id): row
        for row in WarningSchedule.objects.select_for_update().filter(obligation=obligation)
    }
    for planned in _plan(obligation, steps, policy):
        row = existing.get((planned.kind, planned.step_id))
        if row is None:
            row = planned
        elif row.status in (WarningSchedule.Status.DONE, WarningSchedule.Status.REFUSED):
            continue
        row.due_at = planned.due_at
        if row.status != WarningSchedule.Status.HELD:
            is_due_later = row.due_at > now
            row.status = (
                WarningSchedule.Status.PENDING if is_due_later else WarningSchedule.Status.SKIPPED
            )
            row.processed_at = None if is_due_later else now
            row.outcome = "" if is_due_later else "its time had passed when the deadline moved"
        row.save()
