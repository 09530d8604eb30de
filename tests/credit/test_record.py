"""The credit record: the subject sees it all, the public only what may be published and only
while it may; the pages and their authorisation."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine

from credit import services as credit_services
from credit.selectors import AUDIENCE_PUBLIC, AUDIENCE_SUBJECT, credit_record, risk_grade
from directory.models import Subject
from tests.factories import SubjectFactory, UserFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _breach(subject, by, *, severity="general", category="missed_obligation", on=None):
    return credit_services.breach_record(
        subject_id=subject.pk,
        category_code=category,
        severity=severity,
        reason=f"{severity} 违约事实",
        by=by,
        record_date=on,
    ).breach


def test_the_subject_sees_every_breach_the_public_only_published_ones(world):
    minor = _breach(world.subject, world.regulator, severity="minor", on=date(2026, 6, 1))
    general = _breach(world.subject, world.regulator, on=date(2026, 6, 1))

    own = credit_record(subject_id=world.subject.pk, audience=AUDIENCE_SUBJECT, on=date(2026, 7, 1))
    public = credit_record(
        subject_id=world.subject.pk, audience=AUDIENCE_PUBLIC, on=date(2026, 7, 1)
    )

    assert [b.pk for b in own.breaches] == [general.pk, minor.pk]
    assert [b.pk for b in public.breaches] == [general.pk]
    assert own.grade == "B"
    assert public.grade is None
    assert {m.breach_id for m in public.measures} == {general.pk}


def test_the_public_stops_seeing_a_breach_at_its_maximum_period(world):
    general = _breach(world.subject, world.regulator, on=date(2026, 6, 1))
    assert general.publicity_max_until == date(2027, 6, 1)

    last_day = credit_record(
        subject_id=world.subject.pk, audience=AUDIENCE_PUBLIC, on=date(2027, 5, 31)
    )
    after = credit_record(
        subject_id=world.subject.pk, audience=AUDIENCE_PUBLIC, on=date(2027, 6, 1)
    )

    assert [b.pk for b in last_day.breaches] == [general.pk]
    assert after.breaches == []
    assert after.measures == []


def test_a_prior_notice_is_not_public_a_designation_is(world):
    _breach(world.subject, world.regulator, severity="serious")
    public = credit_record(subject_id=world.subject.pk, audience=AUDIENCE_PUBLIC)
    own = credit_record(subject_id=world.subject.pk, audience=AUDIENCE_SUBJECT)
    assert public.list_entries == []
    assert [e.status for e in own.list_entries] == ["noticed"]

    credit_services.list_entries_enter_due(on=own.list_entries[0].enter_not_before)

    public = credit_record(subject_id=world.subject.pk, audience=AUDIENCE_PUBLIC)
    assert [e.status for e in public.list_entries] == ["listed"]
    assert risk_grade(subject_id=world.subject.pk) == "D"


def test_risk_grade_of_a_clean_subject_is_a(world):
    assert risk_grade(subject_id=world.subject.pk) == "A"


# Pages ---------------------------------------------------------------------------------------


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


def test_risk_grade_takes_two_queries_whatever_the_record_holds(world, django_assert_num_queries):
    for severity in ("minor", "general", "serious"):
        _breach(world.subject, world.regulator, severity=severity)

    with django_assert_num_queries(2):
        grade = risk_grade(subject_id=world.subject.pk)

    assert grade == "D"
