"""Writes of the commitment domain. Each function is one business action in one transaction:
lock, check, transition, save with who and why, and only then anything else."""

from commitments.lifecycle.services.commitments import (
    SignatureOutcome,
    commitment_create,
    commitment_document,
    commitment_preview,
    commitment_sign,
    commitment_update_draft,
    commitment_withdraw,
    obligation_deadlines,
)
from commitments.lifecycle.services.verification import (
    commitment_open_verification,
    verification_deadline,
    verification_record,
)

__all__ = [
    "SignatureOutcome",
    "commitment_create",
    "commitment_document",
    "commitment_open_verification",
    "commitment_preview",
    "commitment_sign",
    "commitment_update_draft",
    "commitment_withdraw",
    "obligation_deadlines",
    "verification_deadline",
    "verification_record",
]
