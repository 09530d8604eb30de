"""两书同达: every breach decision goes out with its credit repair notice."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from commitments.lifecycle.services.breaches import MISSED_OBLIGATION, commitment_breach_record
from credit.record.models.notices import RepairMaterial, RepairNotice
from credit.record.models.rules import BreachCategory
from notifications.models import Notification, OutboxMessage
from tests.factories import BreachFactory, RepairRuleFactory


@pytest.fixture
def outcome(world, under_verification):
    world.applicant.email = "applicant@example.cn"
    world.applicant.save()
    return commitment_breach_record(
        commitment=under_verification,
        by=world.regulator,
        severity="general",
        category_code=MISSED_OBLIGATION,
        reason="逾期未提交材料",
        obligation=under_verification.obligations.get(),
    )


def test_the_decision_writes_its_notice_under_the_records_rule_set(outcome):
    breach = outcome.breach
    notice = breach.repair_notice

    assert notice.rule_set == breach.rule_set
    assert notice.earliest_repair_on == breach.publicity_min_until
    assert notice.publication_ends_on == breach.publicity_max_until
    assert notice.materials == [RepairMaterial.COMMITMENT, RepairMaterial.PERFORMANCE]
    assert notice.apply_path == f"/credit/{breach.subject.code}/repair/{breach.pk}/"
    assert notice.department_name == breach.department.name


def test_the_decision_and_its_notice_reach_the_subject_in_app_and_by_email(world, outcome):
    notice = outcome.breach.repair_notice
    message = Notification.objects.get(recipient=world.applicant, key__startswith="credit-breach")

    assert notice.reference in message.body
    assert notice.earliest_repair_on.isoformat() in message.body
    assert f"/reports/notices/{notice.reference}.pdf" in message.body
    email = OutboxMessage.objects.get(key=f"notification:{message.pk}:email")
    assert notice.reference in email.body


def test_the_notice_pdf_is_for_the_subject_and_the_designating_department(world, outcome):
    notice = outcome.breach.repair_notice
    url = f"/reports/notices/{notice.reference}.pdf"

    def as_user(user):
        client = Client()
        client.force_login(user)
        return client.get(url)

    applicant = as_user(world.applicant)
    assert applicant.status_code == 200 and applicant.content.startswith(b"%PDF")
    assert as_user(world.regulator).status_code == 200
    assert as_user(world.stranger).status_code == 404
    assert as_user(world.foreign_regulator).status_code == 404


def test_the_notice_shows_on_the_record_and_on_the_breach_panel(world, outcome):
    client = Client()
    client.force_login(world.applicant)
    notice = outcome.breach.repair_notice

    record = client.get(f"/credit/{world.subject.code}/").content.decode()
    detail = client.get(f"/commitments/{outcome.breach.source_reference}/").content.decode()

    assert 'data-testid="record-repair-notice"' in record and notice.reference in record
    assert 'data-testid="repair-notice"' in detail and notice.reference in detail


def test_a_record_that_cannot_be_repaired_says_so_and_needs_no_materials(world, under_verification):
    category = BreachCategory.objects.get(code=MISSED_OBLIGATION)
    RepairRuleFactory(category=category, not_repairable=True)

    breach = commitment_breach_record(
        commitment=under_verification,
        by=world.regulator,
        severity="general",
        category_code=MISSED_OBLIGATION,
        reason="逾期",
        obligation=under_verification.obligations.get(),
    ).breach

    assert (breach.repair_notice.is_repairable, breach.repair_notice.materials) == (False, [])


def test_breaches_recorded_before_notices_get_theirs_from_the_command(world):
    old = BreachFactory(subject=world.subject)
    assert not RepairNotice.objects.filter(breach=old).exists()

    call_command("repair_notices_backfill")
    call_command("repair_notices_backfill")  # a second run writes nothing more

    notice = RepairNotice.objects.get(breach=old)
    assert (notice.issued_by, notice.earliest_repair_on) == (
        old.recorded_by,
        old.publicity_min_until,
    )
