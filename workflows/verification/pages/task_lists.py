"""The regulator's task lists (my tasks, the queue, the team): filtered, sorted, urgency-marked,
remembered per officer and downloadable as CSV."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from workflows.lists.pages import (
    RememberedFiltersMixin,
    csv_download,
    sort_headers,
    sort_key,
    urgency_marks,
)
from workflows.pages import RegulatorPageMixin, SupervisorPageMixin
from workflows.verification.forms import (
    QueueFilterForm,
    ReassignForm,
)
from workflows.verification.models import VerificationTaskIndex
from workflows.verification.selectors import queue as queue_selectors
from workflows.verification.selectors.seats import assignable_members

SORTABLE = tuple(queue_selectors.SORTS)


def _due_date(row: VerificationTaskIndex) -> datetime.date:
    return timezone.localtime(row.due_at).date()


class _TaskListView(RememberedFiltersMixin, RegulatorPageMixin, TemplateView):
    """A list of open tasks read from the queue index: filtered, sorted by due time, creation,
    subject or commitment (either way, each on an index of its own), paged by keyset;
    ``?format=csv`` streams every matching row in the same order."""

    scope = queue_selectors.Scope.INBOX
    filter_keys = (*QueueFilterForm.base_fields, "sort")

    @property
    def list_name(self) -> str:
        return f"tasks-{self.scope}"

    def filtered_rows(self):
        user = self.request.user
        choices = queue_selectors.filter_choices(user=user, seats=self.seats)
        data = self.request.GET.copy()
        if data.get("sort", "").lstrip("-") not in SORTABLE:
            data.pop("sort", None)  # an unknown order falls back to the default, filters stay
        form = QueueFilterForm(data or None, choices=choices)
        filters = queue_selectors.QueueFilters()
        if form.is_bound and form.is_valid():
            filters = queue_selectors.QueueFilters(
                **{
                    k: v
                    for k, v in form.cleaned_data.items()
                    if v not in (None, "") and k != "sort"
                }
            )
        rows = queue_selectors.task_rows(
            user=user, scope=self.scope, filters=filters, seats=self.seats
        )
        return form, rows

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def csv(self):
        _form, rows = self.filtered_rows()
        rows = queue_selectors.ordered(rows, sort_key(self.request, SORTABLE, "due"))
        return csv_download(
            f"chengnuo-{self.scope}.csv",
            [
                _("Reference"),
                _("Subject"),
                _("Unified social credit code"),
                _("Commitment"),
                _("Verification due"),
                _("Time left"),
                _("Priority"),
                _("Risk grade"),
                _("Method"),
                _("Assigned to"),
                _("Created"),
            ],
            self.csv_lines(rows),
        )

    def csv_lines(self, rows):
        """The rows in chunks: each chunk's working days counted with one calendar query."""
        chunk = []
        for row in rows.select_related("owner").iterator(chunk_size=500):
            chunk.append(row)
            if len(chunk) == 500:
                yield from self._csv_chunk(chunk)
                chunk = []
        yield from self._csv_chunk(chunk)

    def _csv_chunk(self, chunk):
        queue_selectors.add_display_values(chunk)
        urgency_marks(chunk, due_of=_due_date, today=timezone.localdate())
        for row in chunk:
            yield [
                row.reference,
                row.subject_name,
                row.subject_code,
                row.template_title,
                row.due_text,
                row.urgency,
                row.priority_label,
                row.risk_grade,
                row.method_label,
                row.owner.get_username() if row.owner else "",
                row.created_text,
            ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, rows = self.filtered_rows()
        sort = sort_key(self.request, SORTABLE, "due")
        page = queue_selectors.keyset_page(
            rows,
            after=self.request.GET.get("after", ""),
            before=self.request.GET.get("before", ""),
            descending=sort.startswith("-"),
            sort=sort,
        )
        query = self.request.GET.copy()
        for key in ("after", "before"):
            query.pop(key, None)
        queue_selectors.add_display_values(page.rows)
        urgency_marks(page.rows, due_of=_due_date, today=timezone.localdate())
        active = [key for key in QueueFilterForm.base_fields if key != "sort" and query.get(key)]
        context.update(
            tasks=page.rows,
            page=page,
            filter_form=form,
            filter_query=query.urlencode(),
            active_filter_count=len(active),
            sort_headers=sort_headers(
                self.request,
                {
                    "due": _("Verification due"),
                    "received": _("Created"),
                    "subject": _("Subject"),
                    "matter": _("Commitment"),
                },
                sort,
            ),
            show_claim=self.scope == queue_selectors.Scope.QUEUE,
            now=timezone.now(),
        )
        return context


class TaskInboxView(_TaskListView):
    template_name = "workflows/verification/inbox.html"
    scope = queue_selectors.Scope.INBOX

    def get_context_data(self, **kwargs):
        """The officer's home: its tasks, with what needs doing first counted above them."""
        context = super().get_context_data(**kwargs)
        context["home"] = self.home_summary()
        return context


class TaskQueueView(_TaskListView):
    template_name = "workflows/verification/queue.html"
    scope = queue_selectors.Scope.QUEUE


class TeamTasksView(SupervisorPageMixin, _TaskListView):
    """Every open task of the supervised departments, with bulk reassignment."""

    template_name = "workflows/verification/team.html"
    scope = queue_selectors.Scope.TEAM

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reassign_form"] = ReassignForm(
            members=assignable_members(department_ids=list(self.seats.supervised_ids))
        )
        context["workload"] = queue_selectors.team_workload(user=self.request.user)
        return context
