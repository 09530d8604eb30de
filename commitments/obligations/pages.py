"""Obligations after signing: the applicant's deadlines and performance reports, the officer's
extensions and decisions, and the officer's view of warning deliveries.

Views parse input, call one selector or service and map ``CommitmentError`` to a message or
a 404; someone else's obligation is indistinguishable from a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from commitments.errors import CommitmentError, ErrorCode
from commitments.obligations import selectors
from commitments.obligations.forms import DeadlineExtendForm, DecisionForm, PerformanceReportForm
from commitments.obligations.models import Obligation, PerformanceReport
from commitments.obligations.services.extensions import obligation_extend_deadline
from commitments.obligations.services.reports import (
    obligation_accept_performance,
    obligation_reject_performance,
    obligation_report_performance,
)
from directory.lists import RememberedFiltersMixin
from directory.selectors import is_regulator
from notifications.models import OutboxMessage
from notifications.services.outbox import outbox_retry_now
from notifications.tasks import outbox_deliver_task, task_kick_on_commit

HIDDEN_CODES = (ErrorCode.NOT_FOUND,)


def _obligation(request, pk: int) -> Obligation:
    try:
        return selectors.obligation_get(pk=pk, visible_to=request.user)
    except CommitmentError:
        raise Http404 from None


def _refusal(request, error: CommitmentError) -> None:
    if error.code in HIDDEN_CODES:
        raise Http404
    messages.error(request, error.message)


class ObligationListView(LoginRequiredMixin, RememberedFiltersMixin, ListView):
    """Every deadline of every subject I represent, the nearest first; the status filter
    kept for the next visit until cleared."""

    template_name = "commitments/obligations/list.html"
    context_object_name = "obligations"
    paginate_by = 50
    list_name = "my-obligations"
    filter_keys = ("status",)

    def get_queryset(self):
        queryset = selectors.obligation_list_own(represented_by=self.request.user)
        status = self.request.GET.get("status", "")
        if status in Obligation.Status.values:
            queryset = queryset.filter(status=status)
        return queryset.order_by("due_date", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = Obligation.Status.choices
        context["current_status"] = self.request.GET.get("status", "")
        context["active_filter_count"] = int(context["current_status"] in Obligation.Status.values)
        return context


class ObligationDetailView(LoginRequiredMixin, TemplateView):
    """One obligation: its deadline and how it was set, extensions, reports, warnings."""

    template_name = "commitments/obligations/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obligation = _obligation(self.request, kwargs["pk"])
        is_officer = selectors.is_officer_of(user=self.request.user, obligation=obligation)
        reports = list(obligation.performance_reports.all())
        context.update(
            obligation=obligation,
            commitment=obligation.commitment,
            is_officer=is_officer,
            is_pending=obligation.status == Obligation.Status.PENDING,
            extensions=list(obligation.extensions.all()),
            reports=reports,
            has_open_report=any(r.status == PerformanceReport.Status.SUBMITTED for r in reports),
            schedule=list(obligation.warning_schedule.all()),
            report_form=kwargs.get("report_form") or PerformanceReportForm(),
            extend_form=kwargs.get("extend_form") or DeadlineExtendForm(),
            decision_form=DecisionForm(),
            deliveries=(
                list(selectors.delivery_list_for_obligation(obligation=obligation))
                if is_officer
                else []
            ),
        )
        return context


class ObligationReportView(LoginRequiredMixin, View):
    """The applicant reports performance with evidence."""

    def post(self, request, pk: int):
        obligation = _obligation(request, pk)
        form = PerformanceReportForm(request.POST, request.FILES)
        if not form.is_valid():
            return _rerender(request, pk, report_form=form)
        try:
            obligation_report_performance(
                obligation=obligation,
                by=request.user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except CommitmentError as error:
            if error.code == ErrorCode.FORBIDDEN:
                raise Http404 from None
            if error.field in form.fields:
                form.add_error(error.field, str(error.message))
                return _rerender(request, pk, report_form=form)
            _refusal(request, error)
        else:
            messages.success(request, _("Your report was sent to the department for review."))
        return redirect("commitments:obligation", pk=pk)


class ObligationExtendView(LoginRequiredMixin, View):
    """An officer extends the deadline with a reason."""

    def post(self, request, pk: int):
        obligation = _obligation(request, pk)
        form = DeadlineExtendForm(request.POST)
        if not form.is_valid():
            return _rerender(request, pk, extend_form=form)
        try:
            obligation_extend_deadline(obligation=obligation, by=request.user, **form.extension())
        except CommitmentError as error:
            if error.field in form.fields:
                form.add_error(error.field, str(error.message))
                return _rerender(request, pk, extend_form=form)
            _refusal(request, error)
        else:
            messages.success(request, _("The deadline was extended."))
        return redirect("commitments:obligation", pk=pk)


def _rerender(request, pk: int, **forms_):
    """Show the detail page again with the form's errors (status 400)."""
    detail = ObligationDetailView()
    detail.setup(request, pk=pk)
    context = detail.get_context_data(pk=pk, **forms_)
    response = detail.render_to_response(context)
    response.status_code = 400
    return response


class PerformanceDecisionView(LoginRequiredMixin, View):
    accept = True

    def post(self, request, pk: int):
        try:
            report = selectors.report_get(pk=pk, visible_to=request.user)
        except CommitmentError:
            raise Http404 from None
        note = request.POST.get("note", "")
        try:
            if self.accept:
                obligation_accept_performance(report=report, by=request.user, note=note)
                messages.success(request, _("The obligation is recorded as fulfilled."))
            else:
                obligation_reject_performance(report=report, by=request.user, note=note)
                messages.success(request, _("The report was rejected."))
        except CommitmentError as error:
            _refusal(request, error)
        return redirect("commitments:obligation", pk=report.obligation_id)


class EvidenceDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        try:
            evidence = selectors.evidence_get(pk=pk, visible_to=request.user)
        except CommitmentError:
            raise Http404 from None
        return FileResponse(
            default_storage.open(evidence.file.name, "rb"),
            as_attachment=True,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )


class DeliveryStatusView(LoginRequiredMixin, RememberedFiltersMixin, ListView):
    """Officers: every warning about their departments' obligations and how delivery went;
    the status filter folded on a phone and remembered per officer."""

    template_name = "commitments/obligations/deliveries.html"
    context_object_name = "deliveries"
    paginate_by = 50
    list_name = "deliveries"
    filter_keys = ("status",)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_regulator(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.delivery_list(
            officer=self.request.user, status=self.request.GET.get("status", "")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = OutboxMessage.Status.choices
        context["current_status"] = self.request.GET.get("status", "")
        context["active_filter_count"] = int(bool(context["current_status"]))
        return context


class DeliveryRetryView(LoginRequiredMixin, View):
    """Officers: put a failed or abandoned delivery back in line now."""

    def post(self, request, pk: int):
        message = selectors.delivery_list(officer=request.user).filter(pk=pk).first()
        if message is None:
            raise Http404
        if outbox_retry_now(message=message):
            task_kick_on_commit(outbox_deliver_task)
            messages.success(request, _("The message will be delivered again."))
        else:
            messages.error(request, _("This message cannot be retried."))
        return redirect(reverse("commitments:deliveries"))
