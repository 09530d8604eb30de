"""The back office's view of commitments and findings: read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse


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
