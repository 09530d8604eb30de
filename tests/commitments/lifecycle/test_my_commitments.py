"""The applicant's list worked like the officers' lists: filters by status, kind, company
and signing date; sortable columns with accessible headers; the nearest obligation's urgency
in working days; the next step of each row; only the person's own companies."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from commitments.lifecycle.models import Commitment
from tests.factories import CommitmentFactory, ObligationFactory, SubjectFactory
from tests.homes import signed_in
from workflows.lists.models import SavedListFilter

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
FRIDAY = dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI)
URL = reverse("commitments:list")


def _references(html: str) -> list[str]:
    return re.findall(r'data-testid="commitment-row" data-reference="([^"]+)"', html)


@pytest.fixture
def mine(world):
    """Three commitments of two companies the applicant represents, and a stranger's."""
    second = SubjectFactory(
        name="乙餐饮有限公司", region=world.region, representative=world.applicant
    )
    draft = CommitmentFactory(
        reference="CN-A-DRAFT",
        subject=world.subject,
        template=world.template,
        created_by=world.applicant,
    )
    signed = CommitmentFactory(
        reference="CN-B-SIGNED",
        subject=second,
        template=world.template,
        created_by=world.applicant,
        signed=True,
        signed_at=dt.datetime(2026, 11, 2, 10, tzinfo=SHANGHAI),
    )
    ObligationFactory(commitment=signed, due_date=dt.date(2026, 12, 9))
    ObligationFactory(commitment=signed, due_date=dt.date(2027, 1, 9))
    late = CommitmentFactory(
        reference="CN-C-LATE",
        subject=world.subject,
        template=world.template,
        created_by=world.applicant,
        signed=True,
        signed_at=dt.datetime(2026, 10, 5, 10, tzinfo=SHANGHAI),
    )
    ObligationFactory(commitment=late, due_date=dt.date(2026, 12, 3))
    breached = CommitmentFactory(
        reference="CN-D-BREACHED",
        subject=second,
        template=world.template,
        created_by=world.applicant,
        signed=True,
        status=Commitment.Status.BREACHED,
        signed_at=dt.datetime(2026, 9, 1, 10, tzinfo=SHANGHAI),
    )
    CommitmentFactory(reference="CN-Z-STRANGER", template=world.template)
    return {"second": second, "draft": draft, "signed": signed, "late": late, "breached": breached}


def test_the_list_shows_only_ones_own_companies_with_a_count(world, mine):
    html = signed_in(world.applicant).get(URL).content.decode()

    assert sorted(_references(html)) == ["CN-A-DRAFT", "CN-B-SIGNED", "CN-C-LATE", "CN-D-BREACHED"]
    assert "4 commitments" in html


def test_a_filter_naming_another_company_shows_nothing_of_it(world, mine):
    stranger = Commitment.objects.get(reference="CN-Z-STRANGER").subject
    html = signed_in(world.applicant).get(URL + f"?subject={stranger.pk}").content.decode()

    assert "CN-Z-STRANGER" not in html
    # an invalid choice is ignored: the own list, unfiltered
    assert len(_references(html)) == 4


def test_filters_by_status_company_kind_and_signing_date(world, mine):
    client = signed_in(world.applicant)

    assert _references(client.get(URL + "?status=draft").content.decode()) == ["CN-A-DRAFT"]
    by_company = client.get(URL + f"?subject={mine['second'].pk}&sort=subject").content.decode()
    assert sorted(_references(by_company)) == ["CN-B-SIGNED", "CN-D-BREACHED"]
    assert len(_references(client.get(URL + f"?matter={world.matter.pk}").content.decode())) == 4
    dated = client.get(URL + "?signed_from=2026-10-01&signed_to=2026-11-30&sort=signed")
    assert _references(dated.content.decode()) == ["CN-C-LATE", "CN-B-SIGNED"]
    assert 'data-testid="active-filters">2<' in dated.content.decode()


def test_sorts_both_ways_with_headers_that_keep_the_filters(world, mine):
    client = signed_in(world.applicant)

    up = client.get(URL + "?status=signed&sort=signed").content.decode()
    down = client.get(URL + "?status=signed&sort=-signed").content.decode()

    assert _references(up) == ["CN-C-LATE", "CN-B-SIGNED"]
    assert _references(down) == ["CN-B-SIGNED", "CN-C-LATE"]
    assert re.search(r'aria-sort="ascending"><a href="\?status=signed&amp;sort=-signed"', up)
    assert 'aria-sort="descending"' in down
    # an unknown sort falls back to the newest first
    assert client.get(URL + "?sort=field_values").status_code == 200


def test_rows_say_the_urgency_and_the_next_step(world, mine):
    with time_machine.travel(FRIDAY, tick=False):
        html = signed_in(world.applicant, "zh-hans").get(URL + "?sort=status").content.decode()

    marks = dict(
        re.findall(
            r'data-reference="([^"]+)">.*?data-testid="next-step">(.*?)</td>', html, flags=re.S
        )
    )
    assert "签署" in marks["CN-A-DRAFT"]
    assert "2026-12-09" in marks["CN-B-SIGNED"]
    assert "异议" in marks["CN-D-BREACHED"]
    assert "剩余 3 个工作日" in html  # Friday to Wednesday 2026-12-09
    assert '<span class="urgency overdue" data-testid="urgency">已逾期 1 个工作日' in html


def test_the_filters_fold_on_a_phone_and_the_pages_keep_them(world, mine):
    for number in range(25):
        CommitmentFactory(
            reference=f"CN-P-{number:03d}",
            subject=world.subject,
            template=world.template,
            created_by=world.applicant,
        )
    html = signed_in(world.applicant).get(URL + "?status=draft").content.decode()

    assert '<details class="filter-fold" data-testid="filter-fold">' in html
    assert 'href="?status=draft&amp;page=2" data-testid="page-next"' in html


def test_filters_and_sort_are_remembered_per_person_until_cleared(world, mine):
    client = signed_in(world.applicant)
    client.get(URL + f"?status=signed&subject={mine['second'].pk}&sort=-signed&page=1")

    # the next visit opens with them, without the page
    again = client.get(URL)
    assert again.status_code == 302
    assert again["Location"] == URL + f"?status=signed&subject={mine['second'].pk}&sort=-signed"
    html = client.get(again["Location"]).content.decode()
    assert _references(html) == ["CN-B-SIGNED"]
    assert 'href="?clear=1" data-testid="clear-filters"' in html
    assert SavedListFilter.objects.get(user=world.applicant, list_name="my-commitments")
    # another person starts clean
    assert signed_in(world.stranger).get(URL).status_code == 200

    cleared = client.get(URL + "?clear=1")
    assert cleared.status_code == 302 and cleared["Location"] == URL
    assert len(_references(client.get(URL).content.decode())) == 4
    assert not SavedListFilter.objects.filter(user=world.applicant).exists()
