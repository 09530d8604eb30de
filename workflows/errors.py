"""The workflows app's one exception type, with stable codes for pages and the API.

A subclass of ``directory.errors.DomainError``: pages show any domain error and the API maps
any of them by code (``commitments.api.errors``), so no layer re-wraps another's errors.
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
    """A refusal in a process the user can act on: a stable code, the field and a message."""
