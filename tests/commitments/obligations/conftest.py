"""Fixtures for following obligations through: a template with a warning ladder, a commitment
signed on a known Monday, and a clock to move."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from commitments.lifecycle.models import Commitment
from commitments.obligations.models import Obligation, WarningPolicy, WarningSchedule, WarningStep
from directory.models import DeadlineUnit
from tests.workflows.conftest import submit_commitment

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2026-03-02; 20 working days later (no holidays in between) is Monday 2026-03-30.
SIGNED_AT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
DUE_DATE = datetime.date(2026, 3, 30)


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def install_ladder(template) -> dict[str, WarningStep]:
    """7 and 1 working days before, on the day, 1 working day after (applicant and regulator),
    and a breach after a 5-working-day grace period."""
    WarningPolicy.objects.create(
        template=template,
        grace_period=5,
        grace_unit=DeadlineUnit.WORKING_DAYS,
        breach_severity="general",
        breach_category_code="missed_obligation",
    )
    spec = {
        "before7": ("before", 7, "applicant", ["email", "inapp"]),
        "before1": ("before", 1, "applicant", ["email", "sms", "inapp"]),
        "at": ("at", 0, "applicant", ["email", "inapp"]),
        "after1": ("after", 1, "applicant", ["email", "inapp"]),
        "after1_regulator": ("after", 1, "regulator", ["email", "inapp"]),
    }
    return {
        name: WarningStep.objects.create(
            template=template,
            relative=relative,
            offset=offset,
            unit=DeadlineUnit.WORKING_DAYS,
            audience=audience,
            channels=channels,
        )
        for name, (relative, offset, audience, channels) in spec.items()
    }


def plan_of(obligation) -> dict:
    """The obligation's planned ladder: (relative, offset, audience) or "breach" → (due, status)."""
    return {
        (row.step.relative, row.step.offset, row.step.audience) if row.step else "breach": (
            row.due_at,
            row.status,
        )
        for row in WarningSchedule.objects.filter(obligation=obligation).select_related("step")
    }


@pytest.fixture
def ladder(world) -> dict[str, WarningStep]:
    return install_ladder(world.template)


@pytest.fixture
def signed(world, ladder) -> Commitment:
    """A commitment signed on Monday 2 March 2026, its obligation due on 30 March."""
    with time_machine.travel(SIGNED_AT, tick=False):
        return submit_commitment(world)


@pytest.fixture
def obligation(signed) -> Obligation:
    return Obligation.objects.get(commitment=signed)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _english(english):
    """Assert on the English source messages whatever catalogue is installed."""
