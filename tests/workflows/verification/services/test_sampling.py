"""Differential supervision: on-site spot checks drawn at the ratio the risk grade sets, logged
and reproducible."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.workflows.conftest import task_of
from tests.workflows.verification.bulk import bulk_open_tasks
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.models import SamplingDraw, SamplingPolicy, VerificationTaskIndex
from workflows.verification.services.sampling import sample_size, sampling_draw, sampling_replay


def test_the_seeded_policies_hold_the_ratios_per_grade(db):
    ratios = {p.grade: (p.ratio_min, p.ratio_max) for p in SamplingPolicy.objects.all()}

    assert ratios == {
        "A": (Decimal("0"), Decimal("0.05")),
        "B": (Decimal("0.05"), Decimal("0.20")),
        "C": (Decimal("0.21"), Decimal("0.60")),
        "D": (Decimal("0.61"), Decimal("1")),
    }


@pytest.mark.parametrize(
    "population,low,high,expected",
    [
        (100, "0", "0.05", 3),  # 2.5 rounds half up
        (100, "0.61", "1", 81),
        (10, "0.21", "0.60", 4),
        (3, "0.05", "0.20", 1),  # no whole number inside the range: the minimum, rounded up
        (0, "0.61", "1", 0),
    ],
)
def test_the_sample_size_stays_inside_the_ratio_range(population, low, high, expected):
    assert sample_size(population, Decimal(low), Decimal(high)) == expected


def test_a_draw_is_logged_and_reproducible(world, submitted_commitment):
    # given 20 open verifications of grade D and 20 of grade A
    bulk_open_tasks(submitted_commitment, 20, risk_grade="D")
    bulk_open_tasks(submitted_commitment, 20, risk_grade="A")
    VerificationTaskIndex.objects.filter(task_id=task_of(submitted_commitment).pk).update(
        risk_grade=""
    )

    # when the supervisor draws with a seed
    draw = sampling_draw(department=world.department, by=world.supervisor, seed="2026-11-22")

    # then the ratio per grade holds, the rows are marked and the draw is recorded
    assert len(draw.selected["D"]) == 16  # middle of 61–100 % of 20, rounded half up
    assert len(draw.selected["A"]) == 1
    assert draw.inputs["ungraded"] == 1
    assert VerificationTaskIndex.objects.filter(is_spot_check=True, method="on_site").count() == 17
    assert (draw.seed, draw.drawn_by) == ("2026-11-22", world.supervisor)
    # and replaying the inputs with the seed gives the same selection
    assert sampling_replay(draw=draw) == draw.selected


def test_the_same_seed_on_the_same_population_draws_the_same(world, submitted_commitment):
    bulk_open_tasks(submitted_commitment, 30, risk_grade="C")
    first = sampling_draw(department=world.department, by=world.supervisor, seed="s1")
    VerificationTaskIndex.objects.update(is_spot_check=False)

    second = sampling_draw(department=world.department, by=world.supervisor, seed="s1")
    VerificationTaskIndex.objects.update(is_spot_check=False)
    other = sampling_draw(department=world.department, by=world.supervisor, seed="s2")

    assert first.selected["C"] == second.selected["C"]
    assert first.selected["C"] != other.selected["C"]


def test_only_a_supervisor_draws(world, submitted_commitment):
    with pytest.raises(WorkflowError) as refused:
        sampling_draw(department=world.department, by=world.regulator)

    assert refused.value.code == WorkflowErrorCode.FORBIDDEN
    assert SamplingDraw.objects.count() == 0
