"""The two commands the README promises exist, CI runs them, and the demo data loads twice."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from viewflow.workflow.models import Task

from access.models import ApiToken
from access.selectors import token_hash
from commitments.catalogue.models import CommitmentTemplate, ObligationRule
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from commitments.pledges.models import Tender
from credit.check.models import CheckQuery
from directory.models import (
    Competence,
    Department,
    Matter,
    Region,
    RegulatorMembership,
    Subject,
)
from directory.representation.models import Representation
from workflows.management.commands import demo_load
from workflows.verification.services.submission import commitment_submit

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
        Representation,
        Commitment,
        Task,
    ]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["valid ApiToken"] = ApiToken.objects.valid(at=timezone.now()).count()
    return counts


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

    # then nothing was added and the same logins are printed both times (the printed token is
    # a new one each time: only its digest is stored; the one printed before is revoked)
    assert _counts() == after_first
    for username, password in DEMO_LOGINS.items():
        assert f"{username} " in first_output and password in second_output
    assert after_first["Region"] == 3
    assert after_first["Department"] == 2
    assert after_first["Matter"] == 4  # with the repair and pledge matters
    assert after_first["Competence"] == 3  # sz-housing takes bidding pledges
    # one template of each kind: food, pledge and repair, the two kinds' (supply later,
    # voluntary public) and the association's self-discipline template
    assert after_first["CommitmentTemplate"] == 6
    assert sorted(CommitmentTemplate.objects.values_list("kind", flat=True)) == sorted(
        ["inform_commit", "bidding_pledge", "credit_repair", "supply_later"]
        + ["voluntary_public", "self_discipline"]
    )
    assert after_first["ObligationRule"] == 4  # two for the food template, two for supply later
    assert after_first["RegulatorMembership"] == 4
    assert after_first["Subject"] == 3  # the applicant's company and two association members
    assert after_first["valid ApiToken"] == 1
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
    representation = Representation.objects.get(subject=subject, user=applicant)
    assert representation.status == Representation.Status.PROVEN
    assert representation.method == Representation.Method.LETTER
    assert representation.reviewed_by.username == "admin"
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
    printed = re.search(r"API token of api-system: (\w+)", output).group(1)
    token = ApiToken.objects.valid(at=timezone.now()).get(user__username="api-system")
    assert token.key_hash == token_hash(printed)
    assert printed not in str(ApiToken.objects.values_list())  # only the digest is kept
    assert not token.user.has_usable_password()


@pytest.mark.django_db
def test_the_printed_token_checks_a_case_as_readme_shows():
    # given the demo, and the check call README shows with the printed token
    output = _demo_load()
    key = re.search(r"API token of api-system: (\w+)", output).group(1)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    call = r'curl -H "Authorization: Token <key>" \\\n\s+"http://127\.0\.0\.1:8000(\S+)"'
    url = re.search(call, readme)

    # when that call is made
    response = Client().get(url.group(1), HTTP_AUTHORIZATION=f"Token {key}")

    # then the calling system gets the demo company's status, and the check is logged
    assert response.status_code == 200, response.content
    assert response.json()["subject"]["code"] == "914403001922038216"
    assert CheckQuery.objects.get().calling_system.user.username == "api-system"


@pytest.mark.django_db
def test_demo_load_refuses_under_settings_that_do_not_allow_demo_data(settings):
    # given settings like production's
    settings.CHENGNUO_DEMO_DATA = False

    # when the demo is loaded, then it refuses and creates no account
    with pytest.raises(CommandError, match="published passwords"):
        _demo_load()
    assert not get_user_model().objects.exists()


def test_demo_load_refuses_under_production_settings(tmp_path):
    # when the demo is loaded with production's settings module
    database = tmp_path / "production.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "demo_load"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "a-test-secret",
            "DATABASE_URL": f"sqlite:///{database}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    # then it refuses with the reason and touched no database
    assert result.returncode == 1
    assert "only for the embedded default" in result.stderr
    assert not database.exists()


def test_make_run_listens_on_loopback_unless_host_says_otherwise():
    script = (ROOT / "scripts" / "run").read_text(encoding="utf-8")
    assert 'HOST="${HOST:-127.0.0.1}"' in script
    assert 'runserver "$HOST:$PORT"' in script


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


@pytest.mark.django_db
def test_demo_load_names_the_regulator_a_new_commitment_goes_to():
    """README point: a newcomer learns which regulator receives the commitment it signs."""
    # given the demo, whose output names the next regulator
    output = _demo_load()
    named = re.search(r"A commitment signed now goes to (\S+):", output)
    assert named is not None

    # when the applicant signs a new food-business commitment
    applicant = get_user_model().objects.get(username="applicant")
    template = CommitmentTemplate.objects.get(
        code=demo_load.FOOD_TEMPLATE_CODE, status=CommitmentTemplate.Status.ACTIVE
    )
    draft = commitment_create(
        by=applicant,
        subject=Subject.objects.get(code=demo_load.SUBJECT_CODE),
        template=template,
        field_values={**demo_load.DEMO_FIELDS, "premises": "深圳市南山区示例路2号"},
    )
    signed = commitment_submit(commitment=draft, by=applicant)

    # then its verification task is that regulator's
    task = Task.objects.get(process_id=signed.process_id, owner__isnull=False)
    assert task.owner.get_username() == named.group(1) == "regulator2"
