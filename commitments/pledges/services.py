"""Writes of bidding pledges: the tendering authority's tenders, the bidder's signed pledge (a
commitment of the bidding-pledge kind, refused to a black-listed subject), the outcome with its
non-refund notice, the payment, and the listing of defaulters once the payment deadline passes
(``bid_pledge_defaults_sweep``).

The listing itself is the credit record's (``credit.record.services.pledge_defaulters``);
this module decides who is due and tells the bidder. Due dates are counted in working days on
the official calendar.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.services import active_template
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create, commitment_sign
from commitments.pledges.models import BidPledge, Tender
from commitments.pledges.selectors import black_list_entry_of
from credit.record.services.pledge_defaulters import pledge_defaulter_list
from directory import selectors as directory_selectors
from directory.audit import audited_save, system_user
from directory.calendar import add_working_days
from directory.inputs import date_problem, normalise_text
from directory.models import Department, RegulatorMembership, Subject
from notifications.services.inbox import notification_send

KEPT = ("released", *BidPledge.Kept.values)  # "released": kept, without saying how
# Outcomes only the award makes possible, and the award follows the bid deadline.
AFTER_AWARD = (
    BidPledge.Kept.WON_SIGNED,
    BidPledge.Kept.LOST,
    BidPledge.Breach.NOT_SIGNED,
    BidPledge.Breach.NO_GUARANTEE,
)
OUTCOMES = (*KEPT, *BidPledge.Breach.values)
PAYMENT_WORKING_DAYS = 10  # to pay a non-refund notice; a city may set its own (below)


def payment_working_days() -> int:
    """Working days to pay a non-refund notice: ``CREDIT_TIME_LIMITS["pledge_payment"]``."""
    limits = getattr(settings, "CREDIT_TIME_LIMITS", {})
    return limits.get("pledge_payment", PAYMENT_WORKING_DAYS)


def pledge_payment_due(*, on: date) -> date:
    """The payment deadline of a non-refund notice sent on a day."""
    return add_working_days(on, payment_working_days()).due_date


def _check_member(by: AbstractBaseUser, department_id: int) -> None:
    """Only an active member of the tendering department acts for it; others find nothing."""
    if not RegulatorMembership.objects.filter(
        user=by, department_id=department_id, is_active=True
    ).exists():
        raise CommitmentError(ErrorCode.NOT_FOUND, _("No such application."), field="application")


def _check_represents(by: AbstractBaseUser, subject: Subject) -> None:
    """Refuse before anything else, so nobody learns another subject's standing."""
    if not directory_selectors.subject_list(represented_by=by).filter(pk=subject.pk).exists():
        raise CommitmentError(
            ErrorCode.FORBIDDEN, _("You do not represent this subject."), field="subject"
        )


def _representatives(subject_id: int) -> list[AbstractBaseUser]:
    return directory_selectors.subject_representative_users(subject_id=subject_id)


@transaction.atomic
def tender_create(
    *,
    by: AbstractBaseUser,
    department: Department,
    reference: str,
    title: str,
    bid_deadline: datetime,
    deposit_amount,
) -> Tender:
    """Announce a tender that accepts pledges (a member of the tendering department)."""
    _check_member(by, department.pk)
    reference, title = normalise_text(reference), normalise_text(title)
    errors = {}
    if not reference:
        errors["reference"] = [_("Give the tender reference.")]
    elif Tender.objects.filter(reference=reference).exists():
        errors["reference"] = [_("A tender with this reference exists.")]
    if not title:
        errors["title"] = [_("Give the tender title.")]
    if bid_deadline is None:
        errors["bid_deadline"] = [_("Give the bid deadline.")]
    elif bid_deadline <= timezone.now():
        errors["bid_deadline"] = [
            _("The bid deadline must be in the future: pledges are made before it.")
        ]
    elif problem := date_problem(timezone.localtime(bid_deadline), today=timezone.localdate()):
        errors["bid_deadline"] = [problem]
    try:
        amount = Decimal(str(deposit_amount))
        if amount <= 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["deposit_amount"] = [_("Give the bid deposit as a positive amount.")]
    if errors:
        raise CommitmentError(ErrorCode.INVALID, _("Correct the tender."), fields=errors)
    tender = Tender(
        reference=reference,
        title=title,
        department=department,
        bid_deadline=bid_deadline,
        deposit_amount=amount,
        created_by=by,
    )
    audited_save(tender, by=by, reason="tender announced")
    return tender


def pledge_template() -> CommitmentTemplate:
    return active_template(CommitmentTemplate.Kind.BIDDING_PLEDGE)


def pledge_barred_refusal(*, subject_id: int) -> CommitmentError | None:
    """Why this subject may not pledge for any tender (on a black list), or None: told on
    the start page before the bidder chooses, and given again as the refusal."""
    entry = black_list_entry_of(subject_id=subject_id)
    if entry is None:
        return None
    return CommitmentError(
        ErrorCode.INVALID_STATE,
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


def pledge_refusal(*, tender: Tender, subject_id: int, now: datetime) -> CommitmentError | None:
    """Why this subject may not pledge for this tender now (None: it may)."""
    barred = pledge_barred_refusal(subject_id=subject_id)
    if barred is not None:
        return barred
    if now >= tender.bid_deadline:
        return CommitmentError(
            ErrorCode.INVALID_STATE,
            _("The bid deadline of this tender has passed."),
            field="tender",
        )
    if BidPledge.objects.filter(tender=tender, subject_id=subject_id).exists():
        return CommitmentError(
            ErrorCode.INVALID_STATE,
            _("This subject has already pledged for this tender."),
            field="tender",
        )
    return None


def _refuse_if_barred(*, tender: Tender, subject: Subject) -> None:
    refusal = pledge_refusal(tender=tender, subject_id=subject.pk, now=timezone.now())
    if refusal is not None:
        raise refusal


@transaction.atomic
def bid_pledge_draft(*, tender: Tender, subject: Subject, by: AbstractBaseUser) -> Commitment:
    """Prepare the pledge commitment for the tender, for the representative to read and sign;
    refused (nothing made) for another's subject, a black-listed subject, after the bid
    deadline, or twice for the same tender. An open draft for the same tender is reused."""
    _check_represents(by, subject)
    _refuse_if_barred(tender=tender, subject=subject)
    template = pledge_template()
    existing = (
        Commitment.objects.filter(
            subject=subject,
            template__kind=CommitmentTemplate.Kind.BIDDING_PLEDGE,
            status=Commitment.Status.DRAFT,
            field_values__tender=tender.reference,
        )
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing
    return commitment_create(
        by=by,
        subject=subject,
        template=template,
        field_values={"tender": tender.reference},
        region=tender.department.region,
    )


def pledge_tender_of(commitment: Commitment) -> Tender:
    """The tender a pledge commitment names."""
    tender = None
    if commitment.template.kind == CommitmentTemplate.Kind.BIDDING_PLEDGE:
        tender = Tender.objects.filter(
            reference=(commitment.field_values or {}).get("tender", "")
        ).first()
    if tender is None:
        raise CommitmentError(
            ErrorCode.INVALID, _("This commitment is not a bidding pledge."), field="commitment"
        )
    return tender


def _pledge_create(
    *, tender_id: int, subject_id: int, commitment_id: int, by: AbstractBaseUser
) -> BidPledge:
    """Record the pledge for the signed commitment, checked again under the tender's lock."""
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
def bid_pledge_sign(
    *, commitment: Commitment, by: AbstractBaseUser, uploaded_pdf: bytes | None = None
) -> BidPledge:
    """Sign the prepared pledge commitment (as any commitment is signed) and record the
    pledge in place of the deposit. Checked again at signing: the deadline may have passed
    or the subject been listed since the draft was made; then nothing is signed."""
    _check_represents(by, commitment.subject)
    tender = pledge_tender_of(commitment)
    _refuse_if_barred(tender=tender, subject=commitment.subject)
    signed = commitment_sign(commitment=commitment, by=by, uploaded_pdf=uploaded_pdf).commitment
    return _pledge_create(
        tender_id=tender.pk, subject_id=commitment.subject_id, commitment_id=signed.pk, by=by
    )


@transaction.atomic
def bid_pledge_make(*, tender: Tender, subject: Subject, by: AbstractBaseUser) -> BidPledge:
    """Prepare and sign a pledge in one step (the API, and the tests of the rules)."""
    draft = bid_pledge_draft(tender=tender, subject=subject, by=by)
    return bid_pledge_sign(commitment=draft, by=by)


def pledge_outcome_refusal(
    *, pledge: BidPledge, outcome: str, now: datetime
) -> CommitmentError | None:
    """Why an outcome cannot be recorded for the pledge ``now``, or None: an unknown outcome,
    an outcome already recorded, or one the tender's dates do not yet allow (a withdrawal
    before the bid deadline is no breach; the award, and what the winner does after it,
    come only after the deadline)."""
    if outcome not in OUTCOMES:
        return CommitmentError(
            ErrorCode.INVALID, _("Choose what became of the pledge."), field="outcome"
        )
    if not can_proceed(pledge.release):
        return CommitmentError(
            ErrorCode.INVALID_STATE,
            _("The outcome of this pledge was already recorded: %(status)s.")
            % {"status": pledge.get_status_display()},
            field="status",
        )
    if outcome == BidPledge.Breach.WITHDRAWN and now < pledge.tender.bid_deadline:
        return CommitmentError(
            ErrorCode.INVALID,
            _("A bid withdrawn before the bid deadline does not breach the pledge."),
            field="outcome",
        )
    if outcome in AFTER_AWARD and now < pledge.tender.bid_deadline:
        labels = dict([*BidPledge.Kept.choices, *BidPledge.Breach.choices])
        return CommitmentError(
            ErrorCode.INVALID,
            _(
                "“%(outcome)s” cannot be recorded before the bid deadline (%(deadline)s): the "
                "tender is awarded only after it."
            )
            % {
                "outcome": labels[outcome],
                "deadline": timezone.localtime(pledge.tender.bid_deadline).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            },
            field="outcome",
        )
    return None


def _outcome_record(
    *, pledge_id: int, outcome: str, by: AbstractBaseUser, payment_due: date, on: date
) -> BidPledge:
    """Release a kept pledge, or record its breach with the non-refund notice."""
    pledge = BidPledge.objects.select_for_update().select_related("tender").get(pk=pledge_id)
    refusal = pledge_outcome_refusal(pledge=pledge, outcome=outcome, now=timezone.now())
    if refusal is not None:
        raise refusal
    if outcome in KEPT:
        kept = "" if outcome == "released" else outcome
        pledge.release(by=by, kept=kept)
        audited_save(pledge, by=by, reason=f"pledge kept and released: {kept or 'kept'}")
        return pledge
    pledge.breach_notice(
        by=by, breach=outcome, amount=pledge.tender.deposit_amount, on=on, payment_due=payment_due
    )
    audited_save(pledge, by=by, reason=f"pledge breached: {outcome}; non-refund notice")
    return pledge


@transaction.atomic
def bid_pledge_outcome(*, pledge: BidPledge, by: AbstractBaseUser, outcome: str) -> BidPledge:
    """The tendering authority records what became of the pledge; a breach sends the
    non-refund notice with its payment deadline to the bidder."""
    _check_member(by, pledge.tender.department_id)
    on = timezone.localdate()
    payment_due = pledge_payment_due(on=on)
    pledge = _outcome_record(
        pledge_id=pledge.pk, outcome=outcome, by=by, payment_due=payment_due, on=on
    )
    if pledge.status == BidPledge.Status.NOTICED:
        for user in _representatives(pledge.subject_id):
            notification_send(
                recipient=user,
                key=f"pledge-{pledge.pk}-notice-{user.pk}",
                subject=_("Non-refund notice: pay %(amount)s by %(day)s")
                % {"amount": pledge.amount_due, "day": pledge.payment_due},
                body=_(
                    "Your pledge for tender %(tender)s was breached (%(breach)s). Pay "
                    "%(amount)s, the bid deposit it replaced, by %(day)s; unpaid, the subject "
                    "is put on the pledge defaulters' black list."
                )
                % {
                    "tender": pledge.tender.reference,
                    "breach": pledge.get_breach_display(),
                    "amount": pledge.amount_due,
                    "day": pledge.payment_due,
                },
            )
    return pledge


@transaction.atomic
def bid_pledge_paid(*, pledge: BidPledge, by: AbstractBaseUser) -> BidPledge:
    """The tendering authority records that the amount of the non-refund notice was paid."""
    _check_member(by, pledge.tender.department_id)
    pledge = BidPledge.objects.select_for_update().get(pk=pledge.pk)
    if not can_proceed(pledge.pay):
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("No payment is awaited on this pledge (%(status)s).")
            % {"status": pledge.get_status_display()},
            field="status",
        )
    pledge.pay(on=timezone.localdate())
    audited_save(pledge, by=by, reason="amount paid")
    return pledge


def _defaults_list(*, on: date) -> list[BidPledge]:
    """List every subject whose non-refund payment is past its deadline; idempotent."""
    actor = system_user()
    listed = []
    due = BidPledge.objects.filter(status=BidPledge.Status.NOTICED, payment_due__lt=on)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            pledge = BidPledge.objects.select_for_update().get(pk=pk)
            if not can_proceed(pledge.list_default):
                continue
            entry = pledge_defaulter_list(
                subject_id=pledge.subject_id,
                reason=f"bidding pledge {pledge.pk} breached ({pledge.breach}), "
                f"amount unpaid after {pledge.payment_due}",
                noticed_on=pledge.noticed_on,
                on=on,
                by=actor,
            )
            pledge.list_default(entry=entry)
            audited_save(pledge, by=actor, reason="unpaid at the deadline: listed")
            listed.append(pledge)
    return listed


def bid_pledge_defaults_sweep(*, on: date | None = None) -> int:
    """List the subjects whose payment is overdue and tell them; returns how many."""
    listed = _defaults_list(on=on or timezone.localdate())
    for pledge in listed:
        for user in _representatives(pledge.subject_id):
            notification_send(
                recipient=user,
                key=f"pledge-{pledge.pk}-listed-{user.pk}",
                subject=_("Listed as a bidding pledge defaulter"),
                body=_(
                    "The amount due for tender %(tender)s was not paid by %(day)s: the subject "
                    "is on the pledge defaulters' black list until %(until)s at least."
                )
                % {
                    "tender": pledge.tender.reference,
                    "day": pledge.payment_due,
                    "until": pledge.list_entry.exit_not_before,
                },
            )
    return len(listed)
