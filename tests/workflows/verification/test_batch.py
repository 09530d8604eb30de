"""Batch signing (issue 15, point 4): several drafts, one proof, each signed on its own."""

from __future__ import annotations

import pytest
from django.test import Client

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from directory.models import Subject
from directory.representation.services import subject_claim
from tests.factories import UserFactory, make_uscc
from tests.workflows.conftest import FIELD_VALUES
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.services import batch as batch_services
from workflows.verification.services.batch import commitment_batch_submit

PASSWORD = "pw-12345678"
PAGE = "/commitments/batch/sign/"
API = "/api/v1/commitments/batch/sign/"


@pytest.fixture(autouse=True)
def _english(english):
    """Assert on the English source messages."""


def _draft(user, subject, template) -> Commitment:
    return commitment_create(by=user, subject=subject, template=template, field_values=FIELD_VALUES)


def _status(reference: str) -> str:
    return Commitment.objects.get(reference=reference).status


@pytest.fixture
def drafts(world) -> list[Commitment]:
    return [_draft(world.applicant, world.subject, world.template) for _n in range(2)]


@pytest.fixture
def strangers_draft(world) -> Commitment:
    """A draft of a company the applicant does not represent, made by its own representative."""
    return _draft(world.stranger, Subject.objects.get(name="别人的公司"), world.template)


def _signed_apart(reference: str) -> bool:
    """Its own signed PDF, register entry and verification."""
    commitment = Commitment.objects.select_related("signed_document").get(reference=reference)
    return (
        commitment.status == Commitment.Status.UNDER_VERIFICATION
        and commitment.signed_document is not None
        and VerificationTaskIndex.objects.filter(commitment=commitment).exists()
    )


def test_each_draft_is_signed_on_its_own_and_a_foreign_one_is_refused(
    world, drafts, strangers_draft
):
    references = [drafts[0].reference, strangers_draft.reference, drafts[1].reference]

    results = commitment_batch_submit(references=references, by=world.applicant)

    assert [item.outcome for item in results] == ["signed", "refused", "signed"]
    assert results[1].code == "not_found"
    assert results[1].reason == "There is no draft with this reference that you may sign."
    assert _status(strangers_draft.reference) == Commitment.Status.DRAFT
    assert all(_signed_apart(d.reference) for d in drafts)
    documents = {Commitment.objects.get(pk=d.pk).signed_document_id for d in drafts}
    assert len(documents) == 2


def test_a_draft_of_a_company_not_represented_is_refused_with_the_reason(world, drafts):
    claim = subject_claim(
        user=world.applicant, kind="company", code=make_uscc(), name="深圳市新店有限公司"
    )
    claimed = _draft(world.applicant, claim.subject, world.template)

    results = commitment_batch_submit(
        references=[claimed.reference, drafts[0].reference], by=world.applicant
    )

    assert [item.outcome for item in results] == ["refused", "signed"]
    assert results[0].code == "representation_unproven"
    assert results[0].reason
    assert _status(claimed.reference) == Commitment.Status.DRAFT


def test_one_failure_neither_stops_nor_undoes_the_others(world, drafts, monkeypatch):
    real = batch_services.commitment_submit

    def broken_for_the_first(*, commitment, by):
        if commitment.pk == drafts[0].pk:
            raise RuntimeError("disk full")
        return real(commitment=commitment, by=by)

    monkeypatch.setattr(batch_services, "commitment_submit", broken_for_the_first)

    results = commitment_batch_submit(references=[d.reference for d in drafts], by=world.applicant)

    assert [item.outcome for item in results] == ["refused", "signed"]
    assert _status(drafts[0].reference) == Commitment.Status.DRAFT
    assert _signed_apart(drafts[1].reference)


def test_the_page_lists_the_drafts_and_signs_nothing_without_the_password(world, drafts):
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.applicant)
    refs = [d.reference for d in drafts]

    page = client.get(PAGE).content.decode()
    refused = client.post(PAGE, {"references": refs, "confirm": "on"})
    wrong = client.post(PAGE, {"references": refs, "confirm": "on", "password": "wrong"})

    assert all(f'value="{r}"' in page for r in refs)
    assert 'id="signing-password"' in page
    assert (refused.status_code, wrong.status_code) == (400, 400)
    assert "Nothing was signed: The password is not correct." in wrong.content.decode()
    assert {_status(r) for r in refs} == {Commitment.Status.DRAFT}


def test_the_page_signs_the_batch_and_lists_each_outcome(world, drafts, strangers_draft):
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.applicant)
    refs = [drafts[0].reference, strangers_draft.reference, drafts[1].reference]

    result = client.post(PAGE, {"references": refs, "confirm": "on", "password": PASSWORD})

    body = result.content.decode()
    assert result.status_code == 200
    assert body.count('data-testid="batch-result"') == 3
    assert body.count('data-outcome="signed"') == 2
    assert "There is no draft with this reference that you may sign." in body
    assert _status(strangers_draft.reference) == Commitment.Status.DRAFT


def test_the_api_signs_a_batch_with_one_password(world, drafts, strangers_draft, api_as):
    client = api_as(world.applicant)
    refs = [drafts[0].reference, strangers_draft.reference, drafts[1].reference]

    missing = client.post(API, {"references": refs}, format="json")
    empty = client.post(API, {"references": [], "password": PASSWORD}, format="json")
    signed = client.post(API, {"references": refs, "password": PASSWORD}, format="json")

    assert missing.status_code == 400
    assert missing.json()["code"] == "reauthentication_required"
    assert empty.status_code == 400
    assert signed.status_code == 200, signed.content
    body = signed.json()
    assert (body["signed"], body["refused"]) == (2, 1)
    assert body["results"][1] == {
        "reference": strangers_draft.reference,
        "outcome": "refused",
        "code": "not_found",
        "reason": "There is no draft with this reference that you may sign.",
        "status": None,
    }
    assert body["results"][0]["status"] == "under_verification"


def test_the_api_refuses_more_drafts_than_a_batch_takes(world, drafts, api_as, settings):
    settings.SIGNING_BATCH_MAX = 1

    response = api_as(world.applicant).post(
        API, {"references": [d.reference for d in drafts], "password": PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["references"]
    assert {_status(d.reference) for d in drafts} == {Commitment.Status.DRAFT}


def test_a_stranger_sees_no_drafts_of_others_on_the_page(world, drafts):
    client = Client()
    client.force_login(UserFactory(username="nobody"))

    page = client.get(PAGE).content.decode()

    assert 'data-testid="batch-empty"' in page
