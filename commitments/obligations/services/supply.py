"""Accept now, supply later (容缺受理): the missing items of an application are obligations
with deadlines in working days. The applicant supplies an item (a performance report with at
least one file) until the last day of its grace period (the template's warning policy, in
working days); an officer accepts it. An item not supplied by then is breached by the sweep,
which also records the template's stated consequence for the approval (suspended or revoked),
attributable to the system user.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.errors import CommitmentError, ErrorCode, invalid_input
from commitments.obligations.models import ApprovalConsequence, Obligation, WarningPolicy
from commitments.obligations.services.ladder import grace_end
from directory.audit import audited_save
from directory.city import city_date


def is_supply_later(obligation: Obligation) -> bool:
    return obligation.commitment.template.rules.items_supplied_later


def supply_last_day(*, obligation: Obligation) -> datetime.date:
    """The last day an item may still be supplied: its deadline plus the grace period the
    template's warning policy states (in its unit, working days on the official calendar);
    the breach and the approval's consequence fall due when that day ends."""
    policy = WarningPolicy.objects.filter(template_id=obligation.commitment.template_id).first()
    if policy is None:
        return obligation.due_date
    return grace_end(policy=policy, due_date=obligation.due_date).due_date


def supply_check(*, obligation: Obligation, files, now=None) -> None:
    """Refuse an item supplied after its deadline and grace period, or without the file that
    is the item."""
    today = city_date(now or timezone.now())
    last_day = supply_last_day(obligation=obligation)
    if today > last_day:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _(
                "This item was due on %(due)s (grace period to %(last)s) and can no longer be "
                "supplied; the approval's stated consequence applies."
            )
            % {"due": obligation.due_date.isoformat(), "last": last_day.isoformat()},
            field="due_date",
        )
    if not files:
        raise invalid_input("files", _("Attach the missing item (a PDF, PNG or JPEG file)."))


def approval_consequence_record(
    *, obligation: Obligation, by: AbstractBaseUser, now=None
) -> ApprovalConsequence | None:
    """Record the template's consequence for the approval of an item not supplied (once)."""
    template = obligation.commitment.template
    if not template.consequence:
        return None
    existing = ApprovalConsequence.objects.filter(obligation=obligation).first()
    if existing is not None:
        return existing
    consequence = ApprovalConsequence(
        commitment=obligation.commitment,
        obligation=obligation,
        consequence=template.consequence,
        reason=(
            f"Item not supplied by {obligation.due_date.isoformat()}: "
            f"{obligation.title_zh_hans or obligation.title}"
        ),
        recorded_by=by,
        recorded_at=now or timezone.now(),
    )
    audited_save(consequence, by=by, reason=f"approval consequence: {template.consequence}")
    return consequence
