"""Fixtures of the verification tests; the shared ones (a signed commitment, its tasks, English)
are in ``tests/workflows/conftest.py``.

The API tests use the token client and the draft created over the API of ``tests/api``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from workflows.verification.models import SamplingPolicy


@pytest.fixture
def every_grade_a_drawn(db):
    """A sampling policy drawing every grade A case (the seeded one draws 0–5 %)."""
    return SamplingPolicy.objects.create(
        grade="A",
        ratio_min=Decimal("1"),
        ratio_max=Decimal("1"),
        effective_from=timezone.localdate(),
        note="test: every case",
    )
