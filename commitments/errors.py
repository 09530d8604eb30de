"""The commitments domain's one exception type, with stable codes for APIs and pages."""

from __future__ import annotations

from enum import StrEnum

from directory.errors import DomainError


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    TEMPLATE_NOT_ACTIVE = "template_not_active"
    TEMPLATE_IN_USE = "template_in_use"
    ALREADY_SIGNED = "already_signed"
    INVALID_STATE = "invalid_state"
    SUBJECT_EXCLUDED = "subject_excluded"
    CONCURRENT_CHANGE = "concurrent_change"


class CommitmentError(DomainError):
    """A refusal the user can act on: a stable code, the field at fault and a message."""


def invalid_input(field: str, message: str) -> CommitmentError:
    """Return the refusal of one input field (code ``invalid``)."""
    return CommitmentError(ErrorCode.INVALID, message, field=field)
