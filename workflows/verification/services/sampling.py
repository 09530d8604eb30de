"""Differential supervision: on-site spot checks drawn at the ratio the risk grade sets.

A supervisor draws for the department's open verifications. For each grade the policy in
force gives a ratio range; the draw takes the middle of the range (rounded, kept inside
it) of that grade's open verification tasks (one per commitment under verification),
chosen with ``random.Random`` seeded by the draw's seed and the grade. The seed comes from a
register checkpoint signed after the population was fixed and logged (``beacon``); the
seed, the population, the policy and that checkpoint go into a ``SamplingDraw`` row, so
anyone can check the seed and replay the draw (``sampling_replay``, or
``scripts/verify_draw.py`` outside the platform) and get the same selection.
"""

from __future__ import annotations

import logging
import math
import random
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.lifecycle.models import Commitment, VerificationExemption
from commitments.lifecycle.services.exemption import exemption_draw
from directory.models import Department, Matter, RegulatorMembership
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import (
    RiskGrade,
    SamplingDraw,
    TaskPriority,
    VerificationTaskIndex,
)
from workflows.verification.selectors.seats import is_department_member
from workflows.verification.selectors.supervision import policy_in_force
from workflows.verification.services.assignment import department_lock
from workflows.verification.services.beacon import beacon_seed

logger = logging.getLogger(__name__)


def sample_size(population: int, ratio_min: Decimal, ratio_max: Decimal) -> int:
    """The middle of the ratio range of ``population``, rounded half up, kept inside it."""
    if population <= 0:
        return 0
    low = math.ceil(population * ratio_min)
    high = math.floor(population * ratio_max)
    middle = int(population * (ratio_min + ratio_max) / 2 + Decimal("0.5"))
    if low > high:  # the range holds no whole number: take the minimum
        return min(low, population)
    return max(low, min(middle, high))


def draw_sample(*, seed: str, grade: str, population: list[int], count: int) -> list[int]:
    """Deterministic: the same seed, grade and population give the same selection."""
    rng = random.Random(f"{seed}:{grade}")
    return sorted(rng.sample(sorted(population), count))


@transaction.atomic
def sampling_draw(
    *,
    department: Department,
    by: AbstractBaseUser,
    matter: Matter | None = None,
    seed: str | None = None,
) -> SamplingDraw:
    """Draw on-site spot checks among the department's open, not yet drawn verifications.

    ``seed`` is the supervisor's optional phrase: it is mixed into the seed, which itself
    comes from the register checkpoint that logs the fixed population (``beacon``)."""
    if not is_department_member(by, department.pk, role=RegulatorMembership.Role.SUPERVISOR):
        raise WorkflowError(
            WorkflowErrorCode.FORBIDDEN,
            _("Only a supervisor of the department can draw spot checks."),
        )
    phrase = (seed or "").strip()
    if len(phrase) > 64:
        raise WorkflowError(
            WorkflowErrorCode.INVALID, _("The seed is at most 64 characters."), field="seed"
        )
    department_lock(department)  # one draw at a time per department
    rows = VerificationTaskIndex.objects.select_for_update().filter(
        department=department, is_escalated=False, is_spot_check=False
    )
    if matter is not None:
        rows = rows.filter(matter=matter)
    by_grade: dict[str, list[int]] = {grade: [] for grade in RiskGrade.values}
    ungraded = 0
    references: dict[int, str] = {}
    for task_id, grade, reference in rows.values_list("task_id", "risk_grade", "reference"):
        references[task_id] = reference
        if grade in by_grade:
            by_grade[grade].append(task_id)
        else:
            ungraded += 1
    # Exempt commitments whose rule lets them be drawn join their grade's population.
    exempt = exempt_waiting(department=department, matter=matter)
    for task_id, (grade, reference) in exempt.items():
        references[task_id] = reference
        by_grade.setdefault(grade, []).append(task_id)
    inputs: dict = {
        "department": department.code,
        "matter": matter.code if matter else None,
        "ungraded": ungraded,
        "exempt": sorted(exempt),
        "grades": {},
    }
    selected: dict[str, list[int]] = {}
    for grade, population in by_grade.items():
        policy = policy_in_force(grade=grade)
        if policy is None:
            inputs["grades"][grade] = {"population": sorted(population), "policy": None}
            selected[grade] = []
            continue
        count = sample_size(len(population), policy.ratio_min, policy.ratio_max)
        inputs["grades"][grade] = {
            "population": sorted(population),
            "policy": {
                "ratio_min": str(policy.ratio_min),
                "ratio_max": str(policy.ratio_max),
                "effective_from": policy.effective_from.isoformat(),
            },
            "count": count,
        }
    seed, inputs["beacon"] = beacon_seed(inputs=inputs, phrase=phrase)
    for grade, facts in inputs["grades"].items():
        if facts["policy"] is None:
            continue
        selected[grade] = draw_sample(
            seed=seed, grade=grade, population=facts["population"], count=facts["count"]
        )
    chosen = [pk for picks in selected.values() for pk in picks]
    inputs["selected_references"] = {str(pk): references[pk] for pk in chosen}
    draw = SamplingDraw.objects.create(
        department=department,
        seed=seed,
        inputs=inputs,
        selected=selected,
        drawn_by=by,
        drawn_at=timezone.now(),
    )
    drawn_exempt = [pk for pk in chosen if pk in exempt]
    exempt_processes = exempt_draw(task_ids=drawn_exempt, by=by, draw=draw)
    VerificationTaskIndex.objects.filter(
        Q(task_id__in=chosen) | Q(process_id__in=exempt_processes),
        department=department,
        is_escalated=False,
    ).update(is_spot_check=True, method="on_site", priority=TaskPriority.HIGH, spot_check_draw=draw)
    logger.info(
        "sampling draw %s in %s by %s: seed=%s selected=%s",
        draw.pk,
        department.code,
        by.pk,
        seed,
        selected,
    )
    return draw


def exempt_waiting(*, department: Department, matter: Matter | None) -> dict[int, tuple]:
    """The waiting tasks of the department's exempt commitments that may still be drawn:
    {task id: (grade recorded at the exemption, reference)}."""
    tasks = Task.objects.filter(
        flow_task=get_task_ref(InformCommitFlow.exempted),
        status=STATUS.NEW,
        process__commitment__department=department,
        process__commitment__exemption__status=VerificationExemption.Status.OPEN,
        process__commitment__exemption__spot_checks_drawn=True,
    )
    if matter is not None:
        tasks = tasks.filter(process__commitment__template__matter=matter)
    return {
        task_id: (grade, reference)
        for task_id, grade, reference in tasks.select_for_update(of=("self",)).values_list(
            "pk", "process__commitment__exemption__grade", "process__commitment__reference"
        )
    }


def exempt_draw(*, task_ids: list[int], by: AbstractBaseUser, draw: SamplingDraw) -> list[int]:
    """Send each drawn exempt commitment to verification (its waiting node ends, a ``verify``
    task follows) and record the draw on its exemption; the processes moved on."""
    processes = []
    for task in Task.objects.filter(pk__in=task_ids).order_by("pk"):
        commitment = Commitment.objects.get(process_id=task.process_id)
        exemption_draw(commitment=commitment, by=by, draw_number=draw.pk)
        InformCommitFlow.exempted.run(task)
        processes.append(task.process_id)
    return processes


def sampling_replay(*, draw: SamplingDraw) -> dict[str, list[int]]:
    """Recompute a draw from its recorded seed and inputs (it must equal ``draw.selected``)."""
    return {
        grade: draw_sample(
            seed=draw.seed, grade=grade, population=facts["population"], count=facts.get("count", 0)
        )
        if facts.get("policy")
        else []
        for grade, facts in draw.inputs["grades"].items()
    }
