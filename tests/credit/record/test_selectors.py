"""Reads of the credit record: the subject sees it all, the public only what may be published
and only while it may; grades; and a subject under a "no commit-instead-of-prove" measure
cannot start a commitment."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from credit.record.models.breaches import Measure
from credit.record.selectors import (
    AUDIENCE_PUBLIC,
    AUDIENCE_SUBJECT,
    credit_record,
    risk_grade,
    subject_is_excluded,
)
from credit.record.services.breaches import breach_record
from credit.record.services.lists import list_entries_enter_due


def _breach(subject, by, *, severity="general", category="missed_obligation", on=None):
    return breach_record(
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

    list_entries_enter_due(on=own.list_entries[0].enter_not_before)

    public = credit_record(subject_id=world.subject.pk, audience=AUDIENCE_PUBLIC)
    assert [e.status for e in public.list_entries] == ["listed"]
    assert risk_grade(subject_id=world.subject.pk) == "D"


def test_risk_grade_of_a_clean_subject_is_a(world):
    assert risk_grade(subject_id=world.subject.pk) == "A"


def test_risk_grade_takes_two_queries_whatever_the_record_holds(world, django_assert_num_queries):
    for severity in ("minor", "general", "serious"):
        _breach(world.subject, world.regulator, severity=severity)

    with django_assert_num_queries(2):
        grade = risk_grade(subject_id=world.subject.pk)

    assert grade == "D"


# Exclusion -----------------------------------------------------------------------------------

FIELD_VALUES = {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"}


def _false_commitment(world):
    return breach_record(
        subject_id=world.subject.pk,
        category_code="false_commitment",
        severity="general",
        reason="承诺不实",
        by=world.regulator,
    )


def test_an_excluded_subject_cannot_start_a_commitment_and_nothing_is_created(world):
    _false_commitment(world)
    before = (Commitment.objects.count(), Commitment.history.count())

    with pytest.raises(CommitmentError) as raised:
        commitment_create(
            by=world.applicant,
            subject=world.subject,
            template=world.template,
            field_values=FIELD_VALUES,
        )

    assert (raised.value.code, raised.value.field) == (ErrorCode.SUBJECT_EXCLUDED, "subject")
    assert "No commit-instead-of-prove until the record is repaired" in raised.value.message
    assert "Repairing the credit record restores eligibility" in raised.value.message
    assert (Commitment.objects.count(), Commitment.history.count()) == before


def test_an_excluded_subject_learns_it_on_the_notice_before_filling_in(world, client):
    _false_commitment(world)
    client.force_login(world.applicant)

    page = client.get(
        reverse("commitments:notice", args=[world.template.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    eligibility = page.split('data-testid="eligibility"')[1].split("</section>")[0]
    assert f"{world.subject.name} cannot use commit-instead-of-prove" in eligibility
    assert "Repairing the credit record restores eligibility" in eligibility
    assert page.index('data-testid="eligibility"') < page.index('data-testid="acknowledge-form"')


def test_the_api_refuses_an_excluded_subject_with_the_envelope(world, api_as):
    _false_commitment(world)

    response = api_as(world.applicant).post(
        "/api/v1/commitments/create/",
        {
            "template_code": world.template.code,
            "template_version": 1,
            "subject": world.subject.code,
            "field_values": FIELD_VALUES,
        },
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["fields"])) == ("subject_excluded", ["subject"])
    assert Commitment.objects.count() == 0


def test_lifting_the_measure_restores_eligibility(world):
    outcome = _false_commitment(world)
    measure = Measure.objects.get(breach=outcome.breach, measure_type__code="no_commitment")
    measure.lift(on=outcome.breach.record_date)
    measure.save()

    commitment = commitment_create(
        by=world.applicant,
        subject=world.subject,
        template=world.template,
        field_values=FIELD_VALUES,
    )

    assert commitment.status == Commitment.Status.DRAFT
    assert subject_is_excluded(subject_id=world.subject.pk) is None


def test_a_minor_missed_obligation_does_not_exclude(world):
    breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="minor",
        reason="轻微逾期",
        by=world.regulator,
    )

    assert subject_is_excluded(subject_id=world.subject.pk) is None
