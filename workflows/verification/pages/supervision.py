"""Supervisors' and regulators' pages beyond the lists: reassign, delegate, the service-level
dashboard (its charts drawn by ECharts from data), sampling, evidence downloads.

Thin like the other pages: parse, call one service, turn a refusal into a message (or 404
for another department's object). Evidence files are served only to the department.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from commitments.lifecycle.models import VerificationEvidence
from directory.errors import DomainError
from directory.models import Matter, RegulatorMembership
from directory.selectors import department_ids_of
from workflows.charts import BarChart, Series
from workflows.errors import WorkflowErrorCode
from workflows.lists.pages import RememberedFiltersMixin
from workflows.pages import RegulatorPageMixin, SupervisorPageMixin, http_error
from workflows.verification.forms import DelegationForm, SamplingDrawForm
from workflows.verification.models import Delegation, SamplingPolicy
from workflows.verification.pages.supervision_lists import (
    DelegationFilterForm,
    DrawFilterForm,
    ExemptFilterForm,
    delegation_list_context,
    draw_list_context,
    exempt_list_context,
    exempt_list_csv,
)
from workflows.verification.selectors.queue import Scope, filter_choices, task_rows
from workflows.verification.selectors.seats import assignable_members, supervised_departments
from workflows.verification.selectors.supervision import (
    AGE_BUCKETS,
    policy_in_force,
    sla_lines,
)
from workflows.verification.selectors.tasks import task_get
from workflows.verification.services.delegation import delegation_create, delegation_revoke
from workflows.verification.services.reassignment import (
    verification_task_reassign,
    verification_tasks_reassign_bulk,
)
from workflows.verification.services.sampling import sampling_draw, sampling_replay

Role = RegulatorMembership.Role


def _user(pk: int):
    return get_user_model().objects.filter(pk=pk).first()


def _supervised(user) -> list[int]:
    return department_ids_of(user, role=Role.SUPERVISOR)


# Charts ----------------------------------------------------------------------------------------


AGE_COLORS = ["#5b8f5b", "#b8a030", "#d9772b", "#b42318"]


def _team_link(line) -> str:
    """The supervisor's team list filtered to the open tasks behind one line of the dashboard."""
    query = urlencode({"department": line.department_id or "", "matter": line.matter_id or ""})
    return f"{reverse('workflows:team')}?{query}"


def sla_charts(lines: list) -> dict[str, BarChart]:
    """The dashboard's two charts: on-time share and backlog by age, one bar per line."""
    label = lambda line: f"{line.department} · {line.matter}"  # noqa: E731
    verified = [line for line in lines if line.verified]
    return {
        "on_time": BarChart(
            name="on-time",
            title=str(_("Share of verifications recorded by their due time")),
            category_axis=str(_("Department · matter")),
            value_axis=str(_("Verified on time (%)")),
            categories=[label(line) for line in verified],
            series=[
                Series(str(_("Verified on time")), [line.on_time_percent for line in verified])
            ],
            unit="%",
            links=[_team_link(line) for line in verified],
        ),
        "backlog": BarChart(
            name="backlog",
            title=str(_("Open verifications by days since they were opened")),
            category_axis=str(_("Department · matter")),
            value_axis=str(_("Open verifications")),
            categories=[label(line) for line in lines],
            series=[
                Series(
                    _("%(label)s days") % {"label": bucket},
                    [line.ages[position] for line in lines],
                )
                for position, (_days, bucket) in enumerate(AGE_BUCKETS)
            ],
            is_stacked=True,
            links=[_team_link(line) for line in lines],
            colors=AGE_COLORS,
        ),
    }


# Pages ---------------------------------------------------------------------------------------


class TaskReassignView(RegulatorPageMixin, View):
    """A supervisor gives one task to a colleague."""

    def post(self, request, pk: int):
        try:
            task = task_get(pk=pk, user=request.user)
        except DomainError:
            raise Http404(_("No such task.")) from None
        to_value = request.POST.get("reassign-to", "")
        to = _user(int(to_value)) if to_value.isdigit() else None
        if to is None:
            messages.error(request, _("Choose who gets the task."))
            return redirect("workflows:task", pk=pk)
        try:
            verification_task_reassign(
                task=task, to=to, by=request.user, reason=request.POST.get("reassign-reason", "")
            )
        except DomainError as error:
            answer = http_error(error)
            if answer is not None:
                raise answer from None
            messages.error(request, str(error.message))
            return redirect("workflows:task", pk=pk)
        messages.success(
            request, _("The task now belongs to %(user)s.") % {"user": to.get_username()}
        )
        return redirect("workflows:task", pk=pk)


class TaskBulkReassignView(SupervisorPageMixin, TemplateView):
    """Reassign the chosen tasks of the team list; show what happened to each."""

    template_name = "workflows/verification/bulk_result.html"

    def post(self, request):
        raw_ids = [value for value in request.POST.getlist("tasks") if value.isdigit()]
        to_value = request.POST.get("to", "")
        to = _user(int(to_value)) if to_value.isdigit() else None
        if to is None or not raw_ids:
            messages.error(request, _("Choose at least one task and who gets them."))
            return redirect("workflows:team")
        try:
            outcomes = verification_tasks_reassign_bulk(
                task_ids=[int(value) for value in raw_ids],
                to=to,
                by=request.user,
                reason=request.POST.get("reason", ""),
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("workflows:team")
        references = dict(
            task_rows(user=request.user, scope=Scope.TEAM)
            .filter(task_id__in=[outcome.task_id for outcome in outcomes])
            .values_list("task_id", "reference")
        )
        context = self.get_context_data(
            outcomes=[(outcome, references.get(outcome.task_id, "")) for outcome in outcomes],
            to=to,
            done=sum(outcome.is_done for outcome in outcomes),
            failed=sum(not outcome.is_done for outcome in outcomes),
        )
        return self.render_to_response(context)

    def get(self, request):
        return redirect("workflows:team")


class DelegationListView(RememberedFiltersMixin, RegulatorPageMixin, TemplateView):
    """The absences of the user's departments (now and coming by default; filtered by
    department and period, counted, sorted by start or end), and a form to add one."""

    template_name = "workflows/verification/delegations.html"
    list_name = "delegations"
    filter_keys = (*DelegationFilterForm.base_fields, "sort")

    def _form(self, data=None):
        user = self.request.user
        departments = list(filter_choices(user=user)["departments"])
        supervised = set(_supervised(user))
        members = assignable_members(department_ids=[d.pk for d in departments])
        form = DelegationForm(data, departments=departments, members=members)
        if not supervised:  # a regulator delegates only their own work
            form.fields["delegator"].choices = [(user.pk, user.get_username())]
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self._form())
        context.update(
            delegation_list_context(
                self.request,
                departments=self.seats.departments,
                department_ids=self.seats.department_ids,
            )
        )
        context["supervised"] = set(self.seats.supervised_ids)
        return context

    def post(self, request):
        form = self._form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        department = next(
            d
            for d in filter_choices(user=request.user)["departments"]
            if d.pk == data["department"]
        )
        try:
            delegation_create(
                department=department,
                delegator=_user(data["delegator"]),
                delegate=_user(data["delegate"]),
                starts=data["starts"],
                ends=data["ends"],
                reason=data["reason"],
                by=request.user,
            )
        except DomainError as error:
            if error.code == WorkflowErrorCode.FORBIDDEN:
                form.add_error(None, str(error.message))
            else:
                form.add_error(
                    error.field if error.field in form.fields else None, str(error.message)
                )
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("The delegation is recorded."))
        return redirect("workflows:delegations")


class DelegationRevokeView(RegulatorPageMixin, View):
    def post(self, request, pk: int):
        delegation = Delegation.objects.filter(
            pk=pk, department_id__in=department_ids_of(request.user)
        ).first()
        if delegation is None:
            raise Http404(_("No such delegation."))
        try:
            delegation_revoke(delegation=delegation, by=request.user)
        except DomainError as error:
            if error.code == WorkflowErrorCode.NOT_FOUND:
                raise Http404(str(error.message)) from None
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The delegation has ended."))
        return redirect("workflows:delegations")


class SlaDashboardView(SupervisorPageMixin, TemplateView):
    """On-time share, backlog and ageing by department and matter, with charts whose bars
    open the team list of the tasks behind them."""

    template_name = "workflows/verification/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = sla_lines(department_ids=_supervised(self.request.user))
        context["lines"] = lines
        context["age_labels"] = [bucket for _days, bucket in AGE_BUCKETS]
        charts = sla_charts(lines)
        context["on_time_chart"] = charts["on_time"]
        context["backlog_chart"] = charts["backlog"]
        context["totals"] = {
            "backlog": sum(line.backlog for line in lines),
            "overdue": sum(line.overdue for line in lines),
            "verified": sum(line.verified for line in lines),
            "on_time": sum(line.on_time for line in lines),
        }
        verified = context["totals"]["verified"]
        context["totals"]["percent"] = (
            round(100 * context["totals"]["on_time"] / verified, 1) if verified else None
        )
        return context


class SamplingView(RememberedFiltersMixin, SupervisorPageMixin, TemplateView):
    """The spot-check ratios in force, past draws (filtered, counted, sorted, each replayed)
    and a form to draw."""

    template_name = "workflows/verification/sampling.html"
    list_name = "sampling-draws"
    filter_keys = (*DrawFilterForm.base_fields, "sort")

    def _form(self, data=None):
        departments = list(supervised_departments(user=self.request.user))
        matters = Matter.objects.order_by("name")
        return SamplingDrawForm(data, departments=departments, matters=matters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self._form())
        context["policies"] = [
            (grade, policy_in_force(grade=grade)) for grade in ("A", "B", "C", "D")
        ]
        lists = draw_list_context(
            self.request,
            departments=list(supervised_departments(user=self.request.user)),
            department_ids=list(self.seats.supervised_ids),
        )
        context.update(lists)
        context["draws"] = [
            (draw, sampling_replay(draw=draw) == draw.selected) for draw in lists["draw_rows"]
        ]
        context["policy_admin_url"] = reverse("admin:workflows_samplingpolicy_changelist")
        context["has_policies"] = SamplingPolicy.objects.exists()
        return context

    def post(self, request):
        form = self._form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        department = next(
            d
            for d in supervised_departments(user=request.user)
            if d.pk == form.cleaned_data["department"]
        )
        matter = (
            Matter.objects.filter(pk=form.cleaned_data["matter"]).first()
            if form.cleaned_data["matter"]
            else None
        )
        try:
            draw = sampling_draw(
                department=department,
                by=request.user,
                matter=matter,
                seed=form.cleaned_data["seed"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
            return self.render_to_response(self.get_context_data(form=form))
        count = sum(len(picks) for picks in draw.selected.values())
        messages.success(
            request,
            _("Drawn with seed %(seed)s: %(count)d commitments get an on-site spot check.")
            % {"seed": draw.seed, "count": count},
        )
        return redirect("workflows:sampling")


class ExemptWaitingListView(RememberedFiltersMixin, SupervisorPageMixin, TemplateView):
    """The supervised departments' exempt cases that a spot-check draw may still pick before
    their verification window closes (ADR 0032): filtered, counted, sorted, paged; the draw
    itself is run on the spot-check page (or over the API). ``?format=csv`` streams every
    matching row in the same order."""

    template_name = "workflows/verification/exempt.html"
    list_name = "exempt-waiting"
    filter_keys = tuple(ExemptFilterForm.base_fields)

    def _list_arguments(self) -> dict:
        return {
            "departments": list(supervised_departments(user=self.request.user)),
            "department_ids": list(self.seats.supervised_ids),
            "matters": Matter.objects.order_by("name"),
        }

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return exempt_list_csv(request, **self._list_arguments())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(exempt_list_context(self.request, **self._list_arguments()))
        return context


class EvidenceDownloadView(RegulatorPageMixin, View):
    """An evidence file, for members of the commitment's department only."""

    def get(self, request, pk: int):
        evidence = (
            VerificationEvidence.objects.select_related("verification__commitment")
            .filter(
                pk=pk,
                verification__commitment__department_id__in=department_ids_of(request.user),
            )
            .first()
        )
        if evidence is None:
            raise Http404(_("No such file."))
        return FileResponse(
            default_storage.open(evidence.file.name, "rb"),
            as_attachment=True,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )
