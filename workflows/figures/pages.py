"""The officers' fulfilment figures (charts, tables, CSV) and the portal's city figures."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from workflows.charts import BarChart, Series
from workflows.figures.selectors import Figures, fulfilment_figures
from workflows.pages import RegulatorPageMixin


def period_months(request) -> int:
    try:
        return min(max(int(request.GET.get("months", 12)), 1), 36)
    except ValueError:
        return 12


def rates_chart(figures: Figures, dimension: str, *, title: str) -> BarChart:
    """The three rates, one group of bars per kind, matter, department or month."""
    rows = figures.rows(dimension)
    return BarChart(
        name=f"rates-{dimension}",
        title=title,
        category_axis=str(_("Month")) if dimension == "month" else title,
        value_axis=str(_("Share of verified commitments")),
        categories=[name for name, _tally in rows],
        series=[
            Series(str(_("Fulfilment rate")), [t.fulfilment_rate for _n, t in rows]),
            Series(str(_("Late rate")), [t.late_rate for _n, t in rows]),
            Series(str(_("Rectification rate")), [t.rectification_rate for _n, t in rows]),
        ],
        horizontal=dimension != "month",
        unit="%",
    )


def dimension_titles() -> dict[str, str]:
    return {
        "kind": _("By kind of commitment"),
        "matter": _("By matter"),
        "department": _("By department"),
        "month": _("By month"),
    }


class FiguresView(RegulatorPageMixin, TemplateView):
    """``/regulator/figures/``: every rate by kind, matter, department and month."""

    template_name = "workflows/figures/officers.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = period_months(self.request)
        figures = fulfilment_figures(until=timezone.localdate(), months=months)
        sections = [
            {
                "name": dimension,
                "title": title,
                "chart": rates_chart(figures, dimension, title=title),
                "rows": figures.rows(dimension),
            }
            for dimension, title in dimension_titles().items()
        ]
        context.update(figures=figures, sections=sections, months=months)
        return context


class FiguresCsvView(RegulatorPageMixin, View):
    """``/regulator/figures.csv``: one line per kind, matter, department and month."""

    def get(self, request):
        figures = fulfilment_figures(until=timezone.localdate(), months=period_months(request))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="chengnuo-fulfilment.csv"'
        response.write("\ufeff")  # Excel reads the Chinese names as UTF-8
        writer = csv.writer(response)
        writer.writerow(
            [
                "month",
                "kind",
                "matter",
                "department",
                "decided",
                "fulfilled",
                "late",
                "rectified",
                "fulfilment_rate",
                "late_rate",
                "rectification_rate",
                "exempt",
            ]
        )
        names = figures.names
        for kind, matter, department, month, tally in figures.cells:
            writer.writerow(
                [
                    month.strftime("%Y-%m"),
                    kind,
                    names["matter"].get(matter, matter),
                    names["department"].get(department, department),
                    tally.decided,
                    tally.fulfilled,
                    tally.late,
                    tally.rectified,
                    tally.fulfilment_rate,
                    tally.late_rate,
                    tally.rectification_rate,
                    tally.exempt,
                ]
            )
        return response


class PublicFiguresView(TemplateView):
    """``/portal/figures/``: the city's aggregate rates, by month; no login."""

    template_name = "workflows/figures/public.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = fulfilment_figures(until=timezone.localdate(), months=12)
        context.update(
            q="",
            verify_url=reverse("public:verify"),
            figures=figures,
            chart=rates_chart(figures, "month", title=_("The city's rates by month")),
            rows=figures.rows("month"),
        )
        return context
