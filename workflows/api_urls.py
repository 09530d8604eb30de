"""API URLs of the verification workflow: signing starts it, regulators work its tasks."""

from django.urls import include, path

from commitments.lifecycle.api.uploads import CommitmentUploadSignedApi
from workflows import api, services
from workflows.repair import urls as repair_urls

app_name = "workflows_api"

urlpatterns = [
    path(
        "commitments/<str:reference>/sign/", api.CommitmentSignApi.as_view(), name="commitment-sign"
    ),
    path(  # the upload view is in commitments; signing with it starts the workflow (here)
        "commitments/<str:reference>/upload-signed/",
        CommitmentUploadSignedApi.as_view(submit=services.commitment_submit),
        name="commitment-upload-signed",
    ),
    path("tasks/inbox/", api.TaskInboxApi.as_view(), name="task-inbox"),
    path("tasks/queue/", api.TaskQueueApi.as_view(), name="task-queue"),
    path("tasks/<int:pk>/claim/", api.TaskClaimApi.as_view(), name="task-claim"),
    path("tasks/<int:pk>/release/", api.TaskReleaseApi.as_view(), name="task-release"),
    path("tasks/<int:pk>/verify/", api.TaskVerifyApi.as_view(), name="task-verify"),
    path("tasks/<int:pk>/reassign/", api.TaskReassignApi.as_view(), name="task-reassign"),
    path(
        "tasks/<int:pk>/extend-deadline/",
        api.TaskDeadlineExtendApi.as_view(),
        name="task-extend-deadline",
    ),
    path("tasks/reassign/", api.TaskBulkReassignApi.as_view(), name="task-bulk-reassign"),
    path("", include(repair_urls.api_urlpatterns)),  # repair and objections
]
