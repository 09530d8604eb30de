"""The applicant's submission: sign the commitment and start its verification.

When the timestamp service does not answer, the signing waits in a pending
``SigningRequest``; its completion is kicked once the transaction commits
(``commitment_signing_complete_task``, best effort) and resumed by the beat in any case.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from commitments.lifecycle.models import Commitment
from notifications.tasks import task_kick_on_commit
from workflows.verification.services.signing import commitment_sign_and_start
from workflows.verification.tasks import commitment_signing_complete_task


@transaction.atomic
def commitment_submit(
    *, commitment: Commitment, by: AbstractBaseUser, uploaded_pdf: bytes | None = None
) -> Commitment:
    """Sign the commitment and start its verification, both or neither.

    With ``uploaded_pdf`` the applicant signed elsewhere (checked, then sealed). When the
    timestamp service does not answer, the draft stays, a pending ``SigningRequest`` keeps
    it and ``commitment_signing_complete_task`` (kicked after the commit; a broker that is
    down never fails the submission) or ``signing_requests_resume_task`` (on every beat)
    finishes the signing once the service answers (the returned commitment is then still a
    draft).
    """
    outcome = commitment_sign_and_start(commitment=commitment, by=by, uploaded_pdf=uploaded_pdf)
    if outcome.is_new_wait:
        task_kick_on_commit(commitment_signing_complete_task, request_id=outcome.waiting.pk)
    return outcome.commitment
