"""Association pages (mounted at /associations/): the officer's associations, an
association's bulk issues and members, the upload of a members' file, its progress (the page
polls ``progress.json``) and its rows, the members who signed and who have not (with CSV), and
reminders. Anyone without a seat in the association finds nothing (404).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from commitments.associations import selectors
from commitments.associations.models import Association, BulkIssue, BulkIssueRow
from commitments.associations.rows import reason_messages
from commitments.associations.services.issue import bulk_issue_upload
from commitments.associations.services.reminders import members_remind
from commitments.associations.tasks import bulk_issue_process_task
from commitments.catalogue.models import CommitmentTemplate
from commitments.errors import CommitmentError
from notifications.tasks import task_kick_on_commit

PAGE_ROWS = 50


def row_reasons(row: BulkIssueRow) -> list[str]:
    """The row's reasons in the reader's language."""
    words = reason_messages()
    return [str(words.get(reason["code"], words["refused"])) for reason in row.reasons]


class Echo:
    def write(self, value):
        return value


def csv_response(filename: str, heading: list[str], lines) -> StreamingHttpResponse:
    """A CSV download (UTF-8 with BOM, so spreadsheets on Windows read Chinese), streamed."""
    writer = csv.writer(Echo())

    def produce():
        yield "\ufeff" + writer.writerow(heading)
        for line in lines:
            yield writer.writerow(line)

    response = StreamingHttpResponse(produce(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class AssociationMixin(LoginRequiredMixin):
    """The association in the URL, for one of its officers only."""

    def association(self) -> Association:
        try:
            return selectors.association_get(
                code=self.kwargs["association"], officer=self.request.user
            )
        except CommitmentError:
            raise Http404 from None

    def bulk_issue(self, association: Association) -> BulkIssue:
        try:
            return selectors.bulk_issue_get(association=association, pk=self.kwargs["pk"])
        except CommitmentError:
            raise Http404 from None


class AssociationListView(LoginRequiredMixin, TemplateView):
    """The associations the user holds a seat in."""

    template_name = "commitments/associations/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["associations"] = list(selectors.association_list(officer=self.request.user))
        return context


class AssociationDetailView(AssociationMixin, TemplateView):
    """An association: its members' signatures at a glance and its bulk issues."""

    template_name = "commitments/associations/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        association = self.association()
        context.update(
            association=association,
            counts=selectors.member_counts(association=association),
            member_total=association.members.filter(is_active=True).count(),
            bulk_issues=list(selectors.bulk_issue_list(association=association)[:50]),
        )
        return context


class BulkIssueCreateView(AssociationMixin, TemplateView):
    """Upload a members' CSV file to issue a self-discipline pledge to each of them."""

    template_name = "commitments/associations/upload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            association=self.association(), templates=list(selectors.issuable_templates())
        )
        return context

    def post(self, request, *args, **kwargs):
        association = self.association()
        template = selectors.issuable_templates().filter(pk=request.POST.get("template") or 0)
        upload = request.FILES.get("file")
        try:
            bulk = bulk_issue_upload(
                by=request.user,
                association=association,
                template=template.first() or CommitmentTemplate(kind=""),
                upload=upload,
                original_name=upload.name if upload else "",
            )
        except CommitmentError as error:
            context = self.get_context_data(**kwargs)
            context["error"] = error
            return self.render_to_response(context, status=400)
        task_kick_on_commit(bulk_issue_process_task, bulk_issue_id=bulk.pk)
        return redirect("associations:bulk_issue", association=association.code, pk=bulk.pk)


class BulkIssueDetailView(AssociationMixin, TemplateView):
    """A bulk issue: its progress bar while it runs, then each row's outcome."""

    template_name = "commitments/associations/bulk_issue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        association = self.association()
        bulk = self.bulk_issue(association)
        outcome = self.request.GET.get("outcome", "")
        outcome = outcome if outcome in BulkIssueRow.Outcome.values else ""
        page = Paginator(selectors.bulk_issue_rows(bulk_issue=bulk, outcome=outcome), PAGE_ROWS)
        rows = page.get_page(self.request.GET.get("page"))
        context.update(
            association=association,
            bulk=bulk,
            outcome=outcome,
            page_obj=rows,
            filter_query=f"outcome={outcome}&" if outcome else "",
            rows=[(row, row_reasons(row)) for row in rows],
        )
        return context


class BulkIssueProgressView(AssociationMixin, View):
    """The progress the bulk issue page polls: rows done of all, counts, status."""

    def get(self, request, *args, **kwargs):
        bulk = self.bulk_issue(self.association())
        return JsonResponse(
            {
                "status": bulk.status,
                "status_display": bulk.get_status_display(),
                "rows_done": bulk.rows_done,
                "total_rows": bulk.total_rows,
                "percent": bulk.percent,
                "issued": bulk.issued_count,
                "rejected": bulk.rejected_count,
                "finished": bulk.is_finished,
            }
        )


class BulkIssueRowsCsvView(AssociationMixin, View):
    """Each row's outcome as CSV, to correct the rejected rows and upload them again."""

    def get(self, request, *args, **kwargs):
        bulk = self.bulk_issue(self.association())
        rows = selectors.bulk_issue_rows(bulk_issue=bulk).iterator(chunk_size=2000)
        return csv_response(
            f"bulk-issue-{bulk.pk}.csv",
            [_("Row"), _("Unified social credit code"), _("Name"), _("Outcome"), _("Reasons")],
            (
                [
                    row.line_number,
                    row.code,
                    row.name,
                    row.get_outcome_display(),
                    "; ".join(row_reasons(row)),
                ]
                for row in rows
            ),
        )


def signed_filter(value: str) -> bool | None:
    return {"signed": True, "unsigned": False}.get(value)


class MemberPledgeListView(AssociationMixin, TemplateView):
    """Who of the members signed the association's pledges and who has not."""

    template_name = "commitments/associations/members.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        association = self.association()
        state = self.request.GET.get("state", "")
        pledges = selectors.member_pledges(association=association, signed=signed_filter(state))
        context.update(
            association=association,
            state=state if signed_filter(state) is not None else "",
            counts=selectors.member_counts(association=association),
            page_obj=Paginator(pledges, PAGE_ROWS).get_page(self.request.GET.get("page")),
            filter_query=f"state={state}&" if signed_filter(state) is not None else "",
        )
        return context


class MemberPledgeCsvView(AssociationMixin, View):
    def get(self, request, *args, **kwargs):
        association = self.association()
        state = signed_filter(request.GET.get("state", ""))
        pledges = selectors.member_pledges(association=association, signed=state)
        return csv_response(
            f"{association.code}-members.csv",
            [
                _("Unified social credit code"),
                _("Name"),
                _("Pledge"),
                _("Reference"),
                _("Signed"),
            ],
            (
                [
                    row.subject.code,
                    row.subject.name,
                    row.bulk_issue.template.title,
                    row.commitment.reference,
                    row.commitment.signed_at.isoformat() if row.commitment.signed_at else "",
                ]
                for row in pledges.iterator(chunk_size=2000)
            ),
        )


class MemberRemindView(AssociationMixin, View):
    """Remind the members who have not signed (once a day each)."""

    def post(self, request, *args, **kwargs):
        association = self.association()
        run = members_remind(by=request.user, association=association)
        messages.success(
            request,
            _(
                "Reminded %(reminded)d members; %(already)d were already reminded today; "
                "%(nobody)d have no representative on the platform yet."
            )
            % {
                "reminded": run.reminded,
                "already": run.already_today,
                "nobody": run.without_representative,
            },
        )
        return redirect("associations:members", association=association.code)
