"""Services of a commitment's life: draft, sign, withdraw — and every refusal."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
import time_machine
from django.utils import translation

from commitments.catalogue.models import CommitmentTemplate
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import (
    commitment_create,
    commitment_preview,
    commitment_sign,
    commitment_update_draft,
)
from commitments.lifecycle.services.withdrawal import commitment_withdraw
from commitments.obligations.models import Obligation
from signing.ca.authority import ca_clear_cache
from signing.models import SignedDocument
from signing.pades.validate import validate_pdf
from signing.storage import document_read
from tests.factories import RegionFactory, TemplateFactory

FIELDS = {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"}
BEFORE_NATIONAL_DAY = datetime.datetime(
    2026, 9, 30, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
)


@pytest.fixture(autouse=True)
def own_signing_paths(settings, tmp_path: Path):
    """A CA and a document store of this test's own, so clock travel cannot predate the CA."""
    settings.SIGNING_CA_AUTOCREATE = True
    settings.SIGNING_CA_CERT_PATH = str(tmp_path / "ca" / "ca.crt")
    settings.SIGNING_CA_KEY_PATH = str(tmp_path / "ca" / "ca.key")
    settings.SIGNING_DOCUMENT_ROOT = str(tmp_path / "documents")
    ca_clear_cache()
    yield
    ca_clear_cache()


def _draft(world, **overrides) -> Commitment:
    arguments = {
        "by": world.applicant,
        "subject": world.subject,
        "template": world.template,
        "field_values": FIELDS,
    } | overrides
    return commitment_create(**arguments)


def _history_count(commitment: Commitment) -> int:
    return commitment.history.count()


# Drafts -------------------------------------------------------------------------------------


def test_create_makes_a_draft_with_trimmed_fields(world):
    commitment = _draft(world, field_values={"premises": "  南山区1号 ", "scope": "热食"})

    assert commitment.status == Commitment.Status.DRAFT
    assert commitment.field_values == {"premises": "南山区1号", "scope": "热食"}
    assert commitment.reference.startswith("CN")
    assert commitment.region == world.region


def test_create_with_a_missing_field_names_it_and_creates_nothing(world):
    with pytest.raises(CommitmentError) as refused:
        _draft(world, field_values={"premises": "南山区1号"})

    assert refused.value.code == ErrorCode.INVALID
    assert list(refused.value.fields) == ["scope"]
    assert Commitment.objects.count() == 0


def test_create_with_a_too_long_field_is_refused(world):
    with pytest.raises(CommitmentError) as refused:
        _draft(world, field_values={"premises": "长" * 201, "scope": "热食"})

    assert list(refused.value.fields) == ["premises"]
    assert Commitment.objects.count() == 0


def test_create_on_a_retired_template_is_refused(world):
    template = TemplateFactory(
        matter=world.matter, code="old-permit", status=CommitmentTemplate.Status.RETIRED
    )

    with pytest.raises(CommitmentError) as refused:
        _draft(world, template=template)

    assert refused.value.code == ErrorCode.TEMPLATE_NOT_ACTIVE
    assert Commitment.objects.count() == 0


def test_create_for_someone_elses_subject_is_forbidden(world):
    with pytest.raises(CommitmentError) as refused:
        _draft(world, by=world.stranger)

    assert refused.value.code == ErrorCode.FORBIDDEN
    assert Commitment.objects.count() == 0


def test_create_where_no_department_is_competent_is_refused(world):
    elsewhere = RegionFactory(code="110000", name="北京市")

    with pytest.raises(CommitmentError) as refused:
        _draft(world, region=elsewhere)

    assert refused.value.field == "region"
    assert Commitment.objects.count() == 0


def test_update_draft_replaces_the_fields_and_records_why(world):
    commitment = _draft(world)

    updated = commitment_update_draft(
        commitment=commitment,
        by=world.applicant,
        field_values={"premises": "福田区2号", "scope": "冷食"},
    )

    assert updated.field_values == {"premises": "福田区2号", "scope": "冷食"}
    assert updated.history.first().history_change_reason == "draft edited"
    assert updated.history.first().history_user == world.applicant


def test_preview_is_a_pdf_for_the_representative_only(world):
    commitment = _draft(world)

    pdf = commitment_preview(commitment=commitment, by=world.applicant)

    assert pdf.startswith(b"%PDF-")
    with pytest.raises(CommitmentError) as refused:
        commitment_preview(commitment=commitment, by=world.stranger)
    assert refused.value.code == ErrorCode.FORBIDDEN


def test_withdraw_a_draft(world):
    commitment = _draft(world)

    withdrawn = commitment_withdraw(
        commitment=commitment, by=world.applicant, reason="改走一般程序"
    )

    assert withdrawn.status == Commitment.Status.WITHDRAWN
    assert withdrawn.history.first().history_change_reason == "改走一般程序"


# Signing ------------------------------------------------------------------------------------


def test_sign_sets_obligation_due_dates_in_working_days(world):
    commitment = _draft(world)

    with time_machine.travel(BEFORE_NATIONAL_DAY, tick=False):
        outcome = commitment_sign(commitment=commitment, by=world.applicant)

    obligation = Obligation.objects.get(commitment=commitment)
    # 20 working days from 30 September: the holiday week and seven weekend days skipped.
    assert obligation.due_date == datetime.date(2026, 11, 3)
    assert obligation.due_basis == {
        "start": "2026-09-30",
        "count": 20,
        "unit": "working_days",
        "skipped": 14,
        "due_date": "2026-11-03",
    }
    assert [o.pk for o in outcome.obligations] == [obligation.pk]
    with translation.override("en"):
        assert obligation.due_explanation == (
            "20 working days after 2026-09-30 on the official calendar "
            "(14 weekend or holiday days skipped)"
        )


def test_sign_stores_a_valid_pdf_whose_sha256_matches_the_bytes(world):
    commitment = _draft(world)

    outcome = commitment_sign(commitment=commitment, by=world.applicant)

    signed = outcome.commitment
    assert signed.status == Commitment.Status.SIGNED
    assert signed.signed_by == world.applicant
    data = document_read(signed.signed_document)
    assert hashlib.sha256(data).hexdigest() == signed.signed_document.sha256
    assert len(data) == signed.signed_document.size
    report = validate_pdf(data)
    assert report.is_valid


def test_sign_twice_is_already_signed_and_changes_nothing(world):
    commitment = _draft(world)
    first = commitment_sign(commitment=commitment, by=world.applicant).commitment
    history_before = _history_count(first)
    documents_before = SignedDocument.objects.count()
    obligations_before = Obligation.objects.count()

    with pytest.raises(CommitmentError) as refused:
        commitment_sign(commitment=commitment, by=world.applicant)

    assert refused.value.code == ErrorCode.ALREADY_SIGNED
    again = Commitment.objects.get(pk=commitment.pk)
    assert again.signed_document_id == first.signed_document_id
    assert again.signed_at == first.signed_at
    assert _history_count(again) == history_before
    assert SignedDocument.objects.count() == documents_before
    assert Obligation.objects.count() == obligations_before


def test_sign_for_someone_elses_subject_is_forbidden_and_changes_nothing(world):
    commitment = _draft(world)

    with pytest.raises(CommitmentError) as refused:
        commitment_sign(commitment=commitment, by=world.stranger)

    assert refused.value.code == ErrorCode.FORBIDDEN
    unchanged = Commitment.objects.get(pk=commitment.pk)
    assert unchanged.status == Commitment.Status.DRAFT
    assert unchanged.signed_document is None
    assert SignedDocument.objects.count() == 0


def test_sign_after_the_template_closed_is_refused(world):
    commitment = _draft(world)
    template = CommitmentTemplate.objects.get(pk=world.template.pk)
    template.retire()
    template.save()

    with pytest.raises(CommitmentError) as refused:
        commitment_sign(commitment=commitment, by=world.applicant)

    assert refused.value.code == ErrorCode.TEMPLATE_NOT_ACTIVE
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.DRAFT
    assert SignedDocument.objects.count() == 0


def test_signed_commitment_cannot_be_edited_nor_withdrawn_without_a_reason(world):
    commitment = _draft(world)
    commitment_sign(commitment=commitment, by=world.applicant)

    with pytest.raises(CommitmentError) as edit_refused:
        commitment_update_draft(commitment=commitment, by=world.applicant, field_values=FIELDS)
    with pytest.raises(CommitmentError) as withdraw_refused:
        commitment_withdraw(commitment=commitment, by=world.applicant, reason="")

    assert edit_refused.value.code == ErrorCode.ALREADY_SIGNED
    assert withdraw_refused.value.code == ErrorCode.INVALID
    assert withdraw_refused.value.field == "reason"
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.SIGNED
