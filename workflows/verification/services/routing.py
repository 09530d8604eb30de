"""Where a signed commitment goes and who may verify it, from the routing rules (data).

``route_commitment`` reads ``RoutingRule`` rows: the active rules on the commitment's matter
for its region or any region above it whose field condition the commitment satisfies. The
highest priority wins; ties go to the nearer region, then to a rule with a field condition,
then to the older rule. Without a matching rule the department comes from ``Competence``
(every regulator of it eligible), as before routing rules existed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from commitments.lifecycle.models import Commitment
from directory import selectors as directory_selectors
from directory.compiled import CompiledQuery
from directory.models import Department, RegulatorMembership, RoutingRule


@dataclass(frozen=True)
class Route:
    """The competent department, the rule that chose it and who may verify (None: anyone)."""

    department: Department
    rule: RoutingRule | None
    eligible_user_ids: frozenset[int] | None

    def allows(self, user_id: int | None) -> bool:
        return self.eligible_user_ids is None or user_id in self.eligible_user_ids


def _rule_route(rule: RoutingRule) -> Route:
    eligible = frozenset(rule.eligible_regulators.values_list("pk", flat=True))
    return Route(department=rule.department, rule=rule, eligible_user_ids=eligible or None)


def _rules(matter_id: int, *region_ids: int) -> QuerySet[RoutingRule]:
    return RoutingRule.objects.filter(
        matter_id=matter_id, region_id__in=list(region_ids), is_active=True
    ).select_related("department")


# Asked for every commitment signed, for a district and its city most often: compiled once
# for each number of regions (directory.compiled).
_RULES = {
    count: CompiledQuery(_rules, -1_730_100_801, *range(-1_730_100_811, -1_730_100_811 - count, -1))
    for count in (1, 2, 3, 4)
}


def route_commitment(*, commitment: Commitment) -> Route | None:
    """The route of a commitment; None when no rule and no competence covers it."""
    lineage = commitment.region.lineage()
    distance = {region.pk: position for position, region in enumerate(lineage)}
    keys = [region.pk for region in lineage]
    compiled = _RULES.get(len(keys))
    rules = (
        compiled.models(commitment.template.matter_id, *keys)
        if compiled is not None
        else _rules(commitment.template.matter_id, *keys)
    )
    candidates = [rule for rule in rules if rule.matches(commitment.field_values)]
    if candidates:
        best = min(
            candidates,
            key=lambda rule: (
                -rule.priority,
                distance[rule.region_id],
                0 if rule.field_name else 1,
                rule.pk,
            ),
        )
        return _rule_route(best)
    department = directory_selectors.competent_department(
        matter=commitment.template.matter, region=commitment.region
    )
    if department is None:
        return None
    return Route(department=department, rule=None, eligible_user_ids=None)


def route_of_rule(*, department: Department, rule_id: int | None) -> Route:
    """The route a task was given, from the rule recorded when its process started."""
    if rule_id is not None:
        rule = RoutingRule.objects.select_related("department").filter(pk=rule_id).first()
        if rule is not None and rule.department_id == department.pk:
            return _rule_route(rule)
    return Route(department=department, rule=None, eligible_user_ids=None)


def may_verify(*, user: AbstractBaseUser, department_id: int, rule_id: int | None) -> bool:
    """Whether a regulator is eligible under the task's routing rule (supervisors always are)."""
    if rule_id is None:
        return True
    if RegulatorMembership.objects.filter(
        user=user,
        department_id=department_id,
        role=RegulatorMembership.Role.SUPERVISOR,
        is_active=True,
    ).exists():
        return True
    rule = RoutingRule.objects.filter(pk=rule_id).first()
    if rule is None:
        return True
    eligible = rule.eligible_regulators.all()
    return not eligible.exists() or eligible.filter(pk=user.pk).exists()
