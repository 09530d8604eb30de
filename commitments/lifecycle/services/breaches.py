"""Breaches of commitments, recorded in the credit record, and what they take away.

The commitment domain checks its own rules here (a fulfilled commitment or obligation is
never breached) and then asks ``credit.services.breach_record`` for the record, its measures
and any black-list prior notice, in the same transaction; the subject's representatives are
told through the in-application inbox (and e-mail after the commit).

Interfaces other parts rely on (keep them stable):

- ``commitment_breach_record(*, commitment, by, severity, category_code, reason,
  obligation=None)`` — the deadline sweep calls it for an obligation missed after the grace
  period (``category_code=MISSED_OBLIGATION``); it is idempotent per obligation.
- ``false_commitment_record(*, commitment, verification)`` — called by
  ``verification_record`` for every finding; records a breach for a BREACHED finding.
- ``subjects_exclusion_refusals(*, subjects)`` — ``commitments_issue_many`` (every draft)
  calls it; ``subject_exclusion_refusal(*, subject)`` — the start page tells it early.

A refusal of the credit record (``CreditError``) reaches the caller as it is: pages and the
API show any ``DomainError`` by its code.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment, Verification
from commitments.obligations.models import Obligation
from credit.record import selectors as credit_selectors
from credit.record.models.breaches import BreachSourceKind
from credit.record.services import breaches as credit_services
from credit.record.services.breaches import BreachOutcome
from credit.record.services.notices import repair_notice_text
from directory.audit import audited_save
from directory.models import Subject
from directory.selectors import subject_representative_users
from notifications.services.inbox import notification_send

FALSE_COMMITMENT = "false_commitment"
MISSED_OBLIGATION = "missed_obligation"


@transaction.atomic
def commitment_breach_record(
    *,
    commitment: Commitment,
    by: AbstractBaseUser,
    severity: str,
    category_code: str,
    reason: str,
    obligation: Obligation | None = None,
) -> BreachOutcome:
    """Record a breach of a commitment (or of one of its obligations) in the credit record.

    Refused, with nothing changed, for a commitment verified as fulfilled, a fulfilled
    obligation, an obligation of another commitment, or a commitment never signed. The
    obligation, if still pending, becomes breached. Recording the same obligation (or the
    same commitment without an obligation) again returns the first record unchanged.
    """
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if locked.status == Commitment.Status.FULFILLED:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This commitment was verified as fulfilled; no breach can be recorded against it."),
            field="commitment",
        )
    if not locked.is_signed:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This commitment was never signed; there is nothing to breach."),
            field="commitment",
        )
    locked_obligation = None
    if obligation is not None:
        locked_obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
        if locked_obligation.commitment_id != locked.pk:
            raise CommitmentError(
                ErrorCode.INVALID,
                _("This obligation belongs to another commitment."),
                field="obligation",
            )
        if locked_obligation.status == Obligation.Status.FULFILLED:
            raise CommitmentError(
                ErrorCode.INVALID_STATE,
                _("This obligation was fulfilled; no breach can be recorded against it."),
                field="obligation",
            )
    outcome = credit_services.breach_record(
        subject_id=locked.subject_id,
        source_kind=(
            BreachSourceKind.OBLIGATION if locked_obligation else BreachSourceKind.COMMITMENT
        ),
        source_id=locked_obligation.pk if locked_obligation else locked.pk,
        source_reference=locked.reference,
        department_id=locked.department_id,
        category_code=category_code,
        severity=severity,
        reason=reason,
        by=by,
    )
    if not outcome.created:
        return outcome
    if locked_obligation is not None and can_proceed(locked_obligation.breach):
        locked_obligation.breach()
        audited_save(locked_obligation, by=by, reason=f"breached: {outcome.breach.reason}")
    if locked_obligation is None:
        _close_pending_obligations(commitment=locked, by=by)
    _notify_representatives(commitment=locked, outcome=outcome)
    return outcome


def _close_pending_obligations(*, commitment: Commitment, by: AbstractBaseUser) -> None:
    """The commitment itself is breached: its pending obligations are closed, so they stop
    reading "pending" and no warning is sent about them any more."""
    for obligation in Obligation.objects.select_for_update().filter(
        commitment=commitment, status=Obligation.Status.PENDING
    ):
        obligation.close()
        audited_save(obligation, by=by, reason="closed: the commitment was breached")


def false_commitment_record(
    *, commitment: Commitment, verification: Verification
) -> BreachOutcome | None:
    """Record the breach a regulator's finding of a false commitment means; nothing for a
    finding of fulfilment. Runs in the finding's transaction."""
    if verification.finding != Verification.Finding.BREACHED:
        return None
    category = credit_selectors.breach_category_get(code=FALSE_COMMITMENT)
    return commitment_breach_record(
        commitment=commitment,
        by=verification.regulator,
        severity=category.default_severity,
        category_code=FALSE_COMMITMENT,
        reason=verification.reason,
    )


def false_commitment_consequences() -> credit_selectors.BreachConsequences:
    """What a finding of a false commitment recorded today would bring (the breach
    ``false_commitment_record`` records): shown to the regulator before confirming."""
    return credit_selectors.breach_consequences(category_code=FALSE_COMMITMENT)


def subject_exclusion_refusal(*, subject: Subject) -> CommitmentError | None:
    """Why the subject may not use commit-instead-of-prove today, or None: told on the start
    page before anything is filled in, and given again as the refusal of a draft."""
    measure = credit_selectors.subject_is_excluded(subject_id=subject.pk)
    return None if measure is None else exclusion_refusal(subject=subject, measure=measure)


def subjects_exclusion_refusals(*, subjects: list[Subject]) -> dict[int, CommitmentError]:
    """``subject_exclusion_refusal`` for many subjects in one query, by subject id (the
    excluded ones only)."""
    by_id = {subject.pk: subject for subject in subjects}
    measures = credit_selectors.subjects_excluded(subject_ids=list(by_id))
    return {
        pk: exclusion_refusal(subject=by_id[pk], measure=measure)
        for pk, measure in measures.items()
    }


def exclusion_refusal(*, subject: Subject, measure) -> CommitmentError:
    return CommitmentError(
        ErrorCode.SUBJECT_EXCLUDED,
        _(
            "%(subject)s cannot use commit-instead-of-prove: “%(measure)s” applies since "
            "%(since)s. Repairing the credit record restores eligibility; until then, "
            "apply with the proof documents through the ordinary procedure."
        )
        % {
            "subject": subject.name,
            "measure": measure.measure_type.name,
            "since": measure.starts_on.isoformat(),
        },
        field="subject",
    )


def _notify_representatives(*, commitment: Commitment, outcome: BreachOutcome) -> None:
    breach = outcome.breach
    link = reverse("credit:record", args=[commitment.subject.code])
    notice = breach.repair_notice  # 两书同达: the decision goes out with its repair notice
    users = subject_representative_users(subject_id=commitment.subject_id)
    for user in users:
        notification_send(
            recipient=user,
            key=f"credit-breach-{breach.pk}-{user.pk}",
            subject=_("A breach of %(reference)s was recorded in your credit record")
            % {"reference": commitment.reference},
            body=_(
                "Category: %(category)s. Severity: %(severity)s. Legal basis: %(basis)s. "
                "Reason: %(reason)s. Rule set: %(rule_set)s. Repair may be applied for from "
                "%(min_until)s."
            )
            % {
                "category": breach.category.name,
                "severity": breach.get_severity_display(),
                "basis": breach.legal_basis,
                "reason": breach.reason,
                "rule_set": breach.rule_set.name,
                "min_until": breach.publicity_min_until.isoformat(),
            }
            + "\n\n"
            + repair_notice_text(notice),
            link=link,
        )
        for entry in outcome.list_notices:
            notification_send(
                recipient=user,
                key=f"credit-list-notice-{entry.pk}-{user.pk}",
                subject=_("Prior notice: designation on the %(list)s")
                % {"list": entry.credit_list.name},
                body=_(
                    "%(subject)s has reached the threshold of the %(list)s (%(why)s). The "
                    "designation takes effect on %(day)s at the earliest; you may state your "
                    "case before then."
                )
                % {
                    "subject": commitment.subject.name,
                    "list": entry.credit_list.name,
                    "why": entry.reason,
                    "day": entry.enter_not_before.isoformat(),
                },
                link=link,
            )
