"""The in-application inbox."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import ListView

from notifications.selectors import notification_list
from notifications.services.inbox import notification_mark_read


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "notifications/list.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        return notification_list(recipient=self.request.user)


class NotificationReadView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        notification = get_object_or_404(notification_list(recipient=request.user), pk=pk)
        notification_mark_read(notification=notification, by=request.user)
        return redirect(notification.link or "notifications:list")
