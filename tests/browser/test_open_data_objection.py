"""An objection to a record in the open data feed, in Chromium: the public follows the feed
from the portal, the subject objects, an officer decides, and the public reads the feed again
(docs/open-data.md: an objection suspends, an upheld one withholds the subject, a rejected one
resumes publication)."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from playwright.sync_api import expect

from credit.record.models.breaches import Breach
from credit.record.services import breaches as credit_services
from tests.credit_seeds import credit_rules_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    """Transactional tests empty the tables after each test: seed the rules again."""
    credit_rules_seed(repair_rules=True)


@pytest.fixture
def on_a_working_day():
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def public(browser, live_server):
    """Anyone, without an account: the portal's home page, from which the feed is linked."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _feed_items(public, record: int) -> list[dict]:
    """The feed's items about ``record``, as the public gets them by the portal's link:
    (kind, the subject's name or None once withheld, withheld_by, leaf index, withheld list)."""
    public.goto("/portal/")
    link = public.get_by_test_id("open-data-feed")
    expect(link).to_be_visible()
    response = public.request.get(link.get_attribute("href") + "?limit=500")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/feed+json")
    assert response.headers["chengnuo-signature"]  # signed as served
    items = [item["_chengnuo"] for item in response.json()["items"]]
    return [
        {
            "kind": item["event"]["kind"],
            "name": item["subject"]["name"] if item["subject"] else None,
            "withheld_by": item["withheld_by"],
            "leaf": item["leaf_index"],
            "withheld": item["event"].get("withheld"),
        }
        for item in items
        if item["event"]["record"] == record
    ]


def _published_record(world) -> Breach:
    return credit_services.breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="serious",
        reason="未按期提交整改报告",
        by=world.regulator,
        record_date=date(2026, 4, 1),
    ).breach


def _object(world, new_page, breach: Breach):
    """The subject's representative objects to the record's content on its page."""
    applicant = new_page("applicant", locale="en-US")
    applicant.goto(f"/credit/{world.subject.code}/objection/{breach.pk}/")
    applicant.select_option("#kind", "content")
    applicant.fill("#grounds", "整改报告已按期提交，有回执为证")
    applicant.get_by_test_id("objection-submit").click()
    expect(applicant.get_by_test_id("breach-status")).to_have_text("Under objection")
    return applicant


def _decide(new_page, *, outcome: str, reason: str, status: str) -> None:
    """The regulator takes the objection from the credit queue and records ``outcome``."""
    regulator = new_page("regulator", locale="en-US")
    regulator.goto("/regulator/credit/")
    regulator.get_by_test_id("objection-row").get_by_role("link").click()
    regulator.select_option("#outcome", outcome)
    regulator.fill("#reason", reason)
    regulator.get_by_test_id("objection-decide-submit").click()
    regulator.get_by_test_id("confirm-decision").click()
    expect(regulator.get_by_test_id("objection-status")).to_have_text(status)


def test_an_upheld_objection_withdraws_the_record_from_the_feed_and_its_name_from_its_items(
    world, new_page, public, on_a_working_day
):
    # Given a published record: the public reads its start, naming the company
    breach = _published_record(world)
    name = world.subject.name
    before = _feed_items(public, breach.pk)
    assert [(item["kind"], item["name"], item["withheld_by"]) for item in before] == [
        ("publication_started", name, None)
    ]
    started = before[0]["leaf"]

    # When the company objects: the public is told to stop showing it, still by name (the
    # objection may be rejected)
    _object(world, new_page, breach)
    suspended = _feed_items(public, breach.pk)
    assert [(item["kind"], item["name"]) for item in suspended] == [
        ("publication_started", name),
        ("publication_suspended", name),
    ]

    # When the officer upholds it and revokes the record
    _decide(new_page, outcome="revoked", reason="回执属实", status="Upheld: record revoked")

    # Then the public reads the revocation and the withholding, and none of the record's
    # items names the company any more: each says which item withheld it
    after = _feed_items(public, breach.pk)
    kinds = [item["kind"] for item in after]
    assert kinds == [
        "publication_started",
        "publication_suspended",
        "record_revoked",
        "subject_withheld",
    ]
    assert [item["name"] for item in after] == [None, None, None, None]
    withholding = after[3]
    assert withholding["withheld"] == [started, after[1]["leaf"], after[2]["leaf"]]
    assert [item["withheld_by"] for item in after[:3]] == [withholding["leaf"]] * 3
    # and the portal's page of the company shows no record
    public.goto(f"/portal/subjects/{world.subject.code}/")
    expect(public.get_by_test_id("no-breaches")).to_be_visible()
    expect(public.get_by_test_id("breach")).to_have_count(0)


def test_a_rejected_objection_resumes_the_record_in_the_feed_still_by_name(
    world, new_page, public, on_a_working_day
):
    # Given a published record the company objects to
    breach = _published_record(world)
    _object(world, new_page, breach)

    # When the officer rejects the objection
    _decide(new_page, outcome="rejected", reason="回执日期晚于期限", status="Rejected")

    # Then the public reads that publication resumes, every item still naming the company
    name = world.subject.name
    after = _feed_items(public, breach.pk)
    assert [(item["kind"], item["name"], item["withheld_by"]) for item in after] == [
        ("publication_started", name, None),
        ("publication_suspended", name, None),
        ("publication_resumed", name, None),
    ]
    public.goto(f"/portal/subjects/{world.subject.code}/")
    expect(public.get_by_test_id("breach")).to_have_count(1)
    expect(public.get_by_test_id("breach")).to_contain_text("2026-04-01")
