"""The regulator workspace: inbox, department queue, and one page per task."""

from django.urls import path

from . import views

app_name = "workflows"
urlpatterns = [
    path("", views.TaskInboxView.as_view(), name="inbox"),
    path("queue/", views.TaskQueueView.as_view(), name="queue"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task"),
    path("tasks/<int:pk>/claim/", views.TaskClaimView.as_view(), name="claim"),
    path("tasks/<int:pk>/release/", views.TaskReleaseView.as_view(), name="release"),
    path("tasks/<int:pk>/verify/", views.TaskVerifyView.as_view(), name="verify"),
]
