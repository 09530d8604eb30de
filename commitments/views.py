"""The applicant's pages: subjects, templates and their notices, drafts, the commitment record.

Views parse input, call one selector or service and map ``CommitmentError`` to a message or
a 404. Someone else's subject or commitment is indistinguishable from a missing one.
Signing lives in ``workflows.verification.pages.applicant`` because it starts the verification flow.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments import selectors, services
from commitments.errors import CommitmentError, ErrorCode
from commitments.forms import (
    CommitmentCreateForm,
    CommitmentFieldsForm,
    NoticeAcknowledgeForm,
    SubjectRegisterForm,
    WithdrawForm,
    add_commitment_error,
)
from commitments.models import (
    Commitment,
    CommitmentTemplate,
    Obligation,
    SigningRequest,
    Verification,
)
from directory import selectors as directory_selectors
from directory import services as directory_services
from directory.errors import DomainError
from signing.errors import SigningError
from signing.storage import document_read

logger = logging.getLogger(__name__)

ACKNOWLEDGED_SESSION_KEY = "commitments.acknowledged_templates"
HIDDEN_CODES = (ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN)
# History reasons are stored in English as the services wrote them; the usual ones are
# shown in the reader's language.
KNOWN_REASONS = {
    "draft created": gettext_lazy("draft created"),
    "draft edited": gettext_lazy("draft edited"),
    "signed": gettext_lazy("signed"),
    "withdrawn by the applicant": gettext_lazy("withdrawn by the applicant"),
}
TASK_STATUSES = {
    STATUS.NEW: pgettext_lazy("task status", "waiting"),
    STATUS.ASSIGNED: pgettext_lazy("task status", "assigned"),
    STATUS.STARTED: pgettext_lazy("task status", "in progress"),
    STATUS.DONE: pgettext_lazy("task status", "done"),
    STATUS.CANCELED: pgettext_lazy("task status", "cancelled"),
    STATUS.ERROR: pgettext_lazy("task status", "error"),
    STATUS.SCHEDULED: pgettext_lazy("task status", "scheduled"),
}


def _visible_commitment(request, reference: str) -> Commitment:
    """The commitment if this user may see it; a 404 otherwise (never a hint that it exists)."""
    try:
        return selectors.commitment_get(reference=reference, visible_to=request.user)
    except CommitmentError:
        raise Http404 from None


def _represents(user, commitment: Commitment) -> bool:
    return (
        directory_selectors.subject_list(represented_by=user)
        .filter(pk=commitment.subject_id)
        .exists()
    )


def _own_commitment(request, reference: str) -> Commitment:
    """A commitment of a subject this user represents (a regulator may look, not act)."""
    commitment = _visible_commitment(request, reference)
    if not _represents(request.user, commitment):
        raise Http404
    return commitment


def _active_template(pk: int) -> CommitmentTemplate:
    return get_object_or_404(selectors.template_list_active(), pk=pk)


def _status_label(value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(Commitment.Status(value).label)
    except ValueError:
        return value


# Commitments ---------------------------------------------------------------------------------


class CommitmentListView(LoginRequiredMixin, ListView):
    """My commitments across every subject I represent, newest first."""

    template_name = "commitments/list.html"
    context_object_name = "commitments"
    paginate_by = 20

    def get_queryset(self):
        user = self.request.user
        queryset = (
            selectors.commitment_list(visible_to=user)
            .filter(subject__in=directory_selectors.subject_list(represented_by=user).values("pk"))
            .prefetch_related(
                Prefetch(
                    "obligations",
                    queryset=Obligation.objects.filter(status=Obligation.Status.PENDING),
                    to_attr="pending_obligations",
                )
            )
            .order_by("-created_at", "-pk")
        )
        status = self.request.GET.get("status", "")
        if status in Commitment.Status.values:
            queryset = queryset.filter(status=status)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for commitment in context["commitments"]:
            dates = [o.due_date for o in commitment.pending_obligations]
            commitment.next_deadline = min(dates) if dates else None
        context["statuses"] = Commitment.Status.choices
        context["current_status"] = self.request.GET.get("status", "")
        return context


class CommitmentDetailView(LoginRequiredMixin, TemplateView):
    """The record of one commitment: state, content, deadlines and everything that happened."""

    template_name = "commitments/detail.html"

    def get_context_data(self, **kwargs):
        commitment = _visible_commitment(self.request, kwargs["reference"])
        try:
            verification = commitment.verification
        except Verification.DoesNotExist:
            verification = None
        return {
            **super().get_context_data(**kwargs),
            "commitment": commitment,
            "template": commitment.template,
            "is_representative": _represents(self.request.user, commitment),
            "field_rows": commitment.field_rows(),
            "obligations": list(commitment.obligations.all()),
            "projected_deadlines": (
                services.obligation_deadlines(
                    template=commitment.template, signed_on=timezone.localdate()
                )
                if commitment.status == Commitment.Status.DRAFT
                else []
            ),
            "verification": verification,
            "signing_request": _signing_request(commitment),
            "timeline": _timeline(commitment),
            "withdraw_form": WithdrawForm(),
        }


def _signing_request(commitment: Commitment) -> SigningRequest | None:
    """The draft's signing request waiting for a retry (or given up), if there is one."""
    if commitment.status != Commitment.Status.DRAFT:
        return None
    return (
        SigningRequest.objects.filter(commitment=commitment)
        .exclude(status=SigningRequest.Status.COMPLETED)
        .first()
    )


def _reason_label(reason: str, commitment: Commitment) -> str:
    """The recorded reason in the reader's language where it is one the services write."""
    if reason in KNOWN_REASONS:
        return str(KNOWN_REASONS[reason])
    if reason.startswith("verification opened at ") and commitment.department is not None:
        return _("sent to %(department)s for verification") % {
            "department": commitment.department.name
        }
    if reason.startswith("verified: "):
        finding, _dash, detail = reason.removeprefix("verified: ").partition(" — ")
        label = {
            Verification.Finding.FULFILLED: _("verified: fulfilled"),
            Verification.Finding.BREACHED: _("verified: breached"),
        }.get(finding, reason)
        return f"{label} — {detail}" if detail else label
    return reason


def _timeline(commitment: Commitment) -> list[dict]:
    """The commitment's recorded changes and its verification tasks, in one time order."""
    entries = [
        {
            **entry,
            "kind": "change",
            "from_label": _status_label(entry["from_status"]),
            "to_label": _status_label(entry["to_status"]),
            "reason": _reason_label(entry["reason"], commitment),
        }
        for entry in selectors.commitment_timeline(commitment=commitment)
    ]
    if commitment.process_id:
        tasks = Task.objects.filter(process_id=commitment.process_id).select_related("owner")
        entries.extend(
            {
                "kind": "task",
                "at": task.created,
                "actor": task.owner,
                "title": task.title or "",
                "status": TASK_STATUSES.get(task.status, task.status),
                "scheduled": task.scheduled if task.status == STATUS.SCHEDULED else None,
                "finished": task.finished,
            }
            for task in tasks
        )
    entries.sort(key=lambda entry: entry["at"])
    return entries


class CommitmentEditView(LoginRequiredMixin, View):
    """Change the filled-in fields of a draft."""

    template_name = "commitments/edit.html"

    def _load(self, request, reference):
        commitment = _own_commitment(request, reference)
        if commitment.status != Commitment.Status.DRAFT:
            messages.info(request, _("Only a draft can be changed."))
            return commitment, None
        return commitment, commitment.template

    def get(self, request, reference):
        commitment, template = self._load(request, reference)
        if template is None:
            return redirect("commitments:detail", reference=reference)
        initial = {f"field_{k}": v for k, v in commitment.field_values.items()}
        form = CommitmentFieldsForm(template=template, initial=initial)
        return self._render(request, commitment, form)

    def post(self, request, reference):
        commitment, template = self._load(request, reference)
        if template is None:
            return redirect("commitments:detail", reference=reference)
        form = CommitmentFieldsForm(request.POST, template=template)
        if form.is_valid():
            try:
                services.commitment_update_draft(
                    commitment=commitment, by=request.user, field_values=form.field_values()
                )
            except CommitmentError as error:
                if error.code in HIDDEN_CODES:
                    raise Http404 from None
                form.add_commitment_error(error)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("commitments:detail", reference=reference)
        return self._render(request, commitment, form, status=400)

    def _render(self, request, commitment, form, status=200):
        return render(
            request, self.template_name, {"commitment": commitment, "form": form}, status=status
        )


class CommitmentWithdrawView(LoginRequiredMixin, View):
    """Drop a draft; the applicant falls back to the ordinary procedure."""

    def post(self, request, reference):
        commitment = _own_commitment(request, reference)
        form = WithdrawForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            services.commitment_withdraw(commitment=commitment, by=request.user, reason=reason)
        except CommitmentError as error:
            if error.code in HIDDEN_CODES:
                raise Http404 from None
            messages.error(request, error.message)
        else:
            messages.success(request, _("The draft was withdrawn."))
        return redirect("commitments:detail", reference=reference)


class CommitmentPreviewView(LoginRequiredMixin, View):
    """The PDF exactly as it would be signed today, shown in the browser."""

    def get(self, request, reference):
        commitment = _own_commitment(request, reference)
        try:
            pdf = services.commitment_preview(commitment=commitment, by=request.user)
        except CommitmentError as error:
            if error.code in HIDDEN_CODES:
                raise Http404 from None
            messages.error(request, error.message)
            return redirect("commitments:detail", reference=reference)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{commitment.reference}-preview.pdf"'
        return response


class CommitmentDownloadView(LoginRequiredMixin, View):
    """The signed PDF, byte for byte as stored; refused if storage no longer matches its hash."""

    def get(self, request, reference):
        commitment = _visible_commitment(request, reference)
        if commitment.signed_document is None:
            raise Http404
        try:
            data = document_read(commitment.signed_document)
        except SigningError as error:
            logger.error("Signed document of %s unreadable: %s", commitment.reference, error)
            return render(
                request,
                "commitments/document_error.html",
                {"commitment": commitment, "document": commitment.signed_document},
                status=409,
            )
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{commitment.reference}.pdf"'
        return response


# Subjects ------------------------------------------------------------------------------------


class SubjectListView(LoginRequiredMixin, ListView):
    template_name = "commitments/subject_list.html"
    context_object_name = "subjects"
    paginate_by = 50

    def get_queryset(self):
        return directory_selectors.subject_list(represented_by=self.request.user).order_by(
            "name", "pk"
        )


class SubjectRegisterView(LoginRequiredMixin, View):
    """Register a company or a person this user acts for."""

    template_name = "commitments/subject_register.html"

    def get(self, request):
        return render(request, self.template_name, {"form": SubjectRegisterForm()})

    def post(self, request):
        form = SubjectRegisterForm(request.POST)
        if form.is_valid():
            try:
                subject = directory_services.subject_register(
                    kind=form.cleaned_data["kind"],
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    representative=request.user,
                )
            except DomainError as error:
                add_commitment_error(form, error)
            else:
                messages.success(request, _("%(name)s was registered.") % {"name": subject.name})
                next_url = request.GET.get("next", "")
                if next_url.startswith("/") and not next_url.startswith("//"):
                    return redirect(next_url)
                return redirect("commitments:subjects")
        return render(request, self.template_name, {"form": form}, status=400)


# Templates, notice, new commitment -----------------------------------------------------------


class TemplateListView(LoginRequiredMixin, ListView):
    template_name = "commitments/template_list.html"
    context_object_name = "templates"

    def get_queryset(self):
        kind = self.request.GET.get("kind", CommitmentTemplate.Kind.INFORM_AND_COMMIT)
        if kind not in CommitmentTemplate.Kind.values:
            kind = CommitmentTemplate.Kind.INFORM_AND_COMMIT
        self.kind = kind
        return selectors.template_list_active(kind=kind)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "kinds": CommitmentTemplate.Kind.choices,
            "current_kind": self.kind,
        }


def _acknowledged(request, template: CommitmentTemplate) -> bool:
    return template.pk in request.session.get(ACKNOWLEDGED_SESSION_KEY, [])


class TemplateNoticeView(LoginRequiredMixin, View):
    """The statutory notice (告知): read and acknowledge it before filling anything in."""

    template_name = "commitments/notice.html"

    def get(self, request, pk):
        template = _active_template(pk)
        return self._render(request, template, NoticeAcknowledgeForm())

    def post(self, request, pk):
        template = _active_template(pk)
        form = NoticeAcknowledgeForm(request.POST)
        if not form.is_valid():
            return self._render(request, template, form, status=400)
        acknowledged = request.session.get(ACKNOWLEDGED_SESSION_KEY, [])
        if template.pk not in acknowledged:
            request.session[ACKNOWLEDGED_SESSION_KEY] = [*acknowledged, template.pk]
        return redirect("commitments:create", pk=template.pk)

    def _render(self, request, template, form, status=200):
        context = {
            "template": template,
            "form": form,
            "obligation_rules": list(template.obligation_rules.all()),
        }
        return render(request, self.template_name, context, status=status)


class CommitmentCreateView(LoginRequiredMixin, View):
    """Choose the committing subject and fill in the template's fields: a draft results."""

    template_name = "commitments/create.html"

    def _guard(self, request, template):
        if not _acknowledged(request, template):
            messages.info(request, _("Read and acknowledge the notice first."))
            return redirect("commitments:notice", pk=template.pk)
        subjects = directory_selectors.subject_list(represented_by=request.user)
        if not subjects.exists():
            messages.info(request, _("Register the company or person you act for first."))
            url = reverse("commitments:subject_register")
            return redirect(f"{url}?next={reverse('commitments:create', args=[template.pk])}")
        return None

    def get(self, request, pk):
        template = _active_template(pk)
        if response := self._guard(request, template):
            return response
        form = CommitmentCreateForm(
            template=template,
            subjects=directory_selectors.subject_list(represented_by=request.user),
        )
        return self._render(request, template, form)

    def post(self, request, pk):
        template = _active_template(pk)
        if response := self._guard(request, template):
            return response
        form = CommitmentCreateForm(
            request.POST,
            template=template,
            subjects=directory_selectors.subject_list(represented_by=request.user),
        )
        if form.is_valid():
            try:
                commitment = services.commitment_create(
                    by=request.user,
                    subject=form.cleaned_data["subject"],
                    template=template,
                    field_values=form.field_values(),
                    region=form.cleaned_data["region"],
                )
            except CommitmentError as error:
                form.add_commitment_error(error)
            else:
                messages.success(
                    request,
                    _("Draft %(reference)s saved. Check it, preview the document and sign.")
                    % {"reference": commitment.reference},
                )
                return redirect("commitments:detail", reference=commitment.reference)
        return self._render(request, template, form, status=400)

    def _render(self, request, template, form, status=200):
        return render(
            request, self.template_name, {"template": template, "form": form}, status=status
        )
