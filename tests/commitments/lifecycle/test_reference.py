"""References carry the city's date (China Standard Time), never UTC's."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from commitments.lifecycle.services.commitments import commitment_create
from tests.workflows.conftest import FIELD_VALUES


def _reference_at(world, moment: datetime) -> str:
    with time_machine.travel(moment, tick=False):
        return commitment_create(
            by=world.applicant,
            subject=world.subject,
            template=world.template,
            field_values=FIELD_VALUES,
        ).reference


def test_a_draft_made_at_23_30_utc_is_dated_the_next_day_as_in_beijing(world):
    # 2026-12-04 23:30 UTC is 2026-12-05 07:30 in Beijing
    assert _reference_at(world, datetime(2026, 12, 4, 23, 30, tzinfo=UTC)).startswith("CN20261205")


def test_a_draft_made_at_15_59_utc_keeps_the_same_day(world):
    assert _reference_at(world, datetime(2026, 12, 4, 15, 59, tzinfo=UTC)).startswith("CN20261204")
