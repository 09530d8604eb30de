"""Homes of people who are neither officers nor applicants, and the letters menu item for
everyone allowed to review letters (issue #14 point 2)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.factories import RepresentativeFactory, SubjectFactory, UserFactory
from tests.homes import signed_in

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    response = signed_in(user).get(reverse("home"))
    assert response.status_code == 302
    return response["Location"]


def test_an_administrator_without_a_department_lands_on_the_letters_to_review():
    admin = UserFactory(username="cityadmin", is_staff=True, is_superuser=True)

    assert _home(admin) == reverse("commitments:letter_reviews")


def test_staff_land_on_the_letters_whose_menu_leads_to_the_administration():
    clerk = UserFactory(username="clerk", is_staff=True)

    assert _home(clerk) == reverse("commitments:letter_reviews")
    page = signed_in(clerk).get(reverse("commitments:letter_reviews"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="nav-letter-reviews"' in html
    assert 'data-testid="nav-admin"' in html


def test_staff_who_represent_a_company_land_on_its_commitments():
    staff = UserFactory(username="staffrep", is_staff=True)
    RepresentativeFactory(user=staff, subject=SubjectFactory())

    assert _home(staff) == reverse("commitments:list")


def test_an_applicant_lands_on_its_commitments():
    assert _home(UserFactory(username="plain")) == reverse("commitments:list")


def _letter_permission() -> Permission:
    return Permission.objects.get(
        codename="review_representation", content_type__app_label="directory"
    )


def test_a_non_staff_holder_of_the_letter_permission_sees_the_menu_item():
    reviewer = UserFactory(username="reviewer")
    reviewer.user_permissions.add(_letter_permission())

    html = signed_in(reviewer).get(reverse("commitments:list")).content.decode()

    assert 'data-testid="nav-letter-reviews"' in html
    assert _home(reviewer) == reverse("commitments:letter_reviews")


def test_the_letter_permission_through_a_group_shows_the_menu_item_too():
    group = Group.objects.create(name="letter reviewers")
    group.permissions.add(_letter_permission())
    reviewer = UserFactory(username="groupreviewer")
    reviewer.groups.add(group)

    html = signed_in(reviewer).get(reverse("commitments:list")).content.decode()

    assert 'data-testid="nav-letter-reviews"' in html


def test_an_applicant_without_the_permission_has_no_letters_item():
    html = signed_in(UserFactory(username="noperm")).get(reverse("commitments:list")).content
    assert b'data-testid="nav-letter-reviews"' not in html


def test_the_menus_cheap_check_agrees_with_the_pages_check():
    from directory.representation.selectors import (
        holds_letter_review_permission,
        is_representation_officer,
    )

    granted = UserFactory(username="granted")
    granted.user_permissions.add(_letter_permission())
    inactive = UserFactory(username="inactive", is_staff=True, is_active=False)
    for user in (
        granted,
        inactive,
        UserFactory(username="none"),
        UserFactory(username="st", is_staff=True),
    ):
        fresh = type(user).objects.get(pk=user.pk)
        assert holds_letter_review_permission(fresh) == is_representation_officer(fresh)
