"""When a record may be repaired, and why not yet.

The one place the repair rules are applied to a record: the record's state, the category's
repair rule (``credit.RepairRule``, held as data), the minimum publicity period of the rule
set in force on the record date, how often the subject may repair, and an application already
open. Every refusal names the rule it follows from. Pure reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from credit.record.models.breaches import Breach
from credit.record.models.rules import RepairRule
from credit.record.rules import add_months
from workflows.repair.models import RepairApplication


@dataclass(frozen=True)
class Refusal:
    """Why a repair cannot be applied for: a stable code, the field, a message and the rule."""

    code: str
    field: str
    message: str
    rule: str


@dataclass(frozen=True)
class Eligibility:
    breach: Breach
    eligible_from: date
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def is_eligible(self) -> bool:
        return not self.refusals


def repair_rule_for(*, category_id: int) -> RepairRule | None:
    """The category's own repair rule, else the default one (None: no rule, repairable)."""
    rules = {r.category_id: r for r in RepairRule.objects.filter(category_id__in=[category_id])}
    if category_id in rules:
        return rules[category_id]
    return RepairRule.objects.filter(category__isnull=True).first()


def _granted_since(*, subject_id: int, since: date) -> int:
    return RepairApplication.objects.filter(
        subject_id=subject_id, status=RepairApplication.Status.GRANTED, decided_on__gt=since
    ).count()


def repair_eligibilities(*, breaches: list[Breach], on: date | None = None) -> list[Eligibility]:
    """``repair_eligibility`` for a subject's records with a fixed number of queries."""
    on = on or timezone.localdate()
    rules = {r.category_id: r for r in RepairRule.objects.all()}
    open_ids = set(
        RepairApplication.objects.filter(
            breach__in=breaches, status=RepairApplication.Status.SUBMITTED
        ).values_list("breach_id", flat=True)
    )
    counts: dict[tuple[int, int], int] = {}
    results = []
    for breach in breaches:
        rule = rules.get(breach.category_id) or rules.get(None)
        key = (breach.subject_id, rule.period_months if rule else 0)
        if rule is not None and rule.max_repairs is not None and key not in counts:
            counts[key] = _granted_since(
                subject_id=breach.subject_id, since=add_months(on, -rule.period_months)
            )
        results.append(
            repair_eligibility(
                breach=breach,
                on=on,
                rule=rule,
                granted=counts.get(key, 0),
                has_open=breach.pk in open_ids,
            )
        )
    return results


_UNSET = object()


def repair_eligibility(
    *,
    breach: Breach,
    on: date | None = None,
    rule=_UNSET,
    granted: int | None = None,
    has_open: bool | None = None,
) -> Eligibility:
    """Whether the subject may apply to repair ``breach`` on a day, and from when."""
    on = on or timezone.localdate()
    refusals: list[Refusal] = []
    rule_set = breach.rule_set
    if breach.status not in Breach.LIVE:
        refusals.append(
            Refusal(
                "invalid_state",
                "breach",
                _("This record is %(status)s: there is nothing to repair.")
                % {"status": breach.get_status_display()},
                rule_set.name,
            )
        )
    if rule is _UNSET:
        rule = repair_rule_for(category_id=breach.category_id)
    if rule is not None and not rule.is_repairable:
        refusals.append(
            Refusal(
                "not_repairable",
                "breach",
                _("Records of the category “%(category)s” cannot be repaired.")
                % {"category": breach.category.name},
                rule.legal_basis,
            )
        )
    if on < breach.publicity_min_until:
        refusals.append(
            Refusal(
                "minimum_period",
                "breach",
                _(
                    "The minimum publicity period of this %(severity)s record runs until "
                    "%(day)s; repair may be applied for from that day."
                )
                % {
                    "severity": breach.get_severity_display().lower(),
                    "day": breach.publicity_min_until,
                },
                f"{rule_set.name} ({rule_set.legal_basis})",
            )
        )
    if rule is not None and rule.max_repairs is not None:
        if granted is None:
            granted = _granted_since(
                subject_id=breach.subject_id, since=add_months(on, -rule.period_months)
            )
        if granted >= rule.max_repairs:
            refusals.append(
                Refusal(
                    "frequency_limit",
                    "breach",
                    _(
                        "%(count)d repairs were already granted to this subject in the last "
                        "%(months)d months; at most %(max)d are allowed."
                    )
                    % {"count": granted, "months": rule.period_months, "max": rule.max_repairs},
                    rule.legal_basis,
                )
            )
    if has_open is None:
        has_open = breach.repairs.filter(status=RepairApplication.Status.SUBMITTED).exists()
    if has_open:
        refusals.append(
            Refusal(
                "already_open",
                "breach",
                _("A repair application for this record is open: wait for its decision."),
                rule_set.name,
            )
        )
    return Eligibility(breach=breach, eligible_from=breach.publicity_min_until, refusals=refusals)
