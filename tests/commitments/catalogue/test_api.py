"""The catalogue's API: the active templates with their notices and obligations."""

from __future__ import annotations

from commitments.catalogue.models import CommitmentTemplate
from tests.factories import TemplateFactory

# Templates ----------------------------------------------------------------------------------


def test_templates_lists_active_ones_with_notice_fields_and_obligations(world, api_as):
    TemplateFactory(
        matter=world.matter, code="retired-one", status=CommitmentTemplate.Status.RETIRED
    )
    response = api_as(world.applicant).get("/api/v1/templates/")
    assert response.status_code == 200
    [template] = response.json()
    assert template["code"] == "food-permit"
    assert template["version"] == 1
    assert template["notice"]["liability"] == world.template.notice_liability
    assert set(template["notice"]) == {
        "legal_basis",
        "conditions",
        "waived_proof",
        "liability",
        "verification",
        "publicity",
    }
    assert template["fields"] == [
        {"name": "premises", "label": "经营场所", "required": True, "max_length": 200},
        {"name": "scope", "label": "经营项目", "required": True, "max_length": 200},
    ]
    assert template["obligation_rules"] == [
        {
            "position": 1,
            "title": "取得场所合法使用证明",
            "description": "",
            "deadline": 20,
            "deadline_unit": "working_days",
        }
    ]
