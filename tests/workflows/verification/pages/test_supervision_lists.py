"""The absences and past-draws lists worked like the task lists: filters (folded on a phone,
ids apart from the page's own form), counts, sortable headers, remembered per officer, and
only the person's own departments."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.homes import signed_in
from workflows.lists.models import SavedListFilter
from workflows.verification.models import Delegation, SamplingDraw

ABSENCES = reverse("workflows:delegations")
SAMPLING = reverse("workflows:sampling")


def _delegation(world, department, *, starts, days, revoked=False, delegator=None, delegate=None):
    now = timezone.now()
    return Delegation.objects.create(
        department=department,
        delegator=delegator or world.regulator,
        delegate=delegate or world.other_regulator,
        starts=now + dt.timedelta(days=starts),
        ends=now + dt.timedelta(days=starts + days),
        reason="年假",
        created_by=world.supervisor,
        revoked_at=now if revoked else None,
    )


@pytest.fixture
def absences(world):
    return {
        "now": _delegation(world, world.department, starts=-1, days=3),
        "coming": _delegation(world, world.department, starts=5, days=2),
        "later": _delegation(world, world.department, starts=2, days=10),
        "past": _delegation(world, world.department, starts=-10, days=2),
        "revoked": _delegation(world, world.department, starts=-1, days=5, revoked=True),
        "foreign": _delegation(
            world,
            world.other_department,
            starts=-1,
            days=3,
            delegator=world.foreign_regulator,
            delegate=UserFactory(username="housing2"),
        ),
    }


def _ids(html: str, attribute: str) -> list[int]:
    return [int(value) for value in re.findall(rf'data-{attribute}="(\d+)"', html)]


def test_absences_default_to_now_and_coming_sorted_by_start_with_counts(world, absences):
    html = signed_in(world.supervisor).get(ABSENCES).content.decode()

    assert _ids(html, "delegation") == [absences[k].pk for k in ("now", "later", "coming")]
    assert "In force now: 1 · coming: 2 · over or ended early: 2" in html
    assert '<details class="filter-fold" data-testid="filter-fold">' in html
    # the filter form's ids do not collide with the form that records an absence
    assert 'id="filter-department"' in html and html.count('id="filter-department"') == 1


def test_absences_filter_by_period_and_sort_by_end_both_ways(world, absences):
    client = signed_in(world.regulator)

    past = client.get(ABSENCES + "?period=past&sort=ends").content.decode()
    assert _ids(past, "delegation") == [absences["past"].pk, absences["revoked"].pk]
    down = client.get(ABSENCES + "?period=&sort=-ends").content.decode()
    assert _ids(down, "delegation") == [absences[k].pk for k in ("later", "coming", "now")]
    assert re.search(r'<th aria-sort="descending"><a href="\?period=&amp;sort=ends"', down)


def test_absences_of_another_department_are_never_listed(world, absences):
    client = signed_in(world.regulator)
    html = client.get(ABSENCES + f"?department={world.other_department.pk}").content.decode()

    assert absences["foreign"].pk not in _ids(html, "delegation")
    foreign = signed_in(world.foreign_regulator).get(ABSENCES).content.decode()
    assert _ids(foreign, "delegation") == [absences["foreign"].pk]


def test_absence_filters_are_remembered(world, absences):
    client = signed_in(world.regulator)
    client.get(ABSENCES + "?period=past")

    assert client.get(ABSENCES)["Location"] == ABSENCES + "?period=past"
    assert SavedListFilter.objects.get(user=world.regulator, list_name="delegations")


def _draw(world, department, day: int) -> SamplingDraw:
    return SamplingDraw.objects.create(
        department=department,
        seed=f"seed-{day}",
        inputs={"grades": {"A": {"policy": None, "population": []}}},
        selected={"A": []},
        drawn_by=world.supervisor,
        drawn_at=dt.datetime(2026, 11, day, 10, tzinfo=dt.UTC),
    )


def test_past_draws_filter_count_and_sort_only_supervised_departments(world):
    first, second, third = (_draw(world, world.department, day) for day in (3, 10, 20))
    _draw(world, world.other_department, 12)
    client = signed_in(world.supervisor)

    newest = client.get(SAMPLING).content.decode()
    oldest = client.get(SAMPLING + "?sort=drawn").content.decode()
    window = client.get(SAMPLING + "?drawn_from=2026-11-05&drawn_to=2026-11-30").content.decode()

    assert _ids(newest, "draw") == [third.pk, second.pk, first.pk]
    assert "3 draws" in newest
    assert _ids(oldest, "draw") == [first.pk, second.pk, third.pk]
    assert 'aria-sort="ascending"' in oldest
    assert _ids(window, "draw") == [third.pk, second.pk]
    assert "2 draws" in window


def test_regulators_who_supervise_nothing_may_not_see_the_draws(world):
    _draw(world, world.department, 3)
    assert signed_in(world.regulator).get(SAMPLING).status_code == 403
