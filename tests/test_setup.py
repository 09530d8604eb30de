"""The two commands the README promises exist, CI runs them, and the demo data loads twice."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from viewflow.workflow.models import Task

from commitments.catalogue.models import CommitmentTemplate, ObligationRule
from commitments.lifecycle.models import Commitment
from commitments.pledges.models import Tender
from directory.models import (
    Competence,
    Department,
    Matter,
    Region,
    RegulatorMembership,
    Subject,
    SubjectRepresentative,
)

ROOT = Path(__file__).resolve().parent.parent
DEMO_LOGINS = {
    "applicant": "applicant-demo",
    "regulator": "regulator-demo",
    "regulator2": "regulator2-demo",
    "supervisor": "supervisor-demo",
    "housing": "housing-demo",
    "admin": "admin-demo",
}


def _counts() -> dict[str, int]:
    models = [
        get_user_model(),
        Region,
        Department,
        Matter,
        Competence,
        CommitmentTemplate,
        ObligationRule,
        RegulatorMembership,
        Subject,
        SubjectRepresentative,
        Commitment,
        Token,
        Task,
    ]
    return {model.__name__: model.objects.count() for model in models}


def _demo_load() -> str:
    out = io.StringIO()
    call_command("demo_load", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_demo_load_twice_creates_everything_once():
    # given a first load
    first_output = _demo_load()
    after_first = _counts()

    # when it runs again
    second_output = _demo_load()

    # then nothing was added and the same logins are printed both times
    assert _counts() == after_first
    for username, password in DEMO_LOGINS.items():
        assert f"{username} " in first_output and password in second_output
    assert after_first["Region"] == 3
    assert after_first["Department"] == 2
    assert after_first["Matter"] == 4  # with the repair and pledge matters
    assert after_first["Competence"] == 3  # sz-housing takes bidding pledges
    assert after_first["CommitmentTemplate"] == 3
    assert after_first["ObligationRule"] == 2
    assert after_first["RegulatorMembership"] == 4
    assert after_first["Subject"] == 1
    assert after_first["Token"] == 1
    assert Tender.objects.get().department.code == "sz-housing"


@pytest.mark.django_db
def test_demo_load_gives_working_logins_and_an_active_food_template():
    # when
    output = _demo_load()

    # then every printed login works and the roles are in place
    for username, password in DEMO_LOGINS.items():
        assert authenticate(username=username, password=password) is not None, username
    assert get_user_model().objects.get(username="admin").is_superuser
    applicant = get_user_model().objects.get(username="applicant")
    subject = Subject.objects.get(code="914403001922038216")
    assert subject.name == "深圳市示例餐饮有限公司"
    assert subject.region.code == "440300"
    assert SubjectRepresentative.objects.filter(subject=subject, user=applicant).exists()
    memberships = {
        (m.user.username, m.department.code, m.role)
        for m in RegulatorMembership.objects.select_related("user", "department")
    }
    assert memberships == {
        ("regulator", "sz-amr", "regulator"),
        ("regulator2", "sz-amr", "regulator"),
        ("supervisor", "sz-amr", "supervisor"),
        ("housing", "sz-housing", "regulator"),
    }
    template = CommitmentTemplate.objects.get(kind=CommitmentTemplate.Kind.INFORM_AND_COMMIT)
    assert template.status == CommitmentTemplate.Status.ACTIVE
    assert template.matter.code == "food-business-permit"
    assert "第三十五条" in template.notice_legal_basis
    assert [f["label"] for f in template.fields] == ["经营场所", "经营项目", "负责人"]
    assert sorted(template.obligation_rules.values_list("deadline_unit", flat=True)) == [
        "calendar_days",
        "working_days",
    ]
    assert Region.objects.get(code="440305").parent.code == "440300"
    token = Token.objects.get(user__username="api-system")
    assert token.key in output
    assert not token.user.has_usable_password()


def test_readme_starts_with_make_run_and_make_test():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands[:2] == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:\n\tbash scripts/run$", makefile, re.M)
    assert re.search(r"^test:\n\tbash scripts/test$", makefile, re.M)


def test_ci_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in ci
    assert ci.rstrip().endswith("exec make test")


def test_env_example_lists_every_variable_the_settings_read():
    # test.py's own variables are for the test run, not for a deployment.
    settings_source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (ROOT / "config" / "settings").glob("*.py")
        if path.name != "test.py"
    )
    read = set(re.findall(r"env\.\w+\(\s*\"([A-Z][A-Z0-9_]+)\"", settings_source))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.M))
    assert read - listed == set()
