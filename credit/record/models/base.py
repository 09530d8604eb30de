"""The base of the credit models with a lifecycle, and the choices several of them share."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin


class CreditStateModel(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """Base of credit models with a protected lifecycle state (as ``commitments.StateModel``)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        state_fields = {f.name for f in self._meta.fields if isinstance(f, FSMField)}
        super().clean_fields(exclude=set(exclude or ()) | state_fields)


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class PublicityGroup(models.TextChoices):
    """Breach categories whose publicity follows rules of their own (a ``PublicityRule`` with
    the group takes precedence over the rule without one)."""

    SAFETY = "safety", _("Safety sectors")
    WARNING = "warning", _("Administrative warnings")


class RuleDomain(models.TextChoices):
    """Which body of rules governs a record: the general credit rules or a sector's own."""

    GENERAL = "general", _("Social credit (general)")
    MARKET_REGULATION = "market_regulation", _("Market regulation")


class Purpose(models.TextChoices):
    """Why another system checks a subject."""

    APPROVAL = "approval", _("Administrative approval")
    BID = "bid", _("Public bidding")
    SUBSIDY = "subsidy", _("Government subsidy")
