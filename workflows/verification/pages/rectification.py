"""Rectification pages: the regulator orders it from a task (check your answers first), the
applicant reads the order and submits what was rectified.

The final finding after a rectification is recorded on the re-verification task with the
ordinary verification form (a breach is checked there as always).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from viewflow.workflow.status import STATUS

from directory.errors import DomainError
from workflows.errors import WorkflowErrorCode
from workflows.pages import RegulatorPageMixin, http_error
from workflows.verification.flows import InformCommitFlow
from workflows.verification.forms import RectificationOrderForm, RectificationSubmitForm
from workflows.verification.models import Rectification
from workflows.verification.selectors.tasks import task_get
from workflows.verification.services.rectification import (
    rectification_deadline,
    rectification_get,
    rectification_order,
    rectification_submit,
)


def _fields_to_form(form, error: DomainError) -> None:
    """Put a refusal's fields on the form (unknown fields: at the top)."""
    fields = error.fields or {error.field or "": [error.message]}
    for field, field_messages in fields.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, str(message))


class RectificationOrderView(RegulatorPageMixin, View):
    """``/regulator/tasks/<pk>/rectify/``: the order form; a first POST shows the answers
    and what they trigger, ``confirm`` records the order, ``change`` goes back to the form."""

    template_name = "workflows/verification/rectify.html"

    def _task(self, pk: int):
        try:
            task = task_get(pk=pk, user=self.request.user)
        except DomainError as error:
            raise Http404(str(error.message)) from None
        return task

    def _render(self, task, form, *, check=None, status: int = 200):
        commitment = task.process.commitment
        is_open = task.status in (STATUS.NEW, STATUS.ASSIGNED)
        context = {
            "task": task,
            "commitment": commitment,
            "form": form,
            "check": check,
            "may_order": is_open
            and task.flow_task != InformCommitFlow.reverify
            and not Rectification.objects.filter(commitment=commitment).exists(),
            "method_label": dict(form.fields["method"].choices).get(
                form.cleaned_data.get("method") if check else None, ""
            ),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk: int):
        task = self._task(pk)
        commitment = task.process.commitment
        form = RectificationOrderForm(initial={"method": commitment.template.verification_method})
        return self._render(task, form)

    def post(self, request, pk: int):
        task = self._task(pk)
        form = RectificationOrderForm(request.POST)
        if not form.is_valid() or "change" in request.POST:
            return self._render(task, form, status=400 if form.errors else 200)
        data = form.cleaned_data
        try:
            deadline = rectification_deadline(
                today=timezone.localdate(),
                working_days=data["working_days"],
                due_date=data["due_date"],
            )
        except DomainError as error:
            _fields_to_form(form, error)
            return self._render(task, form, status=400)
        if "confirm" not in request.POST:
            return self._render(task, form, check=deadline)
        try:
            rectification = rectification_order(
                task=task,
                by=request.user,
                method=data["method"],
                gaps=data["gaps"],
                finding_evidence=data["finding_evidence"],
                working_days=data["working_days"],
                due_date=data["due_date"],
            )
        except DomainError as error:
            if (answer := http_error(error)) is not None:
                raise answer from None
            _fields_to_form(form, error)
            return self._render(task, form, status=400)
        messages.success(
            request,
            _("Rectification of %(reference)s ordered, due by %(when)s.")
            % {
                "reference": rectification.commitment.reference,
                "when": timezone.localtime(rectification.due_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
        return redirect("workflows:inbox")


class RectificationView(LoginRequiredMixin, View):
    """``/commitments/<reference>/rectification/``: the order, its deadline and the
    submission form for the subject's representative (others: not found)."""

    template_name = "workflows/verification/rectification.html"

    def _rectification(self, reference: str) -> Rectification:
        try:
            return rectification_get(reference=reference, by=self.request.user)
        except DomainError as error:
            raise Http404(str(error.message)) from None

    def _render(self, rectification, form, status: int = 200):
        return render(
            self.request,
            self.template_name,
            {
                "rectification": rectification,
                "commitment": rectification.commitment,
                "form": form,
                "may_submit": rectification.status == Rectification.Status.ORDERED
                and timezone.now() <= rectification.due_at,
                "evidence": list(rectification.evidence.all()),
            },
            status=status,
        )

    def get(self, request, reference: str):
        return self._render(self._rectification(reference), RectificationSubmitForm())

    def post(self, request, reference: str):
        rectification = self._rectification(reference)
        form = RectificationSubmitForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(rectification, form, status=400)
        try:
            rectification_submit(
                reference=reference,
                by=request.user,
                text=form.cleaned_data["submission"],
                files=form.cleaned_data["evidence_files"],
            )
        except DomainError as error:
            if error.code == WorkflowErrorCode.NOT_FOUND:
                raise Http404(str(error.message)) from None
            if error.field == "evidence":
                form.add_error("evidence_files", str(error.message))
            else:
                _fields_to_form(form, error)
            return self._render(self._rectification(reference), form, status=400)
        messages.success(
            request,
            _("Your rectification of %(reference)s was submitted; it is verified again.")
            % {"reference": reference},
        )
        return redirect("commitments:detail", reference=reference)
