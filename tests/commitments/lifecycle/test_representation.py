"""Representation where it matters: a claimant drafts but cannot sign until it proves, an
enterprise-certificate signature proves the claim, agents sign within their scope and period,
and the pages and API of letters, agents and reviews answer with the right status."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create, commitment_preview
from directory.representation.models import Representation
from directory.representation.services import subject_claim
from directory.selectors import subject_list
from signing.render.letter import render_authorisation_letter
from tests.commitments.lifecycle.test_signatures import rendered, sign_elsewhere, usb_key
from tests.commitments.lifecycle.test_uploads import usb_ca  # noqa: F401 (fixture)
from tests.factories import MatterFactory, RepresentativeFactory, UserFactory, make_uscc
from tests.workflows.conftest import FIELD_VALUES


@pytest.fixture(autouse=True)
def _english(english):
    """Assert on the English source messages."""


def _sign(client, commitment: Commitment):
    # a token signs with the person's password (access.api)
    return client.post(
        f"/api/v1/commitments/{commitment.reference}/sign/",
        {"password": "pw-12345678"},
        format="json",
    )


def _upload(client, commitment: Commitment, data: bytes):
    return client.post(
        f"/api/v1/commitments/{commitment.reference}/upload-signed/",
        {"file": io.BytesIO(data)},
        format="multipart",
    )


@pytest.fixture
def claimant(world):
    """A user who typed a new company's code: a claim, nothing proven."""
    user = UserFactory(username="claimant")
    claim = subject_claim(user=user, kind="company", code=make_uscc(), name="深圳市新店有限公司")
    return claim


def _draft(user, subject, template) -> Commitment:
    return commitment_create(by=user, subject=subject, template=template, field_values=FIELD_VALUES)


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Drafts and signing ---------------------------------------------------------------------------


def test_a_claimant_drafts_and_previews_but_signing_is_refused_with_what_to_do(
    world, api_as, claimant
):
    draft = _draft(claimant.user, claimant.subject, world.template)
    assert commitment_preview(commitment=draft, by=claimant.user).startswith(b"%PDF")

    response = _sign(api_as(claimant.user), draft)

    assert response.status_code == 403, response.json()
    body = response.json()
    assert body["code"] == "representation_unproven"
    assert "enterprise certificate" in body["message"]
    assert "authorisation letter" in body["message"]
    assert list(body["fields"]) == ["subject"]
    assert Commitment.objects.get(pk=draft.pk).status == Commitment.Status.DRAFT


def test_a_claimant_sees_only_its_own_drafts_never_the_subjects_other_commitments(
    world, api_as, claimant
):
    other_claimant = UserFactory()
    subject_claim(
        user=other_claimant,
        kind="company",
        code=claimant.subject.code,
        name=claimant.subject.name,
    )
    mine = _draft(claimant.user, claimant.subject, world.template)
    theirs = _draft(other_claimant, claimant.subject, world.template)

    listed = api_as(claimant.user).get("/api/v1/commitments/").json()

    references = {row["reference"] for row in listed["results"]}
    assert mine.reference in references and theirs.reference not in references
    assert api_as(claimant.user).get(f"/api/v1/commitments/{theirs.reference}/").status_code == 404


def test_signing_with_the_companys_enterprise_certificate_proves_the_claim(
    world,
    api_as,
    claimant,
    usb_ca,  # noqa: F811
):
    draft = _draft(claimant.user, claimant.subject, world.template)
    key, certificate = usb_key(usb_ca, claimant.subject.code)

    response = _upload(
        api_as(claimant.user), draft, sign_elsewhere(rendered(draft), usb_ca, key, certificate)
    )

    assert response.status_code == 200, response.json()
    proven = Representation.objects.get(pk=claimant.pk)
    assert (proven.status, proven.method) == ("proven", "certificate")
    assert proven.evidence["certificate_serial"] == f"{certificate.serial_number:x}"
    assert "USB-CA" in proven.evidence["certificate_issuer"]
    assert proven.history.latest().history_change_reason == "proven by certificate"
    assert subject_list(represented_by=claimant.user).get() == claimant.subject


def test_a_certificate_of_another_company_proves_nothing(
    world,
    api_as,
    claimant,
    usb_ca,  # noqa: F811
):
    draft = _draft(claimant.user, claimant.subject, world.template)
    key, certificate = usb_key(usb_ca, world.subject.code)  # someone else's USB key

    response = _upload(
        api_as(claimant.user), draft, sign_elsewhere(rendered(draft), usb_ca, key, certificate)
    )

    assert response.status_code == 400
    assert response.json()["code"] == "wrong_subject"
    assert Representation.objects.get(pk=claimant.pk).status == "claimed"
    assert Commitment.objects.get(pk=draft.pk).status == Commitment.Status.DRAFT


def _agent(world, *, matters):
    agent = UserFactory()
    RepresentativeFactory(
        subject=world.subject,
        user=agent,
        agent=True,
        matters=matters,
        granted_by=world.subject.representations.get(user=world.applicant),
    )
    return agent


def test_an_agent_signs_in_scope(world, api_as):
    agent = _agent(world, matters=[world.matter])
    draft = _draft(agent, world.subject, world.template)

    response = _sign(api_as(agent), draft)

    assert response.status_code == 200, response.json()


def test_an_agent_out_of_scope_is_refused_and_nothing_changes(world, api_as):
    agent = _agent(world, matters=[MatterFactory(code="construction-permit", name="施工许可")])
    draft = _draft(agent, world.subject, world.template)

    response = _sign(api_as(agent), draft)

    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"
    assert Commitment.objects.get(pk=draft.pk).status == Commitment.Status.DRAFT


def test_a_revoked_agent_is_refused_on_the_next_request(world, api_as):
    agent = _agent(world, matters=[world.matter])
    client = api_as(agent)
    draft = _draft(agent, world.subject, world.template)
    assert [s["code"] for s in client.get("/api/v1/subjects/").json()] == [world.subject.code]
    row = Representation.objects.get(user=agent)

    revoked = api_as(world.applicant).post(
        f"/api/v1/representations/{row.pk}/revoke/", {"reason": "离职"}, format="json"
    )

    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert client.get("/api/v1/subjects/").json() == []
    assert _sign(client, draft).status_code == 404  # it no longer sees the subject's commitments


def test_a_revoked_agents_open_browser_session_loses_the_subject_at_once(world, api_as):
    agent = _agent(world, matters=[world.matter])
    draft = _draft(agent, world.subject, world.template)
    browser = _login(agent)  # the agent's session, logged in before the revocation
    page = reverse("commitments:detail", args=[draft.reference])
    assert browser.get(page).status_code == 200
    row = Representation.objects.get(user=agent)

    api_as(world.applicant).post(
        f"/api/v1/representations/{row.pk}/revoke/", {"reason": "离职"}, format="json"
    )

    assert browser.get(page).status_code == 404
    # "My subjects" still lists the row, as revoked with the reason, with nothing to act on
    assert "Revoked: 离职" in browser.get(reverse("commitments:subjects")).content.decode()


def test_an_expired_agent_may_not_sign(world, api_as):
    agent = _agent(world, matters=[world.matter])
    draft = _draft(agent, world.subject, world.template)
    Representation.objects.filter(user=agent).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )

    assert _sign(api_as(agent), draft).status_code == 404
    assert Commitment.objects.get(pk=draft.pk).status == Commitment.Status.DRAFT


# Pages ----------------------------------------------------------------------------------------


def test_a_second_claimant_of_a_represented_code_is_shown_two_ways_forward(world):
    client = _login(UserFactory())

    response = client.post(
        reverse("commitments:subject_register"),
        {"kind": "company", "code": world.subject.code, "name": "冒名"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="ask-representative"' in page
    assert 'data-testid="upload-letter"' in page
    assert f"{reverse('commitments:agent_request')}?code={world.subject.code}" in page


def test_a_letter_goes_from_upload_to_an_officers_approval_on_the_pages(world):
    claimant = UserFactory(username="letter-claimant")
    code = make_uscc()
    subject_claim(user=claimant, kind="company", code=code, name="深圳市信函公司")
    letter = render_authorisation_letter(code=code, representative="letter-claimant", role="lr")
    officer = UserFactory(username="officer", is_staff=True)

    uploaded = _login(claimant).post(
        reverse("commitments:letter_upload"),
        {"code": code, "role": "legal_representative", "file": io.BytesIO(letter)},
    )
    queue = _login(officer).get(reverse("commitments:letter_reviews"))
    row = Representation.objects.get(user=claimant)
    pdf = _login(officer).get(reverse("commitments:letter_file", args=[row.pk]))
    decided = _login(officer).post(
        reverse("commitments:letter_review", args=[row.pk]),
        {"decision": "approve", "reason": "与执照一致"},
    )

    assert uploaded.status_code == 302
    assert queue.status_code == 200 and "深圳市信函公司" in queue.content.decode()
    assert pdf.status_code == 200 and pdf.content == letter
    assert decided.status_code == 302
    row = Representation.objects.get(pk=row.pk)
    assert (row.status, row.reviewed_by, row.review_reason) == ("proven", officer, "与执照一致")


def test_the_review_queue_is_for_officers_only(world):
    assert _login(world.regulator).get(reverse("commitments:letter_reviews")).status_code == 403


def test_a_file_that_is_not_a_pdf_is_refused_and_nothing_is_submitted(world, claimant):
    response = _login(claimant.user).post(
        reverse("commitments:letter_upload"),
        {
            "code": claimant.subject.code,
            "role": "legal_representative",
            "file": io.BytesIO(b"not a pdf"),
        },
    )

    assert response.status_code == 400
    assert Representation.objects.get(pk=claimant.pk).status == "claimed"


def test_the_legal_representative_grants_an_agent_on_the_agents_page(world):
    agent = UserFactory(username="new-agent")
    client = _login(world.applicant)
    url = reverse("commitments:agents", args=[world.subject.pk])

    granted = client.post(
        url,
        {
            "username": "new-agent",
            "matters": [world.matter.pk],
            "valid_until": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "reason": "门店经理",
        },
    )
    page = client.get(url).content.decode()

    assert granted.status_code == 302
    row = Representation.objects.get(user=agent)
    assert (row.role, row.status, row.reviewed_by) == ("agent", "proven", world.applicant)
    assert list(row.matters.all()) == [world.matter]
    assert 'data-user="new-agent"' in page


def test_the_agents_page_is_not_found_for_anyone_but_the_legal_representative(world):
    agent = _agent(world, matters=[world.matter])
    url = reverse("commitments:agents", args=[world.subject.pk])

    assert _login(agent).get(url).status_code == 404
    assert _login(world.stranger).get(url).status_code == 404
    assert _login(world.regulator).get(url).status_code == 404


# API statuses ---------------------------------------------------------------------------------


def test_api_register_of_a_represented_code_is_a_conflict_naming_the_ways_forward(world, api_as):
    response = api_as(UserFactory()).post(
        "/api/v1/subjects/register/",
        {"kind": "company", "code": world.subject.code, "name": "冒名"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_represented"
    assert list(response.json()["fields"]) == ["code"]


def test_api_agent_request_then_grant_then_list(world, api_as):
    asker = UserFactory(username="asker")

    requested = api_as(asker).post(
        "/api/v1/representations/agent-requests/",
        {"code": world.subject.code, "reason": "我是店长"},
        format="json",
    )
    again = api_as(asker).post(
        "/api/v1/representations/agent-requests/",
        {"code": world.subject.code, "reason": "我是店长"},
        format="json",
    )
    listed = api_as(world.applicant).get(f"/api/v1/subjects/{world.subject.code}/agents/")
    granted = api_as(world.applicant).post(
        f"/api/v1/subjects/{world.subject.code}/agents/",
        {
            "user": "asker",
            "matters": [world.matter.code],
            "valid_until": (timezone.now() + dt.timedelta(days=10)).isoformat(),
            "reason": "同意",
        },
        format="json",
    )

    assert requested.status_code == 201 and requested.json()["status"] == "requested"
    assert again.status_code == 409
    assert [row["user"] for row in listed.json()] == ["asker"]
    assert granted.status_code == 201, granted.json()
    assert granted.json()["matters"] == [world.matter.code]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"user": "nobody", "matters": ["food-business-permit"]}, "user"),
        ({"user": "stranger", "matters": ["no-such-matter"]}, "matters"),
        ({"user": "stranger", "matters": []}, "matters"),
    ],
)
def test_api_grant_with_bad_input_is_a_400_naming_the_field(world, api_as, payload, field):
    response = api_as(world.applicant).post(
        f"/api/v1/subjects/{world.subject.code}/agents/",
        {
            **payload,
            "valid_until": (timezone.now() + dt.timedelta(days=1)).isoformat(),
            "reason": "x",
        },
        format="json",
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not Representation.objects.filter(user=world.stranger, subject=world.subject).exists()


def test_api_agents_of_a_subject_one_does_not_lead_are_not_found(world, api_as):
    agent = _agent(world, matters=[world.matter])

    assert api_as(agent).get(f"/api/v1/subjects/{world.subject.code}/agents/").status_code == 404
    assert (
        api_as(world.stranger)
        .post(f"/api/v1/subjects/{world.subject.code}/agents/", {}, format="json")
        .status_code
        == 404
    )


def test_api_nobody_but_an_officer_or_itself_revokes_a_legal_representative(world, api_as):
    agent = _agent(world, matters=[world.matter])
    representative = Representation.objects.get(user=world.applicant, subject=world.subject)

    stranger = api_as(world.stranger).post(
        f"/api/v1/representations/{representative.pk}/revoke/", {"reason": "x"}, format="json"
    )
    by_agent = api_as(agent).post(
        f"/api/v1/representations/{representative.pk}/revoke/", {"reason": "x"}, format="json"
    )

    assert stranger.status_code == 404
    assert by_agent.status_code == 404
    assert Representation.objects.get(pk=representative.pk).status == "proven"


def test_api_letter_submit_review_and_statuses(world, api_as):
    claimant = UserFactory(username="api-claimant")
    code = make_uscc()
    subject_claim(user=claimant, kind="company", code=code, name="深圳市接口公司")
    letter = render_authorisation_letter(code=code, representative="api-claimant", role="lr")
    officer = UserFactory(username="api-officer", is_staff=True)

    missing = api_as(claimant).post(
        "/api/v1/representations/letters/", {"code": code, "role": "agent"}, format="multipart"
    )
    submitted = api_as(claimant).post(
        "/api/v1/representations/letters/",
        {"code": code, "role": "legal_representative", "file": io.BytesIO(letter)},
        format="multipart",
    )
    pk = submitted.json()["id"]
    pending_for_claimant = api_as(claimant).get("/api/v1/representations/letters/pending/")
    pending = api_as(officer).get("/api/v1/representations/letters/pending/")
    by_claimant = api_as(claimant).post(
        f"/api/v1/representations/{pk}/review/", {"decision": "approve", "reason": "x"}
    )
    refused = api_as(officer).post(
        f"/api/v1/representations/{pk}/review/",
        {"decision": "refuse", "reason": "印章不清"},
        format="json",
    )
    twice = api_as(officer).post(
        f"/api/v1/representations/{pk}/review/",
        {"decision": "approve", "reason": "改判"},
        format="json",
    )

    assert missing.status_code == 400 and "file" in missing.json()["fields"]
    assert submitted.status_code == 201 and submitted.json()["status"] == "pending_review"
    assert pending_for_claimant.status_code == 403
    assert [row["id"] for row in pending.json()] == [pk]
    assert by_claimant.status_code == 403
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert twice.status_code == 409
    assert Representation.objects.get(pk=pk).review_reason == "印章不清"
