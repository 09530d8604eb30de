"""URLs of the verification: the regulator workspace, the applicant's sign actions, the API.

- ``urlpatterns`` (namespace ``workflows``, mounted at /regulator/): inbox, department queue,
  team, one page per task, supervision.
- ``applicant_urlpatterns`` (namespace ``submission``, mounted at /commitments/ beside
  ``commitments``): the actions that start the flow.
- ``api_urlpatterns`` (in the ``workflows_api`` namespace that ``workflows.urls`` composes
  at /api/v1/, shared with the repair API): signing and the regulators' tasks.
"""

from django.urls import path

from commitments.lifecycle.api.uploads import CommitmentUploadSignedApi
from workflows.verification.api import rectification as rectification_api
from workflows.verification.api import sampling as sampling_api
from workflows.verification.api import signing as signing_api
from workflows.verification.api import tasks as task_api
from workflows.verification.pages import (
    applicant,
    batch,
    rectification,
    supervision,
    task_lists,
    tasks,
)
from workflows.verification.services.submission import commitment_submit

app_name = "workflows"
urlpatterns = [
    path("", task_lists.TaskInboxView.as_view(), name="inbox"),
    path("queue/", task_lists.TaskQueueView.as_view(), name="queue"),
    path("team/", task_lists.TeamTasksView.as_view(), name="team"),
    path("team/reassign/", supervision.TaskBulkReassignView.as_view(), name="bulk-reassign"),
    path("tasks/<int:pk>/", tasks.TaskDetailView.as_view(), name="task"),
    path("tasks/<int:pk>/claim/", tasks.TaskClaimView.as_view(), name="claim"),
    path("tasks/<int:pk>/release/", tasks.TaskReleaseView.as_view(), name="release"),
    path("tasks/<int:pk>/verify/", tasks.TaskVerifyView.as_view(), name="verify"),
    path(
        "tasks/<int:pk>/extend-deadline/",
        tasks.TaskDeadlineExtendView.as_view(),
        name="extend-deadline",
    ),
    path("tasks/<int:pk>/reassign/", supervision.TaskReassignView.as_view(), name="reassign"),
    path("tasks/<int:pk>/rectify/", rectification.RectificationOrderView.as_view(), name="rectify"),
    path("delegations/", supervision.DelegationListView.as_view(), name="delegations"),
    path(
        "delegations/<int:pk>/revoke/",
        supervision.DelegationRevokeView.as_view(),
        name="delegation-revoke",
    ),
    path("dashboard/", supervision.SlaDashboardView.as_view(), name="dashboard"),
    path("sampling/", supervision.SamplingView.as_view(), name="sampling"),
    path("exempt/", supervision.ExemptWaitingListView.as_view(), name="exempt"),
    path("evidence/<int:pk>/", supervision.EvidenceDownloadView.as_view(), name="evidence"),
]

applicant_urlpatterns = [  # batch/ first: "batch" is never a reference (CN + date + code)
    path("batch/sign/", batch.BatchSignView.as_view(), name="batch-sign"),
    path(
        "<str:reference>/rectification/",
        rectification.RectificationView.as_view(),
        name="rectification",
    ),
    path("<str:reference>/sign/", applicant.CommitmentSignView.as_view(), name="sign"),
    path(
        "<str:reference>/upload-signed/",
        applicant.CommitmentUploadSignedView.as_view(),
        name="upload-signed",
    ),
]

api_urlpatterns = [  # batch/ first: "batch" is never a reference
    path(
        "commitments/batch/sign/",
        signing_api.CommitmentBatchSignApi.as_view(),
        name="commitment-batch-sign",
    ),
    path(
        "commitments/<str:reference>/sign/",
        signing_api.CommitmentSignApi.as_view(),
        name="commitment-sign",
    ),
    path(  # the upload view is in commitments; signing with it starts the workflow (here)
        "commitments/<str:reference>/upload-signed/",
        CommitmentUploadSignedApi.as_view(submit=commitment_submit),
        name="commitment-upload-signed",
    ),
    path(
        "commitments/<str:reference>/rectification/",
        rectification_api.CommitmentRectificationApi.as_view(),
        name="commitment-rectification",
    ),
    path(
        "tasks/<int:pk>/rectify/", rectification_api.TaskRectifyApi.as_view(), name="task-rectify"
    ),
    path("tasks/inbox/", task_api.TaskInboxApi.as_view(), name="task-inbox"),
    path("tasks/queue/", task_api.TaskQueueApi.as_view(), name="task-queue"),
    path("tasks/<int:pk>/claim/", task_api.TaskClaimApi.as_view(), name="task-claim"),
    path("tasks/<int:pk>/release/", task_api.TaskReleaseApi.as_view(), name="task-release"),
    path("tasks/<int:pk>/verify/", task_api.TaskVerifyApi.as_view(), name="task-verify"),
    path("tasks/<int:pk>/reassign/", task_api.TaskReassignApi.as_view(), name="task-reassign"),
    path(
        "tasks/<int:pk>/extend-deadline/",
        task_api.TaskDeadlineExtendApi.as_view(),
        name="task-extend-deadline",
    ),
    path("tasks/reassign/", task_api.TaskBulkReassignApi.as_view(), name="task-bulk-reassign"),
    path("sampling/draws/", sampling_api.SamplingDrawApi.as_view(), name="sampling-draw"),
]
