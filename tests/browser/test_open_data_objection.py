"""An objection to a record in the open data feed, in Chromium: the public follows the feed
from the portal, the subject objects, an officer decides, and the public reads the feed again
(docs/open-data.md: an objection suspends, an upheld one withholds the subject, a rejected one
resumes publication)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.objections import (  # noqa: F401 - the first two are fixtures
    credit_rules_seeded,
    objection_decide,
    objection_submit,
    on_a_working_day,
    record_published,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("credit_rules_seeded", "on_a_working_day"),
]


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


def test_an_upheld_objection_withdraws_the_record_from_the_feed_and_its_name_from_its_items(
    world, new_page, public
):
    # Given a published record: the public reads its start, naming the company
    breach = record_published(world, date(2026, 4, 1))
    name = world.subject.name
    before = _feed_items(public, breach.pk)
    assert [(item["kind"], item["name"], item["withheld_by"]) for item in before] == [
        ("publication_started", name, None)
    ]
    started = before[0]["leaf"]

    # When the company objects: the public is told to stop showing it, still by name (the
    # objection may be rejected)
    objection_submit(world, new_page, breach)
    suspended = _feed_items(public, breach.pk)
    assert [(item["kind"], item["name"]) for item in suspended] == [
        ("publication_started", name),
        ("publication_suspended", name),
    ]

    # When the officer upholds it and revokes the record
    objection_decide(
        new_page,
        outcome="revoked",
        reason="回执属实",
        check="Uphold: revoke the record",
        status="Upheld: record revoked",
    )

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


def test_a_rejected_objection_resumes_the_record_in_the_feed_still_by_name(world, new_page, public):
    # Given a published record the company objects to
    breach = record_published(world, date(2026, 4, 1))
    objection_submit(world, new_page, breach)

    # When the officer rejects the objection
    objection_decide(
        new_page,
        outcome="rejected",
        reason="回执日期晚于期限",
        check="Reject: the record stands",
        status="Rejected",
    )

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
