"""Helpers every commitment service uses (the audited save and system user come from the kernel)."""

from __future__ import annotations

from commitments.errors import CommitmentError, ErrorCode
from directory.audit import audited_save, system_user

__all__ = ["REFERENCE_ALPHABET", "audited_save", "invalid_input", "system_user"]

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def invalid_input(field: str, message: str) -> CommitmentError:
    return CommitmentError(ErrorCode.INVALID, message, field=field)
