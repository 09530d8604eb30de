"""Credit repair: eligibility by the rule set of the record's date, the application with its
proofs and signed repair commitment, the department's decision and its effects — and every
refusal, with proof that nothing changed."""

from __future__ import annotations

from datetime import date

import pytest

from commitments.catalogue.models import CommitmentTemplate
from commitments.lifecycle.models import Commitment
from credit.changes.models import RecordChangeNotice
from credit.check.models import CheckQuery
from credit.errors import CreditError, CreditErrorCode
from credit.record import selectors as credit_selectors
from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.record.models.rules import RepairRule
from notifications.models import Notification
from tests.workflows.repair.conftest import proof, record
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.repair.models import RepairApplication, RepairProof
from workflows.repair.services.objections import objection_decide, objection_submit
from workflows.repair.services.repair import repair_decide, repair_submit


def _snapshot(breach: Breach) -> tuple:
    breach = Breach.objects.get(pk=breach.pk)
    return (
        breach.status,
        breach.history.count(),
        tuple(Measure.objects.filter(breach=breach).values_list("pk", "status")),
        RepairApplication.objects.count(),
        RepairProof.objects.count(),
        Commitment.objects.filter(template__kind=CommitmentTemplate.Kind.CREDIT_REPAIR).count(),
        Notification.objects.count(),
    )


def _apply(world, breach, **kwargs):
    values = {"statement": "已缴清罚款并提交整改报告", "proofs": [proof()]}
    values.update(kwargs)
    return repair_submit(breach=breach, by=world.applicant, **values)


# Granting ------------------------------------------------------------------------------------


def test_an_application_is_signed_and_goes_to_the_designating_department(world, old_breach):
    application = _apply(world, old_breach)

    assert (application.status, application.department, application.subject) == (
        "submitted",
        world.department,
        world.subject,
    )
    assert (application.submitted_on, application.feedback_due, application.decision_due) == (
        date(2026, 12, 1),
        date(2026, 12, 15),
        date(2026, 12, 4),
    )
    commitment = application.commitment
    assert (commitment.template.kind, commitment.subject, commitment.is_signed) == (
        "credit_repair",
        world.subject,
        True,
    )
    assert commitment.field_values["breach"] == str(old_breach.pk)
    assert [(p.name, p.size, p.content_type) for p in application.proofs.all()] == [
        ("receipt.pdf", len(proof().data), "application/pdf")
    ]
    told = set(
        Notification.objects.filter(
            key__startswith=f"repair-{application.pk}-received"
        ).values_list("recipient__username", flat=True)
    )
    assert told == {"regulator", "regulator2", "supervisor"}


def test_granting_repairs_lifts_measures_ends_listing_and_tells_everyone(
    world, old_breach, calling_system
):
    system, _token = calling_system
    CheckQuery.objects.create(
        calling_system=system,
        subject=world.subject,
        subject_code=world.subject.code,
        purpose="approval",
        reason="审批前核查",
    )
    assert credit_selectors.subject_is_excluded(subject_id=world.subject.pk) is not None
    entry = ListEntry.objects.get(breach=old_breach)
    application = _apply(world, old_breach)

    repair_decide(application=application, by=world.regulator, grant=True, reason="")

    application.refresh_from_db()
    old_breach.refresh_from_db()
    entry.refresh_from_db()
    assert (application.status, application.decided_by, application.decided_on) == (
        "granted",
        world.regulator,
        date(2026, 12, 1),
    )
    assert old_breach.status == "repaired"
    assert not old_breach.is_public_on(date(2026, 12, 1))
    assert set(Measure.objects.filter(breach=old_breach).values_list("status", flat=True)) == {
        "lifted"
    }
    assert (entry.status, entry.exited_on) == ("exited", date(2026, 12, 1))
    assert credit_selectors.subject_is_excluded(subject_id=world.subject.pk) is None
    assert list(RecordChangeNotice.objects.values_list("calling_system", "breach", "change")) == [
        (system.pk, old_breach.pk, "repaired")
    ]
    assert list(
        Notification.objects.filter(recipient=system.user).values_list("subject", "body")
    ) == [
        (
            f"Credit record {old_breach.pk} repaired",
            f"The credit record {old_breach.pk} of subject {world.subject.pk} that you received "
            "was repaired on 2026-12-01: stop using it.",
        )
    ]
    decided = Notification.objects.get(key=f"repair-{application.pk}-decided-{world.applicant.pk}")
    assert decided.subject == "Your credit repair was granted"
    public = credit_selectors.credit_record(
        subject_id=world.subject.pk, audience=credit_selectors.AUDIENCE_PUBLIC
    )
    assert public.breaches == []


def test_a_refusal_keeps_the_record_and_tells_the_reason(world, old_breach):
    application = _apply(world, old_breach)
    before = Breach.objects.get(pk=old_breach.pk).status

    repair_decide(application=application, by=world.regulator, grant=False, reason="整改报告未盖章")

    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("refused", "整改报告未盖章")
    assert Breach.objects.get(pk=old_breach.pk).status == before
    assert credit_selectors.subject_is_excluded(subject_id=world.subject.pk) is not None
    body = Notification.objects.get(
        key=f"repair-{application.pk}-decided-{world.applicant.pk}"
    ).body
    assert "整改报告未盖章" in body


# Refusals --------------------------------------------------------------------------------------


def test_before_the_minimum_period_is_refused_with_the_rule(world, new_breach):
    before = _snapshot(new_breach)
    with pytest.raises(WorkflowError) as refused:
        _apply(world, new_breach)
    assert refused.value.code == WorkflowErrorCode.INVALID_STATE
    assert refused.value.field == "breach"
    assert "2027-04-01" in refused.value.message
    assert "NDRC Order 36" in refused.value.message
    assert _snapshot(new_breach) == before


def test_without_proof_is_refused(world, old_breach):
    before = _snapshot(old_breach)
    with pytest.raises(WorkflowError) as refused:
        _apply(world, old_breach, proofs=[])
    assert (refused.value.field, refused.value.message.startswith("Attach proof")) == (
        "proofs",
        True,
    )
    assert _snapshot(old_breach) == before


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        ("run.exe", b"MZ\x90\x00", "application/octet-stream", "is not a PDF, JPEG or PNG"),
        ("fake.pdf", b"MZ\x90\x00", "application/pdf", "is not a PDF, JPEG or PNG"),
        ("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "application/pdf", "larger than 10 MB"),
        ("../../proof.pdf", b"%PDF", "application/pdf", "Give the file's name without a folder."),
        ("proof\x00.pdf", b"%PDF", "application/pdf", "The file name contains control characters."),
        ("p" * 201 + ".pdf", b"%PDF", "application/pdf", "longer than 200 characters"),
    ],
)
def test_a_bad_proof_file_is_refused(world, old_breach, name, data, content_type, message):
    before = _snapshot(old_breach)
    with pytest.raises(WorkflowError) as refused:
        _apply(world, old_breach, proofs=[proof(name, data, content_type)])
    assert refused.value.field == "proofs"
    assert message in refused.value.message
    assert _snapshot(old_breach) == before


def test_a_non_repairable_category_is_refused(world, old_breach):
    RepairRule.objects.create(
        category=old_breach.category, is_repairable=False, legal_basis="地方规定：不予修复"
    )
    before = _snapshot(old_breach)
    with pytest.raises(WorkflowError) as refused:
        _apply(world, old_breach)
    assert "cannot be repaired" in refused.value.message
    assert "地方规定：不予修复" in refused.value.message
    assert _snapshot(old_breach) == before


def test_over_the_frequency_limit_is_refused(repair_city, today):
    world = repair_city
    RepairRule.objects.filter(category__isnull=True).update(max_repairs=1, period_months=12)
    first = record(world, on=date(2026, 3, 30))
    second = record(world, on=date(2026, 3, 31), severity="general")
    repair_decide(application=_apply(world, first), by=world.regulator, grant=True, reason="")
    before = _snapshot(second)
    with pytest.raises(WorkflowError) as refused:
        _apply(world, second)
    assert "at most 1 are allowed" in refused.value.message
    assert _snapshot(second) == before


def test_someone_elses_record_is_not_found(world, old_breach):
    before = _snapshot(old_breach)
    with pytest.raises(WorkflowError) as refused:
        repair_submit(breach=old_breach, by=world.stranger, statement="x", proofs=[proof()])
    assert refused.value.code == WorkflowErrorCode.NOT_FOUND
    assert _snapshot(old_breach) == before


def test_only_the_designating_department_decides(world, old_breach):
    application = _apply(world, old_breach)
    with pytest.raises(WorkflowError) as refused:
        repair_decide(application=application, by=world.foreign_regulator, grant=True, reason="")
    assert refused.value.code == WorkflowErrorCode.NOT_FOUND
    assert RepairApplication.objects.get(pk=application.pk).status == "submitted"


def test_a_second_open_application_and_a_second_decision_are_refused(world, old_breach):
    application = _apply(world, old_breach)
    with pytest.raises(WorkflowError) as refused:
        _apply(world, old_breach)
    assert "is open" in refused.value.message
    repair_decide(application=application, by=world.regulator, grant=True, reason="")
    with pytest.raises(WorkflowError) as again:
        repair_decide(application=application, by=world.regulator, grant=False, reason="x")
    assert again.value.code == WorkflowErrorCode.INVALID_STATE


def test_a_refusal_without_reason_is_refused(world, old_breach):
    application = _apply(world, old_breach)
    with pytest.raises(WorkflowError) as refused:
        repair_decide(application=application, by=world.regulator, grant=False, reason=" ")
    assert refused.value.field == "reason"
    assert RepairApplication.objects.get(pk=application.pk).status == "submitted"


def test_a_record_revoked_meanwhile_cannot_be_repaired(world, old_breach):
    application = _apply(world, old_breach)
    objection = objection_submit(
        breach=old_breach, by=world.applicant, kind="content", grounds="记录有误"
    )
    objection_decide(objection=objection, by=world.regulator, outcome="revoked", reason="属实")
    before = _snapshot(old_breach)

    with pytest.raises(CreditError) as refused:
        repair_decide(application=application, by=world.regulator, grant=True, reason="")

    assert (refused.value.code, refused.value.field) == (CreditErrorCode.INVALID_STATE, "status")
    assert refused.value.message == "This record is Revoked and cannot be repaired."
    assert RepairApplication.objects.get(pk=application.pk).status == "submitted"
    assert _snapshot(old_breach) == before
