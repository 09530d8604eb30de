"""Remember and forget an officer's filters on a list."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from workflows.lists.models import SavedListFilter


@transaction.atomic
def list_filter_save(*, user: AbstractBaseUser, list_name: str, query: str) -> None:
    """Keep ``query`` as the user's filters on the list; an empty query forgets them."""
    if not query:
        SavedListFilter.objects.filter(user=user, list_name=list_name).delete()
        return
    saved = SavedListFilter.objects.filter(user=user, list_name=list_name).first()
    if saved is not None and saved.query == query:
        return
    saved = saved or SavedListFilter(user=user, list_name=list_name)
    saved.query = query
    saved.full_clean()
    saved.save()
