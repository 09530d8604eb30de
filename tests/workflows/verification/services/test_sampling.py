"""Differential supervision: on-site spot checks drawn at the ratio the risk grade sets, logged
and reproducible."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command

from signing.register.models import LogLeaf
from signing.register.receipts import platform_root_certificate
from tests.workflows.conftest import task_of
from tests.workflows.verification.bulk import bulk_open_tasks
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.models import SamplingDraw, SamplingPolicy, VerificationTaskIndex
from workflows.verification.services.sampling import (
    draw_sample,
    sample_size,
    sampling_draw,
    sampling_replay,
)

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "verify_draw.py"


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
    assert (draw.inputs["beacon"]["phrase"], draw.drawn_by) == ("2026-11-22", world.supervisor)
    # and replaying the inputs with the seed gives the same selection
    assert sampling_replay(draw=draw) == draw.selected


def test_the_same_seed_on_the_same_population_draws_the_same():
    population = list(range(100, 130))
    first = draw_sample(seed="s1", grade="C", population=population, count=12)
    assert first == draw_sample(seed="s1", grade="C", population=population[::-1], count=12)
    assert first != draw_sample(seed="s2", grade="C", population=population, count=12)


def test_each_draw_is_seeded_by_a_checkpoint_signed_after_its_population_was_logged(
    world, submitted_commitment
):
    bulk_open_tasks(submitted_commitment, 30, risk_grade="C")
    first = sampling_draw(department=world.department, by=world.supervisor, seed="s1")
    VerificationTaskIndex.objects.update(is_spot_check=False)
    second = sampling_draw(department=world.department, by=world.supervisor, seed="s1")

    beacons = [first.inputs["beacon"], second.inputs["beacon"]]
    # the same population and phrase, yet a later checkpoint: a seed nobody could pick
    assert beacons[0]["population_hash"] == beacons[1]["population_hash"]
    assert beacons[0]["checkpoint"]["tree_size"] < beacons[1]["checkpoint"]["tree_size"]
    assert first.seed != second.seed
    leaf = LogLeaf.objects.get(index=beacons[1]["leaf_index"])
    assert (leaf.event_type, bytes(leaf.leaf_hash).hex()) == ("sampling", beacons[1]["leaf_hash"])
    assert beacons[1]["leaf_index"] < beacons[1]["checkpoint"]["tree_size"]


def _published(draw) -> str:
    out = io.StringIO()
    call_command("sampling_draw_export", str(draw.pk), stdout=out)
    return out.getvalue()


def _verify(path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script, our own interpreter
        [sys.executable, str(SCRIPT), str(path), *extra],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_standalone_script_recomputes_a_real_draw_and_catches_a_changed_one(
    world, submitted_commitment, tmp_path
):
    bulk_open_tasks(submitted_commitment, 25, risk_grade="D")
    bulk_open_tasks(submitted_commitment, 25, risk_grade="B")
    draw = sampling_draw(department=world.department, by=world.supervisor, seed="公开抽取")
    published = tmp_path / "draw.json"
    published.write_text(_published(draw), encoding="utf-8")
    root = tmp_path / "root.pem"
    root.write_bytes(platform_root_certificate().public_bytes(serialization.Encoding.PEM))

    verified = _verify(published, "--root", str(root))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "draw verified" in verified.stdout and "issued by the given root" in verified.stdout

    changed = json.loads(published.read_text(encoding="utf-8"))
    changed["selected"]["D"] = changed["selected"]["D"][1:] + [
        changed["inputs"]["grades"]["B"]["population"][0]
    ]
    published.write_text(json.dumps(changed), encoding="utf-8")
    refused = _verify(published)
    assert refused.returncode == 1 and "step 4" in refused.stdout

    changed["inputs"]["grades"]["D"]["population"].pop()  # a population changed afterwards
    published.write_text(json.dumps(changed), encoding="utf-8")
    assert "step 1" in _verify(published).stdout


def test_only_a_supervisor_draws(world, submitted_commitment):
    with pytest.raises(WorkflowError) as refused:
        sampling_draw(department=world.department, by=world.regulator)

    assert refused.value.code == WorkflowErrorCode.FORBIDDEN
    assert SamplingDraw.objects.count() == 0
