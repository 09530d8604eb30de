"""The repair and objection API, both sides: eligibility with the rule and date it follows
from (records on both sides of 2026-04-01), applying with proof and the signed repair
commitment, objections, the officer's lists, decisions and forwarding — and every refusal in
the error envelope, with proof that nothing changed."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from viewflow.workflow.status import STATUS

from commitments.lifecycle.models import Commitment
from credit.record.models.breaches import Breach
from tests.workflows.repair.conftest import PDF
from workflows.repair.models import Objection, RepairApplication

pytestmark = pytest.mark.usefixtures("today")

ELIGIBILITY = "/api/v1/credit/subjects/{code}/repair-eligibility/"
REPAIRS = "/api/v1/credit/repairs/"
PASSWORD = "pw-12345678"  # noqa: S105 (the factories' test password)
OBJECTIONS = "/api/v1/credit/objections/"
OFFICE_REPAIRS = "/api/v1/credit/office/repairs/"
OFFICE_OBJECTIONS = "/api/v1/credit/office/objections/"


def _proof(name="receipt.pdf", data=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _apply(api, world, breach, **extra):
    # the platform signs the repair commitment: the token sends the person's password
    data = {
        "breach": breach.pk,
        "statement": "已按期缴纳罚款并整改",
        "proofs": [_proof()],
        "password": PASSWORD,
    }
    data.update(extra)
    return api(world.applicant).post(REPAIRS, data, format="multipart")


def _counts() -> tuple[int, int, int, int]:
    return (
        RepairApplication.objects.count(),
        Commitment.objects.count(),
        Objection.objects.count(),
        sum(b.history.count() for b in Breach.objects.all()),
    )


# Eligibility ----------------------------------------------------------------------------------


def test_eligibility_names_the_rule_set_and_date_on_both_sides_of_2026_04_01(
    world, api, old_breach, new_breach
):
    response = api(world.applicant).get(ELIGIBILITY.format(code=world.subject.code))

    assert response.status_code == 200
    rows = {row["breach"]: row for row in response.json()}
    old, new = rows[old_breach.pk], rows[new_breach.pk]
    # Order 58 (to 2026-03-31): a serious record may be repaired after 3 months.
    assert (old["record_date"], old["rule_set"]["effective_until"], old["eligible_from"]) == (
        "2026-03-31",
        "2026-03-31",
        "2026-06-30",
    )
    assert (old["is_eligible"], old["refusals"]) == (True, [])
    # Order 36 (from 2026-04-01): a serious record stays at least one year.
    assert (new["record_date"], new["rule_set"]["effective_from"], new["eligible_from"]) == (
        "2026-04-01",
        "2026-04-01",
        "2027-04-01",
    )
    assert new["is_eligible"] is False
    assert [r["code"] for r in new["refusals"]] == ["minimum_period"]
    assert "NDRC Order 36" in new["refusals"][0]["rule"]
    assert "2027-04-01" in new["refusals"][0]["message"]


def test_eligibility_of_a_subject_one_does_not_represent_is_not_found(world, api, old_breach):
    response = api(world.stranger).get(ELIGIBILITY.format(code=world.subject.code))
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "You do not represent a subject with this code.",
        "fields": {"code": ["You do not represent a subject with this code."]},
    }


def test_the_api_needs_a_token(world, client):
    response = client.get(REPAIRS)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# Applying -------------------------------------------------------------------------------------


def test_applying_signs_the_repair_commitment_and_starts_the_flow(world, api, old_breach):
    response = _apply(api, world, old_breach)

    assert response.status_code == 201, response.json()
    body = response.json()
    application = RepairApplication.objects.get()
    assert body["id"] == application.pk
    assert body["commitment"] == application.commitment.reference != ""
    assert application.commitment.signed_at is not None
    assert (body["status"], body["decision_due"], body["proofs"]) == (
        "submitted",
        "2026-12-04",
        ["receipt.pdf"],
    )
    assert RepairApplication.objects.get(pk=application.pk).process.status == STATUS.NEW

    listed = api(world.applicant).get(REPAIRS).json()
    assert [row["id"] for row in listed["results"]] == [application.pk]
    assert api(world.stranger).get(REPAIRS).json()["count"] == 0


def test_applying_before_the_minimum_period_is_refused_with_the_rule(world, api, new_breach):
    before = _counts()

    response = _apply(api, world, new_breach)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_state"
    assert "2027-04-01" in body["message"] and "NDRC Order 36" in body["message"]
    assert _counts() == before


def test_applying_without_proof_is_refused(world, api, old_breach):
    before = _counts()
    response = api(world.applicant).post(
        REPAIRS,
        {"breach": old_breach.pk, "statement": "已整改", "password": PASSWORD},
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["proofs"]
    assert _counts() == before


def test_applying_for_someone_elses_record_is_not_found(world, api, old_breach):
    before = _counts()
    response = api(world.stranger).post(
        REPAIRS,
        {"breach": old_breach.pk, "statement": "x", "proofs": [_proof()]},
        format="multipart",
    )
    assert response.status_code == 404
    assert response.json()["message"] == (
        f"No credit record {old_breach.pk} of a subject you represent."
    )
    assert _counts() == before


# Objections -----------------------------------------------------------------------------------


def test_an_objection_is_filed_marked_and_listed(world, api, new_breach):
    response = api(world.applicant).post(
        OBJECTIONS, {"breach": new_breach.pk, "kind": "content", "grounds": "回执为证"}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["marked_on"], body["decision_due"]) == (
        "open",
        "2026-12-01",
        "2026-12-08",
    )
    assert Breach.objects.get(pk=new_breach.pk).status == "under_objection"
    assert api(world.applicant).get(OBJECTIONS).json()["count"] == 1
    assert api(world.stranger).get(OBJECTIONS).json()["count"] == 0


def test_a_second_objection_while_the_first_is_open_is_refused(world, api, new_breach):
    client = api(world.applicant)
    client.post(OBJECTIONS, {"breach": new_breach.pk, "kind": "content", "grounds": "有误"})
    before = _counts()

    response = client.post(
        OBJECTIONS, {"breach": new_breach.pk, "kind": "duration", "grounds": "再次"}
    )

    assert response.status_code == 409
    assert response.json()["message"] == (
        "An objection to this record, filed on 2026-12-01, is still open: a second one can be "
        "filed only after it is decided."
    )
    assert _counts() == before


def test_an_objection_on_someone_elses_record_is_not_found(world, api, new_breach):
    before = _counts()
    response = api(world.stranger).post(
        OBJECTIONS, {"breach": new_breach.pk, "kind": "content", "grounds": "有误"}
    )
    assert response.status_code == 404
    assert response.json()["fields"] == {
        "breach": [f"No credit record {new_breach.pk} of a subject you represent."]
    }
    assert _counts() == before
    assert Breach.objects.get(pk=new_breach.pk).status == "published"


# The officer's side ---------------------------------------------------------------------------


def test_the_department_lists_and_grants_a_repair(world, api, old_breach):
    application_id = _apply(api, world, old_breach).json()["id"]

    assert [r["id"] for r in api(world.regulator).get(OFFICE_REPAIRS).json()["results"]] == [
        application_id
    ]
    assert api(world.foreign_regulator).get(OFFICE_REPAIRS).json()["count"] == 0

    response = api(world.regulator).post(
        f"{OFFICE_REPAIRS}{application_id}/decide/", {"decision": "grant"}
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["decided_on"]) == ("granted", "2026-12-01")
    assert Breach.objects.get(pk=old_breach.pk).status == "repaired"
    assert api(world.regulator).get(OFFICE_REPAIRS).json()["count"] == 0
    again = api(world.regulator).post(
        f"{OFFICE_REPAIRS}{application_id}/decide/", {"decision": "refuse", "reason": "x"}
    )
    assert again.status_code == 409
    assert RepairApplication.objects.get(pk=application_id).status == "granted"


@pytest.mark.parametrize(
    ("who", "data", "status", "field"),
    [
        ("foreign_regulator", {"decision": "grant"}, 404, "id"),
        ("regulator", {"decision": "refuse", "reason": " "}, 400, "reason"),
        ("regulator", {"decision": "maybe"}, 400, "decision"),
    ],
)
def test_a_refused_repair_decision_changes_nothing(
    world, api, old_breach, who, data, status, field
):
    application_id = _apply(api, world, old_breach).json()["id"]
    before = _counts()

    response = api(getattr(world, who)).post(f"{OFFICE_REPAIRS}{application_id}/decide/", data)

    assert response.status_code == status
    assert list(response.json()["fields"]) == [field]
    assert _counts() == before
    assert RepairApplication.objects.get(pk=application_id).status == "submitted"


def test_an_objection_is_forwarded_and_decided_by_the_provider(world, api, new_breach):
    objection_id = (
        api(world.applicant)
        .post(OBJECTIONS, {"breach": new_breach.pk, "kind": "content", "grounds": "有误"})
        .json()["id"]
    )
    assert api(world.foreign_regulator).get(OFFICE_OBJECTIONS).json()["count"] == 0

    forwarded = api(world.regulator).post(
        f"{OFFICE_OBJECTIONS}{objection_id}/forward/",
        {"department": world.other_department.code, "reason": "记录由住建局提供"},
    )

    assert forwarded.status_code == 200, forwarded.json()
    body = forwarded.json()
    assert (body["status"], body["department"], body["forwarded_from"], body["forward_reason"]) == (
        "forwarded",
        world.other_department.name,
        world.department.name,
        "记录由住建局提供",
    )
    assert api(world.regulator).get(OFFICE_OBJECTIONS).json()["count"] == 0
    provider = api(world.foreign_regulator)
    assert [o["id"] for o in provider.get(OFFICE_OBJECTIONS).json()["results"]] == [objection_id]

    decided = provider.post(
        f"{OFFICE_OBJECTIONS}{objection_id}/decide/",
        {"outcome": "corrected", "reason": "期限有误", "corrected_max_until": "2026-12-31"},
    )

    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "corrected"
    assert Breach.objects.get(pk=new_breach.pk).publicity_max_until == date(2026, 12, 31)
    assert Objection.objects.get(pk=objection_id).process.status == STATUS.DONE
    mine = api(world.applicant).get(OBJECTIONS).json()["results"][0]
    assert (mine["status"], mine["decision_reason"]) == ("corrected", "期限有误")


@pytest.mark.parametrize(
    ("who", "data", "status", "field"),
    [
        ("regulator", {"department": "sz-housing", "reason": ""}, 400, "reason"),
        ("regulator", {"department": "nowhere", "reason": "x"}, 400, "department"),
        ("regulator", {"department": "sz-amr", "reason": "x"}, 400, "department"),
        ("foreign_regulator", {"department": "sz-housing", "reason": "x"}, 404, "id"),
    ],
)
def test_a_refused_forwarding_changes_nothing(world, api, new_breach, who, data, status, field):
    objection_id = (
        api(world.applicant)
        .post(OBJECTIONS, {"breach": new_breach.pk, "kind": "content", "grounds": "有误"})
        .json()["id"]
    )
    before = (_counts(), Objection.objects.get(pk=objection_id).history.count())

    response = api(getattr(world, who)).post(f"{OFFICE_OBJECTIONS}{objection_id}/forward/", data)

    assert response.status_code == status
    assert list(response.json()["fields"]) == [field]
    objection = Objection.objects.get(pk=objection_id)
    assert (objection.status, objection.department_id) == ("open", world.department.pk)
    assert (_counts(), objection.history.count()) == before


def test_a_refused_objection_decision_changes_nothing(world, api, new_breach):
    objection_id = (
        api(world.applicant)
        .post(OBJECTIONS, {"breach": new_breach.pk, "kind": "content", "grounds": "有误"})
        .json()["id"]
    )
    before = _counts()
    url = f"{OFFICE_OBJECTIONS}{objection_id}/decide/"

    corrected_without_correction = api(world.regulator).post(
        url, {"outcome": "corrected", "reason": "x"}
    )
    by_other_department = api(world.foreign_regulator).post(
        url, {"outcome": "revoked", "reason": "x"}
    )

    assert corrected_without_correction.status_code == 400
    assert list(corrected_without_correction.json()["fields"]) == ["corrected_reason"]
    assert by_other_department.status_code == 404
    assert _counts() == before
    assert Breach.objects.get(pk=new_breach.pk).status == "under_objection"


def test_applying_over_a_token_needs_the_signers_password(world, api, old_breach):
    # the platform signs the repair commitment for the caller: a token alone is not the person
    before = _counts()

    missing = _apply(api, world, old_breach, password="")
    wrong = _apply(api, world, old_breach, password="wrong")

    assert (missing.status_code, wrong.status_code) == (400, 400)
    assert missing.json()["code"] == "reauthentication_required"
    assert list(missing.json()["fields"]) == ["password"]
    assert wrong.json()["code"] == "reauthentication_failed"
    assert _counts() == before
