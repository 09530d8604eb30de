"""Objections: the record is marked under objection on filing; the department decides or
forwards within the working-day limits; a corrected or revoked record leaves publication on
the decision — and every refusal, with proof that nothing changed."""

from __future__ import annotations

from datetime import date

import pytest

from credit.changes.models import RecordChangeNotice
from credit.check.models import CheckQuery
from credit.errors import CreditError, CreditErrorCode
from credit.record import selectors as credit_selectors
from credit.record.models.breaches import Breach, Measure
from notifications.models import Notification
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.repair.models import Objection
from workflows.repair.services.objections import (
    objection_decide,
    objection_forward,
    objection_submit,
)


def _snapshot(breach: Breach) -> tuple:
    breach = Breach.objects.get(pk=breach.pk)
    return (
        breach.status,
        breach.history.count(),
        Objection.objects.count(),
        Notification.objects.count(),
    )


def _file(world, breach, **kwargs):
    values = {"kind": "content", "grounds": "整改报告已按期提交，有回执为证"}
    values.update(kwargs)
    return objection_submit(breach=breach, by=world.applicant, **values)


def _public(world):
    return credit_selectors.credit_record(
        subject_id=world.subject.pk, audience=credit_selectors.AUDIENCE_PUBLIC
    ).breaches


def test_filing_marks_the_record_under_objection_at_once(world, new_breach):
    assert [b.pk for b in _public(world)] == [new_breach.pk]

    objection = _file(world, new_breach)

    new_breach.refresh_from_db()
    assert new_breach.status == "under_objection"
    assert (objection.status, objection.department, objection.breach_status_before) == (
        "open",
        world.department,
        "published",
    )
    # Shanghai art. 36: decide within 5 working days, or forward within 2.
    assert (objection.filed_on, objection.forward_due, objection.decision_due) == (
        date(2026, 12, 1),
        date(2026, 12, 3),
        date(2026, 12, 8),
    )
    assert _public(world) == []
    assert (
        Notification.objects.filter(key__startswith=f"objection-{objection.pk}-received").count()
        == 3
    )


def test_revoking_clears_the_record_and_tells_calling_systems(world, new_breach, calling_system):
    system, _token = calling_system
    CheckQuery.objects.create(
        calling_system=system,
        subject=world.subject,
        subject_code=world.subject.code,
        purpose="bid",
        reason="投标资格审查",
    )
    objection = _file(world, new_breach)

    objection_decide(
        objection=objection, by=world.regulator, outcome="revoked", reason="回执属实，记录有误"
    )

    new_breach.refresh_from_db()
    objection.refresh_from_db()
    assert (objection.status, objection.decided_on) == ("revoked", date(2026, 12, 1))
    assert new_breach.status == "revoked"
    assert set(Measure.objects.filter(breach=new_breach).values_list("status", flat=True)) == {
        "lifted"
    }
    assert credit_selectors.subject_is_excluded(subject_id=world.subject.pk) is None
    assert _public(world) == []
    assert list(RecordChangeNotice.objects.values_list("change", flat=True)) == ["revoked"]
    system_message = Notification.objects.get(key__startswith="credit-change-")
    assert (system_message.recipient, system_message.subject) == (
        system.user,
        f"Credit record {new_breach.pk} revoked",
    )
    told = Notification.objects.get(key=f"objection-{objection.pk}-decided-{world.applicant.pk}")
    assert told.subject == "Your objection was upheld: the record is revoked"


def test_rejecting_puts_the_record_back_as_it_was(world, new_breach):
    objection = _file(world, new_breach)

    objection_decide(
        objection=objection, by=world.regulator, outcome="rejected", reason="回执日期晚于期限"
    )

    new_breach.refresh_from_db()
    assert new_breach.status == "published"
    assert [b.pk for b in _public(world)] == [new_breach.pk]


def test_correcting_the_duration_ends_publication_at_the_corrected_day(world, new_breach):
    objection = _file(world, new_breach, kind="duration")

    objection_decide(
        objection=objection,
        by=world.regulator,
        outcome="corrected",
        reason="公示期限计算有误",
        corrected_max_until=date(2026, 10, 1),
    )

    new_breach.refresh_from_db()
    assert (new_breach.status, new_breach.publicity_max_until) == (
        "publication_ended",
        date(2026, 10, 1),
    )
    assert _public(world) == []


def test_forwarding_gives_the_provider_five_working_days(world, new_breach):
    objection = _file(world, new_breach)

    objection_forward(
        objection=objection,
        by=world.regulator,
        department=world.other_department,
        reason="该记录由住房和建设局提供",
    )

    objection.refresh_from_db()
    assert (objection.status, objection.department, objection.decision_due) == (
        "forwarded",
        world.other_department,
        date(2026, 12, 8),
    )
    with pytest.raises(WorkflowError):  # no longer with the first department
        objection_decide(objection=objection, by=world.regulator, outcome="revoked", reason="x")
    objection_decide(
        objection=objection, by=world.foreign_regulator, outcome="revoked", reason="提供部门核实"
    )
    assert Breach.objects.get(pk=new_breach.pk).status == "revoked"


def test_an_objection_on_someone_elses_record_is_not_found(world, new_breach):
    before = _snapshot(new_breach)
    with pytest.raises(WorkflowError) as refused:
        objection_submit(breach=new_breach, by=world.stranger, kind="content", grounds="x")
    assert refused.value.code == WorkflowErrorCode.NOT_FOUND
    assert _snapshot(new_breach) == before


def test_a_second_objection_while_the_first_is_open_is_refused(world, new_breach):
    first = _file(world, new_breach)
    before = _snapshot(new_breach)
    with pytest.raises(WorkflowError) as refused:
        _file(world, new_breach, kind="duration")
    assert refused.value.message == (
        "An objection to this record, filed on 2026-12-01, is still open: a second one can be "
        "filed only after it is decided."
    )
    assert _snapshot(new_breach) == before
    objection_decide(objection=first, by=world.regulator, outcome="rejected", reason="不成立")
    assert _file(world, new_breach, kind="duration").status == "open"


@pytest.mark.parametrize(
    ("kind", "grounds", "field"),
    [("nonsense", "x", "kind"), ("content", "  ", "grounds"), ("repair_result", "x", "kind")],
)
def test_bad_objections_are_refused(world, new_breach, kind, grounds, field):
    before = _snapshot(new_breach)
    with pytest.raises(WorkflowError) as refused:
        _file(world, new_breach, kind=kind, grounds=grounds)
    assert refused.value.field == field
    assert _snapshot(new_breach) == before


def test_a_record_from_before_2026_04_01_is_objected_to_the_same_way(world, old_breach):
    objection = _file(world, old_breach)
    assert Breach.objects.get(pk=old_breach.pk).status == "under_objection"
    objection_decide(objection=objection, by=world.regulator, outcome="rejected", reason="x")
    assert Breach.objects.get(pk=old_breach.pk).status == "published"


def test_an_objection_to_a_repaired_record_is_refused_by_its_marking_step(world, old_breach):
    objection = _file(world, old_breach)
    objection_decide(objection=objection, by=world.regulator, outcome="revoked", reason="属实")
    before = _snapshot(old_breach)

    with pytest.raises(CreditError) as refused:
        _file(world, old_breach, kind="duration")

    assert (refused.value.code, refused.value.field) == (CreditErrorCode.INVALID_STATE, "breach")
    assert refused.value.message == "This record is Revoked: it can no longer be objected to."
    assert _snapshot(old_breach) == before


@pytest.mark.parametrize(
    ("corrected_reason", "corrected_max_until", "field"),
    [("", None, "corrected_reason"), ("", date(2031, 1, 1), "corrected_max_until")],
)
def test_a_correction_the_record_does_not_allow_is_refused(
    world, new_breach, corrected_reason, corrected_max_until, field
):
    objection = _file(world, new_breach, kind="duration")
    before = _snapshot(new_breach)

    with pytest.raises(CreditError) as refused:
        objection_decide(
            objection=objection,
            by=world.regulator,
            outcome="corrected",
            reason="期限有误",
            corrected_reason=corrected_reason,
            corrected_max_until=corrected_max_until,
        )

    assert (refused.value.code, refused.value.field) == (CreditErrorCode.INVALID, field)
    assert _snapshot(new_breach) == before
    assert Objection.objects.get(pk=objection.pk).status == "open"
