"""The back office for the credit record: the rules are editable, the record is read-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from credit.record.models.rules import PublicityRule
from tests.factories import BreachFactory, RepairNoticeFactory, RepairRuleFactory, UserFactory


@pytest.fixture
def admin_client_(db) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "ruleset",
        "breachcategory",
        "measuretype",
        "creditlist",
        "graderule",
        "repairrule",
        "breach",
        "measure",
        "listentry",
    ],
)
def test_every_changelist_opens(admin_client_, model):
    response = admin_client_.get(reverse(f"admin:credit_{model}_changelist"))

    assert response.status_code == 200


def test_a_repair_rule_is_editable(admin_client_):
    rule = RepairRuleFactory()

    response = admin_client_.get(reverse("admin:credit_repairrule_change", args=[rule.pk]))

    assert 'name="max_repairs"' in response.content.decode()


def test_a_breach_is_read_only(admin_client_):
    breach = BreachFactory()

    page = admin_client_.get(reverse("admin:credit_breach_change", args=[breach.pk]))
    add = admin_client_.get(reverse("admin:credit_breach_add"))

    assert page.status_code == 200
    assert 'name="reason"' not in page.content.decode()
    assert add.status_code == 403


def test_a_breach_shows_its_categorys_legal_basis_in_the_readers_language(admin_pages):
    breach = BreachFactory()  # recorded with the category's basis, as stored in Chinese
    url = reverse("admin:credit_breach_change", args=[breach.pk])

    english, chinese = admin_pages(url)

    assert "Article 69 of the Administrative Licensing Law" in english
    assert "行政许可法" not in english
    assert "《中华人民共和国行政许可法》第六十九条" in chinese


def test_publicity_groups_show_by_their_labels(admin_pages):
    url = reverse("admin:credit_breachcategory_changelist")

    english, chinese = admin_pages(url)

    assert '<td class="field-publicity_group">安全领域</td>' in chinese
    assert '<td class="field-publicity_group">Safety sectors</td>' in english
    rule = PublicityRule.objects.filter(group="warning").select_related("rule_set").first()
    with translation.override("zh-hans"):
        assert str(rule).endswith(" 行政警告")


def test_a_repair_notice_reads_its_materials_and_basis_in_the_readers_language(admin_pages):
    rule = RepairRuleFactory()
    notice = RepairNoticeFactory(
        breach__category=rule.category,
        materials=["commitment", "performance"],
        repair_basis=rule.legal_basis_zh_hans,  # issued while the page was Chinese
    )
    url = reverse("admin:credit_repairnotice_change", args=[notice.pk])

    english, chinese = admin_pages(url)

    assert "A public credit repair commitment, signed by the subject" in english
    assert "Article 8 of the Measures for repairing credit information (trial)" in english
    assert "修复管理办法" not in english and '"commitment"' not in english
    assert "《失信行为纠正后的信用信息修复管理办法（试行）》第八条" in chinese
