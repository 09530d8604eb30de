"""A deadline in a year whose official calendar is not announced is shown as provisional to the
applicant and in the API; once announced, one the announcement moves is under review."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from commitments.obligations.models import Obligation
from directory.models import WorkingDayOverride
from tests.commitments.obligations.conftest import SHANGHAI
from tests.factories import CalendarYearFactory
from tests.workflows.conftest import submit_commitment

SIGNED_AT = datetime.datetime(2026, 12, 18, 10, 0, tzinfo=SHANGHAI)  # a Friday
LIST = "/api/v1/obligations/"


@pytest.fixture(autouse=True)
def _english(english):
    """Assert on the English source messages."""


@pytest.fixture
def obligation(world) -> Obligation:
    """An obligation of 20 working days from Friday 18 December 2026: due in January 2027."""
    with time_machine.travel(SIGNED_AT, tick=False):
        commitment = submit_commitment(world)
    return Obligation.objects.get(commitment=commitment)


def _listed(api_as, user) -> dict:
    client = api_as(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with time_machine.travel(SIGNED_AT, tick=False):
        return client.get(LIST).json()["results"][0]


def test_a_deadline_in_2027_is_provisional_in_the_api(world, obligation, api_as):
    listed = _listed(api_as, world.applicant)

    assert listed["due_date"] == "2027-01-18"
    assert listed["due_provisional"] is True
    assert listed["due_under_review"] is None
    assert listed["due_explanation"].endswith(
        "provisional: the official holiday arrangement for 2027 has not been announced yet"
    )


def test_the_verification_deadline_in_2027_is_provisional_in_the_commitment(
    world, obligation, api_as
):
    client = api_as(world.applicant)
    with time_machine.travel(SIGNED_AT, tick=False):
        detail = client.get(f"/api/v1/commitments/{obligation.commitment.reference}/").json()

    assert detail["verification_due_at"].startswith("2027-")
    assert detail["verification_due_provisional"] is True
    assert detail["obligations"][0]["due_provisional"] is True


def test_the_applicant_sees_the_due_date_marked_provisional(world, obligation):
    client = Client(headers={"accept-language": "en"})
    with time_machine.travel(SIGNED_AT, tick=False):  # signed in on the day, not today
        client.force_login(world.applicant)
        page = client.get(reverse("commitments:obligations")).content.decode()

    assert 'data-testid="due-provisional">provisional</span>' in page


def test_once_announced_a_moved_deadline_is_under_review_and_keeps_its_date(
    world, obligation, api_as
):
    # given the announcement: Saturday 2 January 2027 made a working day, the year recorded
    WorkingDayOverride.objects.create(
        date=datetime.date(2027, 1, 2), is_working_day=True, note="元旦调休上班"
    )
    CalendarYearFactory(year=2027)

    # when
    listed = _listed(api_as, world.applicant)

    # then the stated date stands, flagged with the announced calendar's day
    assert listed["due_date"] == "2027-01-18"
    assert listed["due_provisional"] is False
    assert listed["due_under_review"] == "2027-01-15"
    obligation.refresh_from_db()
    assert obligation.due_date == datetime.date(2027, 1, 18)
