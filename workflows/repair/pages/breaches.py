"""The officers' list of the breaches their departments recorded: subject, category, the
measures each brought, the end of publicity and the day repair becomes possible, filtered,
sorted, remembered per officer and downloadable as CSV.

Only members of a department (officers and supervisors) see its breaches: the rows are read
through the person's own departments, so another department's record is never listed, and a
department filter outside them is refused by the form."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import TemplateView

from credit.record.models.breaches import Breach
from credit.record.selectors import breach_readings
from directory.forms import DayField
from workflows.lists.pages import RememberedFiltersMixin, csv_download, sort_headers, sort_key
from workflows.pages import RegulatorPageMixin
from workflows.repair.selectors.breaches import (
    BREACH_SORTS,
    DEFAULT_BREACH_SORT,
    BreachFilters,
    breach_categories_of,
    department_breaches,
)

BREACH_LIMIT = 200
BREACH_COLUMNS = {
    "recorded": _lazy("Record date"),
    "publicity": _lazy("Publicity ends"),
    "repair": _lazy("Repair possible from"),
}


class BreachFilterForm(forms.Form):
    """The breach list's filters; every field optional."""

    q = forms.CharField(label=_lazy("Search"), required=False, max_length=100)
    department = forms.TypedChoiceField(
        label=_lazy("Department"), required=False, coerce=int, empty_value=None
    )
    category = forms.TypedChoiceField(
        label=_lazy("Category"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_lazy("Status"), required=False)
    recorded_from = DayField(
        label=_lazy("Recorded from"),
        required=False,
    )
    recorded_to = DayField(label=_lazy("Recorded to"), required=False)

    def __init__(self, *args, departments, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All my departments"))] + [
            (department.pk, department.name) for department in departments
        ]
        self.fields["category"].choices = [("", _("Any category"))] + [
            (category.pk, category.name) for category in categories
        ]
        self.fields["status"].choices = [
            ("", _("Any status")),
            ("counting", _("Still weighing on the subject")),
            *Breach.Status.choices,
        ]


class BreachListView(RememberedFiltersMixin, RegulatorPageMixin, TemplateView):
    """``/regulator/credit/breaches/``: the departments' recorded breaches."""

    template_name = "workflows/repair/breaches.html"
    list_name = "breaches"
    filter_keys = (*BreachFilterForm.base_fields, "sort")

    def breaches(self):
        ids = self.seats.department_ids
        form = BreachFilterForm(
            self.request.GET or None,
            departments=self.seats.departments,
            categories=breach_categories_of(department_ids=ids).order_by("code"),
        )
        cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
        sort = sort_key(self.request, BREACH_SORTS, DEFAULT_BREACH_SORT)
        filters = BreachFilters(
            department=cleaned.get("department"),
            category=cleaned.get("category"),
            status=cleaned.get("status", ""),
            recorded_from=cleaned.get("recorded_from"),
            recorded_to=cleaned.get("recorded_to"),
            q=cleaned.get("q", ""),
            sort=sort,
        )
        return form, sort, department_breaches(department_ids=ids, filters=filters)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def csv(self):
        _form, _sort, rows = self.breaches()
        return csv_download(
            "chengnuo-breaches.csv",
            [
                _("Subject"),
                _("Unified social credit code"),
                _("Category"),
                _("Severity"),
                _("Measures"),
                _("Record date"),
                _("Publicity ends"),
                _("Repair possible from"),
                _("Status"),
                _("Department"),
                _("Source reference"),
            ],
            self.csv_lines(rows),
        )

    def csv_lines(self, rows):
        """Every matching breach, in chunks: each chunk's measures read with two queries."""
        chunk = []
        for breach in rows.iterator(chunk_size=500):
            chunk.append(breach)
            if len(chunk) == 500:
                yield from self._csv_chunk(chunk)
                chunk = []
        yield from self._csv_chunk(chunk)

    def _csv_chunk(self, chunk):
        for reading in breach_readings(breaches=chunk, on=timezone.localdate()):
            breach = reading.breach
            yield [
                breach.subject.name,
                breach.subject.code,
                breach.category.name,
                breach.get_severity_display(),
                "；".join(measure.measure_type.name for measure in reading.measures),
                breach.record_date.isoformat(),
                breach.publicity_max_until.isoformat(),
                breach.publicity_min_until.isoformat()
                if reading.is_repairable
                else _("Not repairable"),
                breach.get_status_display(),
                breach.department.name if breach.department else "",
                breach.source_reference,
            ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, sort, rows = self.breaches()
        shown = list(rows[: BREACH_LIMIT + 1])
        readings = breach_readings(breaches=shown[:BREACH_LIMIT], on=timezone.localdate())
        query = self.request.GET.copy()
        context.update(
            readings=readings,
            has_more=len(shown) > BREACH_LIMIT,
            breach_limit=BREACH_LIMIT,
            filter_form=form,
            filter_query=query.urlencode(),
            active_filter_count=sum(1 for key in BreachFilterForm.base_fields if query.get(key)),
            sort_headers=sort_headers(self.request, BREACH_COLUMNS, sort),
            today=timezone.localdate(),
        )
        return context
