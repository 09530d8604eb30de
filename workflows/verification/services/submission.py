"""The applicant's submission: sign the commitment and start its verification.

When the timestamp service does not answer, the signing waits and its completion is
enqueued once the transaction commits (``commitment_signing_complete_task``).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from commitments.lifecycle.models import Commitment
from workflows.verification.services.signing import commitment_sign_and_start
from workflows.verification.tasks import commitment_signing_complete_task


@transaction.atomic
def commitment_submit(
    *, commitment: Commitment, by: AbstractBaseUser, uploaded_pdf: bytes | None = None
) -> Commitment:
    """Sign the commitment and start its verification, both or neither.

    With ``uploaded_pdf`` the applicant signed elsewhere (checked, then sealed). When the
    timestamp service does not answer, the draft stays, a pending ``SigningRequest`` keeps
    it and ``commitment_signing_complete_task`` finishes the signing once the service answers
    (the returned commitment is then still a draft).
    """
    outcome = commitment_sign_and_start(commitment=commitment, by=by, uploaded_pdf=uploaded_pdf)
    if outcome.is_new_wait:
        request_id = outcome.waiting.pk
        transaction.on_commit(lambda: commitment_signing_complete_task.delay(request_id))
    return outcome.commitment
