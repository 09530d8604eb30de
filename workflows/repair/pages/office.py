"""The officer's side of credit repair and objections: the department's cases with their
working-day due dates, one page per case with the proofs, and the decisions.

Only members of the department the case is with see it (404 otherwise). Each page parses
the request, calls one service and shows any domain error it refuses with.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import TemplateView

from directory.errors import DomainError
from directory.forms import DayField
from directory.models import Department
from workflows.errors import WorkflowError, WorkflowErrorCode
from workflows.lists.pages import (
    RememberedFiltersMixin,
    csv_download,
    sort_headers,
    sort_key,
    urgency_marks,
)
from workflows.pages import RegulatorPageMixin
from workflows.repair.models import Objection, RepairApplication, RepairProof
from workflows.repair.selectors.cases import (
    CaseFilters,
    objection_history,
    objections_for_department,
    office_case_detail,
    repair_applications_for_department,
)
from workflows.repair.services.objections import objection_decide, objection_forward
from workflows.repair.services.repair import repair_decide

CASE_KINDS = {"repair": _lazy("Repair applications"), "objection": _lazy("Objections")}
CASE_COLUMNS = {"subject": _lazy("Subject"), "filed": _lazy("Filed"), "due": _lazy("Decision due")}
CASE_LIMIT = 200


class CaseFilterForm(forms.Form):
    """The case list's filters; every field optional."""

    kind = forms.ChoiceField(
        label=_lazy("Kind"),
        required=False,
        choices=[("", _lazy("Repairs and objections")), *CASE_KINDS.items()],
    )
    status = forms.ChoiceField(
        label=_lazy("Status"),
        required=False,
        choices=[
            ("", _lazy("Any status")),
            ("open", _lazy("Waiting for a decision")),
            ("decided", _lazy("Already decided")),
        ],
    )
    filed_from = DayField(label=_lazy("Filed from"), required=False)
    filed_to = DayField(label=_lazy("Filed to"), required=False)


class CreditCasesView(RememberedFiltersMixin, RegulatorPageMixin, TemplateView):
    """Repair applications and objections of the user's departments: filtered by kind, status
    and filing date, sortable, the time left to decide in working days; ``?format=csv``
    downloads them."""

    template_name = "workflows/repair/office_list.html"
    list_name = "credit-cases"
    filter_keys = (*CaseFilterForm.base_fields, "sort")

    def cases(self):
        form = CaseFilterForm(self.request.GET or None)
        cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
        sort = sort_key(self.request, CASE_COLUMNS, "")
        filters = CaseFilters(
            status=cleaned.get("status", ""),
            filed_from=cleaned.get("filed_from"),
            filed_to=cleaned.get("filed_to"),
            sort=sort,
        )
        kind = cleaned.get("kind", "")
        ids = self.seats.department_ids
        repairs = (
            repair_applications_for_department(department_ids=ids, filters=filters)
            if kind in ("", "repair")
            else None
        )
        objections = (
            objections_for_department(department_ids=ids, filters=filters)
            if kind in ("", "objection")
            else None
        )
        return form, sort, repairs, objections

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def csv(self):
        _form, _sort, repairs, objections = self.cases()
        today = timezone.localdate()
        cases = [
            *((CASE_KINDS["repair"], case, case.submitted_on) for case in repairs or []),
            *((CASE_KINDS["objection"], case, case.filed_on) for case in objections or []),
        ]
        urgency_marks([case for _kind, case, _filed in cases], due_of=_open_due, today=today)
        return csv_download(
            "chengnuo-credit-cases.csv",
            [
                _("Kind"),
                _("Subject"),
                _("Unified social credit code"),
                _("Record"),
                _("Status"),
                _("Filed"),
                _("Decision due"),
                _("Time left"),
            ],
            (
                [
                    str(kind),
                    case.subject.name,
                    case.subject.code,
                    f"#{case.breach_id} {case.breach.category.name}",
                    case.get_status_display(),
                    filed.isoformat(),
                    case.decision_due.isoformat(),
                    case.urgency,
                ]
                for kind, case, filed in cases
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, sort, repairs, objections = self.cases()
        today = timezone.localdate()
        repair_rows = list(repairs[:CASE_LIMIT]) if repairs is not None else None
        objection_rows = list(objections[:CASE_LIMIT]) if objections is not None else None
        urgency_marks(
            [*(repair_rows or []), *(objection_rows or [])], due_of=_open_due, today=today
        )
        query = self.request.GET.copy()
        context.update(
            today=today,
            repairs=repair_rows,
            objections=objection_rows,
            filter_form=form,
            filter_query=query.urlencode(),
            active_filter_count=sum(1 for key in CaseFilterForm.base_fields if query.get(key)),
            sort_headers=sort_headers(self.request, CASE_COLUMNS, sort),
            case_limit=CASE_LIMIT,
        )
        return context


class _TriedOnly(Exception):
    """Raised to roll back a decision that was only tried."""


def decision_refusal(decide) -> DomainError | None:
    """Why the service would refuse the decision ``decide()`` records, or None.

    The decision is made in a transaction that is always rolled back (with any notification
    queued on its commit), so the check-your-answers step appears only for a decision the
    service accepts, and the rules stay in the service.
    """
    try:
        with transaction.atomic():
            decide()
            raise _TriedOnly
    except _TriedOnly:
        return None
    except DomainError as error:
        return error


def _open_due(case: RepairApplication | Objection) -> date | None:
    """The decision due date of a case still waiting for it (None once decided)."""
    if isinstance(case, RepairApplication):
        waiting = case.status == RepairApplication.Status.SUBMITTED
    else:
        waiting = case.status in Objection.OPEN_STATES
    return case.decision_due if waiting else None


class _CaseView(RegulatorPageMixin, TemplateView):
    """One case; a decision is shown back (check your answers) and recorded on confirmation."""

    model: type[RepairApplication] | type[Objection]

    def case(self):
        found = office_case_detail(
            self.model, department_ids=self.seats.department_ids, pk=self.kwargs["pk"]
        )
        if found is None:
            raise Http404
        return found

    def fail(self, error: DomainError, **kwargs):
        context = self.get_context_data(**kwargs)
        context.update(error=error, answers=self.request.POST)
        return self.render_to_response(context, status=400)

    def decide(self, decide):
        """Check the answers first; record only what the official confirmed."""
        if "change" in self.request.POST:
            return self.render_to_response(self.get_context_data(answers=self.request.POST))
        if "confirm" not in self.request.POST:
            refusal = decision_refusal(decide)
            if refusal is not None:
                return self.fail(refusal)
            carried = [
                (name, value)
                for name, value in self.request.POST.items()
                if name not in {"csrfmiddlewaretoken", "confirm", "change"}
            ]
            return self.render_to_response(
                self.get_context_data(answers=self.request.POST, carried=carried, is_checking=True)
            )
        try:
            decide()
        except DomainError as error:
            return self.fail(error)
        messages.success(self.request, _("The decision was recorded and the subject told."))
        return None


class RepairCaseView(_CaseView):
    model = RepairApplication
    template_name = "workflows/repair/office_repair.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.case()
        context.update(
            application=application,
            proofs=list(application.proofs.all()),
            today=timezone.localdate(),
        )
        return context

    def post(self, request, *args, **kwargs):
        application = self.case()
        answer = self.decide(
            lambda: repair_decide(
                application=application,
                by=request.user,
                grant=request.POST.get("decision") == "grant",
                reason=request.POST.get("reason", ""),
            )
        )
        return answer or redirect("repair_office:repair", pk=application.pk)


class RepairProofView(RegulatorPageMixin, View):
    def get(self, request, pk: int, proof_pk: int):
        proof = RepairProof.objects.filter(
            pk=proof_pk,
            application_id=pk,
            application__department_id__in=self.seats.department_ids,
        ).first()
        if proof is None:
            raise Http404
        return FileResponse(
            proof.file.open("rb"),
            as_attachment=True,
            filename=proof.name,
            content_type=proof.content_type,
        )


class ObjectionCaseView(_CaseView):
    model = Objection
    template_name = "workflows/repair/office_objection.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        objection = self.case()
        context.update(
            objection=objection,
            history=objection_history(objection=objection),
            departments=list(Department.objects.order_by("code")),
            today=timezone.localdate(),
        )
        return context

    def post(self, request, *args, **kwargs):
        objection = self.case()
        try:
            if request.POST.get("action") == "forward":
                department = Department.objects.filter(
                    pk=request.POST.get("department") or 0
                ).first()
                if department is None:
                    raise WorkflowError(
                        WorkflowErrorCode.INVALID,
                        _("Choose the providing department."),
                        field="department",
                    )
                objection_forward(
                    objection=objection,
                    by=request.user,
                    department=department,
                    reason=request.POST.get("forward_reason", ""),
                )
                messages.success(request, _("The objection was forwarded."))
                return redirect("repair_office:list")
            max_until = None
            if request.POST.get("corrected_max_until"):
                try:
                    max_until = date.fromisoformat(request.POST["corrected_max_until"])
                except ValueError:
                    raise WorkflowError(
                        WorkflowErrorCode.INVALID,
                        _("Enter a date as YYYY-MM-DD."),
                        field="corrected_max_until",
                    ) from None
        except DomainError as error:
            return self.fail(error)
        answer = self.decide(
            lambda: objection_decide(
                objection=objection,
                by=request.user,
                outcome=request.POST.get("outcome", ""),
                reason=request.POST.get("reason", ""),
                corrected_reason=request.POST.get("corrected_reason", ""),
                corrected_max_until=max_until,
            )
        )
        return answer or redirect("repair_office:objection", pk=objection.pk)
