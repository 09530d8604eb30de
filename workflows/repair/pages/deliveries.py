"""Failed deliveries of record changes to other systems (NDRC Order 36: repair reaches every
system that received the record): the officers of the department that recorded the breach
see which system did not get a repair, revocation or correction, why, and send it again."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from credit.changes.selectors import failed_webhooks
from credit.changes.services import record_change_resend
from directory.errors import DomainError
from workflows.pages import RegulatorPageMixin

LIMIT = 200


class FailedDeliveriesView(RegulatorPageMixin, TemplateView):
    """Failed webhooks of changes to the user's departments' records, newest first."""

    template_name = "workflows/repair/deliveries.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(failed_webhooks(department_ids=self.seats.department_ids)[: LIMIT + 1])
        context.update(notices=rows[:LIMIT], more=len(rows) > LIMIT)
        return context


class ResendDeliveryView(RegulatorPageMixin, View):
    """POST: send one failed delivery again (an officer of the breach's department only)."""

    def post(self, request, pk: int):
        notice = (
            failed_webhooks(department_ids=self.seats.department_ids)
            .filter(pk=pk)
            .select_related("webhook__endpoint")
            .first()
        )
        if notice is None:
            raise Http404(_("No failed delivery of yours has this number."))
        try:
            record_change_resend(notice=notice, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The change will be sent to %(system)s again.")
                % {"system": notice.calling_system.name},
            )
        return redirect("repair_office:deliveries")
