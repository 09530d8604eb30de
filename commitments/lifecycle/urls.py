"""URLs of a commitment's life.

- ``urlpatterns``: the applicant's pages, included by ``commitments.urls`` (namespace
  ``commitments``, mounted at /commitments/; signing is in ``workflows.applicant_urls``);
- ``record_urlpatterns``: the subject's credit record, own and public (namespace ``credit``,
  mounted at /credit/);
- ``api_urlpatterns``: the API, included by ``commitments.urls`` (``commitments_api``).
"""

from django.urls import path

from commitments.lifecycle.api import commitments as commitment_api
from commitments.lifecycle.api import representation as representation_api
from commitments.lifecycle.api import subjects as subject_api
from commitments.lifecycle.pages import commitments as commitment_pages
from commitments.lifecycle.pages import drafts, my_commitments, record, representation, subjects

urlpatterns = [
    path("", my_commitments.CommitmentListView.as_view(), name="list"),
    path("subjects/", subjects.SubjectListView.as_view(), name="subjects"),
    path("subjects/new/", subjects.SubjectRegisterView.as_view(), name="subject_register"),
    path("subjects/letter/", representation.LetterUploadView.as_view(), name="letter_upload"),
    path(
        "subjects/agent-request/", representation.AgentRequestView.as_view(), name="agent_request"
    ),
    path("subjects/<int:pk>/agents/", representation.AgentListView.as_view(), name="agents"),
    path(
        "representations/<int:pk>/<str:action>/",
        representation.RepresentationDecisionView.as_view(),
        name="representation_decide",
    ),
    path("letters/", representation.LetterReviewListView.as_view(), name="letter_reviews"),
    path(
        "letters/<int:pk>/review/", representation.LetterReviewView.as_view(), name="letter_review"
    ),
    path(
        "letters/<int:pk>/letter.pdf", representation.LetterFileView.as_view(), name="letter_file"
    ),
    path("templates/<int:pk>/new/", drafts.CommitmentCreateView.as_view(), name="create"),
    path("<str:reference>/", commitment_pages.CommitmentDetailView.as_view(), name="detail"),
    path("<str:reference>/edit/", drafts.CommitmentEditView.as_view(), name="edit"),
    path("<str:reference>/withdraw/", drafts.CommitmentWithdrawView.as_view(), name="withdraw"),
    path("<str:reference>/preview.pdf", drafts.CommitmentPreviewView.as_view(), name="preview"),
    path(
        "<str:reference>/document.pdf",
        commitment_pages.CommitmentDownloadView.as_view(),
        name="download",
    ),
]

api_urlpatterns = [
    path("subjects/", subject_api.SubjectListApi.as_view(), name="subject-list"),
    path("subjects/register/", subject_api.SubjectRegisterApi.as_view(), name="subject-register"),
    path("subjects/<str:code>/agents/", representation_api.AgentListApi.as_view(), name="agents"),
    path(
        "representations/",
        representation_api.RepresentationListApi.as_view(),
        name="representation-list",
    ),
    path(
        "representations/letters/",
        representation_api.LetterSubmitApi.as_view(),
        name="representation-letter",
    ),
    path(
        "representations/letters/pending/",
        representation_api.LetterPendingListApi.as_view(),
        name="representation-letters-pending",
    ),
    path(
        "representations/agent-requests/",
        representation_api.AgentRequestApi.as_view(),
        name="representation-agent-request",
    ),
    path(
        "representations/<int:pk>/revoke/",
        representation_api.RepresentationRevokeApi.as_view(),
        name="representation-revoke",
    ),
    path(
        "representations/<int:pk>/refuse/",
        representation_api.AgentRequestRefuseApi.as_view(),
        name="representation-refuse",
    ),
    path(
        "representations/<int:pk>/review/",
        representation_api.LetterReviewApi.as_view(),
        name="representation-review",
    ),
    path("commitments/", commitment_api.CommitmentListApi.as_view(), name="commitment-list"),
    path(
        "commitments/create/",
        commitment_api.CommitmentCreateApi.as_view(),
        name="commitment-create",
    ),
    path(
        "commitments/<str:reference>/",
        commitment_api.CommitmentDetailApi.as_view(),
        name="commitment-detail",
    ),
    path(
        "commitments/<str:reference>/preview/",
        commitment_api.CommitmentPreviewApi.as_view(),
        name="commitment-preview",
    ),
    path(
        "commitments/<str:reference>/document/",
        commitment_api.CommitmentDocumentApi.as_view(),
        name="commitment-document",
    ),
    path(
        "commitments/<str:reference>/withdraw/",
        commitment_api.CommitmentWithdrawApi.as_view(),
        name="commitment-withdraw",
    ),
]

record_urlpatterns = [
    path("<str:code>/", record.CreditRecordView.as_view(), name="record"),
    path("<str:code>/public/", record.PublicCreditRecordView.as_view(), name="public"),
]
