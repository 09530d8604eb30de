"""The regulator workspace every workflows page sits in: who may enter, the menu's counts,
and how a refusal becomes an HTTP answer.

Shared by the verification pages and the repair and objection officer pages, which extend
the same layout (``templates/workflows/layout.html``); the menu shows the verification inbox
and queue counts.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from directory.errors import DomainError
from workflows.errors import WorkflowErrorCode
from workflows.selectors import calendar_years_to_announce, open_credit_case_counts
from workflows.verification.selectors.queue import Scope, nav_counts, urgency_counts
from workflows.verification.selectors.seats import seats_of


def http_error(error: DomainError) -> Exception | None:
    """The HTTP answer for refusals that are not the user's to fix (None for the others)."""
    if error.code == WorkflowErrorCode.NOT_FOUND:
        return Http404(str(error.message))
    if error.code == WorkflowErrorCode.FORBIDDEN:
        return PermissionDenied(str(error.message))
    return None


# "Due soon" on the officer's home: within this many working days.
HOME_DUE_SOON_DAYS = 3


class RegulatorPageMixin(LoginRequiredMixin):
    """Pages for active department members, with the inbox and queue counts in the menu."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.seats = seats_of(request.user)
        if not self.seats.department_ids:
            raise PermissionDenied(_("This area is for department staff."))
        self.check_access()
        return super().dispatch(request, *args, **kwargs)

    def check_access(self) -> None:
        """Refuse with PermissionDenied when the page needs more than membership."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = nav_counts(user=self.request.user, seats=self.seats)
        context["nav_inbox_count"] = counts["inbox"]
        context["nav_queue_count"] = counts["queue"]
        context["nav_count_cap"] = counts["cap"]
        context["is_supervisor"] = bool(self.seats.supervised_ids)
        context["task_url_prefix"] = reverse("workflows:task", args=[0])[: -len("0/")]
        context["calendar_years_to_announce"] = calendar_years_to_announce()
        return context

    def home_summary(self) -> dict:
        """What the officer's home shows besides the menu's counts: the inbox's and queue's
        overdue and due-soon tasks and the repair and objection cases awaiting a decision."""
        user = self.request.user
        return {
            "inbox": urgency_counts(
                user=user, scope=Scope.INBOX, working_days=HOME_DUE_SOON_DAYS, seats=self.seats
            ),
            "queue": urgency_counts(
                user=user, scope=Scope.QUEUE, working_days=HOME_DUE_SOON_DAYS, seats=self.seats
            ),
            "cases": open_credit_case_counts(department_ids=self.seats.department_ids),
        }


class SupervisorPageMixin(RegulatorPageMixin):
    """Pages for supervisors of at least one department."""

    def check_access(self) -> None:
        if not self.seats.supervised_ids:
            raise PermissionDenied(_("This page is for supervisors."))
