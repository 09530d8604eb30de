"""The officer's home (``workflows:inbox``) says what to do next with counts and links, and
every page keeps the role's menu: the workspace's, the messages' and the statistics'."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.selectors import notification_unread_count
from notifications.services.inbox import notification_send
from tests.factories import ObjectionFactory, RepairApplicationFactory, UserFactory
from tests.homes import home_count, signed_in
from tests.workflows.conftest import submit_commitment, task_of
from workflows.verification.models import VerificationTaskIndex


def test_the_officers_home_counts_its_work_by_time_limit_and_its_departments_cases(world):
    # Given two tasks held by one regulator, one of them overdue, one repair application and
    # one objection with its department (and one of another department), and a message,
    first, second = submit_commitment(world), submit_commitment(world)
    holder = task_of(first).owner
    for commitment in (first, second):
        task = task_of(commitment)
        VerificationTaskIndex.objects.filter(task=task).update(owner=holder)
    VerificationTaskIndex.objects.filter(task=task_of(first)).update(
        due_at=timezone.now() - dt.timedelta(days=2)
    )
    VerificationTaskIndex.objects.filter(task=task_of(second)).update(
        due_at=timezone.now() + dt.timedelta(hours=1)
    )
    RepairApplicationFactory(department=world.department)
    RepairApplicationFactory(department=world.other_department)
    ObjectionFactory(department=world.department)
    notification_send(recipient=holder, key="officer-home", subject="Hi", body="Hi")

    # When the regulator opens its home,
    response = signed_in(holder).get(reverse("workflows:inbox"))

    # then it sees what needs doing first, each count a link.
    html = response.content.decode()
    assert response.status_code == 200
    assert home_count(html, "home-inbox-overdue") == 1
    assert home_count(html, "home-inbox-due-soon") == 1
    assert home_count(html, "home-queue") == 0
    assert home_count(html, "home-repairs") == 1
    assert home_count(html, "home-objections") == 1
    # (the assignment of the tasks was a message too)
    assert home_count(html, "home-messages") == notification_unread_count(recipient=holder) >= 1
    assert f'href="{reverse("workflows:inbox")}?due=overdue" data-testid="home-inbox-overdue"' in (
        html
    )
    cases = reverse("repair_office:list")
    assert f'href="{cases}" data-testid="home-repairs"' in html
    # The menu reaches repair and objection cases from every workspace page.
    assert f'href="{cases}" data-testid="nav-credit-cases"' in html


def test_the_queue_count_on_the_home_is_the_unclaimed_tasks(world):
    commitment = submit_commitment(world)
    VerificationTaskIndex.objects.filter(task=task_of(commitment)).update(owner=None)

    html = signed_in(world.regulator).get(reverse("workflows:inbox")).content.decode()

    assert home_count(html, "home-queue") == 1
    assert home_count(html, "home-inbox-overdue") == 0


def test_a_regulator_of_the_department_reaches_repair_and_objection_cases(world):
    objection = ObjectionFactory(department=world.department)

    listing = signed_in(world.regulator).get(reverse("repair_office:list"))

    assert listing.status_code == 200
    assert reverse("repair_office:objection", args=[objection.pk]) in listing.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_messages_page_keeps_the_officers_menu(world, language):
    html = signed_in(world.regulator, language).get(reverse("notifications:list")).content.decode()

    for testid in ("nav-inbox", "nav-queue", "nav-credit-cases", "nav-messages"):
        assert f'data-testid="{testid}"' in html
    assert 'data-testid="nav-commitments"' not in html


def test_the_messages_page_keeps_the_applicants_menu(world):
    html = signed_in(world.applicant).get(reverse("notifications:list")).content.decode()

    for testid in ("nav-commitments", "nav-obligations", "nav-credit", "nav-messages"):
        assert f'data-testid="{testid}"' in html
    assert 'data-testid="nav-inbox"' not in html


def test_the_statistics_page_keeps_the_supervisors_menu(world):
    response = signed_in(world.supervisor).get(reverse("repair_office:statistics"))

    html = response.content.decode()
    assert response.status_code == 200
    for testid in ("nav-inbox", "nav-team", "nav-statistics", "nav-credit-cases"):
        assert f'data-testid="{testid}"' in html


def test_an_administrator_has_the_administration_and_statistics_in_its_menu(world):
    admin = UserFactory(is_staff=True, is_superuser=True)

    html = signed_in(admin).get(reverse("repair_office:statistics")).content.decode()

    assert f'href="{reverse("admin:index")}" data-testid="nav-admin"' in html
    assert 'data-testid="nav-statistics"' in html
