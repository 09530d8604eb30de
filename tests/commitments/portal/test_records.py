"""The public portal and the automatic end of listings: no login, searchable, paginated,
bounded queries, only what may be shown, a QR code that leads back to the profile."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from commitments.lifecycle.models import Commitment
from commitments.portal.selectors import public_commitment_list
from credit.record.models.breaches import Breach, ListEntry
from credit.record.models.rules import CreditList
from credit.record.services.lists import list_entry_enter
from credit.record.services.publicity import breach_publication_end_due, list_entries_exit_due
from directory.models import Subject
from tests.factories import SubjectFactory, UserFactory
from tests.workflows.conftest import submit_commitment
from tests.workflows.repair import conftest as repair_fixtures
from tests.workflows.repair.conftest import record

today = repair_fixtures.today
repair_city = repair_fixtures.repair_city


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """Pages in English (the source text the assertions use)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _listed(
    subject, *, code="serious-dishonesty", entered=date(2026, 5, 1), until=None, breach=None
):
    return ListEntry.objects.create(
        credit_list=CreditList.objects.get(code=code),
        subject=subject,
        breach=breach,
        reason="x",
        entered_on=entered,
        exit_not_before=until,
        status=ListEntry.Status.LISTED,
    )


# Commitments made public ----------------------------------------------------------------------


def test_signed_commitments_are_public_within_their_period(world):
    commitment = submit_commitment(world)
    signed = Commitment.objects.get(pk=commitment.pk).signed_at

    assert list(public_commitment_list(now=signed + timedelta(days=364))) == [commitment]
    assert list(public_commitment_list(now=signed + timedelta(days=366))) == []
    assert list(public_commitment_list(q=world.subject.code.lower())) == [commitment]
    assert list(public_commitment_list(q="示例餐饮")) == [commitment]
    assert list(public_commitment_list(q="无此公司")) == []


def test_a_template_without_publicity_is_never_public(world):
    world.template.publicity_days = 0
    world.template.save(update_fields=["publicity_days"])
    submit_commitment(world)
    assert list(public_commitment_list()) == []


def test_the_commitments_page_needs_no_login_and_bounded_queries(
    client, world, django_assert_max_num_queries
):
    for _ in range(3):
        submit_commitment(world)
    # With the filters' matters, departments and kinds, and the rows' kinds in one query.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("portal:commitments"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="commitment"') == 3
    assert reverse("public:verify") in html


def test_the_commitments_page_is_paginated(client, world, monkeypatch):
    monkeypatch.setattr("commitments.portal.pages.PAGE_SIZE", 2)
    for _ in range(3):
        submit_commitment(world)
    first = client.get(reverse("portal:commitments")).content.decode()
    second = client.get(reverse("portal:commitments") + "?page=2").content.decode()
    assert (first.count('data-testid="commitment"'), second.count('data-testid="commitment"')) == (
        2,
        1,
    )
    assert 'data-testid="next-page"' in first


def test_the_commitments_filter_by_matter_department_and_days_with_a_count(
    client, world, monkeypatch
):
    # given three public commitments, one moved to another department and signed earlier
    monkeypatch.setattr("commitments.portal.pages.PAGE_SIZE", 1)
    first, second, third = (submit_commitment(world) for _ in range(3))
    Commitment.objects.filter(pk=third.pk).update(
        department=world.other_department, signed_at=third.signed_at - timedelta(days=3)
    )
    url = reverse("portal:commitments")
    signed_day = timezone.localtime(first.signed_at).date()
    mine = f"department={world.department.pk}&matter={world.template.matter_id}"

    everything = client.get(url).content.decode()
    assert 'data-testid="result-count">3 commitments found<' in everything

    ours = client.get(f"{url}?{mine}").content.decode()
    assert 'data-testid="result-count">2 commitments found<' in ours
    # the next page keeps the filters
    next_link = ours.split('data-testid="next-page"')[0].rsplit("href=", 1)[1]
    assert f"department={world.department.pk}" in next_link and "page=2" in next_link
    assert third.reference not in ours

    theirs = client.get(f"{url}?department={world.other_department.pk}").content.decode()
    assert 'data-testid="result-count">1 commitment found<' in theirs and third.reference in theirs

    earlier = (signed_day - timedelta(days=1)).isoformat()
    days = client.get(f"{url}?signed_to={earlier}").content.decode()
    assert 'data-testid="result-count">1 commitment found<' in days and third.reference in days
    from_day = client.get(f"{url}?signed_from={signed_day.isoformat()}").content.decode()
    assert 'data-testid="result-count">2 commitments found<' in from_day

    ignored = client.get(f"{url}?matter=nonsense").content.decode()
    assert 'data-testid="result-count">3 commitments found<' in ignored


# Lists ------------------------------------------------------------------------------------------


def test_lists_filter_by_department_and_entry_days_with_a_count(client, world, repair_city, today):
    # given two companies on the black list: one for a breach the world's department recorded
    breach = record(repair_city, on=date(2026, 3, 31))
    Breach.objects.filter(pk=breach.pk).update(department=world.department)
    # (recording the serious breach opened the subject's entry on the list)
    ListEntry.objects.filter(subject=world.subject, credit_list__code="serious-dishonesty").update(
        breach=breach, entered_on=date(2026, 5, 1), status=ListEntry.Status.LISTED
    )
    other = SubjectFactory(name="另一家公司", representative=UserFactory())
    _listed(other, entered=date(2026, 9, 1))
    url = reverse("portal:list", kwargs={"kind": "black"})

    everything = client.get(url).content.decode()
    assert 'data-testid="result-count">2 entries found<' in everything

    ours = client.get(f"{url}?department={world.department.pk}").content.decode()
    assert 'data-testid="result-count">1 entry found<' in ours
    assert world.subject.name in ours and "另一家公司" not in ours

    autumn = client.get(f"{url}?entered_from=2026-08-01&entered_to=2026-09-30").content.decode()
    assert 'data-testid="result-count">1 entry found<' in autumn and "另一家公司" in autumn

    ignored = client.get(f"{url}?department=nonsense").content.decode()
    assert 'data-testid="result-count">2 entries found<' in ignored


def test_lists_show_entry_and_exit_dates_and_mask_persons(
    client, world, django_assert_max_num_queries
):
    _listed(world.subject, until=date(2027, 5, 1))
    person = SubjectFactory(
        kind=Subject.Kind.PERSON,
        code="110101199003077777",
        name="张三丰",
        representative=UserFactory(),
    )
    _listed(person)
    ended = _listed(
        SubjectFactory(name="已退出公司", representative=UserFactory()), entered=date(2025, 1, 2)
    )
    ended.leave(on=date(2026, 1, 2))
    ended.save()

    with django_assert_max_num_queries(6):
        response = client.get(reverse("portal:list", args=["black"]))
    html = response.content.decode()
    assert html.count('data-testid="entry"') == 2
    assert "2026-05-01" in html and "2027-05-01" in html
    assert "张**" in html and "110101199003077777" not in html and "张三丰" not in html

    exited = client.get(reverse("portal:list", args=["black"]) + "?show=exited").content.decode()
    assert exited.count('data-testid="entry"') == 1
    assert "已退出公司" in exited and "2026-01-02" in exited
    assert client.get(reverse("portal:list", args=["grey"])).status_code == 404


def test_search_finds_companies_by_code_or_name_only(client, world):
    SubjectFactory(
        kind=Subject.Kind.PERSON,
        code="110101199003077777",
        name="示例个人",
        representative=UserFactory(),
    )
    by_code = client.get(reverse("portal:home"), {"q": world.subject.code}).content.decode()
    by_name = client.get(reverse("portal:home"), {"q": "示例"}).content.decode()
    assert by_code.count('data-testid="result"') == 1
    assert by_name.count('data-testid="result"') == 1
    assert "示例个人" not in by_name


# Profiles ---------------------------------------------------------------------------------------


def test_the_profile_shows_only_what_may_be_shown_with_a_qr_code(client, repair_city, today):
    world = repair_city
    shown = record(world, on=date(2026, 4, 1))
    hidden = record(world, on=date(2026, 4, 2), severity="minor")  # Order 36: minor unpublished
    response = client.get(reverse("portal:subject", args=[world.subject.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="breach"') == 1
    assert shown.record_date.isoformat() in html
    assert hidden.is_publishable is False
    assert hidden.record_date.isoformat() not in html
    assert shown.reason not in html  # the reason stays with the subject
    assert "<svg" in html and 'data-testid="qr"' in html
    assert f"http://testserver/portal/subjects/{world.subject.code}/" in html


def test_a_profile_in_chinese_and_english(client, world):
    url = reverse("portal:subject", args=[world.subject.code])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="en">' in english
    assert '<html lang="zh-hans">' in chinese


def test_persons_and_unknown_codes_have_no_portal_profile(client, world):
    person = SubjectFactory(
        kind=Subject.Kind.PERSON,
        code="110101199003077777",
        name="张三",
        representative=UserFactory(),
    )
    assert client.get(reverse("portal:subject", args=[person.code])).status_code == 404
    assert client.get(reverse("portal:subject", args=["X"])).status_code == 404


# The end of listings ----------------------------------------------------------------------------


def test_a_listing_without_record_ends_on_its_end_date(world):
    entry = _listed(world.subject, code="pledge-defaulters", until=date(2027, 12, 16))
    assert list_entries_exit_due(on=date(2027, 12, 15)) == 0
    assert list_entries_exit_due(on=date(2027, 12, 16)) == 1
    assert list_entries_exit_due(on=date(2027, 12, 16)) == 0
    entry.refresh_from_db()
    assert (entry.status, entry.exited_on) == ("exited", date(2027, 12, 16))


def test_a_listing_stays_while_its_record_is_published(repair_city, today):
    world = repair_city
    breach = record(world, on=date(2026, 4, 1))
    noticed = ListEntry.objects.get(breach=breach)  # the prior notice of a serious breach
    entry = list_entry_enter(entry_id=noticed.pk, on=date(2026, 4, 15))
    assert entry.exit_not_before == date(2027, 4, 15)
    assert list_entries_exit_due(on=date(2027, 4, 15)) == 0
    assert breach_publication_end_due(on=date(2029, 4, 1)) == 1
    assert list_entries_exit_due(on=date(2029, 4, 1)) == 1
    assert ListEntry.objects.get(pk=entry.pk).status == "exited"
