"""A regulator's seat is answered as ``exists()`` answers it, by statements compiled once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import RegulatorMembership
from directory.selectors import is_active_member
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [None, RegulatorMembership.Role.REGULATOR, RegulatorMembership.Role.SUPERVISOR]


def _orm(user_id: int, department_id: int, role: str | None) -> bool:
    """What the check sent before it was compiled: the ORM's ``exists()``."""
    seats = RegulatorMembership.objects.filter(
        user_id=user_id, department_id=department_id, is_active=True
    )
    return (seats if role is None else seats.filter(role=role)).exists()


def test_every_seat_is_answered_as_the_orms_exists_answers_it(world):
    left = UserFactory(username="left")
    MembershipFactory(user=left, department=world.department, is_active=False)
    users = [world.regulator, world.supervisor, world.foreign_regulator, left]
    departments = [world.department, world.other_department]
    cases = [(u.pk, d.pk, role) for u in users for d in departments for role in ROLES]

    with CaptureQueriesContext(connection) as queries:
        answers = [is_active_member(user_id=u, department_id=d, role=r) for u, d, r in cases]

    assert answers == [_orm(*case) for case in cases]
    assert answers.count(True) == 6  # each of the three seats, without its role and with it
    assert len(queries) == len(cases)  # one statement each, outside an action's memo
    # Two statements in all (with and without the role), each compiled once.
    by_shape = {(q["sql"].count("role"), q["sql"].split(" WHERE ")[0]) for q in queries}
    assert len(by_shape) == 2
