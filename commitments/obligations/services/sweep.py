"""The sweep: settle every due ladder step once, writing its warnings to the outbox or
recording the breach at the end of the grace period.

Warnings are exact by construction:

* the sweep reads only due ``pending`` ``WarningSchedule`` rows (partial index), so its cost
  follows the number of items due, not the number stored;
* it claims rows with ``SELECT … FOR UPDATE SKIP LOCKED`` and, in the same transaction,
  writes the outbox messages (unique key per obligation, step, channel and recipient) and
  settles the row: a worker killed mid-sweep rolls back and the next sweep does the same work
  again, never twice;
* delivery is the outbox's business (``notifications``), retried with back-off.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone, translation
from viewflow.workflow.models import Task

from commitments.errors import CommitmentError
from commitments.lifecycle.models import Commitment, Verification
from commitments.lifecycle.services import breaches
from commitments.obligations.models import (
    Obligation,
    PerformanceReport,
    WarningPolicy,
    WarningSchedule,
    WarningStep,
)
from commitments.obligations.services.ladder import grace_end
from commitments.obligations.services.supply import approval_consequence_record, is_supply_later
from directory.audit import system_user
from directory.models import DeadlineUnit, RegulatorMembership
from notifications.services.outbox import OutboxItem, outbox_enqueue_many, recipient_languages

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    warned: int = 0
    breached: int = 0
    skipped: int = 0
    held: int = 0
    refused: int = 0
    messages: int = 0

    @property
    def settled(self) -> int:
        return self.warned + self.breached + self.skipped + self.held + self.refused


def _responsible_regulators(commitment: Commitment) -> list:
    """Who answers for the commitment: the verifying regulator, else the task's assignee,
    else the department's supervisors."""
    verification = (
        Verification.objects.filter(commitment=commitment).select_related("regulator").first()
    )
    if verification is not None:
        return [verification.regulator]
    if commitment.process_id:
        task = (
            Task.objects.filter(process_id=commitment.process_id, owner__isnull=False)
            .select_related("owner")
            .order_by("-pk")
            .first()
        )
        if task is not None:
            return [task.owner]
    if commitment.department_id is None:
        return []
    return [
        membership.user
        for membership in RegulatorMembership.objects.filter(
            department_id=commitment.department_id,
            role=RegulatorMembership.Role.SUPERVISOR,
            is_active=True,
            user__is_active=True,
        ).select_related("user")
    ]


def warning_render(
    *,
    step: WarningStep,
    obligation: Obligation,
    language: str,
    policy: WarningPolicy | None,
    grace_end_on: str | None = None,
) -> tuple[str, str]:
    """The subject line and body of a warning in ``language`` (templates per language)."""
    commitment = obligation.commitment
    if grace_end_on is None:
        grace_end_on = (
            grace_end(policy=policy, due_date=obligation.due_date).due_date.isoformat()
            if policy is not None and policy.records_breach
            else ""
        )
    base = f"notifications/warnings/{step.audience}_{step.relative}"
    template = select_template([f"{base}.{language}.txt", f"{base}.zh-hans.txt"])
    with translation.override(language):  # the obligation's title in that language too
        context = {
            "reference": commitment.reference,
            "subject_name": commitment.subject.name,
            "obligation": obligation.title,
            "due_date": obligation.due_date.isoformat(),
            "offset": step.offset,
            "working_days": step.unit == DeadlineUnit.WORKING_DAYS,
            "grace_end": grace_end_on,
        }
        text = template.render(context).strip()
    subject, _sep, body = text.partition("\n")
    return subject.strip(), body.strip()


@dataclass
class _Batch:
    """What one sweep batch accumulates so it can write the outbox in a few queries."""

    items: list[OutboxItem] = field(default_factory=list)
    languages: dict[int, str] = field(default_factory=dict)
    rendered: dict[tuple, tuple[str, str]] = field(default_factory=dict)
    grace_ends: dict[tuple, str] = field(default_factory=dict)

    def grace_end_on(self, policy: WarningPolicy | None, due_date: datetime.date) -> str:
        if policy is None or not policy.records_breach:
            return ""
        key = (policy.pk, due_date)
        if key not in self.grace_ends:
            self.grace_ends[key] = grace_end(policy=policy, due_date=due_date).due_date.isoformat()
        return self.grace_ends[key]


def _warn(row, obligation, step, policy, pending_report: bool, result, batch: _Batch) -> None:
    commitment = obligation.commitment
    if step.audience == WarningStep.Audience.APPLICANT:
        if pending_report:
            row.status, row.outcome = WarningSchedule.Status.SKIPPED, "performance under review"
            result.skipped += 1
            return
        recipients = [commitment.signed_by or commitment.created_by]
    else:
        recipients = _responsible_regulators(commitment)
    missing = {r.pk for r in recipients} - set(batch.languages)
    if missing:
        batch.languages.update(recipient_languages(user_ids=missing))
    link = reverse("commitments:obligation", args=[obligation.pk])
    for recipient in recipients:
        language = batch.languages[recipient.pk]
        cache_key = (obligation.pk, step.pk, language)
        if cache_key not in batch.rendered:
            batch.rendered[cache_key] = warning_render(
                step=step,
                obligation=obligation,
                language=language,
                policy=policy,
                grace_end_on=batch.grace_end_on(policy, obligation.due_date),
            )
        subject, body = batch.rendered[cache_key]
        for channel in step.channels:
            batch.items.append(
                OutboxItem(
                    key=f"warning:o{obligation.pk}:s{step.pk}:{channel}:u{recipient.pk}",
                    channel=channel,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                    language=language,
                    link=link,
                    audience_group=f"department:{commitment.department_id or 0}",
                    topic=f"obligation:{obligation.pk}",
                )
            )
    row.status = WarningSchedule.Status.DONE
    row.outcome = f"{len(recipients)} recipient(s)"
    result.warned += 1


def _breach(row, obligation, policy, pending_report: bool, result: SweepResult) -> None:
    if pending_report:
        row.status, row.outcome = WarningSchedule.Status.HELD, "performance under review"
        result.held += 1
        return
    try:
        with transaction.atomic():  # a refusal must not undo the rest of the batch
            breaches.commitment_breach_record(
                commitment=obligation.commitment,
                by=system_user(),
                severity=policy.breach_severity,
                category_code=policy.breach_category_code,
                # Short: history reasons hold 100 characters; the obligation is linked.
                reason=(
                    f"Obligation due {obligation.due_date.isoformat()} not performed "
                    f"within the grace period."
                ),
                obligation=obligation,
            )
            if is_supply_later(obligation):
                approval_consequence_record(obligation=obligation, by=system_user())
    except CommitmentError as error:
        row.status, row.outcome = WarningSchedule.Status.REFUSED, f"{error.code}: {error.message}"
        result.refused += 1
        logger.warning("Breach of obligation %s refused: %s", obligation.pk, error.message)
        return
    row.status, row.outcome = WarningSchedule.Status.DONE, "breach recorded"
    result.breached += 1


def obligation_warnings_sweep(*, now=None, batch_size: int = 500) -> SweepResult:
    """Settle every due ladder step once: write its warnings to the outbox or record the breach.

    Batches commit one by one; rows (and obligations) another sweep holds are skipped and
    left for it. Cost: a few queries per due row plus one per batch.
    """
    now = now or timezone.now()
    result = SweepResult()
    while _sweep_batch(now=now, batch_size=batch_size, result=result):
        pass
    return result


def _sweep_batch(*, now, batch_size: int, result: SweepResult) -> bool:
    with transaction.atomic():
        rows = list(
            WarningSchedule.objects.select_for_update(skip_locked=True)
            .filter(status=WarningSchedule.Status.PENDING, due_at__lte=now)
            .order_by("due_at", "pk")[:batch_size]
        )
        if not rows:
            return False
        obligations = {
            obligation.pk: obligation
            for obligation in Obligation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "commitment",
                "commitment__subject",
                "commitment__signed_by",
                "commitment__created_by",
            )
            .filter(pk__in={row.obligation_id for row in rows})
        }
        steps = WarningStep.objects.in_bulk({row.step_id for row in rows if row.step_id})
        template_ids = {o.commitment.template_id for o in obligations.values()}
        policies = {
            p.template_id: p for p in WarningPolicy.objects.filter(template_id__in=template_ids)
        }
        under_review = set(
            PerformanceReport.objects.filter(
                obligation_id__in=obligations, status=PerformanceReport.Status.SUBMITTED
            ).values_list("obligation_id", flat=True)
        )
        settled, batch = [], _Batch()
        for row in rows:
            obligation = obligations.get(row.obligation_id)
            if obligation is None:  # another transaction holds it: the next sweep takes it
                continue
            policy = policies.get(obligation.commitment.template_id)
            if obligation.status != Obligation.Status.PENDING:
                row.status, row.outcome = WarningSchedule.Status.SKIPPED, obligation.status
                result.skipped += 1
            elif row.kind == WarningSchedule.Kind.BREACH:
                if policy is None or not policy.records_breach:
                    row.status, row.outcome = WarningSchedule.Status.SKIPPED, "no breach policy"
                    result.skipped += 1
                else:
                    _breach(row, obligation, policy, row.obligation_id in under_review, result)
            else:
                _warn(
                    row,
                    obligation,
                    steps[row.step_id],
                    policy,
                    row.obligation_id in under_review,
                    result,
                    batch,
                )
            row.processed_at = now
            settled.append(row)
        result.messages += outbox_enqueue_many(items=batch.items)
        # Settled rows share a handful of outcomes: one UPDATE per outcome, not a CASE per row.
        by_outcome: dict[tuple[str, str], list[int]] = {}
        for row in settled:
            by_outcome.setdefault((row.status, row.outcome), []).append(row.pk)
        for (status, outcome), pks in by_outcome.items():
            WarningSchedule.objects.filter(pk__in=pks).update(
                status=status, outcome=outcome, processed_at=now
            )
        return len(settled) > 0
