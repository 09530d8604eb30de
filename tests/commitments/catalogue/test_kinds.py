"""Kinds of commitment as data: the rows the migration writes (both languages), the rules
templates read from them, the template pages and API, and a template that may not open."""

from __future__ import annotations

import pytest
from django.test import Client

from commitments.catalogue.models import CommitmentKind, CommitmentTemplate
from commitments.catalogue.services import template_activate
from commitments.errors import CommitmentError, ErrorCode
from commitments.obligations.models import WarningPolicy
from directory.models import DeadlineUnit
from signing.render.commitment import CommitmentDocument, render_commitment_pdf
from tests.factories import ObligationRuleFactory, TemplateFactory, UserFactory
from tests.pdf_text import pdf_text

KIND_CODES = {
    "inform_commit",
    "supply_later",
    "credit_repair",
    "bidding_pledge",
    "self_discipline",
    "voluntary_public",
}


def test_the_migration_writes_every_kind_in_both_languages_with_its_rules(db):
    kinds = {kind.code: kind for kind in CommitmentKind.objects.all()}
    assert set(kinds) == KIND_CODES == set(CommitmentTemplate.Kind.values)
    assert all(kind.name_zh_hans and kind.name_en for kind in kinds.values())
    assert kinds["supply_later"].name_zh_hans == "容缺受理"
    assert kinds["voluntary_public"].name_zh_hans == "主动公示承诺"
    assert kinds["supply_later"].items_supplied_later and kinds["supply_later"].is_verified
    voluntary = kinds["voluntary_public"]
    assert (voluntary.is_verified, voluntary.creates_obligations, voluntary.is_published) == (
        False,
        False,
        True,
    )
    own = {code for code, kind in kinds.items() if kind.has_own_process}
    assert own == set(CommitmentTemplate.KINDS_WITH_OWN_PROCESS)


def test_a_template_reads_its_rules_from_its_kind(world):
    assert world.template.rules.code == "inform_commit"
    assert world.template.has_own_process is False
    CommitmentKind.objects.filter(code="inform_commit").update(may_withdraw_before_decision=False)
    fresh = CommitmentTemplate.objects.get(pk=world.template.pk)
    assert fresh.rules.may_withdraw_before_decision is False


def test_kinds_api_in_the_readers_language(world, api_as):
    client = api_as(world.applicant)
    chinese = client.get("/api/v1/kinds/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = client.get("/api/v1/kinds/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [kind["code"] for kind in chinese][:2] == ["inform_commit", "supply_later"]
    assert {kind["code"]: kind["name"] for kind in chinese}["supply_later"] == "容缺受理"
    assert {kind["code"]: kind["name"] for kind in english}["supply_later"] == (
        "Accept now, supply later"
    )
    assert api_as(world.applicant).get("/api/v1/templates/").json()[0]["kind_name"]


def test_template_pages_show_the_kinds_and_the_missing_items(world):
    template = TemplateFactory(
        matter=world.matter,
        code="later",
        kind=CommitmentTemplate.Kind.SUPPLY_LATER,
        consequence=CommitmentTemplate.Consequence.REVOKE,
    )
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.applicant)
    listing = client.get("/commitments/templates/?kind=supply_later").content.decode()
    assert "Accept now, supply later" in listing and "later" in listing
    assert "Voluntary public commitment" in listing
    assert "?kind=bidding_pledge" not in listing  # signed on its own pages
    notice = client.get(f"/commitments/templates/{template.pk}/notice/").content.decode()
    assert 'data-testid="missing-items"' in notice
    assert "The approval is revoked" in notice


def test_a_supply_later_template_without_items_does_not_open(world):
    template = TemplateFactory(
        matter=world.matter,
        code="later-empty",
        kind=CommitmentTemplate.Kind.SUPPLY_LATER,
        consequence=CommitmentTemplate.Consequence.SUSPEND,
        status=CommitmentTemplate.Status.DRAFT,
        obligations=False,
    )
    before = template.history.count()
    with pytest.raises(CommitmentError) as refused:
        template_activate(template=template, by=UserFactory())
    assert refused.value.code == ErrorCode.INVALID
    assert "obligation_rules" in refused.value.fields
    template.refresh_from_db()
    assert template.status == CommitmentTemplate.Status.DRAFT
    assert template.history.count() == before

    # items in calendar days do not open it either; in working days they do
    rule = ObligationRuleFactory(template=template, deadline_unit=DeadlineUnit.CALENDAR_DAYS)
    with pytest.raises(CommitmentError) as calendar:
        template_activate(template=template, by=UserFactory())
    assert "obligation_rules" in calendar.value.fields
    rule.deadline_unit = DeadlineUnit.WORKING_DAYS
    rule.save()
    # without a warning policy recording the breach when the grace period ends, it does not
    # open either (the consequence would never follow); nor with a grace in calendar days
    with pytest.raises(CommitmentError) as no_policy:
        template_activate(template=template, by=UserFactory())
    assert list(no_policy.value.fields) == ["warning_policy"]
    policy = WarningPolicy.objects.create(
        template=template, grace_period=3, grace_unit=DeadlineUnit.CALENDAR_DAYS
    )
    with pytest.raises(CommitmentError) as calendar_grace:
        template_activate(template=template, by=UserFactory())
    assert list(calendar_grace.value.fields) == ["warning_policy"]
    template.refresh_from_db()
    assert template.status == CommitmentTemplate.Status.DRAFT
    policy.grace_unit = DeadlineUnit.WORKING_DAYS
    policy.save()
    template = CommitmentTemplate.objects.get(pk=template.pk)
    assert template_activate(template=template, by=UserFactory()).status == "active"


def test_a_supply_later_template_states_its_consequence_and_a_public_one_its_term(world):
    for kind, extra, field in (
        (CommitmentTemplate.Kind.SUPPLY_LATER, {}, "consequence"),
        (CommitmentTemplate.Kind.VOLUNTARY_PUBLIC, {"publicity_days": 0}, "publicity_days"),
        (CommitmentTemplate.Kind.INFORM_AND_COMMIT, {"consequence": "suspend"}, "consequence"),
    ):
        template = TemplateFactory(
            matter=world.matter,
            kind=kind,
            status=CommitmentTemplate.Status.DRAFT,
            **extra,
        )
        with pytest.raises(CommitmentError) as refused:
            template_activate(template=template, by=UserFactory())
        assert field in refused.value.fields, kind


def test_the_signed_pdf_follows_the_model_letter_with_the_consequence(tmp_path):
    document = CommitmentDocument(
        reference="CN-1",
        title="食品经营许可容缺受理承诺书",
        template_label="v1",
        subject_name="深圳市示例餐饮有限公司",
        subject_code="914403001922038216",
        matter="食品经营许可",
        notice=(
            ("事项及依据", "食品安全法第三十五条"),
            ("条件", "具备条件"),
            ("免交证明", "缺件后补"),
            ("失信责任", "暂停许可"),
            ("核查", "逐项审核"),
            ("公示", "公示一年"),
        ),
        commitment_text="本单位承诺按期补齐缺件。",
        fields=(),
        obligations=(("补交健康证明", "2026-03-16"),),
        consequence="暂停审批许可",
    )
    text = pdf_text(render_commitment_pdf(document), tmp_path)
    order = [
        "一、承诺主体",
        "二、承诺事项及依据",
        "食品安全法第三十五条",
        "三、承诺内容",
        "补交健康证明",
        "四、接受核查及失信后果",
        "未按期补正的后果",
        "暂停审批许可",
        "五、签署",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
