"""The credit app's one exception type, with its stable codes in one Enum (the codes "check
every case" answers with included)."""

from __future__ import annotations

from enum import StrEnum

from directory.errors import DomainError


class CreditErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    INVALID_STATE = "invalid_state"
    NO_RULE_SET = "no_rule_set"
    UNAVAILABLE = "unavailable"  # what is asked for exists but cannot be read just now
    # Refusals of "check every case" before any question is read (DRF's codes, kept).
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    METHOD_NOT_ALLOWED = "method_not_allowed"


class CreditError(DomainError):
    """A refusal with a stable code, the field at fault and a human message."""
