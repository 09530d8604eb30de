"""API URLs of the verification workflow: signing starts it, regulators work its tasks."""

from django.urls import path

from . import api

app_name = "workflows_api"

urlpatterns = [
    path(
        "commitments/<str:reference>/sign/", api.CommitmentSignApi.as_view(), name="commitment-sign"
    ),
    path("tasks/inbox/", api.TaskInboxApi.as_view(), name="task-inbox"),
    path("tasks/queue/", api.TaskQueueApi.as_view(), name="task-queue"),
    path("tasks/<int:pk>/claim/", api.TaskClaimApi.as_view(), name="task-claim"),
    path("tasks/<int:pk>/release/", api.TaskReleaseApi.as_view(), name="task-release"),
    path("tasks/<int:pk>/verify/", api.TaskVerifyApi.as_view(), name="task-verify"),
    path("tasks/<int:pk>/reassign/", api.TaskReassignApi.as_view(), name="task-reassign"),
    path("tasks/reassign/", api.TaskBulkReassignApi.as_view(), name="task-bulk-reassign"),
]
