"""Read an officer's remembered filters."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from workflows.lists.models import SavedListFilter


def saved_list_filter(*, user: AbstractBaseUser, list_name: str) -> str:
    """The query string the user last filtered the list with ('' if none)."""
    saved = SavedListFilter.objects.filter(user=user, list_name=list_name).first()
    return saved.query if saved else ""
