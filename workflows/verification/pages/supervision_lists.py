"""The lists of the absences, spot-check and exempt-case pages, worked like the task lists:
filters folded on a phone (ids apart from the page's own form, ``filter-…``), counts, sortable
headers, remembered per officer. The pages themselves are in ``supervision``."""

from __future__ import annotations

import datetime

from django import forms
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from directory.forms import DayField
from workflows.lists.pages import (
    PAGING_KEYS,
    csv_download,
    sort_headers,
    sort_key,
    urgency_marks,
)
from workflows.verification.selectors.delegation import (
    DELEGATION_SORTS,
    delegation_counts,
    delegation_rows,
)
from workflows.verification.selectors.supervision import (
    EXEMPT_CLOSING_SOON_DAYS,
    EXEMPT_SORTS,
    exempt_waiting_counts,
    exempt_waiting_rows,
    sampling_draws,
)

DRAW_LIMIT = 50
EXEMPT_PAGE_ROWS = 50
EXEMPT_CSV_CHUNK = 500


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
    drawn_from = DayField(label=_lazy("Drawn from"), required=False)
    drawn_to = DayField(label=_lazy("Drawn to"), required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, auto_id="filter-%s", **kwargs)
        self.fields["department"].choices = [("", _("All supervised departments"))] + [
            (department.pk, department.name) for department in departments
        ]


class ExemptFilterForm(forms.Form):
    department = forms.TypedChoiceField(
        label=_lazy("Department"), required=False, coerce=int, empty_value=None
    )
    matter = forms.TypedChoiceField(
        label=_lazy("Matter"), required=False, coerce=int, empty_value=None
    )
    search = forms.CharField(label=_lazy("Search"), required=False, max_length=100)
    # The headers sort on a wide screen; a phone shows no table header, so the filters do.
    sort = forms.ChoiceField(
        label=_lazy("Sort by"),
        required=False,
        choices=[
            ("closes", _lazy("Window closes first")),
            ("-closes", _lazy("Window closes last")),
            ("-exempted", _lazy("Newest first")),
            ("exempted", _lazy("Oldest first")),
            ("subject", _lazy("Subject A to Z")),
            ("-subject", _lazy("Subject Z to A")),
        ],
    )

    def __init__(self, *args, departments, matters, **kwargs):
        super().__init__(*args, auto_id="filter-%s", **kwargs)
        self.fields["department"].choices = [("", _("All supervised departments"))] + [
            (department.pk, department.name) for department in departments
        ]
        self.fields["matter"].choices = [("", _("Every matter"))] + [
            (matter.pk, matter.name) for matter in matters
        ]


def _cleaned(form: forms.Form) -> dict:
    return form.cleaned_data if form.is_bound and form.is_valid() else {}


def _filter_form(request, form_class: type[forms.Form], **choices) -> forms.Form:
    """The list's filter form bound to its own keys of the query string (unbound without)."""
    data = {k: v for k, v in request.GET.items() if k in form_class.base_fields}
    return form_class(data or None, **choices)


def _filter_context(request, form: forms.Form) -> dict:
    query = request.GET.copy()
    return {
        "filter_form": form,
        "filter_query": query.urlencode(),
        "active_filter_count": sum(1 for key in form.fields if key != "sort" and query.get(key)),
        "hide_list_tools": True,
    }


def delegation_list_context(request, *, departments, department_ids) -> dict:
    """The absences list: rows, counts by period, sort headers, the filter form."""
    form = _filter_form(request, DelegationFilterForm, departments=departments)
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
    form = _filter_form(request, DrawFilterForm, departments=departments)
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


def _close_date(exemption) -> datetime.date:
    return timezone.localtime(exemption.commitment.verification_due_at).date()


def _exempt_rows(request, *, departments, department_ids, matters):
    """The filter form, the sort and every matching exempt case, sorted."""
    form = _filter_form(request, ExemptFilterForm, departments=departments, matters=matters)
    cleaned = _cleaned(form)
    sort = sort_key(request, EXEMPT_SORTS, "closes")
    rows = exempt_waiting_rows(
        department_ids=department_ids,
        department=cleaned.get("department"),
        matter=cleaned.get("matter"),
        search=(cleaned.get("search") or "").strip(),
        sort=sort,
    )
    return form, sort, rows


def exempt_list_context(request, *, departments, department_ids, matters) -> dict:
    """The exempt cases waiting for a draw: a page of rows with the working days left before
    each window closes, the counts, the sort headers, the filter form, the pager."""
    form, sort, rows = _exempt_rows(
        request, departments=departments, department_ids=department_ids, matters=matters
    )
    page = Paginator(rows, EXEMPT_PAGE_ROWS).get_page(request.GET.get("page"))
    exemptions = list(page.object_list)
    urgency_marks(exemptions, due_of=_close_date, today=timezone.localdate())
    query = request.GET.copy()
    for key in PAGING_KEYS:
        query.pop(key, None)
    return {
        **_filter_context(request, form),
        "filter_query": query.urlencode(),
        "hide_list_tools": False,  # clear the filters, download them as CSV
        "exemptions": exemptions,
        "page_obj": page,
        "exempt_counts": exempt_waiting_counts(rows=rows),
        "closing_soon_days": EXEMPT_CLOSING_SOON_DAYS,
        "sort_headers": sort_headers(
            request,
            {
                "closes": _("Window closes"),
                "exempted": _("Exempted"),
                "subject": _("Subject"),
            },
            sort,
        ),
    }


def _exempt_csv_chunk(chunk: list) -> list[list[str]]:
    urgency_marks(chunk, due_of=_close_date, today=timezone.localdate())
    return [
        [
            exemption.commitment.reference,
            exemption.commitment.subject.name,
            exemption.commitment.subject.code,
            exemption.commitment.template.matter.name,
            exemption.commitment.department.name,
            exemption.grade,
            timezone.localtime(exemption.exempted_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(exemption.commitment.verification_due_at).strftime("%Y-%m-%d %H:%M"),
            exemption.urgency,
        ]
        for exemption in chunk
    ]


def _exempt_csv_lines(rows):
    """Every matching row, read in chunks: each chunk's working days in one calendar query."""
    chunk = []
    for exemption in rows.iterator(chunk_size=EXEMPT_CSV_CHUNK):
        chunk.append(exemption)
        if len(chunk) == EXEMPT_CSV_CHUNK:
            yield from _exempt_csv_chunk(chunk)
            chunk = []
    yield from _exempt_csv_chunk(chunk)


def exempt_list_csv(request, *, departments, department_ids, matters):
    """Every exempt case the list's filters match, in its order, streamed as CSV."""
    _form, _sort, rows = _exempt_rows(
        request, departments=departments, department_ids=department_ids, matters=matters
    )
    return csv_download(
        "chengnuo-exempt-cases.csv",
        [
            _("Reference"),
            _("Subject"),
            _("Unified social credit code"),
            _("Matter"),
            _("Department"),
            _("Risk grade"),
            _("Exempted"),
            _("Window closes"),
            _("Time left"),
        ],
        _exempt_csv_lines(rows),
    )
