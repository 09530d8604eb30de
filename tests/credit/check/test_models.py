"""The models of "check every case": every factory makes a row the model accepts."""

from __future__ import annotations

import pytest

from tests.factories import CallingSystemFactory, CheckQueryFactory


@pytest.mark.parametrize(
    "factory", [CallingSystemFactory, CheckQueryFactory], ids=lambda f: f.__name__
)
def test_every_factory_makes_a_valid_row(db, factory):
    row = factory()

    row.full_clean()
    assert type(row).objects.filter(pk=row.pk).exists()


def test_a_calling_system_acts_as_its_own_user(db):
    system = CallingSystemFactory(code="approval-platform")

    assert (system.user.username, system.user.calling_system) == ("approval-platform", system)
