"""While an open deadline falls in a year whose official calendar is not announced, the
regulator's workspace and the administration say so; once it is entered, they stop."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.commitments.obligations.conftest import SHANGHAI
from tests.factories import CalendarYearFactory, UserFactory
from tests.workflows.conftest import submit_commitment
from workflows.selectors import calendar_years_to_announce

SIGNED_AT = datetime.datetime(2026, 12, 18, 10, 0, tzinfo=SHANGHAI)  # deadlines run into 2027
WARNING = 'data-testid="calendar-unannounced"'


@pytest.fixture
def signed_in_december(world):
    with time_machine.travel(SIGNED_AT, tick=False):
        return submit_commitment(world)


def _page(user, url: str) -> str:
    client = Client(headers={"accept-language": "en"})
    with time_machine.travel(SIGNED_AT, tick=False):  # signed in on the day, not today
        client.force_login(user)
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_each_kind_of_deadline_is_one_max_over_its_indexed_columns(world, signed_in_december):
    """Shown on every workspace page: its cost must not grow with the open items. Each kind
    is one MAX with the status and the deadline compared as stored, so PostgreSQL reads it
    from the end of the (status, deadline) index (EXPLAIN ANALYZE at a million commitments
    in docs/benchmarks.md: 0.3 ms, was 752 ms for the DISTINCT years of every item, the
    deadline converted to a local date first so no index bounded it). A test's few rows get
    whatever plan is cheapest for them, so the SQL is checked, not the plan."""
    with (
        time_machine.travel(SIGNED_AT, tick=False),
        CaptureQueriesContext(connection) as captured,
    ):
        calendar_years_to_announce()
    statements = [q["sql"] for q in captured.captured_queries]
    reads = [sql for sql in statements if "MAX(" in sql]
    assert len(reads) == 3
    for sql in statements:
        assert "DISTINCT" not in sql
        assert "AT TIME ZONE" not in sql
        assert "DATE_TRUNC" not in sql.upper()


def test_no_open_deadline_no_year_to_announce(world):
    with time_machine.travel(SIGNED_AT, tick=False):
        assert calendar_years_to_announce() == []


def test_open_deadlines_in_2027_ask_for_its_announcement(world, signed_in_december):
    with time_machine.travel(SIGNED_AT, tick=False):
        assert calendar_years_to_announce() == [2027]


def test_the_regulator_and_supervisor_pages_warn_until_the_year_is_entered(
    world, signed_in_december
):
    inbox = _page(world.regulator, reverse("workflows:inbox"))
    dashboard = _page(world.supervisor, reverse("workflows:dashboard"))
    CalendarYearFactory(year=2027)
    after = _page(world.regulator, reverse("workflows:inbox"))

    assert WARNING in inbox
    assert "Deadlines in 2027 are provisional" in inbox
    assert WARNING in dashboard
    assert WARNING not in after


def test_the_administration_warns_in_chinese_until_the_year_is_entered(world, signed_in_december):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    with time_machine.travel(SIGNED_AT, tick=False):  # signed in on the day, not today
        client.force_login(admin)
        before = client.get("/admin/").content.decode()
        CalendarYearFactory(year=2027)
        after = client.get("/admin/").content.decode()

    assert WARNING in before
    assert "有未届满的期限落在2027年" in before
    assert 'href="/admin/directory/calendaryear/add/"' in before
    assert WARNING not in after
