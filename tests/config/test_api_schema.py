"""The OpenAPI schema describes every endpoint and validates without warnings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rest_framework.test import APIClient

from config.settings.base import BASE_DIR

OPERATIONS = {
    "subjects_list",
    "subjects_register",
    "subjects_agents_list",
    "subjects_agents_grant",
    "representations_list",
    "representations_letter_submit",
    "representations_letters_pending",
    "representations_agent_request",
    "representations_revoke",
    "representations_refuse",
    "representations_review",
    "templates_list",
    "commitments_list",
    "commitments_create",
    "commitments_retrieve",
    "commitments_preview",
    "commitments_document",
    "commitments_withdraw",
    "commitments_sign",
    "commitments_upload_signed",
    "commitments_batch_sign",
    "commitments_rectification_read",
    "commitments_rectification_submit",
    "tasks_inbox",
    "tasks_queue",
    "tasks_claim",
    "tasks_release",
    "tasks_verify",
    "tasks_reassign",
    "tasks_bulk_reassign",
    "tasks_extend_deadline",
    "tasks_rectify",
    "sampling_draw",
    "obligations_list",
    "obligations_department_list",
    "obligations_detail",
    "obligations_report",
    "obligations_extend",
    "obligations_report_accept",
    "obligations_report_reject",
    "credit_check",
    "credit_changes_feed",
    "credit_changes_subscription_read",
    "credit_changes_subscription_set",
    "credit_changes_subscription_delete",
    "credit_reports_list",
    "credit_reports_request",
    "credit_report_verify",
    "credit_report_verify_file",
    "tenders_list",
    "tenders_create",
    "pledges_list",
    "pledges_create",
    "pledges_retrieve",
    "pledges_outcome",
    "pledges_payment",
    "associations_list",
    "associations_bulk_issues_list",
    "associations_bulk_issues_create",
    "associations_bulk_issues_retrieve",
    "associations_bulk_issues_rows",
    "associations_member_pledges",
    "associations_member_remind",
    "credit_repair_eligibility",
    "credit_repairs_list",
    "credit_repairs_apply",
    "credit_objections_list",
    "credit_objections_file",
    "credit_office_repairs_list",
    "credit_office_repairs_decide",
    "credit_office_objections_list",
    "credit_office_objections_decide",
    "credit_office_objections_forward",
    "portal_commitments_list",
    "portal_commitments_detail",
    "kinds_list",
    "portal_lists_entries",
    "portal_subjects_profile",
    "figures_read",
    "open_data_feed",
    "open_data_csv",
    "open_data_certificate",
    "ping",
}


def test_schema_lists_every_operation_with_the_error_envelope(db):
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    operations = {
        operation["operationId"]: operation
        for item in schema["paths"].values()
        for operation in item.values()
    }
    assert set(operations) == OPERATIONS
    assert operations["tasks_verify"]["responses"]["400"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/Error"}
    assert set(operations["commitments_document"]["responses"]["200"]["content"]) == {
        "application/pdf"
    }
    assert "X-Content-SHA256" in operations["commitments_document"]["responses"]["200"]["headers"]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_schema_validates_without_warnings(tmp_path: Path):
    target = tmp_path / "schema.yaml"
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(target),
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr
    assert "operationId: tasks_verify" in target.read_text()


def test_swagger_ui_is_served(db):
    assert APIClient().get("/api/docs/").status_code == 200
