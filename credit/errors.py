"""The credit app's one exception type, with stable codes (the same vocabulary as the
commitment domain's, so the caller can map one to the other)."""

from __future__ import annotations

from enum import StrEnum


class CreditErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    INVALID_STATE = "invalid_state"
    NO_RULE_SET = "no_rule_set"


class CreditError(Exception):
    """A refusal with a stable code, the field at fault and a human message."""

    def __init__(self, code: CreditErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
