"""A commitment's models: fields in the template's order, the signed document the database
demands, and a breach finding that needs its reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commitments.catalogue.models import field_label
from commitments.lifecycle.models import Commitment, Verification
from tests.factories import CommitmentFactory, UserFactory, VerificationFactory


def test_field_rows_follow_the_template_not_the_stored_order(db):
    commitment = CommitmentFactory(
        field_values={"scope": "热食类食品制售", "extra": "附加", "premises": "科技园1号"}
    )

    rows = commitment.field_rows()

    # Labels in the active language, from the template (premises, then scope).
    premises, scope = (field_label(spec) for spec in commitment.template.fields)
    assert rows == [(premises, "科技园1号"), (scope, "热食类食品制售"), ("extra", "附加")]


def test_a_signed_commitment_keeps_its_document(db):
    commitment = CommitmentFactory(signed=True)

    stored = Commitment.objects.get(pk=commitment.pk)

    assert stored.status == Commitment.Status.SIGNED
    assert stored.is_signed
    assert stored.signed_document == commitment.signed_document


def test_the_database_refuses_a_signed_commitment_without_its_document(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(status=Commitment.Status.SIGNED, signed_at=timezone.now())

    assert Commitment.objects.count() == 0


def test_a_breach_finding_needs_its_reason(db):
    finding = VerificationFactory.build(
        commitment=CommitmentFactory(signed=True),
        regulator=UserFactory(),
        breached=True,
        reason="  ",
    )

    with pytest.raises(ValidationError) as refused:
        finding.full_clean()

    assert list(refused.value.message_dict) == ["reason"]
    assert Verification.objects.count() == 0


def test_a_fulfilment_finding_needs_no_reason(db):
    finding = VerificationFactory()

    finding.full_clean()

    assert Verification.objects.get().finding == Verification.Finding.FULFILLED
