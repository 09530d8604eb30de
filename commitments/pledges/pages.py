"""Bidding pledge pages (mounted at /pledges/ by ``commitments.pledges.urls``).

The bidder's side: its subjects' pledges, the pledge for an open tender (a commitment of the
bidding-pledge kind, read and signed like any other commitment), and each pledge with its
history and any non-refund notice. The tendering authority's side: its tenders and the
pledges made for them, the outcome and the payment of a non-refund notice.

A representative sees only its subjects' pledges; an officer only those for its department's
tenders. Anything else is a 404. A refusal (any ``DomainError``) re-renders the page with the
reason, status 400.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from access.ceremony import signing_proof_context, signing_proof_for_page, signing_purpose
from commitments.catalogue.models import CommitmentTemplate
from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle import selectors
from commitments.lifecycle.models import Commitment
from commitments.pledges import selectors as pledge_selectors
from commitments.pledges.forms import PledgeForm, TenderForm
from commitments.pledges.models import BidPledge
from commitments.pledges.services import (
    bid_pledge_draft,
    bid_pledge_outcome,
    bid_pledge_paid,
    bid_pledge_sign,
    pledge_barred_refusal,
    pledge_outcome_refusal,
    pledge_payment_due,
    pledge_tender_of,
    tender_create,
)
from directory import selectors as directory_selectors
from directory.errors import DomainError, refusal_into_form


def pledge_rules() -> dict[str, str]:
    """The rule behind a refusal, by the field at fault (shown beside the reason)."""
    return {
        "subject": _(
            "Only a representative of the subject may pledge for it, and only for a subject "
            "on no black list."
        ),
        "tender": _("A pledge is made before the tender's bid deadline, once per tender."),
        "outcome": _(
            "A bid withdrawn after the bid deadline, or a winner refusing to sign the contract "
            "or to provide the performance guarantee, breaches the pledge; a withdrawal "
            "before the deadline does not."
        ),
        "status": _(
            "The tendering authority records a pledge's outcome once; a payment is recorded "
            "only against an unpaid non-refund notice."
        ),
        "bid_deadline": _("Pledges are made before the bid deadline, so it must lie ahead."),
        "confirm": _("A commitment binds only when its liability is accepted."),
        "password": _("Each signature needs its own proof of who you are."),
    }


def outcome_choices() -> list[tuple[str, str]]:
    """What the tendering authority may record: how the pledge was kept, or its breach."""
    return [*BidPledge.Kept.choices, *BidPledge.Breach.choices]


class _ErrorPageMixin:
    def fail(self, error: DomainError, **extra):
        context = self.get_context_data(**self.kwargs)
        context.update(error=error, rule=pledge_rules().get(error.field or "", ""), **extra)
        return self.render_to_response(context, status=400)


# The bidder's side --------------------------------------------------------------------------


class PledgeListView(LoginRequiredMixin, TemplateView):
    """The pledges of every subject the user represents, newest first."""

    template_name = "commitments/pledges/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            pledges=list(pledge_selectors.pledge_list_of_subjects(represented_by=user)[:200]),
            is_authority=bool(pledge_selectors.authority_department_ids(user=user)),
        )
        return context


class PledgeCreateView(LoginRequiredMixin, _ErrorPageMixin, TemplateView):
    """Pledge a subject's credit for an open tender in place of the bid deposit."""

    template_name = "commitments/pledges/create.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subjects = list(
            directory_selectors.subject_list(represented_by=self.request.user).order_by("name")
        )
        tenders = list(pledge_selectors.tender_list_open()[:200])
        form = kwargs.get("form") or PledgeForm(
            subjects=subjects,
            tenders=tenders,
            initial={
                "subject": subjects[0].code if len(subjects) == 1 else "",
                "tender": self.request.GET.get("tender", ""),
            },
        )
        context.update(
            subjects=subjects,
            barred=[
                (subject, refusal.message)
                for subject in subjects
                if (refusal := pledge_barred_refusal(subject_id=subject.pk)) is not None
            ],
            tenders=tenders,
            form=form,
        )
        return context

    def post(self, request, *args, **kwargs):
        subjects = list(directory_selectors.subject_list(represented_by=request.user))
        tenders = list(pledge_selectors.tender_list_open()[:200])
        form = PledgeForm(request.POST, subjects=subjects, tenders=tenders)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        subject = next(s for s in subjects if s.code == form.cleaned_data["subject"])
        tender = next(t for t in tenders if t.reference == form.cleaned_data["tender"])
        try:
            draft = bid_pledge_draft(tender=tender, subject=subject, by=request.user)
        except DomainError as error:
            refusal_into_form(form, error)
            context = self.get_context_data(form=form)
            context.update(rule=pledge_rules().get(error.field or "", ""))
            return self.render_to_response(context, status=400)
        return redirect("pledges:sign", reference=draft.reference)


class PledgeSignView(LoginRequiredMixin, _ErrorPageMixin, TemplateView):
    """Read the pledge commitment (its notice, text and PDF) and sign it."""

    template_name = "commitments/pledges/sign.html"

    def commitment(self) -> Commitment:
        try:
            commitment = selectors.commitment_get(
                reference=self.kwargs["reference"], visible_to=self.request.user
            )
        except CommitmentError:
            raise Http404 from None
        if (
            commitment.template.kind != CommitmentTemplate.Kind.BIDDING_PLEDGE
            or not directory_selectors.subject_list(represented_by=self.request.user)
            .filter(pk=commitment.subject_id)
            .exists()
        ):
            raise Http404
        return commitment

    def get(self, request, *args, **kwargs):
        commitment = self.commitment()
        pledge = BidPledge.objects.filter(commitment=commitment).first()
        if pledge is not None:
            return redirect("pledges:detail", pk=pledge.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        commitment = self.commitment()
        try:
            tender = pledge_tender_of(commitment)
        except CommitmentError:
            raise Http404 from None
        context.update(commitment=commitment, template=commitment.template, tender=tender)
        context.update(
            signing_proof_context(
                self.request, purpose=signing_purpose("commitment", commitment.reference)
            )
        )
        return context

    def post(self, request, *args, **kwargs):
        commitment = self.commitment()
        if not request.POST.get("confirm"):
            return self.fail(
                CommitmentError(
                    ErrorCode.INVALID,
                    _(
                        "Confirm that you accept the liability for a false commitment before "
                        "signing."
                    ),
                    field="confirm",
                )
            )
        try:
            purpose = signing_purpose("commitment", commitment.reference)
            if provider := signing_proof_for_page(request, purpose=purpose, next_url=request.path):
                return provider
            pledge = bid_pledge_sign(commitment=commitment, by=request.user)
        except DomainError as error:
            return self.fail(error)
        messages.success(
            request,
            _("Signed. Your pledge replaces the bid deposit for tender %(tender)s.")
            % {"tender": pledge.tender.reference},
        )
        return redirect("pledges:detail", pk=pledge.pk)


class PledgeDetailView(LoginRequiredMixin, TemplateView):
    """One of the subject's pledges: the tender, the outcome, any non-refund notice, history."""

    template_name = "commitments/pledges/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            pledge = pledge_selectors.pledge_get_for_subject(
                pk=kwargs["pk"], represented_by=self.request.user
            )
        except CommitmentError:
            raise Http404 from None
        context.update(
            pledge=pledge,
            history=pledge_selectors.pledge_history(pledge=pledge),
            defaulters=pledge_selectors.pledge_defaulters_list(),
            today=timezone.localdate(),
        )
        return context


# The tendering authority's side -------------------------------------------------------------


class _AuthorityMixin(LoginRequiredMixin):
    """Pages for active members of a department; tenders and pledges of those departments."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.department_ids = pledge_selectors.authority_department_ids(user=request.user)
        if not self.department_ids:
            raise PermissionDenied(_("This area is for department staff."))
        return super().dispatch(request, *args, **kwargs)


class PledgeOfficeListView(_AuthorityMixin, TemplateView):
    """The department's tenders and every pledge made for them."""

    template_name = "commitments/pledges/office_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            tenders=list(pledge_selectors.tender_list_for_authority(member=user)[:200]),
            pledges=list(pledge_selectors.pledge_list_for_authority(member=user)[:500]),
            now=timezone.now(),
        )
        return context


class TenderCreateView(_AuthorityMixin, _ErrorPageMixin, TemplateView):
    """Announce a tender that accepts pledges in place of the deposit."""

    template_name = "commitments/pledges/tender_create.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or TenderForm(
            departments=pledge_selectors.authority_departments(user=self.request.user)
        )
        return context

    def post(self, request, *args, **kwargs):
        form = TenderForm(
            request.POST, departments=pledge_selectors.authority_departments(user=request.user)
        )
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        values = form.cleaned_data
        try:
            tender = tender_create(
                by=request.user,
                department=values["department"],
                reference=values["reference"],
                title=values["title"],
                bid_deadline=values["bid_deadline"],
                deposit_amount=values["deposit_amount"],
            )
        except DomainError as error:
            refusal_into_form(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            request, _("Tender %(reference)s announced.") % {"reference": tender.reference}
        )
        return redirect("pledges:office")


class PledgeOfficeView(_AuthorityMixin, _ErrorPageMixin, TemplateView):
    """One pledge for the department's tender: record its outcome, then any payment."""

    template_name = "commitments/pledges/office_pledge.html"

    def pledge(self) -> BidPledge:
        try:
            return pledge_selectors.pledge_get_for_authority(
                pk=self.kwargs["pk"], member=self.request.user
            )
        except CommitmentError:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pledge = self.pledge()
        context.update(
            pledge=pledge,
            history=pledge_selectors.pledge_history(pledge=pledge),
            outcomes=outcome_choices(),
            chosen_outcome=self.request.GET.get("outcome", ""),
            defaulters=pledge_selectors.pledge_defaulters_list(),
            today=timezone.localdate(),
        )
        return context


class PledgeOutcomeView(PledgeOfficeView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        outcome = request.POST.get("outcome", "")
        if outcome in BidPledge.Breach.values and "confirm" not in request.POST:
            return self.check_answers(outcome)
        try:
            pledge = bid_pledge_outcome(pledge=self.pledge(), by=request.user, outcome=outcome)
        except DomainError as error:
            if error.code == ErrorCode.NOT_FOUND:
                raise Http404 from None
            return self.fail(error, chosen_outcome=outcome)
        if pledge.status == BidPledge.Status.NOTICED:
            messages.success(
                request,
                _("Breach recorded. The non-refund notice was sent: %(amount)s due by %(day)s.")
                % {"amount": pledge.amount_due, "day": pledge.payment_due},
            )
        else:
            messages.success(request, _("Outcome recorded: the pledge is released."))
        return redirect("pledges:office_pledge", pk=pledge.pk)

    def check_answers(self, outcome: str):
        """Before a breach demands payment: what will be recorded, the amount, the payment
        deadline and what follows if it is not paid. Nothing is recorded yet."""
        pledge = self.pledge()
        refusal = pledge_outcome_refusal(pledge=pledge, outcome=outcome, now=timezone.now())
        if refusal is not None:
            return self.fail(refusal, chosen_outcome=outcome)
        today = timezone.localdate()
        context = self.get_context_data(**self.kwargs)
        context.update(
            check_outcome=outcome,
            check_outcome_label=BidPledge.Breach(outcome).label,
            check_payment_due=pledge_payment_due(on=today),
        )
        return self.render_to_response(context)


class PledgePaymentView(PledgeOfficeView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            pledge = bid_pledge_paid(pledge=self.pledge(), by=request.user)
        except DomainError as error:
            if error.code == ErrorCode.NOT_FOUND:
                raise Http404 from None
            return self.fail(error)
        messages.success(request, _("Payment recorded."))
        return redirect("pledges:office_pledge", pk=pledge.pk)
