"""Withdrawing a signed commitment before the decision on its page: the form is offered to
the representative only while the case is open, a reason is required, and the record says
who, when and why."""

from __future__ import annotations

from django.test import Client

from commitments.lifecycle.models import Commitment
from tests.workflows.conftest import submit_commitment


def _client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_withdraw_a_signed_commitment_on_its_page(world):
    commitment = submit_commitment(world)
    page = f"/commitments/{commitment.reference}/"
    applicant = _client(world.applicant)
    assert 'data-testid="withdraw-signed-form"' in applicant.get(page).content.decode()
    # a regulator sees the record but is not offered the withdrawal
    assert 'data-testid="withdraw-signed-form"' not in (
        _client(world.regulator).get(page).content.decode()
    )

    # without a reason: refused with the field's message, nothing changed
    refused = applicant.post(f"{page}withdraw/", {"reason": ""}, follow=True)
    assert "This field is required." in refused.content.decode()
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.UNDER_VERIFICATION

    done = applicant.post(f"{page}withdraw/", {"reason": "改走一般程序"}, follow=True)
    html = done.content.decode()
    assert "The commitment was withdrawn and its verification cancelled." in html
    assert 'data-testid="withdrawn"' in html
    assert "改走一般程序" in html
    assert "returns to the ordinary procedure" in html  # the timeline's sentence
    assert 'data-testid="withdraw-signed-form"' not in html


def test_someone_else_cannot_withdraw_it(world):
    commitment = submit_commitment(world)
    response = _client(world.stranger).post(
        f"/commitments/{commitment.reference}/withdraw/", {"reason": "x"}
    )
    assert response.status_code == 404
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.UNDER_VERIFICATION
