"""Regulator pages: parse the request, call one service, map refusals to messages or 404/403.

A task of another department answers 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView
from viewflow.workflow.status import STATUS

from commitments.errors import CommitmentError, ErrorCode
from commitments.models import Commitment
from commitments.selectors import commitment_timeline, is_regulator

from . import selectors, services
from .forms import VerificationForm


def _http_error(error: CommitmentError) -> Exception | None:
    """The HTTP answer for refusals that are not the user's to fix."""
    if error.code == ErrorCode.NOT_FOUND:
        return Http404(str(error.message))
    if error.code == ErrorCode.FORBIDDEN:
        return PermissionDenied(str(error.message))
    return None


def _labelled(history: list[dict]) -> list[dict]:
    """Add the status label in the active language to each history entry."""
    labels = dict(Commitment.Status.choices)
    return [
        {**entry, "to_status_label": labels.get(entry["to_status"], entry["to_status"])}
        for entry in history
    ]


class RegulatorPageMixin(LoginRequiredMixin):
    """Pages for active department members, with the inbox and queue counts in the menu."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_regulator(request.user):
            raise PermissionDenied(_("This area is for department staff."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav_inbox_count"] = selectors.task_inbox(user=self.request.user).count()
        context["nav_queue_count"] = selectors.task_queue(user=self.request.user).count()
        return context


class TaskInboxView(RegulatorPageMixin, ListView):
    template_name = "workflows/inbox.html"
    context_object_name = "tasks"
    paginate_by = 50

    def get_queryset(self):
        return selectors.task_inbox(user=self.request.user)


class TaskQueueView(RegulatorPageMixin, ListView):
    template_name = "workflows/queue.html"
    context_object_name = "tasks"
    paginate_by = 50

    def get_queryset(self):
        return selectors.task_queue(user=self.request.user)


class TaskDetailView(RegulatorPageMixin, TemplateView):
    """The commitment as signed, its deadlines and history, and the actions on the task."""

    template_name = "workflows/task.html"

    def get(self, request, *args, pk: int, **kwargs):
        return self.render_task(pk=pk)

    def render_task(self, *, pk: int, form: VerificationForm | None = None):
        try:
            task = selectors.task_get(pk=pk, user=self.request.user)
        except CommitmentError as error:
            raise Http404(str(error.message)) from None
        commitment = task.process.commitment
        template = commitment.template
        user = self.request.user
        is_open = task.status in (STATUS.NEW, STATUS.ASSIGNED)
        labels = {spec["name"]: spec.get("label", spec["name"]) for spec in template.fields}
        context = self.get_context_data(
            task=task,
            commitment=commitment,
            template=template,
            filled_fields=[(labels.get(k, k), v) for k, v in commitment.field_values.items()],
            notice=[
                (_("Matter and legal basis"), template.notice_legal_basis),
                (_("Conditions"), template.notice_conditions),
                (_("Proof no longer required"), template.notice_waived_proof),
                (_("Liability for a false commitment"), template.notice_liability),
                (_("Verification"), template.notice_verification),
                (_("Publicity"), template.notice_publicity),
            ],
            obligations=list(commitment.obligations.all()),
            process_tasks=list(selectors.commitment_tasks(commitment=commitment)),
            history=_labelled(commitment_timeline(commitment=commitment)),
            can_claim=is_open and task.flow_task.can_assign(user, task),
            can_release=is_open and task.flow_task.can_unassign(user, task),
            can_verify=is_open
            and (task.owner_id == user.pk or task.flow_task.can_assign(user, task)),
            form=form or VerificationForm(initial={"method": template.verification_method}),
        )
        return self.render_to_response(context)


class _TaskActionView(RegulatorPageMixin, View):
    """POST-only action on one task; a refusal becomes a message on the task page."""

    def act(self, request, task):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk: int):
        try:
            task = selectors.task_get(pk=pk, user=request.user)
            return self.act(request, task)
        except CommitmentError as error:
            http_error = _http_error(error)
            if http_error is not None:
                raise http_error from None
            messages.error(request, str(error.message))
            return redirect("workflows:task", pk=pk)


class TaskClaimView(_TaskActionView):
    def act(self, request, task):
        services.verification_task_claim(task=task, by=request.user)
        messages.success(request, _("The task is yours now."))
        return redirect("workflows:task", pk=task.pk)


class TaskReleaseView(_TaskActionView):
    def act(self, request, task):
        services.verification_task_release(task=task, by=request.user)
        messages.success(request, _("The task is back in the department's queue."))
        return redirect("workflows:queue")


class TaskVerifyView(_TaskActionView):
    def act(self, request, task):
        form = VerificationForm(request.POST)
        if not form.is_valid():
            return self.render_invalid(task, form)
        try:
            verification = services.verification_complete(
                task=task,
                by=request.user,
                method=form.cleaned_data["method"],
                finding=form.cleaned_data["finding"],
                reason=form.cleaned_data["reason"],
            )
        except CommitmentError as error:
            if error.code != ErrorCode.INVALID or not error.fields:
                raise
            for field, field_messages in error.fields.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, str(message))
            return self.render_invalid(task, form)
        messages.success(
            request,
            _("Finding recorded for %(reference)s: %(finding)s.")
            % {
                "reference": verification.commitment.reference,
                "finding": verification.get_finding_display(),
            },
        )
        return HttpResponseRedirect(reverse("workflows:inbox"))

    def render_invalid(self, task, form):
        page = TaskDetailView()
        page.setup(self.request, pk=task.pk)
        return page.render_task(pk=task.pk, form=form)
