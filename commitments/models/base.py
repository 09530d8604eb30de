"""Shared enumerations and the base of models with a protected lifecycle state."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin


class VerificationMethod(models.TextChoices):
    WRITTEN = "written", _("Written review")
    ONLINE = "online", _("Online check against shared data")
    ON_SITE = "on_site", _("On-site inspection")
    PUBLICITY = "publicity", _("Verification by publicity")


class StateModel(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """Base of models with a protected lifecycle state.

    ``full_clean()`` re-assigns every field it cleans, which a protected FSM field refuses;
    the state is validated by its transitions instead, so field cleaning skips it.
    """

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        state_fields = {f.name for f in self._meta.fields if isinstance(f, FSMField)}
        super().clean_fields(exclude=set(exclude or ()) | state_fields)
