"""The city statistics page and its CSV, for supervisors (of any department) and
administrators: commitments, verifications, warnings, breaches, objections and repairs by
month and by department (``workflows.repair.selectors.statistics``)."""

from __future__ import annotations

import csv
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from credit.record.rules import add_months
from directory.models import RegulatorMembership
from workflows.charts import BarChart, Series
from workflows.repair.selectors.statistics import Statistics, city_statistics

# The series whose bars open the officers' case list, filtered by kind and month.
CASE_KINDS = {"repairs": "repair", "objections": "objection"}


def month_chart(stats: Statistics, name: str) -> BarChart:
    """One series by month, the months written with their year (2026-11)."""
    values = stats.by_month[name]
    months = sorted(values)
    links = []
    if name in CASE_KINDS:
        links = [
            f"{reverse('repair_office:list')}?"
            + urlencode(
                {
                    "kind": CASE_KINDS[name],
                    "filed_from": month.isoformat(),
                    "filed_to": (add_months(month, 1) - timedelta(days=1)).isoformat(),
                }
            )
            for month in months
        ]
    label = stats.labels()[name]
    return BarChart(
        name=name,
        title=label,
        category_axis=str(_("Month")),
        value_axis=str(_("Number")),
        categories=[month.strftime("%Y-%m") for month in months],
        series=[Series(label, [values[month] for month in months])],
        horizontal=False,
        links=links,
    )


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
    template_name = "workflows/repair/statistics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stats = self.statistics()
        labels = stats.labels()
        charts = [
            {"name": name, "chart": month_chart(stats, name), "total": sum(values.values())}
            for name, values in stats.by_month.items()
        ]
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
