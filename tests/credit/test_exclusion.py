"""A subject under a "no commit-instead-of-prove" measure cannot start a commitment."""

from __future__ import annotations

import pytest

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from credit import services as credit_services
from credit.models import Measure
from credit.selectors import subject_is_excluded

FIELD_VALUES = {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"}


def _false_commitment(world):
    return credit_services.breach_record(
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
    credit_services.breach_record(
        subject_id=world.subject.pk,
        category_code="missed_obligation",
        severity="minor",
        reason="轻微逾期",
        by=world.regulator,
    )

    assert subject_is_excluded(subject_id=world.subject.pk) is None
