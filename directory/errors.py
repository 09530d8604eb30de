"""The base of every domain app's one error type, and the directory's own.

Each app raises one exception type (a subclass of ``DomainError``) whose code comes from that
app's one Enum. Pages and the API catch ``DomainError`` and map its code to a message or an
HTTP status in one place (``config.api_errors``), so no layer re-wraps another's errors.
"""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    """A refusal the user can act on: a stable code, the field at fault and a message."""

    def __init__(
        self,
        code: StrEnum,
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


class DirectoryErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"


class DirectoryError(DomainError):
    """A refusal about who or where: an invalid identifier, an unknown subject."""
