"""The regulator's task pages: inbox, department queue, team list, one page per task and its
actions (claim, release, verify, extend the deadline).

Each parses the request, calls one service and maps a refusal to a message or 404/403. A task
of another department answers 404, as if it did not exist.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from viewflow.workflow.status import STATUS

from commitments.catalogue.models import field_label
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.selectors import timeline_sentences
from commitments.obligations.pages import DeadlineExtendForm
from commitments.obligations.selectors import verification_extension_list
from directory.errors import DomainError
from directory.models import RegulatorMembership
from workflows.errors import WorkflowErrorCode
from workflows.pages import RegulatorPageMixin, SupervisorPageMixin, http_error
from workflows.verification.forms import (
    EvidenceForm,
    QueueFilterForm,
    ReassignForm,
    VerificationForm,
)
from workflows.verification.models import TaskAuditEntry, VerificationTaskIndex
from workflows.verification.selectors import queue as queue_selectors
from workflows.verification.selectors.seats import assignable_members, is_department_member
from workflows.verification.selectors.tasks import commitment_tasks, task_get
from workflows.verification.services.deadlines import verification_task_deadline_extend
from workflows.verification.services.queue import reminder_working_days
from workflows.verification.services.work import (
    verification_complete,
    verification_task_claim,
    verification_task_release,
)


def _reminder_explanation(remind_at: datetime.datetime | None) -> str:
    if remind_at is None:
        return ""
    return _("warning sent on %(date)s, %(count)d working days before the due date") % {
        "date": timezone.localtime(remind_at).strftime("%Y-%m-%d %H:%M"),
        "count": reminder_working_days(),
    }


class _TaskListView(RegulatorPageMixin, TemplateView):
    """A list of open tasks read from the queue index: filtered, sorted, paged by keyset."""

    scope = queue_selectors.Scope.INBOX

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        choices = queue_selectors.filter_choices(user=user, seats=self.seats)
        form = QueueFilterForm(self.request.GET or None, choices=choices)
        filters = queue_selectors.QueueFilters()
        if form.is_bound and form.is_valid():
            filters = queue_selectors.QueueFilters(
                **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            )
        rows = queue_selectors.task_rows(
            user=user, scope=self.scope, filters=filters, seats=self.seats
        )
        page = queue_selectors.keyset_page(
            rows, after=self.request.GET.get("after", ""), before=self.request.GET.get("before", "")
        )
        query = self.request.GET.copy()
        for key in ("after", "before"):
            query.pop(key, None)
        queue_selectors.add_display_values(page.rows)
        context.update(
            tasks=page.rows,
            page=page,
            filter_form=form,
            filter_query=query.urlencode(),
            now=timezone.now(),
        )
        return context


class TaskInboxView(_TaskListView):
    template_name = "workflows/verification/inbox.html"
    scope = queue_selectors.Scope.INBOX


class TaskQueueView(_TaskListView):
    template_name = "workflows/verification/queue.html"
    scope = queue_selectors.Scope.QUEUE


class TeamTasksView(SupervisorPageMixin, _TaskListView):
    """Every open task of the supervised departments, with bulk reassignment."""

    template_name = "workflows/verification/team.html"
    scope = queue_selectors.Scope.TEAM

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reassign_form"] = ReassignForm(
            members=assignable_members(department_ids=list(self.seats.supervised_ids))
        )
        context["workload"] = queue_selectors.team_workload(user=self.request.user)
        return context


class TaskDetailView(RegulatorPageMixin, TemplateView):
    """The commitment as signed, its deadlines and history, and the actions on the task."""

    template_name = "workflows/verification/task.html"

    def get(self, request, *args, pk: int, **kwargs):
        return self.render_task(pk=pk)

    def render_task(
        self,
        *,
        pk: int,
        form: VerificationForm | None = None,
        evidence_form: EvidenceForm | None = None,
        reassign_form: ReassignForm | None = None,
        extend_form: DeadlineExtendForm | None = None,
    ):
        try:
            task = task_get(pk=pk, user=self.request.user)
        except DomainError as error:
            raise Http404(str(error.message)) from None
        commitment = task.process.commitment
        template = commitment.template
        user = self.request.user
        is_open = task.status in (STATUS.NEW, STATUS.ASSIGNED)
        labels = {spec["name"]: field_label(spec) for spec in template.fields}
        index_row = VerificationTaskIndex.objects.filter(task_id=task.pk).first()
        verification = getattr(commitment, "verification", None) if not is_open else None
        context = self.get_context_data(
            task=task,
            index_row=index_row,
            reminder_explanation=_reminder_explanation(index_row.remind_at if index_row else None),
            audit=list(
                TaskAuditEntry.objects.filter(task__process_id=task.process_id).select_related(
                    "actor", "from_user", "to_user"
                )
            ),
            can_reassign=is_open
            and is_department_member(
                user, commitment.department_id, role=RegulatorMembership.Role.SUPERVISOR
            ),
            reassign_form=reassign_form
            or ReassignForm(members=assignable_members(department_ids=[commitment.department_id])),
            evidence_form=evidence_form or EvidenceForm(),
            can_extend=is_open and commitment.status == Commitment.Status.UNDER_VERIFICATION,
            extend_form=extend_form or DeadlineExtendForm(),
            verification_extensions=list(verification_extension_list(commitment=commitment)),
            verification=verification,
            verification_detail=getattr(verification, "detail", None) if verification else None,
            evidence_files=list(verification.evidence.all()) if verification else [],
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
            process_tasks=list(commitment_tasks(commitment=commitment)),
            history=timeline_sentences(commitment=commitment),
            can_claim=is_open and task.flow_task.can_assign(user, task),
            can_release=is_open and task.flow_task.can_unassign(user, task),
            can_verify=is_open
            and (task.owner_id == user.pk or task.flow_task.can_assign(user, task)),
            form=form
            or VerificationForm(
                initial={"method": index_row.method if index_row else template.verification_method}
            ),
        )
        return self.render_to_response(context)


class _TaskActionView(RegulatorPageMixin, View):
    """POST-only action on one task; a refusal becomes a message on the task page."""

    def act(self, request, task):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk: int):
        try:
            task = task_get(pk=pk, user=request.user)
            return self.act(request, task)
        except DomainError as error:
            answer = http_error(error)
            if answer is not None:
                raise answer from None
            messages.error(request, str(error.message))
            return redirect("workflows:task", pk=pk)


class TaskClaimView(_TaskActionView):
    def act(self, request, task):
        verification_task_claim(task=task, by=request.user)
        messages.success(request, _("The task is yours now."))
        return redirect("workflows:task", pk=task.pk)


class TaskReleaseView(_TaskActionView):
    def act(self, request, task):
        verification_task_release(task=task, by=request.user)
        messages.success(request, _("The task is back in the department's queue."))
        return redirect("workflows:queue")


class TaskVerifyView(_TaskActionView):
    def act(self, request, task):
        form = VerificationForm(request.POST)
        evidence_form = EvidenceForm(request.POST, request.FILES)
        if not (form.is_valid() & evidence_form.is_valid()):
            return self.render_invalid(task, form, evidence_form)
        try:
            verification = verification_complete(
                task=task,
                by=request.user,
                method=form.cleaned_data["method"],
                finding=form.cleaned_data["finding"],
                reason=form.cleaned_data["reason"],
                evidence_summary=evidence_form.cleaned_data["evidence_summary"],
                inspected_on=evidence_form.cleaned_data["inspected_on"],
                inspection_location=evidence_form.cleaned_data["inspection_location"],
                inspectors=evidence_form.cleaned_data["inspectors"],
                files=request.FILES.getlist("evidence_files"),
            )
        except DomainError as error:
            if error.code != WorkflowErrorCode.INVALID or not error.fields:
                raise
            for field, field_messages in error.fields.items():
                for message in field_messages:
                    if field in form.fields:
                        form.add_error(field, str(message))
                    elif field in evidence_form.fields:
                        evidence_form.add_error(field, str(message))
                    elif field == "evidence":
                        evidence_form.add_error("evidence_files", str(message))
                    else:
                        form.add_error(None, str(message))
            return self.render_invalid(task, form, evidence_form)
        messages.success(
            request,
            _("Finding recorded for %(reference)s: %(finding)s.")
            % {
                "reference": verification.commitment.reference,
                "finding": verification.get_finding_display(),
            },
        )
        return HttpResponseRedirect(reverse("workflows:inbox"))

    def render_invalid(self, task, form, evidence_form=None):
        page = TaskDetailView()
        page.setup(self.request, pk=task.pk)
        page.seats = self.seats
        return page.render_task(pk=task.pk, form=form, evidence_form=evidence_form)


class TaskDeadlineExtendView(_TaskActionView):
    """An officer of the department moves the verification deadline, with a reason."""

    def act(self, request, task):
        form = DeadlineExtendForm(request.POST)
        if form.is_valid():
            try:
                extension = verification_task_deadline_extend(
                    task=task, by=request.user, **form.extension()
                )
            except DomainError as error:
                if http_error(error) is not None:
                    raise
                if not error.fields:
                    form.add_error(None, str(error.message))
                for field, field_messages in error.fields.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, str(message))
            else:
                messages.success(
                    request,
                    _("The verification deadline was extended from %(from)s to %(to)s.")
                    % {
                        "from": extension.previous_due.isoformat(),
                        "to": extension.new_due.isoformat(),
                    },
                )
                return redirect("workflows:task", pk=task.pk)
        page = TaskDetailView()
        page.setup(self.request, pk=task.pk)
        page.seats = self.seats
        response = page.render_task(pk=task.pk, extend_form=form)
        response.status_code = 400
        return response
