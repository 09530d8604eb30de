"""Routing as data: rules choose the department and who may verify; assignment honours them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from viewflow.workflow.status import STATUS

from directory.calendar import is_working_day
from directory.models import RoutingRule
from tests.factories import DepartmentFactory, MembershipFactory, RegionFactory, UserFactory
from tests.workflows.conftest import submit_commitment, task_of
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services.work import verification_task_claim, verification_task_release


def _rule(world, **kwargs) -> RoutingRule:
    defaults = {
        "name": "rule",
        "matter": world.matter,
        "region": world.region,
        "department": world.department,
        "priority": 100,
    }
    defaults.update(kwargs)
    eligible = defaults.pop("eligible", ())
    rule = RoutingRule.objects.create(**defaults)
    rule.eligible_regulators.set(eligible)
    return rule


def test_without_rules_competence_still_routes(world):
    commitment = submit_commitment(world)

    assert commitment.department == world.department
    assert task_of(commitment).owner == world.regulator


def test_a_rule_routes_to_its_department_and_only_its_eligible_regulators(world):
    # given a rule sending the matter to the department, verifiable by regulator2 only
    _rule(world, eligible=[world.other_regulator])

    # when two commitments are signed
    first, second = submit_commitment(world), submit_commitment(world)

    # then both go to regulator2, even though regulator is idle
    assert task_of(first).owner == world.other_regulator
    assert task_of(second).owner == world.other_regulator


def test_a_field_value_rule_overrides_the_general_rule(world):
    # given a general rule and a higher-priority rule for one scope of business
    housing_regulator = UserFactory(username="housing-food")
    MembershipFactory(user=housing_regulator, department=world.other_department)
    _rule(world, name="general", priority=10)
    _rule(
        world,
        name="hot food",
        priority=50,
        field_name="scope",
        field_value="热食类食品制售",
        department=world.other_department,
    )

    commitment = submit_commitment(world)

    assert commitment.department == world.other_department
    assert task_of(commitment).owner in (housing_regulator, world.foreign_regulator)


def test_a_rule_for_a_parent_region_applies_below_it(world):
    province = RegionFactory(code="440000", name="广东省")
    world.region.parent = province
    world.region.save()
    provincial = DepartmentFactory(code="gd-amr", region=province)
    inspector = UserFactory(username="gd-inspector")
    MembershipFactory(user=inspector, department=provincial)
    _rule(world, region=province, department=provincial, priority=200)

    commitment = submit_commitment(world)

    assert commitment.department == provincial
    assert task_of(commitment).owner == inspector


def test_a_task_nobody_eligible_can_take_waits_in_the_queue(world):
    outsider = UserFactory(username="not-a-member")
    _rule(world, eligible=[outsider])

    commitment = submit_commitment(world)

    task = task_of(commitment)
    assert (task.status, task.owner) == (STATUS.NEW, None)
    assert VerificationTaskIndex.objects.get(task=task).owner is None


def test_an_ineligible_regulator_cannot_claim(world):
    _rule(world, eligible=[world.other_regulator])
    commitment = submit_commitment(world)
    task = verification_task_release(task=task_of(commitment), by=world.other_regulator)

    with pytest.raises(WorkflowError) as refused:
        verification_task_claim(task=task, by=world.regulator)

    assert refused.value.code == WorkflowErrorCode.FORBIDDEN
    task.refresh_from_db()
    assert (task.status, task.owner) == (STATUS.NEW, None)


def test_every_rule_change_is_in_history(world, admin_client):
    rule = _rule(world, eligible=[world.regulator])

    response = admin_client.post(
        reverse("admin:directory_routingrule_change", args=[rule.pk]),
        {
            "name": "renamed",
            "matter": world.matter.pk,
            "region": world.region.pk,
            "field_name": "",
            "field_value": "",
            "department": world.department.pk,
            "eligible_regulators": [world.other_regulator.pk],
            "priority": 120,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    history = list(rule.history.order_by("history_id"))
    assert (history[0].name, history[-1].name) == ("rule", "renamed")
    assert history[-1].history_user.is_superuser
    assert list(rule.eligible_regulators.values_list("username", flat=True)) == ["regulator2"]
    assert history[-1].eligible_regulators.count() == 1


def test_the_admin_can_extend_the_working_day_calendar(world, admin_client):
    response = admin_client.post(
        reverse("admin:directory_workingdayoverride_add"),
        {"date": "2027-10-09", "is_working_day": "on", "note": "2027 国庆调休上班"},
    )

    assert response.status_code == 302
    assert is_working_day(datetime.date(2027, 10, 9)) is True
