"""The catalogue's back office: unused template wording is editable, used wording is not; the
warning ladder stays editable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commitments.catalogue.models import CommitmentTemplate
from commitments.lifecycle.services.commitments import commitment_create
from tests.factories import CommitmentFactory

FIELDS = {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"}


@pytest.mark.parametrize(
    "model",
    [
        "commitments_commitmenttemplate",
    ],
)
def test_every_changelist_opens(admin_client_, model):
    response = admin_client_.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200


def test_unused_template_wording_is_editable_in_both_languages(admin_client_, world):
    response = admin_client_.get(
        reverse("admin:commitments_commitmenttemplate_change", args=[world.template.pk])
    )

    page = response.content.decode()
    assert 'name="notice_liability_zh_hans"' in page
    assert 'name="notice_liability_en"' in page


def test_used_template_wording_is_read_only(admin_client_, world):
    commitment_create(
        by=world.applicant, subject=world.subject, template=world.template, field_values=FIELDS
    )

    response = admin_client_.get(
        reverse("admin:commitments_commitmenttemplate_change", args=[world.template.pk])
    )

    page = response.content.decode()
    assert 'name="notice_liability_zh_hans"' not in page
    assert 'name="notice_liability_en"' not in page
    assert 'name="fields"' not in page
    assert world.template.notice_liability in page


def test_activate_action_opens_a_draft_template_with_history(admin_client_, world):
    template = CommitmentTemplate.objects.get(pk=world.template.pk)
    draft = CommitmentTemplate.objects.create(
        code="new-permit",
        matter=world.matter,
        kind=template.kind,
        title="新模板",
        notice_legal_basis="x",
        notice_conditions="x",
        notice_waived_proof="x",
        notice_liability="x",
        notice_verification="x",
        notice_publicity="x",
        commitment_text="x",
        verification_method=template.verification_method,
        verification_window=30,
    )

    admin_client_.post(
        reverse("admin:commitments_commitmenttemplate_changelist"),
        {"action": "activate", "_selected_action": [draft.pk]},
    )

    draft.refresh_from_db()
    assert draft.status == CommitmentTemplate.Status.ACTIVE
    assert draft.history.first().history_change_reason == "activated in the admin"


def test_the_warning_ladder_is_edited_on_the_template_even_once_used(admin_client_, world):
    commitment_create(
        by=world.applicant, subject=world.subject, template=world.template, field_values=FIELDS
    )

    response = admin_client_.get(
        reverse("admin:commitments_commitmenttemplate_change", args=[world.template.pk])
    )

    page = response.content.decode()
    assert 'name="warning_steps-__prefix__-offset"' in page
    assert 'name="warning_policy-__prefix__-grace_period"' in page


def test_a_used_templates_wording_says_its_language_and_lists_its_fields(admin_pages):
    commitment = CommitmentFactory()  # the template is used: its wording is read-only
    url = reverse("admin:commitments_commitmenttemplate_change", args=[commitment.template_id])

    english, chinese = admin_pages(url)

    title_en = commitment.template.title_en
    assert f'<div lang="en">{title_en}</div>' in chinese
    assert (
        '<th scope="row">经营场所</th><td>字段名 <span lang="zxx" translate="no">premises</span>'
        "，必填，最多 200 个字符</td>"
    ) in chinese
    assert (
        '<th scope="row">Premises</th><td>name <span lang="zxx" translate="no">premises</span>'
        ", required, at most 200 characters</td>"
    ) in english
    assert '"label_en"' not in chinese
    # The frozen obligation rules say their columns' languages too, and the matter is shown
    # once, by its name (not again as its column, "Matter id").
    rule = commitment.template.obligation_rules.first()
    assert f'<div lang="en">{rule.title_en}</div>' in chinese
    assert f'<div lang="zh-hans">{rule.title_zh_hans}</div>' in english
    assert "Matter id" not in english
    assert "Matter id" not in chinese


def test_a_warning_steps_channels_are_chosen_by_their_names(admin_pages):
    from commitments.catalogue.admin import WarningStepForm
    from commitments.obligations.models import WarningStep

    commitment = CommitmentFactory()
    WarningStep.objects.create(
        template=commitment.template, relative="at", audience="applicant", channels=["email"]
    )
    url = reverse("admin:commitments_commitmenttemplate_change", args=[commitment.template_id])

    english, chinese = admin_pages(url)

    # Boxes named in the reader's language, the stored codes only as their values.
    assert 'type="checkbox" name="warning_steps-0-channels" value="email"' in english
    assert "E-mail" in english and "电子邮件" in chinese
    assert "[&quot;email&quot;]" not in english + chinese
    step = {"relative": "at", "offset": 0, "unit": "working_days", "audience": "regulator"}
    form = WarningStepForm(data={**step, "channels": ["email", "inapp"]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["channels"] == ["email", "inapp"]
    refused = WarningStepForm(data={**step, "channels": ["webhook"]})
    assert not refused.is_valid()
    assert "channels" in refused.errors
