"""Who did it and why: the actor of background changes, and the one audited save.

Every state change is attributable. Services save through ``audited_save`` so the history row
carries the user and the reason; timers and workers act as the inactive ``system`` user.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

SYSTEM_USERNAME = "system"


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
    """Validate and save ``obj`` with the actor and reason that its history must show."""
    obj._history_user = by
    obj._change_reason = reason
    obj.full_clean()
    obj.save(**kwargs)
