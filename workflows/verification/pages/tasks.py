"""The regulator's task pages: inbox, department queue, team list, one page per task and its
actions (claim, release, verify, extend the deadline).

Each parses the request, calls one service and maps a refusal to a message or 404/403. A task
of another department answers 404, as if it did not exist.
"""

from __future__ import annotations

import datetime
import secrets

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from viewflow.workflow.status import STATUS

from commitments.catalogue.models import field_label
from commitments.lifecycle.models import Commitment, Verification
from commitments.lifecycle.selectors import timeline_sentences
from commitments.lifecycle.services.breaches import false_commitment_consequences
from commitments.obligations.pages import DeadlineExtendForm
from commitments.obligations.selectors import verification_extension_list
from directory.errors import DomainError
from directory.models import RegulatorMembership
from workflows.audit.models import TaskAuditEntry
from workflows.errors import WorkflowErrorCode
from workflows.pages import RegulatorPageMixin, http_error
from workflows.verification.flows import InformCommitFlow
from workflows.verification.forms import (
    EvidenceForm,
    ReassignForm,
    VerificationForm,
)
from workflows.verification.models import Rectification, VerificationTaskIndex
from workflows.verification.selectors.seats import assignable_members, is_department_member
from workflows.verification.selectors.tasks import commitment_tasks, task_get
from workflows.verification.services.deadlines import verification_task_deadline_extend
from workflows.verification.services.evidence import MAX_FILE_BYTES, MAX_FILES
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


def _breach_consequences():
    """What a breach finding would bring under the rules in force; None when the credit
    catalogue cannot say (no category or rule set): the finding's own refusal tells then."""
    try:
        return false_commitment_consequences()
    except DomainError:
        return None


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
        held_files: dict | None = None,
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
            or ReassignForm(
                members=assignable_members(department_ids=[commitment.department_id]),
                prefix="reassign",
            ),
            evidence_form=evidence_form or EvidenceForm(),
            held_files=held_files,
            breach_consequences=_breach_consequences() if is_open else None,
            is_breach_recorded=verification is not None
            and verification.finding == Verification.Finding.BREACHED,
            can_extend=is_open and commitment.status == Commitment.Status.UNDER_VERIFICATION,
            extend_form=extend_form or DeadlineExtendForm(prefix="extend"),
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
            rectification=Rectification.objects.filter(commitment=commitment)
            .select_related("ordered_by", "submitted_by")
            .first(),
            may_order_rectification=is_open
            and task.flow_task != InformCommitFlow.reverify
            and not Rectification.objects.filter(commitment=commitment).exists(),
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


def _files_hold(request, *, task_pk: int, files) -> dict | None:
    """Keep the files chosen for a breach finding while the regulator checks the answers:
    stored under a random token in this session only, read back on confirmation."""
    files = [upload for upload in files if upload][:MAX_FILES]
    if not files:
        return None
    token = secrets.token_urlsafe(16)
    held = []
    for upload in files:
        path = default_storage.save(
            f"held-evidence/{token}/file", ContentFile(upload.read(MAX_FILE_BYTES + 1))
        )
        held.append({"path": path, "name": upload.name})
    request.session[f"held-evidence-{token}"] = {"task": task_pk, "files": held}
    return {"token": token, "names": [item["name"] for item in held]}


def _files_held(request, *, task_pk: int, token: str) -> dict | None:
    """The files held under ``token`` for this task in this session, or None."""
    held = request.session.get(f"held-evidence-{token}") if token else None
    if not held or held["task"] != task_pk:
        return None
    return {"token": token, "names": [item["name"] for item in held["files"]]}


def _files_take(request, *, task_pk: int, token: str) -> list[ContentFile]:
    """The held files as uploads, removed from storage and the session."""
    held = request.session.pop(f"held-evidence-{token}", None) if token else None
    if not held or held["task"] != task_pk:
        return []
    files = []
    for item in held["files"]:
        with default_storage.open(item["path"]) as stored:
            files.append(ContentFile(stored.read(), name=item["name"]))
        default_storage.delete(item["path"])
    return files


class TaskVerifyView(_TaskActionView):
    """Record the finding. A breach is shown back first (check your answers: the breach
    category, the measures and the publicity it triggers) and recorded only when the
    regulator confirms it."""

    def act(self, request, task):
        form = VerificationForm(request.POST)
        evidence_form = EvidenceForm(request.POST, request.FILES)
        token = request.POST.get("held_files", "")
        held = _files_held(request, task_pk=task.pk, token=token)
        if not (form.is_valid() & evidence_form.is_valid()):
            return self.render_invalid(task, form, evidence_form, held)
        is_breach = form.cleaned_data["finding"] == Verification.Finding.BREACHED
        if "change" in request.POST:
            return self.render_invalid(task, form, evidence_form, held)
        if is_breach and "confirm" not in request.POST:
            if not form.cleaned_data["reason"].strip():
                form.add_error(
                    "reason", _("Say what was found and where: a breach needs its reason.")
                )
                return self.render_invalid(task, form, evidence_form, held)
            uploads = request.FILES.getlist("evidence_files")
            if uploads:
                held = _files_hold(request, task_pk=task.pk, files=uploads)
            return self.render_check(task, form, evidence_form, held)
        files = request.FILES.getlist("evidence_files") or _files_take(
            request, task_pk=task.pk, token=token
        )
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
                files=files,
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
        if is_breach:
            return redirect("workflows:task", pk=task.pk)
        return HttpResponseRedirect(reverse("workflows:inbox"))

    def render_check(self, task, form, evidence_form, held):
        """Check your answers before a breach: what was typed, and what recording it does."""
        commitment = task.process.commitment
        return render(
            self.request,
            "workflows/verification/verify_confirm.html",
            {
                "task": task,
                "commitment": commitment,
                "form": form,
                "evidence_form": evidence_form,
                "held_files": held,
                "consequences": _breach_consequences(),
                "finding_label": dict(form.fields["finding"].choices)[form.cleaned_data["finding"]],
                "method_label": dict(form.fields["method"].choices)[form.cleaned_data["method"]],
            },
        )

    def render_invalid(self, task, form, evidence_form=None, held=None):
        page = TaskDetailView()
        page.setup(self.request, pk=task.pk)
        page.seats = self.seats
        response = page.render_task(
            pk=task.pk, form=form, evidence_form=evidence_form, held_files=held
        )
        if form.errors or (evidence_form is not None and evidence_form.errors):
            response.status_code = 400
        return response


class TaskDeadlineExtendView(_TaskActionView):
    """An officer of the department moves the verification deadline, with a reason."""

    def act(self, request, task):
        form = DeadlineExtendForm(request.POST, prefix="extend")
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
