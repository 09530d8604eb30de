"""A pledge draft is signed only on its pledge page: the generic signing path would skip the
tender's checks and start a verification instead of recording the pledge."""

from __future__ import annotations

import pytest
from django.urls import reverse
from viewflow.workflow.models import Process

from commitments.models import Commitment, CommitmentTemplate
from commitments.selectors import template_list_active
from commitments.services.bid_pledges import bid_pledge_draft
from credit.models import BidPledge
from signing.models import SignedDocument
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.verification.services.submission import commitment_submit

pytestmark = pytest.mark.django_db


def test_the_generic_signing_path_refuses_a_pledge_draft_and_changes_nothing(world, tender):
    draft = bid_pledge_draft(tender=tender, subject=world.subject, by=world.applicant)
    history = draft.history.count()

    with pytest.raises(WorkflowError) as raised:
        commitment_submit(commitment=draft, by=world.applicant)

    assert (raised.value.code, raised.value.field) == (WorkflowErrorCode.INVALID_STATE, "template")
    assert "pledge page" in raised.value.message
    assert Commitment.objects.get(pk=draft.pk).status == "draft"
    assert draft.history.count() == history
    assert (SignedDocument.objects.count(), BidPledge.objects.count()) == (0, 0)
    assert Process.objects.count() == 0


def test_applicants_are_not_offered_repair_or_pledge_templates(world, tender, client):
    kinds = set(template_list_active().values_list("kind", flat=True))
    client.force_login(world.applicant)

    page = client.get(reverse("commitments:templates"))

    assert kinds == {CommitmentTemplate.Kind.INFORM_AND_COMMIT}
    assert world.template.title in page.content.decode()
    assert "投标信用承诺" not in page.content.decode()
