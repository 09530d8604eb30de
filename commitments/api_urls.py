"""API URLs of the commitment domain: one URL per action."""

from django.urls import path

from . import api

app_name = "commitments_api"

urlpatterns = [
    path("subjects/", api.SubjectListApi.as_view(), name="subject-list"),
    path("subjects/register/", api.SubjectRegisterApi.as_view(), name="subject-register"),
    path("templates/", api.TemplateListApi.as_view(), name="template-list"),
    path("commitments/", api.CommitmentListApi.as_view(), name="commitment-list"),
    path("commitments/create/", api.CommitmentCreateApi.as_view(), name="commitment-create"),
    path(
        "commitments/<str:reference>/", api.CommitmentDetailApi.as_view(), name="commitment-detail"
    ),
    path(
        "commitments/<str:reference>/preview/",
        api.CommitmentPreviewApi.as_view(),
        name="commitment-preview",
    ),
    path(
        "commitments/<str:reference>/document/",
        api.CommitmentDocumentApi.as_view(),
        name="commitment-document",
    ),
    path(
        "commitments/<str:reference>/withdraw/",
        api.CommitmentWithdrawApi.as_view(),
        name="commitment-withdraw",
    ),
]
