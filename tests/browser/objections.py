"""Steps of an objection to a credit record in Chromium, shared by the browser tests that
follow one: the rules seeded again (transactional tests empty the tables), a working day, a
published record, the subject's objection and the officer's decision."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from playwright.sync_api import expect

from credit.record.models.breaches import Breach
from credit.record.services import breaches as credit_services
from tests.credit_seeds import credit_rules_seed

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def credit_rules_seeded(transactional_db):
    """Transactional tests empty the tables after each test: seed the rules again."""
    credit_rules_seed(repair_rules=True)


@pytest.fixture
def on_a_working_day():
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=True):
        yield


def record_published(world, on: date) -> Breach:
    """A serious breach of the world's subject recorded ``on``: published at once."""
    return credit_services.breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="serious",
        reason="未按期提交整改报告",
        by=world.regulator,
        record_date=on,
    ).breach


def objection_submit(world, new_page, breach: Breach):
    """The subject's representative objects to the record's content on its page; returns
    that page, showing the record under objection."""
    applicant = new_page("applicant", locale="en-US")
    applicant.goto(f"/credit/{world.subject.code}/objection/{breach.pk}/")
    applicant.select_option("#kind", "content")
    applicant.fill("#grounds", "整改报告已按期提交，有回执为证")
    applicant.get_by_test_id("objection-submit").click()
    expect(applicant.get_by_test_id("breach-status")).to_have_text("Under objection")
    return applicant


def objection_decide(new_page, *, outcome: str, reason: str, check: str, status: str) -> None:
    """The regulator takes the objection from the credit queue, records ``outcome``, is shown
    ``check`` to confirm, confirms, and sees ``status``."""
    regulator = new_page("regulator", locale="en-US")
    regulator.goto("/regulator/credit/")
    regulator.get_by_test_id("objection-row").get_by_role("link").click()
    regulator.select_option("#outcome", outcome)
    regulator.fill("#reason", reason)
    regulator.get_by_test_id("objection-decide-submit").click()
    expect(regulator.get_by_test_id("check-decision")).to_have_text(check)
    regulator.get_by_test_id("confirm-decision").click()
    expect(regulator.get_by_test_id("objection-status")).to_have_text(status)
