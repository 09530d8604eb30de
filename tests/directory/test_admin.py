"""The directory's back office: reference data is editable; an early code needs a reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from directory.models import Subject


@pytest.mark.parametrize(
    "model",
    [
        "directory_region",
        "directory_department",
        "directory_matter",
        "directory_competence",
        "directory_regulatormembership",
        "directory_subject",
        "directory_workingdayoverride",
    ],
)
def test_every_changelist_opens(admin_client_, model):
    response = admin_client_.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200


def test_officer_registers_an_early_code_with_a_recorded_reason(admin_client_, world):
    url = reverse("admin:directory_subject_add")
    data = {
        "kind": "company",
        "code": "９１４４０３００１９２２０３８２１７",
        "name": "早期试点企业",
        "region": world.region.pk,
        "representations-TOTAL_FORMS": "0",
        "representations-INITIAL_FORMS": "0",
    }

    refused = admin_client_.post(url, {**data, "checksum_override_reason": ""})
    accepted = admin_client_.post(url, {**data, "checksum_override_reason": "经核对登记档案无误"})

    assert refused.status_code == 200
    assert "(expected 6)" in refused.content.decode()
    assert accepted.status_code == 302
    subject = Subject.objects.get(code="914403001922038217")
    assert subject.checksum_override_reason == "经核对登记档案无误"
    assert subject.checksum_overridden_by.username == "admin"
