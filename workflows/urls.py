"""The regulator workspace: inbox, department queue, team, one page per task, supervision."""

from django.urls import path

from workflows import supervision_views, views

app_name = "workflows"
urlpatterns = [
    path("", views.TaskInboxView.as_view(), name="inbox"),
    path("queue/", views.TaskQueueView.as_view(), name="queue"),
    path("team/", views.TeamTasksView.as_view(), name="team"),
    path("team/reassign/", supervision_views.TaskBulkReassignView.as_view(), name="bulk-reassign"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task"),
    path("tasks/<int:pk>/claim/", views.TaskClaimView.as_view(), name="claim"),
    path("tasks/<int:pk>/release/", views.TaskReleaseView.as_view(), name="release"),
    path("tasks/<int:pk>/verify/", views.TaskVerifyView.as_view(), name="verify"),
    path(
        "tasks/<int:pk>/extend-deadline/",
        views.TaskDeadlineExtendView.as_view(),
        name="extend-deadline",
    ),
    path("tasks/<int:pk>/reassign/", supervision_views.TaskReassignView.as_view(), name="reassign"),
    path("delegations/", supervision_views.DelegationListView.as_view(), name="delegations"),
    path(
        "delegations/<int:pk>/revoke/",
        supervision_views.DelegationRevokeView.as_view(),
        name="delegation-revoke",
    ),
    path("dashboard/", supervision_views.SlaDashboardView.as_view(), name="dashboard"),
    path("sampling/", supervision_views.SamplingView.as_view(), name="sampling"),
    path("evidence/<int:pk>/", supervision_views.EvidenceDownloadView.as_view(), name="evidence"),
]
