"""The commitment endpoints: the page's rules over HTTP, one error shape for every refusal."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.catalogue.models import CommitmentTemplate
from commitments.lifecycle.models import Commitment
from directory.models import Subject
from tests.factories import TemplateFactory


def _envelope(response, status: int, code: str, field: str) -> dict:
    """Assert the refusal's status and shape, and that it names the field at fault."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert field in body["fields"], body
    assert all(isinstance(m, str) and m for m in body["fields"][field])
    return body


def _create(world, api_as, field_values: dict):
    """Ask for a draft of the world's template and subject with these field values."""
    return api_as(world.applicant).post(
        "/api/v1/commitments/create/",
        {
            "template": world.template.pk,
            "subject": world.subject.code,
            "field_values": field_values,
        },
        format="json",
    )


def _register(world, api_as, name: str, kind: str = "company"):
    """Register the subject 9144030071526726XG under this name."""
    return api_as(world.applicant).post(
        "/api/v1/subjects/register/",
        {"kind": kind, "code": "9144030071526726XG", "name": name},
        format="json",
    )


# Subjects -----------------------------------------------------------------------------------


def test_register_subject_makes_the_caller_a_claimant_not_a_representative(world, api_as):
    client = api_as(world.applicant)
    response = client.post(
        "/api/v1/subjects/register/",
        {"kind": "company", "code": "9144030071526726xg", "name": "  深圳市示例科技有限公司 "},
        format="json",
    )
    assert response.status_code == 201
    assert response.json() == {
        "kind": "company",
        "code": "9144030071526726XG",
        "name": "深圳市示例科技有限公司",
        "region": "440300",
        "representation": {"role": "legal_representative", "status": "claimed"},
    }
    # the claim is not listed among the subjects the caller represents until it is proven
    assert sorted(s["code"] for s in client.get("/api/v1/subjects/").json()) == [
        "914403001922038216",
    ]


def test_register_subject_with_a_wrong_check_character_names_code(world, api_as):
    before = Subject.objects.count()
    response = api_as(world.applicant).post(
        "/api/v1/subjects/register/",
        {"kind": "company", "code": "914403001922038217", "name": "某公司"},
        format="json",
    )
    _envelope(response, 400, "invalid", "code")
    assert Subject.objects.count() == before


def test_register_subject_without_a_name_names_name(world, api_as):
    before = Subject.objects.count()
    response = api_as(world.applicant).post(
        "/api/v1/subjects/register/",
        {"kind": "company", "code": "9144030071526726XG"},
        format="json",
    )
    _envelope(response, 400, "invalid", "name")
    assert Subject.objects.count() == before


def test_register_subject_with_an_unknown_kind_names_kind(world, api_as):
    response = _register(world, api_as, "某公司", kind="robot")
    _envelope(response, 400, "invalid", "kind")
    assert not Subject.objects.filter(code="9144030071526726XG").exists()


# Creating drafts ----------------------------------------------------------------------------


def test_create_by_code_and_version_makes_a_draft(world, draft):
    commitment = Commitment.objects.get(reference=draft["reference"])
    assert draft["status"] == "draft"
    assert draft["field_values"] == {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"}
    assert draft["obligations"] == []
    assert draft["signed_document_sha256"] is None
    assert draft["verification"] is None
    assert draft["timeline"][0]["to_status"] == "draft"
    assert draft["timeline"][0]["actor"] == "applicant"
    assert commitment.subject == world.subject
    assert commitment.created_by == world.applicant


def test_create_by_template_id_makes_a_draft(world, api_as):
    response = _create(world, api_as, {"premises": "一号", "scope": "二号"})
    assert response.status_code == 201
    assert response.json()["template_code"] == "food-permit"


def test_create_with_a_missing_field_names_it_and_creates_nothing(world, api_as):
    response = _create(world, api_as, {"premises": "一号"})
    _envelope(response, 400, "invalid", "field_values.scope")
    assert Commitment.objects.count() == 0


def test_create_without_a_subject_names_subject(world, api_as):
    response = api_as(world.applicant).post(
        "/api/v1/commitments/create/",
        {"template": world.template.pk, "field_values": {}},
        format="json",
    )
    _envelope(response, 400, "invalid", "subject")
    assert Commitment.objects.count() == 0


def test_create_without_a_template_names_template(world, api_as):
    response = api_as(world.applicant).post(
        "/api/v1/commitments/create/",
        {"subject": world.subject.code, "template_code": "food-permit"},
        format="json",
    )
    _envelope(response, 400, "invalid", "template")
    assert Commitment.objects.count() == 0


def test_create_for_someone_elses_subject_names_subject(world, api_as):
    others = Subject.objects.get(name="别人的公司")
    response = api_as(world.applicant).post(
        "/api/v1/commitments/create/",
        {
            "template": world.template.pk,
            "subject": others.code,
            "field_values": {"premises": "一号", "scope": "二号"},
        },
        format="json",
    )
    _envelope(response, 400, "invalid", "subject")
    assert Commitment.objects.count() == 0


def test_create_with_an_invalid_subject_code_names_subject(world, api_as):
    response = api_as(world.applicant).post(
        "/api/v1/commitments/create/",
        {
            "template": world.template.pk,
            "subject": "not-a-code",
            "field_values": {"premises": "一号", "scope": "二号"},
        },
        format="json",
    )
    _envelope(response, 400, "invalid", "subject")
    assert Commitment.objects.count() == 0


def test_create_under_a_template_not_active_is_refused(world, api_as):
    draft_template = TemplateFactory(
        matter=world.matter, code="food-permit", version=2, status=CommitmentTemplate.Status.DRAFT
    )
    response = api_as(world.applicant).post(
        "/api/v1/commitments/create/",
        {
            "template_code": "food-permit",
            "template_version": draft_template.version,
            "subject": world.subject.code,
            "field_values": {"premises": "一号", "scope": "二号"},
        },
        format="json",
    )
    _envelope(response, 400, "template_not_active", "template")
    assert Commitment.objects.count() == 0


def test_create_with_an_unknown_template_names_template(world, api_as):
    response = api_as(world.applicant).post(
        "/api/v1/commitments/create/",
        {
            "template_code": "food-permit",
            "template_version": 9,
            "subject": world.subject.code,
            "field_values": {"premises": "一号", "scope": "二号"},
        },
        format="json",
    )
    _envelope(response, 400, "invalid", "template")
    assert Commitment.objects.count() == 0


# Reading ------------------------------------------------------------------------------------


def test_list_shows_own_commitments_and_filters_by_status(world, api_as, draft):
    client = api_as(world.applicant)
    page = client.get("/api/v1/commitments/").json()
    assert page["count"] == 1
    assert page["results"][0]["reference"] == draft["reference"]
    assert client.get("/api/v1/commitments/?status=signed").json()["count"] == 0
    assert client.get("/api/v1/commitments/?status=draft").json()["count"] == 1
    _envelope(client.get("/api/v1/commitments/?status=nonsense"), 400, "invalid", "status")


def test_list_hides_others_commitments(world, api_as, draft):
    assert api_as(world.stranger).get("/api/v1/commitments/").json()["count"] == 0
    assert api_as(world.foreign_regulator).get("/api/v1/commitments/").json()["count"] == 0


def test_someone_elses_commitment_is_not_found(world, api_as, draft):
    client = api_as(world.stranger)
    reference = draft["reference"]
    for url in (
        f"/api/v1/commitments/{reference}/",
        f"/api/v1/commitments/{reference}/preview/",
        f"/api/v1/commitments/{reference}/document/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    response = client.post(f"/api/v1/commitments/{reference}/withdraw/", {}, format="json")
    assert response.status_code == 404
    assert Commitment.objects.get(reference=reference).status == Commitment.Status.DRAFT


def test_preview_is_a_pdf(world, api_as, draft):
    response = api_as(world.applicant).get(
        f"/api/v1/commitments/{draft['reference']}/preview/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_a_draft_has_no_document_and_the_error_is_json(world, api_as, draft):
    response = api_as(world.applicant).get(
        f"/api/v1/commitments/{draft['reference']}/document/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


# Withdrawing --------------------------------------------------------------------------------


def test_withdraw_a_draft(world, api_as, draft):
    client = api_as(world.applicant)
    response = client.post(
        f"/api/v1/commitments/{draft['reference']}/withdraw/",
        {"reason": "走普通程序"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["timeline"][-1]["reason"] == "走普通程序"
    # and withdrawing again is a conflict that changes nothing
    again = client.post(f"/api/v1/commitments/{draft['reference']}/withdraw/", {}, format="json")
    _envelope(again, 409, "invalid_state", "status")
    assert Commitment.objects.get(reference=draft["reference"]).history.count() == 2


def test_list_queries_do_not_grow_with_the_page(world, api_as, draft):
    client = api_as(world.applicant)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/commitments/").json()["count"] == 1
    for _ in range(3):
        client.post(
            "/api/v1/commitments/create/",
            {
                "template": world.template.pk,
                "subject": world.subject.code,
                "field_values": {"premises": "一号", "scope": "二号"},
            },
            format="json",
        )
    with CaptureQueriesContext(connection) as four:
        page = client.get("/api/v1/commitments/?limit=2").json()
    assert page["count"] == 4
    assert len(page["results"]) == 2
    assert page["next"].endswith("limit=2&offset=2")
    assert len(four.captured_queries) == len(one.captured_queries)


# Characters the signed PDF can show, and text stored one way -------------------------------

EMOJI_MESSAGE = "These characters cannot be shown in the signed document: 😀 (U+1F600), U+202E"


def test_create_with_an_emoji_or_a_bidi_control_names_them_and_creates_nothing(
    world, api_as, english
):
    # when a field holds what no font draws (it would make the draft unsignable)
    response = _create(world, api_as, {"premises": "南山区😀1号\u202e", "scope": "热食类食品制售"})

    # then
    body = _envelope(response, 400, "invalid", "field_values.premises")
    assert body["fields"] == {"field_values.premises": [EMOJI_MESSAGE]}
    assert Commitment.objects.count() == 0


def test_create_stores_text_normalised_one_way(world, api_as):
    # when a field is typed with a combining mark and full-width spaces
    response = _create(
        world, api_as, {"premises": "\u3000Cafe\u0301\u3000南山区 1号 ", "scope": "热食"}
    )

    # then it is stored in NFC with plain single spaces
    assert response.status_code == 201, response.json()
    assert Commitment.objects.get().field_values["premises"] == "Café 南山区 1号"


def test_register_subject_with_a_name_the_pdf_cannot_show_names_name(world, api_as, english):
    before = Subject.objects.count()

    response = _register(world, api_as, "深圳😀有限公司\u202e")

    body = _envelope(response, 400, "invalid", "name")
    assert body["fields"] == {"name": [EMOJI_MESSAGE]}
    assert Subject.objects.count() == before


def test_register_subject_normalises_the_name(world, api_as):
    response = _register(world, api_as, "深圳市\u3000示例  科技有限公司")

    assert response.status_code == 201
    assert Subject.objects.get(code="9144030071526726XG").name == "深圳市 示例 科技有限公司"


def test_a_stored_draft_the_pdf_cannot_show_gets_a_400_preview_not_a_500(
    world, api_as, draft, english
):
    # given a draft stored before its characters were checked
    Commitment.objects.filter(reference=draft["reference"]).update(
        field_values={"premises": "南山区😀1号", "scope": "热食"}
    )

    # when
    response = api_as(world.applicant).get(
        f"/api/v1/commitments/{draft['reference']}/preview/", HTTP_ACCEPT="application/json"
    )

    # then the refusal names the field and its character
    body = _envelope(response, 400, "invalid", "field_values.premises")
    assert body["fields"] == {
        "field_values.premises": [
            "These characters cannot be shown in the signed document: 😀 (U+1F600)"
        ]
    }
    assert body["message"] == (
        "This draft cannot be signed until it is corrected. These characters cannot be shown "
        "in the signed document: 😀 (U+1F600)"
    )
