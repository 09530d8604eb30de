"""The directory's back office: reference data is editable; an early code needs a reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from directory.models import Subject
from tests.factories import RepresentativeFactory


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


def test_a_representations_evidence_reads_as_labelled_values_with_its_history(admin_page_in):
    representation = RepresentativeFactory(claim=True)  # evidence: a code typed at registration
    representation.evidence = {
        "role": "legal_representative",
        "filename": "letter.pdf",
        "storage": "signed_document",
    }
    representation._change_reason = "authorisation letter submitted"
    representation.save()
    change = reverse("admin:directory_representation_change", args=[representation.pk])
    history = reverse("admin:directory_representation_history", args=[representation.pk])

    page = admin_page_in(change, "zh-hans")
    changes = admin_page_in(history, "zh-hans")
    english = admin_page_in(change, "en")

    assert '<th scope="row">角色</th><td>法定代表人</td>' in page
    assert '<th scope="row">存放于</th><td>平台签章文件库</td>' in page
    assert '<th scope="row">Role</th><td>Legal representative</td>' in english
    # the history shows the old and the new evidence the same way, in the reader's language
    assert '<th scope="row">自行申报</th><td>注册时输入的代码</td>' in changes
    assert "code typed at registration" not in changes and "legal_representative" not in changes
    assert "pk=None" not in changes  # an empty link is empty, not a "deleted" object
