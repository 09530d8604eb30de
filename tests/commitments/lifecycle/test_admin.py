"""The back office's view of commitments and findings: read-only."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from directory.calendar import add_working_days
from tests.factories import CommitmentFactory


@pytest.mark.parametrize(
    "model",
    [
        "commitments_commitment",
        "commitments_verification",
    ],
)
def test_every_changelist_opens(admin_client_, model):
    response = admin_client_.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200


def test_commitments_cannot_be_added_in_the_admin(admin_client_):
    response = admin_client_.get(reverse("admin:commitments_commitment_add"))

    assert response.status_code == 403


def test_a_commitments_fields_and_due_date_read_as_labelled_words(admin_pages):
    commitment = CommitmentFactory(signed=True)
    commitment.verification_due_basis = add_working_days(date(2026, 12, 7), 30).as_basis()
    commitment.save()
    url = reverse("admin:commitments_commitment_change", args=[commitment.pk])

    english, chinese = admin_pages(url)

    assert '<th scope="row">Premises</th><td>深圳市南山区科技园1号</td>' in english
    assert '<th scope="row">经营场所</th><td>深圳市南山区科技园1号</td>' in chinese
    assert "30 working days after 2026-12-07 on the official calendar" in english
    assert "自2026-12-07起按法定工作日计算30个工作日" in chinese
    assert '"premises"' not in chinese and "working_days" not in chinese
