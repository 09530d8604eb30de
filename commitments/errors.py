"""The commitments domain's one exception type, with stable codes for APIs and pages."""

from __future__ import annotations

from enum import StrEnum


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


class CommitmentError(Exception):
    """A refusal the user can act on: a stable code, the field at fault and a message."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        field: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        self.fields = fields or ({field: [str(message)]} if field else {})

    def as_dict(self) -> dict:
        return {
            "code": str(self.code),
            "message": str(self.message),
            "fields": {name: [str(m) for m in messages] for name, messages in self.fields.items()},
        }
