"""Template versions are frozen once used: what an applicant signed never changes under it."""

import pytest
from django.core.exceptions import ValidationError

from commitments.catalogue.models import CommitmentTemplate, ObligationRule
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create

FIELDS = {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"}


def test_unused_template_wording_can_be_corrected(world):
    template = world.template
    template.notice_liability = "更正后的法律责任说明。"

    template.full_clean()


def test_used_template_wording_is_frozen(world):
    commitment_create(
        by=world.applicant, subject=world.subject, template=world.template, field_values=FIELDS
    )
    template = CommitmentTemplate.objects.get(pk=world.template.pk)
    template.notice_liability = "悄悄改动的法律责任。"

    with pytest.raises(ValidationError) as refused:
        template.full_clean()

    assert list(refused.value.message_dict) == ["notice_liability"]
    stored = CommitmentTemplate.objects.get(pk=world.template.pk)
    assert stored.notice_liability == world.template.notice_liability


def test_used_template_can_still_be_retired(world):
    commitment_create(
        by=world.applicant, subject=world.subject, template=world.template, field_values=FIELDS
    )
    template = CommitmentTemplate.objects.get(pk=world.template.pk)
    template.retire()

    template.full_clean()
    template.save()

    assert CommitmentTemplate.objects.get(pk=template.pk).status == "retired"
    assert Commitment.objects.filter(template=template).count() == 1


def test_obligation_rules_of_a_used_template_are_frozen(world):
    commitment_create(
        by=world.applicant, subject=world.subject, template=world.template, field_values=FIELDS
    )
    rule = ObligationRule.objects.get(template=world.template)
    rule.deadline = 5

    with pytest.raises(ValidationError):
        rule.full_clean()
