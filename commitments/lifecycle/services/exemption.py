"""Exemption from verification (ADR 0032): where the matter's rule allows it, a commitment of a
grade A subject is not verified by a regulator.

The verification flow asks ``exemption_decide`` when it opens the verification: the rule in
force for the template's matter and kind on the day, and the subject's grade from the credit
record, decide; the exemption is recorded (rule, grade, the platform as actor, when). If the
rule lets exempt commitments be drawn, the case waits until its window closes and may be
drawn for an on-site spot check meanwhile (``exemption_draw``: then it is verified like any
other); otherwise, or when the window closes undrawn, ``exemption_close`` decides the
commitment as exempt. The applicant's withdrawal before the decision ends an open or drawn
exemption too (``exemption_withdraw``). The commitment's history and the exemption's keep
every step.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from commitments.catalogue.models import ExemptionRule
from commitments.lifecycle.models import Commitment, VerificationExemption
from credit.record.selectors import risk_grade
from directory.audit import audited_save, system_user
from directory.city import city_date


def exemption_decide(
    *, commitment: Commitment, is_locked: bool = False
) -> VerificationExemption | None:
    """Record the exemption of a commitment under verification if its matter's rule allows it
    for its subject's grade today; None (and nothing written) otherwise.

    ``is_locked``: the caller opened the verification on this very row, under its lock, in
    this transaction, so no exemption can exist yet and the row need not be read again. The
    answer is kept on the commitment (``decided_exemption``) for the flow's next question.
    """
    if is_locked:
        decided = _exemption_decide(commitment)
    else:
        with transaction.atomic():
            locked = (
                Commitment.objects.select_for_update(of=("self",))
                .select_related("template")
                .get(pk=commitment.pk)
            )
            if locked.status != Commitment.Status.UNDER_VERIFICATION:
                return None
            existing = VerificationExemption.objects.filter(commitment=locked).first()
            decided = existing if existing is not None else _exemption_decide(locked)
    commitment.decided_exemption = decided
    return decided


def _exemption_decide(locked: Commitment) -> VerificationExemption | None:
    now = timezone.now()
    today = city_date(now)
    rule = ExemptionRule.in_force(
        matter_id=locked.template.matter_id, kind=locked.template.kind, on=today
    )
    if rule is None:
        return None
    grade = risk_grade(subject_id=locked.subject_id, on=today)
    if grade != ExemptionRule.EXEMPT_GRADE:
        return None
    exemption = VerificationExemption(
        commitment=locked,
        rule=rule,
        grade=grade,
        spot_checks_drawn=rule.spot_checks_drawn,
        reason=(
            f"grade {grade} subject; exemption rule {rule.pk} of matter "
            f"{locked.template.matter_id} in force from {rule.effective_from.isoformat()}"
        ),
        exempted_by=system_user(),
        exempted_at=now,
    )
    audited_save(exemption, by=exemption.exempted_by, reason=f"exempt under rule {rule.pk}")
    return exemption


@transaction.atomic
def exemption_draw(
    *, commitment: Commitment, by: AbstractBaseUser, draw_number: int
) -> VerificationExemption | None:
    """An open exemption drawn for an on-site spot check: the commitment is verified after all."""
    exemption = (
        VerificationExemption.objects.select_for_update().filter(commitment=commitment).first()
    )
    if exemption is None or exemption.status != VerificationExemption.Status.OPEN:
        return exemption
    exemption.draw(at=timezone.now(), draw_number=draw_number)
    audited_save(exemption, by=by, reason=f"drawn for a spot check in draw {draw_number}")
    return exemption


@transaction.atomic
def exemption_close(*, commitment: Commitment) -> Commitment:
    """The window closed (or the rule lets nobody draw it): the commitment is decided as exempt,
    by the platform. A commitment no longer under verification is left as it is."""
    locked = Commitment.objects.select_for_update(of=("self",)).get(pk=commitment.pk)
    exemption = VerificationExemption.objects.select_for_update().filter(commitment=locked).first()
    if (
        exemption is None
        or exemption.status != VerificationExemption.Status.OPEN
        or locked.status != Commitment.Status.UNDER_VERIFICATION
    ):
        return locked
    now, by = timezone.now(), system_user()
    exemption.close(at=now)
    audited_save(exemption, by=by, reason="closed as exempt")
    locked.close_exempt(at=now)
    audited_save(locked, by=by, reason=f"exempt from verification (rule {exemption.rule_id})")
    return locked


def exemption_withdraw(
    *, commitment: Commitment, by: AbstractBaseUser, reason: str, at
) -> VerificationExemption | None:
    """End the exemption of a commitment withdrawn before the decision (inside the withdrawal's
    transaction, the commitment's row already locked): who, when, from which state, why.

    An exemption already closed as exempt stays as it is (the commitment was decided, so it
    cannot be withdrawn anyway); None when the commitment was never exempt."""
    exemption = (
        VerificationExemption.objects.select_for_update().filter(commitment=commitment).first()
    )
    if exemption is None or exemption.status not in (
        VerificationExemption.Status.OPEN,
        VerificationExemption.Status.DRAWN,
    ):
        return exemption
    exemption.withdraw(at=at, by=by, reason=reason)
    audited_save(exemption, by=by, reason=f"commitment withdrawn while {exemption.withdrawn_from}")
    return exemption
