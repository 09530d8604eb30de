"""The applicant's actions that start a flow, mounted at /commitments/ beside ``commitments``."""

from django.urls import path

from workflows import applicant_views, upload_views

app_name = "submission"
urlpatterns = [
    path("<str:reference>/sign/", applicant_views.CommitmentSignView.as_view(), name="sign"),
    path(
        "<str:reference>/upload-signed/",
        upload_views.CommitmentUploadSignedView.as_view(),
        name="upload-signed",
    ),
]
