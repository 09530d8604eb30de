"""The officer's side of credit repair and objections: the department's cases with their
working-day due dates, one page per case with the proofs, and the decisions.

Only members of the department the case is with see it (404 otherwise).
"""

from __future__ import annotations

import csv
from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from commitments.errors import CommitmentError, ErrorCode
from commitments.statistics import city_statistics, month_bars
from credit.models import Objection, RepairApplication, RepairProof
from credit.repair import objections_for_department, repair_applications_for_department
from directory.models import Department, RegulatorMembership
from workflows.pages import RegulatorPageMixin
from workflows.repair_flows import objection_decide, objection_forward, repair_decide
from workflows.repair_selectors import objection_history


class CreditCasesView(RegulatorPageMixin, TemplateView):
    """Open and decided repair applications and objections of the user's departments."""

    template_name = "repair/office_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ids = self.seats.department_ids
        context.update(
            today=timezone.localdate(),
            repairs=list(repair_applications_for_department(department_ids=ids)[:200]),
            objections=list(objections_for_department(department_ids=ids)[:200]),
        )
        return context


class _CaseView(RegulatorPageMixin, TemplateView):
    def case(self):
        found = (
            self.model.objects.select_related(
                "breach", "breach__category", "breach__rule_set", "subject", "department"
            )
            .filter(pk=self.kwargs["pk"], department_id__in=self.seats.department_ids)
            .first()
        )
        if found is None:
            raise Http404
        return found

    def fail(self, error: CommitmentError, **kwargs):
        context = self.get_context_data(**kwargs)
        context["error"] = error
        return self.render_to_response(context, status=400)


class RepairCaseView(_CaseView):
    model = RepairApplication
    template_name = "repair/office_repair.html"

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
        try:
            repair_decide(
                application=application,
                by=request.user,
                grant=request.POST.get("decision") == "grant",
                reason=request.POST.get("reason", ""),
            )
        except CommitmentError as error:
            return self.fail(error, **kwargs)
        messages.success(request, _("The decision was recorded and the subject told."))
        return redirect("repair_office:repair", pk=application.pk)


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
    template_name = "repair/office_objection.html"

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
                    raise CommitmentError(
                        ErrorCode.INVALID, _("Choose the providing department."), field="department"
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
                    raise CommitmentError(
                        ErrorCode.INVALID,
                        _("Enter a date as YYYY-MM-DD."),
                        field="corrected_max_until",
                    ) from None
            objection_decide(
                objection=objection,
                by=request.user,
                outcome=request.POST.get("outcome", ""),
                reason=request.POST.get("reason", ""),
                corrected_reason=request.POST.get("corrected_reason", ""),
                corrected_max_until=max_until,
            )
        except CommitmentError as error:
            return self.fail(error, **kwargs)
        messages.success(request, _("The decision was recorded and the subject told."))
        return redirect("repair_office:objection", pk=objection.pk)


# City statistics ------------------------------------------------------------------------------


class _StatisticsAccess(LoginRequiredMixin):
    """Supervisors (of any department) and administrators."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not (
            request.user.is_staff
            or RegulatorMembership.objects.filter(
                user=request.user, role=RegulatorMembership.Role.SUPERVISOR, is_active=True
            ).exists()
        ):
            raise PermissionDenied(_("City statistics are for supervisors and administrators."))
        return super().dispatch(request, *args, **kwargs)

    def statistics(self):
        try:
            months = min(max(int(self.request.GET.get("months", 12)), 1), 36)
        except ValueError:
            months = 12
        return city_statistics(until=timezone.localdate(), months=months)


class StatisticsView(_StatisticsAccess, TemplateView):
    template_name = "repair/statistics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stats = self.statistics()
        labels = stats.labels()
        charts = []
        for name, values in stats.by_month.items():
            bars = month_bars(values)
            charts.append(
                {
                    "name": name,
                    "label": labels[name],
                    "bars": bars,
                    "total": sum(values.values()),
                    "view_width": max(len(bars) * 30, 30),
                }
            )
        departments = [
            (
                department_name,
                [stats.by_department[name].get(pk, 0) for name in stats.by_department],
            )
            for pk, department_name in stats.departments.items()
            if any(stats.by_department[name].get(pk) for name in stats.by_department)
        ]
        context.update(
            stats=stats,
            charts=charts,
            labels=[labels[name] for name in stats.by_department],
            departments=departments,
            months=len(stats.months),
        )
        return context


class StatisticsCsvView(_StatisticsAccess, View):
    def get(self, request):
        stats = self.statistics()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="chengnuo-statistics.csv"'
        response.write("\ufeff")  # Excel reads the Chinese names as UTF-8
        writer = csv.writer(response)
        writer.writerow(["series", "month", "department", "count"])
        for name, month, department, count in stats.cells:
            writer.writerow(
                [name, month.strftime("%Y-%m"), stats.departments.get(department, ""), count]
            )
        return response
