"""The credit app's one exception type, with stable codes (the same vocabulary as the
commitment domain's, so the caller can map one to the other)."""

from __future__ import annotations

from enum import StrEnum

from directory.errors import DomainError


class CreditErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    INVALID_STATE = "invalid_state"
    NO_RULE_SET = "no_rule_set"


class CreditError(DomainError):
    """A refusal with a stable code, the field at fault and a human message."""
