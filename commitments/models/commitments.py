"""The obligations of a commitment, each with its computed deadline."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from commitments.catalogue.models import ObligationRule, StateModel
from commitments.lifecycle.models import Commitment
from directory.calendar import explain_basis


class Obligation(StateModel):
    """One obligation of a commitment with its computed deadline."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        FULFILLED = "fulfilled", _("Fulfilled")
        BREACHED = "breached", _("Breached")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="obligations")
    rule = models.ForeignKey(ObligationRule, on_delete=models.PROTECT, related_name="obligations")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    due_basis = models.JSONField(_("how the due date was computed"), editable=False)
    status = FSMField(_("status"), choices=Status.choices, default=Status.PENDING, protected=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def due_explanation(self) -> str:
        return explain_basis(self.due_basis)

    @transition(field=status, source=Status.PENDING, target=Status.FULFILLED)
    def fulfil(self) -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.BREACHED)
    def breach(self) -> None:
        pass
