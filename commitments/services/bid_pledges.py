"""Bidding pledges as the commitment domain runs them: the tendering authority's tenders,
the bidder's signed pledge (a commitment of the bidding-pledge kind), the outcome with its
non-refund notice, and the listing of defaulters (``bid_pledge_defaults_sweep``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.catalogue.models import CommitmentTemplate
from commitments.catalogue.services import active_template
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.breaches import as_commitment_error
from commitments.lifecycle.services.commitments import commitment_create, commitment_sign
from commitments.services.credit_repair import _check_member, _representatives, time_limit
from credit import services_pledge
from credit.errors import CreditError
from credit.models import BidPledge, Tender
from directory.audit import audited_save
from directory.calendar import add_working_days
from directory.models import Department, Subject, SubjectRepresentative
from notifications.services import notification_send


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
    reference, title = (reference or "").strip(), (title or "").strip()
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


def _check_represents(by: AbstractBaseUser, subject: Subject) -> None:
    """Refuse before anything else, so nobody learns another subject's standing."""
    if not SubjectRepresentative.objects.filter(user=by, subject=subject).exists():
        raise CommitmentError(
            ErrorCode.FORBIDDEN, _("You do not represent this subject."), field="subject"
        )


def _refuse_if_barred(*, tender: Tender, subject: Subject) -> None:
    refusal = services_pledge.pledge_refusal(
        tender=tender, subject_id=subject.pk, now=timezone.now()
    )
    if refusal is not None:
        raise as_commitment_error(refusal)


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
    try:
        return services_pledge.pledge_create(
            tender_id=tender.pk, subject_id=commitment.subject_id, commitment_id=signed.pk, by=by
        )
    except CreditError as error:
        raise as_commitment_error(error) from None


@transaction.atomic
def bid_pledge_make(*, tender: Tender, subject: Subject, by: AbstractBaseUser) -> BidPledge:
    """Prepare and sign a pledge in one step (the API, and the tests of the rules)."""
    draft = bid_pledge_draft(tender=tender, subject=subject, by=by)
    return bid_pledge_sign(commitment=draft, by=by)


@transaction.atomic
def bid_pledge_outcome(*, pledge: BidPledge, by: AbstractBaseUser, outcome: str) -> BidPledge:
    """The tendering authority records what became of the pledge; a breach sends the
    non-refund notice with its payment deadline to the bidder."""
    _check_member(by, pledge.tender.department_id)
    on = timezone.localdate()
    payment_due = add_working_days(on, time_limit("pledge_payment")).due_date
    try:
        pledge = services_pledge.pledge_outcome_record(
            pledge_id=pledge.pk, outcome=outcome, by=by, payment_due=payment_due, on=on
        )
    except CreditError as error:
        raise as_commitment_error(error) from None
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
    _check_member(by, pledge.tender.department_id)
    try:
        return services_pledge.pledge_payment_record(pledge_id=pledge.pk, by=by)
    except CreditError as error:
        raise as_commitment_error(error) from None


def bid_pledge_defaults_sweep(*, on: date | None = None) -> int:
    """List the subjects whose payment is overdue and tell them; returns how many."""
    listed = services_pledge.pledge_defaults_list(on=on)
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
