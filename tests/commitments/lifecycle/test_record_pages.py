"""The credit record pages: the subject's representatives see the whole record, the public
only what may be published, and someone else's record is a 404."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from django.utils import translation

from commitments.lifecycle.models import Commitment
from credit.record.services.breaches import breach_record
from directory.models import Subject
from tests.factories import SubjectFactory, UserFactory
from tests.workflows.conftest import submit_commitment

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _breach(subject, by, *, severity="general", category="missed_obligation", on=None):
    return breach_record(
        subject_id=subject.pk,
        category_code=category,
        severity=severity,
        reason=f"{severity} 违约事实",
        by=by,
        record_date=on,
    ).breach


@pytest.fixture(autouse=True)
def _english():
    """Assert on the English source messages whatever catalogue is installed."""
    with translation.override("en"):
        yield


@pytest.fixture
def under_verification(world) -> Commitment:
    """A signed commitment of the world's subject, handed to the department."""
    return submit_commitment(world)


def test_a_representative_sees_the_whole_record(world, client, under_verification):
    _breach(world.subject, world.regulator, severity="minor", on=date(2026, 6, 1))
    _breach(world.subject, world.regulator, category="false_commitment")
    client.force_login(world.applicant)

    response = client.get(f"/credit/{world.subject.code}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="breach"') == 2
    assert "minor 违约事实" in page
    assert under_verification.reference in page
    assert "Risk grade B" in page
    assert 'data-testid="exclusion"' in page


def test_the_record_page_runs_a_fixed_number_of_queries(
    world, client, under_verification, django_assert_max_num_queries
):
    client.force_login(world.applicant)
    client.get(f"/credit/{world.subject.code}/")
    for n in range(6):
        _breach(world.subject, world.regulator, on=date(2026, 6, 1 + n))

    with django_assert_max_num_queries(22):
        response = client.get(f"/credit/{world.subject.code}/")

    assert response.content.decode().count('data-testid="breach"') == 6


def test_someone_elses_record_is_a_404(world, client):
    client.force_login(world.stranger)

    assert client.get(f"/credit/{world.subject.code}/").status_code == 404
    assert client.get("/credit/914403001922038217/").status_code == 404


def test_the_record_page_needs_a_login(world, client):
    response = client.get(f"/credit/{world.subject.code}/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_public_page_shows_only_what_may_be_published(world, client):
    _breach(world.subject, world.regulator, severity="minor", on=date(2026, 6, 1))
    with time_machine.travel(dt.datetime(2026, 7, 1, 10, tzinfo=SHANGHAI), tick=False):
        _breach(world.subject, world.regulator, on=date(2026, 7, 1))

        response = client.get(f"/credit/{world.subject.code}/public/", HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="breach"') == 1
    assert "违约事实" not in page  # reasons stay with the subject
    assert "Risk grade" not in page


def test_the_public_page_masks_a_persons_identity_number(db, client):
    person = SubjectFactory(
        kind=Subject.Kind.PERSON,
        code="11010519491231002X",
        name="张三",
        representative=UserFactory(username="zhangsan"),
    )

    response = client.get("/credit/11010519491231002x/public/")

    page = response.content.decode()
    assert response.status_code == 200
    assert person.code not in page
    assert "110105**********2X" in page


@pytest.mark.parametrize("path", ["/credit/{code}/", "/credit/{code}/public/"])
def test_pages_render_in_chinese(world, client, path):
    client.force_login(world.applicant)

    response = client.get(path.format(code=world.subject.code), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
