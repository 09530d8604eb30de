"""The workflows' one exception type, with stable codes for the API and the pages.

Raised only for the processes' own refusals (a task closed, claimed by someone else, of
another department, a locked process, an invalid reassignment or delegation, a bad evidence
file). A refusal of a service below (``commitments``, ``credit``) passes through unchanged:
the API handler and the pages map any ``DomainError`` by its code.
"""

from __future__ import annotations

from enum import StrEnum

from directory.errors import DomainError


class WorkflowErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    INVALID_STATE = "invalid_state"
    CONCURRENT_CHANGE = "concurrent_change"


class WorkflowError(DomainError):
    """A refusal of a process step: a stable code, the field at fault and a message."""
