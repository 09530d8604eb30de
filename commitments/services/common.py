"""Helpers every service uses: the actor of background changes and audited saves."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from ..errors import CommitmentError, ErrorCode

SYSTEM_USERNAME = "system"
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def system_user() -> AbstractBaseUser:
    """The actor recorded for changes made by timers and background work."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def audited_save(obj, *, by: AbstractBaseUser | None, reason: str, **kwargs) -> None:
    """Save with the actor and reason that history must show."""
    obj._history_user = by
    obj._change_reason = reason
    obj.full_clean()
    obj.save(**kwargs)


def invalid_input(field: str, message: str) -> CommitmentError:
    return CommitmentError(ErrorCode.INVALID, message, field=field)
