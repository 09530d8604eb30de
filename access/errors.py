"""The access app's one error type."""

from __future__ import annotations

from enum import StrEnum

from directory.errors import DomainError


class AccessErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    INVALID_STATE = "invalid_state"
    REAUTHENTICATION_REQUIRED = "reauthentication_required"
    REAUTHENTICATION_FAILED = "reauthentication_failed"
    LOCKED_OUT = "locked_out"


class AccessError(DomainError):
    """A refusal about a token or a proof of identity."""
