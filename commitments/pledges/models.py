"""Bidding pledges: a subject pledges its credit for a named tender in place of a bid
deposit; a breach of the pledge brings a non-refund notice with a payment deadline and,
unpaid, a listing on the pledge defaulters' black list for the list's configured period.

Registered through ``commitments.models``; the pledge commitment is referenced by string
(``commitments.Commitment``), the listing points down to the credit record's ``ListEntry``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from commitments.catalogue.models import StateModel
from credit.record.models.breaches import ListEntry
from directory.history import HistoricalRecords
from directory.states import StateField


class Tender(models.Model):
    """A public tender for which bidders may pledge instead of paying a deposit."""

    reference = models.CharField(_("tender reference"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=300)
    department = models.ForeignKey(
        "directory.Department",
        on_delete=models.PROTECT,
        related_name="tenders",
        verbose_name=_("tendering authority"),
    )
    bid_deadline = models.DateTimeField(_("bid deadline"))
    deposit_amount = models.DecimalField(_("bid deposit replaced"), max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-bid_deadline", "-pk"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class BidPledge(StateModel):
    """One bidder's pledge for one tender and what became of it."""

    class Status(models.TextChoices):
        PLEDGED = "pledged", _("Pledged")
        RELEASED = "released", _("Released: kept")
        NOTICED = "noticed", _("Breached: non-refund notice sent")
        PAID = "paid", _("Breached: amount paid")
        LISTED = "listed", _("Breached, unpaid: black-listed")

    class Breach(models.TextChoices):
        WITHDRAWN = "withdrawn", _("Bid withdrawn after the bid deadline")
        NOT_SIGNED = "not_signed", _("Winner refused to sign the contract")
        NO_GUARANTEE = "no_guarantee", _("Winner did not provide the performance guarantee")

    class Kept(models.TextChoices):
        """How a pledge was kept (it is released in each case)."""

        WON_SIGNED = "won_signed", _("Won, contract signed and guarantee provided")
        LOST = "lost", _("Did not win the tender")
        WITHDRAWN_IN_TIME = "withdrawn_in_time", _("Bid withdrawn before the bid deadline")

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="pledges")
    subject = models.ForeignKey(
        "directory.Subject", on_delete=models.PROTECT, related_name="bid_pledges"
    )
    commitment = models.OneToOneField(
        "commitments.Commitment", on_delete=models.PROTECT, related_name="bid_pledge"
    )
    pledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    pledged_at = models.DateTimeField(_("pledged"))
    breach = models.CharField(_("breach"), max_length=20, choices=Breach.choices, blank=True)
    kept = models.CharField(_("how it was kept"), max_length=20, choices=Kept.choices, blank=True)
    amount_due = models.DecimalField(
        _("amount not refunded"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    noticed_on = models.DateField(_("non-refund notice sent"), null=True, blank=True)
    payment_due = models.DateField(_("payment due"), null=True, blank=True)
    paid_on = models.DateField(_("paid"), null=True, blank=True)
    list_entry = models.ForeignKey(
        ListEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = StateField(_("status"), choices=Status.choices, default=Status.PLEDGED, protected=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-pledged_at", "-pk"]
        verbose_name = _("bidding pledge")
        verbose_name_plural = _("bidding pledges")
        indexes = [models.Index(fields=["status", "payment_due"])]
        constraints = [
            models.UniqueConstraint(fields=["tender", "subject"], name="bid_pledge_one_per_tender")
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} → {self.tender_id} ({self.get_status_display()})"

    @transition(field=status, source=Status.PLEDGED, target=Status.RELEASED)
    def release(self, *, by, kept: str = "") -> None:
        self.outcome_by, self.kept = by, kept

    @transition(field=status, source=Status.PLEDGED, target=Status.NOTICED)
    def breach_notice(self, *, by, breach: str, amount, on, payment_due) -> None:
        self.outcome_by, self.breach, self.amount_due = by, breach, amount
        self.noticed_on, self.payment_due = on, payment_due

    @transition(field=status, source=Status.NOTICED, target=Status.PAID)
    def pay(self, *, on) -> None:
        self.paid_on = on

    @transition(field=status, source=Status.NOTICED, target=Status.LISTED)
    def list_default(self, *, entry: ListEntry) -> None:
        self.list_entry = entry
