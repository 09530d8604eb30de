"""Writes of bidding pledges: the pledge (refused to a black-listed subject), the tendering
authority's outcome, payment, and the listing of defaulters once the payment deadline
passes. Due dates come from the caller (computed on the official calendar)."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from credit.errors import CreditError, CreditErrorCode
from credit.models import CreditList, ListEntry
from credit.models_pledge import PLEDGE_DEFAULTERS, BidPledge, Tender
from credit.record.rules import add_months
from directory.audit import audited_save, system_user

KEPT = ("released", *BidPledge.Kept.values)  # "released": kept, without saying how
OUTCOMES = (*KEPT, *BidPledge.Breach.values)


def black_list_entry_of(*, subject_id: int) -> ListEntry | None:
    """The subject's current black-list designation, if any."""
    return (
        ListEntry.objects.filter(
            subject_id=subject_id,
            status=ListEntry.Status.LISTED,
            credit_list__kind=CreditList.Kind.BLACK,
        )
        .select_related("credit_list")
        .order_by("entered_on", "pk")
        .first()
    )


def pledge_refusal(*, tender: Tender, subject_id: int, now: datetime) -> CreditError | None:
    """Why this subject may not pledge for this tender now (None: it may)."""
    entry = black_list_entry_of(subject_id=subject_id)
    if entry is not None:
        return CreditError(
            CreditErrorCode.INVALID_STATE,
            _(
                "A subject on the black list “%(list)s” (since %(day)s) cannot pledge in place "
                "of a bid deposit; pay the deposit instead. (Rule: %(rule)s)"
            )
            % {
                "list": entry.credit_list.name,
                "day": entry.entered_on,
                "rule": entry.credit_list.legal_basis,
            },
            field="subject",
        )
    if now >= tender.bid_deadline:
        return CreditError(
            CreditErrorCode.INVALID_STATE,
            _("The bid deadline of this tender has passed."),
            field="tender",
        )
    if BidPledge.objects.filter(tender=tender, subject_id=subject_id).exists():
        return CreditError(
            CreditErrorCode.INVALID_STATE,
            _("This subject has already pledged for this tender."),
            field="tender",
        )
    return None


@transaction.atomic
def pledge_create(
    *, tender_id: int, subject_id: int, commitment_id: int, by: AbstractBaseUser
) -> BidPledge:
    now = timezone.now()
    tender = Tender.objects.select_for_update().get(pk=tender_id)
    refusal = pledge_refusal(tender=tender, subject_id=subject_id, now=now)
    if refusal is not None:
        raise refusal
    pledge = BidPledge(
        tender=tender,
        subject_id=subject_id,
        commitment_id=commitment_id,
        pledged_by=by,
        pledged_at=now,
    )
    audited_save(pledge, by=by, reason="pledged in place of a bid deposit")
    return pledge


@transaction.atomic
def pledge_outcome_record(
    *, pledge_id: int, outcome: str, by: AbstractBaseUser, payment_due: date, on: date | None = None
) -> BidPledge:
    """Release a kept pledge, or record its breach with the non-refund notice."""
    on = on or timezone.localdate()
    pledge = BidPledge.objects.select_for_update().select_related("tender").get(pk=pledge_id)
    if outcome not in OUTCOMES:
        raise CreditError(
            CreditErrorCode.INVALID, _("Choose what became of the pledge."), field="outcome"
        )
    if not can_proceed(pledge.release):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("The outcome of this pledge was already recorded: %(status)s.")
            % {"status": pledge.get_status_display()},
            field="status",
        )
    if outcome in KEPT:
        kept = "" if outcome == "released" else outcome
        pledge.release(by=by, kept=kept)
        audited_save(pledge, by=by, reason=f"pledge kept and released: {kept or 'kept'}")
        return pledge
    if outcome == BidPledge.Breach.WITHDRAWN and timezone.now() < pledge.tender.bid_deadline:
        raise CreditError(
            CreditErrorCode.INVALID,
            _("A bid withdrawn before the bid deadline does not breach the pledge."),
            field="outcome",
        )
    pledge.breach_notice(
        by=by, breach=outcome, amount=pledge.tender.deposit_amount, on=on, payment_due=payment_due
    )
    audited_save(pledge, by=by, reason=f"pledge breached: {outcome}; non-refund notice")
    return pledge


@transaction.atomic
def pledge_payment_record(
    *, pledge_id: int, by: AbstractBaseUser, on: date | None = None
) -> BidPledge:
    pledge = BidPledge.objects.select_for_update().get(pk=pledge_id)
    if not can_proceed(pledge.pay):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("No payment is awaited on this pledge (%(status)s).")
            % {"status": pledge.get_status_display()},
            field="status",
        )
    pledge.pay(on=on or timezone.localdate())
    audited_save(pledge, by=by, reason="amount paid")
    return pledge


def pledge_defaults_list(*, on: date | None = None) -> list[BidPledge]:
    """List every subject whose non-refund payment is past its deadline; idempotent."""
    on = on or timezone.localdate()
    credit_list = CreditList.objects.get(code=PLEDGE_DEFAULTERS)
    actor = system_user()
    listed = []
    due = BidPledge.objects.filter(status=BidPledge.Status.NOTICED, payment_due__lt=on)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            pledge = BidPledge.objects.select_for_update().get(pk=pk)
            if not can_proceed(pledge.list_default):
                continue
            entry = ListEntry.objects.filter(
                credit_list=credit_list, subject_id=pledge.subject_id, status__in=ListEntry.OPEN
            ).first()
            if entry is None:
                months = credit_list.min_listing_months
                entry = ListEntry(
                    credit_list=credit_list,
                    subject_id=pledge.subject_id,
                    reason=f"bidding pledge {pledge.pk} breached ({pledge.breach}), "
                    f"amount unpaid after {pledge.payment_due}",
                    prior_notice_sent_at=timezone.make_aware(
                        datetime.combine(pledge.noticed_on, datetime.min.time())
                    ),
                    entered_on=on,
                    exit_not_before=add_months(on, months) if months else None,
                    status=ListEntry.Status.LISTED,
                )
                audited_save(entry, by=actor, reason="pledge defaulter listed")
            pledge.list_default(entry=entry)
            audited_save(pledge, by=actor, reason="unpaid at the deadline: listed")
            listed.append(pledge)
    return listed
