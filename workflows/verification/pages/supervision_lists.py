"""The lists of the absences and spot-check pages, worked like the task lists: filters folded
on a phone (ids apart from the page's own form, ``filter-…``), counts, sortable headers,
remembered per officer. The pages themselves are in ``supervision``."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from workflows.lists.pages import sort_headers, sort_key
from workflows.verification.selectors.delegation import (
    DELEGATION_SORTS,
    delegation_counts,
    delegation_rows,
)
from workflows.verification.selectors.supervision import sampling_draws

DRAW_LIMIT = 50


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class DelegationFilterForm(forms.Form):
    department = forms.TypedChoiceField(
        label=_lazy("Department"), required=False, coerce=int, empty_value=None
    )
    period = forms.ChoiceField(
        label=_lazy("Period"),
        required=False,
        choices=[
            ("", _lazy("Now and coming")),
            ("now", _lazy("In force now")),
            ("coming", _lazy("Coming")),
            ("past", _lazy("Over or ended early")),
        ],
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, auto_id="filter-%s", **kwargs)
        self.fields["department"].choices = [("", _("All my departments"))] + [
            (department.pk, department.name) for department in departments
        ]


class DrawFilterForm(forms.Form):
    department = forms.TypedChoiceField(
        label=_lazy("Department"), required=False, coerce=int, empty_value=None
    )
    drawn_from = _date_field(_lazy("Drawn from"))
    drawn_to = _date_field(_lazy("Drawn to"))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, auto_id="filter-%s", **kwargs)
        self.fields["department"].choices = [("", _("All supervised departments"))] + [
            (department.pk, department.name) for department in departments
        ]


def _cleaned(form: forms.Form) -> dict:
    return form.cleaned_data if form.is_bound and form.is_valid() else {}


def _filter_context(request, form: forms.Form) -> dict:
    query = request.GET.copy()
    return {
        "filter_form": form,
        "filter_query": query.urlencode(),
        "active_filter_count": sum(1 for key in form.fields if query.get(key)),
        "hide_list_tools": True,
    }


def delegation_list_context(request, *, departments, department_ids) -> dict:
    """The absences list: rows, counts by period, sort headers, the filter form."""
    form = DelegationFilterForm(
        {k: v for k, v in request.GET.items() if k in DelegationFilterForm.base_fields} or None,
        departments=departments,
    )
    cleaned = _cleaned(form)
    sort = sort_key(request, DELEGATION_SORTS, "starts")
    rows = delegation_rows(
        department_ids=department_ids,
        department=cleaned.get("department"),
        period=cleaned.get("period", ""),
        sort=sort,
    )
    return {
        **_filter_context(request, form),
        "delegations": list(rows),
        "now": timezone.now(),
        "delegation_counts": delegation_counts(
            department_ids=department_ids, department=cleaned.get("department")
        ),
        "sort_headers": sort_headers(request, {"starts": _("Starts"), "ends": _("Ends")}, sort),
    }


def draw_list_context(request, *, departments, department_ids) -> dict:
    """The past draws: the first ``DRAW_LIMIT`` matching, their count, the sort header."""
    form = DrawFilterForm(
        {k: v for k, v in request.GET.items() if k in DrawFilterForm.base_fields} or None,
        departments=departments,
    )
    cleaned = _cleaned(form)
    sort = sort_key(request, ("drawn",), "-drawn")
    rows = sampling_draws(
        department_ids=department_ids,
        department=cleaned.get("department"),
        drawn_from=cleaned.get("drawn_from"),
        drawn_to=cleaned.get("drawn_to"),
        sort=sort,
    )
    return {
        **_filter_context(request, form),
        "draw_rows": rows[:DRAW_LIMIT],
        "draw_count": rows.count(),
        "draw_limit": DRAW_LIMIT,
        "sort_headers": sort_headers(request, {"drawn": _("When")}, sort),
    }
